"""API blueprints, one module per resource."""

from . import audit, deployments, instances, tasks, users

BLUEPRINTS = [deployments.blp, instances.blp, tasks.blp, audit.blp, users.blp]
