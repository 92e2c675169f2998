"""A collective contract brought into force, for the tests of what happens to it then (change, performance)."""

from __future__ import annotations

from helpers.contracts import local


def bring_in_force(deal, clock):
    """A contract in force since 2026-05-22 (received 05-06, 15-day review); the clock left at 2026-06-02."""
    deal.signed_and_filed()
    clock.set(local("2026-05-06", "09:00"))
    deal.receive()
    deal.at(local("2026-05-22", "00:10"))
    assert deal.contract.stage == "effective"
    clock.set(local("2026-06-02", "09:00"))
    return deal
