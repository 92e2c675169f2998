"""Generic, persistent BPMN execution on SpiffWorkflow: deployments, instances, steps, timers, messages, audit.

The service functions live in their modules (``engine.deployments.deploy``, ``engine.runtime.start_instance``,
``engine.runtime.complete_task``, ``engine.messages.send_message``, ``engine.worker.run_once``,
``engine.audit.verify``, ...); each takes a ``engine.unit_of_work.UnitOfWork``. Nothing here knows about
congresses or contracts, and nothing here imports Flask (tests/test_architecture.py checks both).
"""
