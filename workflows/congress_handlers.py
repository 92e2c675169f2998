"""Service-task handlers of the congress procedure (registered with `workflows.services.service`)."""
