"""The `deal` fixture: a collective-contract negotiation on a fresh database.

Each test of this folder drives a real ``collective_contract`` instance through the domain services
(tests/helpers/contracts.py) on SQLite (and PostgreSQL when configured); timers fire because the injectable clock
is moved and the worker run. One module per aspect, one test per statutory rule, named after its article.
"""

from __future__ import annotations

import pytest

from helpers.contracts import Deal


@pytest.fixture
def deal(services, clock) -> Deal:
    deal = Deal(services, clock)
    yield deal
    if deal.id is not None:  # no test may leave its instance with an incident (a failed script or handler)
        assert deal.instance()["incidents"] == [] and deal.instance()["status"] != "error"
