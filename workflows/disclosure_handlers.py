"""Service-task handlers of the disclosure procedure (registered with `workflows.services.service`)."""
