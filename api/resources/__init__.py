"""API blueprints, one module per resource."""

from . import (
    audit,
    calendar,
    casework,
    casework_appraisal,  # noqa: F401  (routes on the casework blueprint)
    casework_hardship,  # noqa: F401  (routes on the casework blueprint)
    casework_home,  # noqa: F401  (routes on the casework blueprint)
    congress,
    congress_session,
    contract_disputes,
    contracts,
    contracts_in_force,
    departments,
    deployments,
    disclosures,
    elections,
    events,
    federation,
    inspection,
    instances,
    notifications,
    organisations,
    proposals,
    tasks,
    users,
)

BLUEPRINTS = [deployments.blp, instances.blp, tasks.blp, events.blp, audit.blp, users.blp, calendar.blp, congress.blp,
              congress_session.blp,
              proposals.blp, contracts.blp, disclosures.blp, departments.blp, notifications.blp,
              inspection.blp, contracts_in_force.blp, contract_disputes.blp, casework.blp,
              elections.blp, federation.blp, organisations.blp]
