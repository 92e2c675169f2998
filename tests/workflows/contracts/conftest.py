"""The `deal` fixture: a collective-contract negotiation on a fresh database (tests/helpers/contracts.py)."""

from __future__ import annotations

import pytest

from helpers.contracts import Deal


@pytest.fixture
def deal(services, clock) -> Deal:
    deal = Deal(services, clock)
    yield deal
    if deal.id is not None:  # no test may leave its instance with an incident (a failed script or handler)
        assert deal.instance()["incidents"] == [] and deal.instance()["status"] != "error"
