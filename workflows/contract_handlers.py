"""Service-task handlers of the contract procedure (registered with `workflows.services.service`)."""
