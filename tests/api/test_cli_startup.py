"""Start-up costs that must not come back: the CLI without the web layer, a failed calendar refresh cached."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from sqlalchemy import event

from api import create_app

from conftest import ROOT

PROBE = """
import json, sys
from api.cli import main
try:
    main(["db", "upgrade"], standalone_mode=False)
    main(["audit", "verify"], standalone_mode=False)
    main(["worker", "--once"], standalone_mode=False)  # no notice is due: its job would import WeasyPrint
finally:
    loaded = [m for m in sys.modules if m == "weasyprint" or m.startswith(("api.web.views", "api.resources"))]
    print(json.dumps(loaded))
"""


def test_a_cli_command_that_renders_no_document_imports_neither_weasyprint_nor_the_web_layer(tmp_path):
    env = dict(os.environ, DMFLOW_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("database at revision")
    assert any(line.startswith("audit trail intact") for line in lines)
    assert json.loads(lines[-1]) == []


def test_a_failed_calendar_refresh_is_not_retried_on_every_unit_of_work(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "TESTING": True})  # not migrated
    services = app.extensions["dmflow"]
    tried: list[str] = []
    event.listen(services.db, "before_cursor_execute",
                 lambda conn, cursor, statement, *a: tried.append(statement) if "calendar" in statement else None)
    services.refresh_calendar(force=True)
    first = len(tried)
    for _ in range(5):
        services.uow(readonly=True)
    assert first >= 1 and len(tried) == first
    services.db.dispose()
