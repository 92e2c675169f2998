"""Every documented operation, fed generated and hostile inputs by schemathesis, answers without a 5xx.

An app on a fresh migrated SQLite file, with the bundled diagrams deployed and one admin (who may call every
operation) whose token every request carries.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api import create_app
from engine import db
from engine.identity import SYSTEM, create_user
from workflows import tables as domain_models
from workflows.catalog import deploy_bundled

from conftest import CASES

EXAMPLES = 12  # per operation; about 120 operations make well over 1,000 requests


def _app():
    path = Path(tempfile.mkdtemp(prefix="dmflow-fuzz-")) / "fuzz.db"
    url = f"sqlite:///{path}"
    db.upgrade(url, extra_locations=(domain_models.MIGRATIONS,))
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    services = app.extensions["dmflow"]
    _, token = create_user(services.uow(), "fuzz_admin", ["admin", "designer", "auditor"], actor=SYSTEM)
    deploy_bundled(services.uow(), app.config["BPMN_DIR"], actor=SYSTEM)
    return app, {"Authorization": f"Bearer {token}"}


APP, HEADERS = _app()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_no_operation_answers_5xx(case):
    CASES["count"] += 1
    case.call_and_validate(headers=HEADERS, checks=[not_a_server_error])
