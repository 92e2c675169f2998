"""The federation dashboard judges each member by its own rules (issue #21): whether a member's workers' congress met
"in the interval the rules set" uses that member's rule_session_interval_months (its own setting, else its
federations', else the installation's DMFLOW_RULE_SESSION_INTERVAL_MONTHS), set by the operator on the organisation.

A hand-built federation of three members, all of whose congresses last closed a session before the dashboard's day:
- 浦东机械 (no setting: the installation's 12 months) met on 2025-12-01: met;
- 浦东餐饮 (6 months, as the 1986 条例 第18条 sets: 至少每半年召开一次) met on 2025-12-01: not met;
- 浦东物流 (6 months) met on 2026-03-01: met.
"""

from __future__ import annotations

import datetime as dt

from engine import tenancy

from helpers.contracts import local
from helpers.federation import closed_session, organisation
from helpers.tenancy import headers

AS_OF = local("2026-06-05")


def test_each_member_is_judged_by_its_own_session_interval_1986_regulation_art18(client, users, services, clock):
    operator = users.headers("operator", "admin")
    fed = organisation(services, "pudong_fed", "浦东新区总工会", kind=tenancy.FEDERATION, region="浦东新区")
    members = {name: organisation(services, code, name, parent=fed, region="浦东新区", headcount=100)
               for code, name in (("pd_a", "浦东机械"), ("pd_b", "浦东餐饮"), ("pd_c", "浦东物流"))}
    for name in ("浦东餐饮", "浦东物流"):
        changed = client.patch(f"/api/v1/organisations/{members[name]}", headers=operator,
                               json={"settings": {"rule_session_interval_months": 6}})
        assert changed.status_code == 200, changed.get_json()
    for name, held_on in (("浦东机械", dt.date(2025, 12, 1)), ("浦东餐饮", dt.date(2025, 12, 1)),
                          ("浦东物流", dt.date(2026, 3, 1))):
        clock.set(local(held_on.isoformat()))
        closed_session(services, members[name], held_on, name)
    clock.set(AS_OF)
    officer = headers(services, fed, "officer_zhang", "federation_officer")

    figures = client.get("/api/v1/federation/dashboard", headers=officer).get_json()
    rows = {row["name"]: row for row in figures["members"]}
    assert figures["session_interval_months"] == services.rules.session_interval_months == 12
    assert {n: (r["session_interval_months"], r["congress_since"], r["congress_met"]) for n, r in rows.items()} == {
        "浦东机械": (12, "2025-06-05", True), "浦东餐饮": (6, "2025-12-05", False),
        "浦东物流": (6, "2025-12-05", True)}
    assert figures["totals"]["congress_met"] == 2 and figures["rates"]["congress"] == 66.7

    # A setting of the federation reaches the members that set nothing themselves; a member's own still wins.
    changed = client.patch(f"/api/v1/organisations/{fed}", headers=operator,
                           json={"settings": {"rule_session_interval_months": 3}})
    assert changed.status_code == 200, changed.get_json()
    figures = client.get("/api/v1/federation/dashboard", headers=officer).get_json()
    assert {r["name"]: (r["session_interval_months"], r["congress_met"]) for r in figures["members"]} == {
        "浦东机械": (3, False), "浦东餐饮": (6, False), "浦东物流": (6, True)}
    csv = client.get("/api/v1/federation/report.csv", headers=officer).data.decode("utf-8-sig").splitlines()
    assert "规定召开间隔（月）" in csv[1] and csv[2].split(",")[7] == "3"
