"""The fuzz run (`make fuzz`): schemathesis over /api/v1/openapi.json, authenticated, reporting any 5xx."""

from __future__ import annotations

CASES = {"count": 0}
MIN_CASES = 1000


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"fuzz: {CASES['count']} generated requests, none answered 5xx"
                            if exitstatus == 0 else f"fuzz: {CASES['count']} generated requests")
    if exitstatus == 0 and CASES["count"] < MIN_CASES:
        if reporter is not None:
            reporter.write_line(f"fuzz: fewer than {MIN_CASES} cases ran", red=True)
        session.exitstatus = 1
