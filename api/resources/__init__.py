"""API blueprints, one module per resource."""

from . import audit, calendar, deployments, events, instances, tasks, users

BLUEPRINTS = [deployments.blp, instances.blp, tasks.blp, events.blp, audit.blp, users.blp, calendar.blp]
