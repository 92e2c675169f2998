"""Democratic appraisal and satisfaction ratings (民主评议, 满意度评价) through the HTTP API: a secret graded ballot
by the representatives, one ballot each, results after closing with the distribution, and follow-up when the
dissatisfied share passes the threshold."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from fractions import Fraction

import pytest

from engine.worker import run_once
from workflows.casework.appraisal import needs_follow_up

from helpers.api import bundled_files
from helpers.roundtrip import assert_round_trip

CLOSES = "2026-03-09T10:00:00+00:00"


@pytest.fixture
def ap(client, deploy, users, services, clock):
    deployed = deploy(bundled_files("casework"))
    assert deployed.status_code == 201, deployed.get_json()
    h = {"union": users.headers("u1", "union_committee"), "auditor": users.headers("auditor1", "auditor"),
         "worker": users.headers("worker1")}
    for n in range(4):
        h[f"rep{n}"] = users.headers(f"rep{n}", "representative")

    def call(method: str, path: str, who: str, expect: int = 200, **kwargs):
        response = getattr(client, method)(f"/api/v1/casework/appraisals{path}", headers=h[who], **kwargs)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def close():
        clock.set(datetime.fromisoformat(CLOSES) + timedelta(minutes=1))
        run_once(services.uow)

    call.h, call.client, call.close, call.services = h, client, close, services
    return call


def test_appraisal_thresholds_trigger_follow_up_when_more_than_the_share_is_dissatisfied(ap):
    made = ap("post", "", "union", 201, json={"title": "2025年度工会工作满意度", "items": ["工会主席", "困难帮扶"],
                                              "closes_at": CLOSES})
    chair, aid = (i["item_id"] for i in made["items"])
    assert made["dissatisfied_share"] == "1/3" and "counts" not in made["items"][0]
    votes = [("dissatisfied", "satisfied"), ("dissatisfied", "satisfied"), ("satisfied", "dissatisfied"),
             ("basically_satisfied", "satisfied")]
    for n, (a, b) in enumerate(votes):
        ap("post", f"/{made['id']}/ballot", f"rep{n}", json={"grades": {str(chair): a, str(aid): b}})
    body = ap("post", f"/{made['id']}/ballot", "rep0", 409, json={"grades": {str(chair): "satisfied",
                                                                                str(aid): "satisfied"}})
    assert body["errors"]["rule"] == ["appraisal_one_ballot"]
    ap("post", f"/{made['id']}/ballot", "worker", 403, json={"grades": {str(chair): "satisfied",
                                                                         str(aid): "satisfied"}})
    assert_round_trip(ap.services, made["instance_id"])
    ap.close()
    assert_round_trip(ap.services, made["instance_id"])
    result = ap("get", f"/{made['id']}", "worker")
    assert result["status"] == "closed" and result["voters"] == 4
    rows = {r["name"]: r for r in result["items"]}
    assert rows["工会主席"]["counts"] == {"satisfied": 1, "basically_satisfied": 1, "dissatisfied": 2}
    assert rows["工会主席"]["follow_up"] and not rows["困难帮扶"]["follow_up"]  # 2/4 > 1/3; 1/4 is not
    tasks = ap.client.get("/api/v1/tasks?scope=groups&process=appraisal", headers=ap.h["union"]).get_json()
    assert [t["element_id"] for t in tasks["items"]] == ["follow_up"]
    ap("post", f"/{made['id']}/ballot", "rep1", 409, json={"grades": {str(chair): "satisfied",
                                                                       str(aid): "satisfied"}})


def test_exactly_the_threshold_does_not_trigger_follow_up():
    assert not needs_follow_up(1, 3, Fraction(1, 3)) and needs_follow_up(2, 5, Fraction(1, 3))


def test_a_ballot_is_secret_the_trail_says_who_voted_never_how(ap, services):
    made = ap("post", "", "union", 201, json={"title": "中层干部民主评议", "items": ["车间主任"], "scale": "five",
                                              "closes_at": CLOSES, "dissatisfied_share": "1/2"})
    item = made["items"][0]["item_id"]
    ap("post", f"/{made['id']}/ballot", "rep0", 422, json={"grades": {str(item): "satisfied"}})  # off the scale
    ap("post", f"/{made['id']}/ballot", "rep0", json={"grades": {str(item): "2"}})
    history = ap.client.get(f"/api/v1/instances/{made['instance_id']}/history", headers=ap.h["auditor"]).get_json()
    voted = [e for e in history if e["type"] == "casework.appraisal_voted"]
    assert [e["actor"] for e in voted] == ["rep0"] and '"2"' not in json.dumps(voted)
    uow = services.uow(readonly=True)
    with uow:
        from workflows.casework.tables import AppraisalVoter

        assert [c.name for c in AppraisalVoter.__table__.columns] == ["appraisal_id", "username"]  # no grade
