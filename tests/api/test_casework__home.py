"""The yearly "职工之家" assessment (建家评估) through the HTTP API: criteria configurable with their sources, a
year scored against the criteria in force, its result by the configured shares, and the history by year."""

from __future__ import annotations

import pytest

from workflows.casework import home as assessment


@pytest.fixture
def home(client, users, services):
    assert assessment.seed_criteria(services.uow()) == 6 and assessment.seed_criteria(services.uow()) == 0
    h = {"union": users.headers("u1", "union_committee"), "worker": users.headers("worker1"),
         "auditor": users.headers("auditor1", "auditor")}

    def call(method: str, path: str, who: str, expect: int = 200, **kwargs):
        response = getattr(client, method)(f"/api/v1/casework{path}", headers=h[who], **kwargs)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    return call


def full_marks(criteria: list[dict], minus: int = 0) -> dict[str, int]:
    scores = {str(c["id"]): c["max_score"] for c in criteria}
    first = str(criteria[0]["id"])
    scores[first] -= minus
    return scores


def test_a_year_is_scored_against_criteria_with_sources_and_kept_in_the_history(home):
    criteria = home("get", "/home-criteria", "worker")
    assert len(criteria) >= 5 and all(c["source"] and c["max_score"] > 0 for c in criteria)
    assert sum(c["max_score"] for c in criteria) == 100
    done = home("post", "/home-assessments", "union", 201, json={
        "year": 2025, "scores": full_marks(criteria, minus=5), "notes": {str(criteria[0]["id"]): "换届推迟一个月"},
        "note": "年度建家评估"})
    assert (done["total"], done["max_total"], done["result"]) == (95, 100, "excellent")
    assert done["scores"][0]["note"] == "换届推迟一个月" and done["scores"][0]["source"] == criteria[0]["source"]

    # A criterion added later is scored from the next year on; 2025 keeps what it scored.
    added = home("post", "/home-criteria", "union", 201, json={
        "name": "女职工工作", "max_score": 10, "source": "工会法 第10条 (U)"})
    criteria = home("get", "/home-criteria", "worker")
    assert added["id"] in {c["id"] for c in criteria}
    scores = full_marks(criteria) | {str(criteria[0]["id"]): 0, str(criteria[1]["id"]): 0}  # 40 points short
    passed = home("post", "/home-assessments", "union", 201, json={"year": 2026, "scores": scores})
    assert (passed["total"], passed["max_total"], passed["result"]) == (70, 110, "passed")
    assert [a["year"] for a in home("get", "/home-assessments", "worker")] == [2026, 2025]
    assert len(home("get", "/home-assessments/2025", "worker")["scores"]) == len(criteria) - 1


def test_home_assessment_once_a_year_and_every_criterion_scored_within_its_points(home):
    criteria = home("get", "/home-criteria", "worker")
    scores = full_marks(criteria)
    missing = dict(list(scores.items())[1:])
    refused = home("post", "/home-assessments", "union", 422, json={"year": 2025, "scores": missing})
    assert refused["errors"][str(criteria[0]["id"])] == ["required"]
    over = scores | {str(criteria[0]["id"]): criteria[0]["max_score"] + 1}
    assert str(criteria[0]["id"]) in home("post", "/home-assessments", "union", 422,
                                          json={"year": 2025, "scores": over})["errors"]
    home("post", "/home-assessments", "union", 201, json={"year": 2025, "scores": scores})
    again = home("post", "/home-assessments", "union", 409, json={"year": 2025, "scores": scores})
    assert again["errors"]["rule"] == ["home_assessment_once_a_year"]


def test_below_the_pass_share_the_home_fails_and_a_criterion_cites_its_source(home):
    criteria = home("get", "/home-criteria", "worker")
    low = {str(c["id"]): 0 for c in criteria} | {str(criteria[0]["id"]): 20, str(criteria[1]["id"]): 20,
                                                 str(criteria[2]["id"]): 19}
    assert home("post", "/home-assessments", "union", 201, json={"year": 2025, "scores": low})["result"] == "failed"
    no_source = home("put", f"/home-criteria/{criteria[0]['id']}", "union", 422,
                     json={"name": "组织健全", "max_score": 20, "source": ""})
    assert "source" in no_source["errors"]["json"]


def test_only_the_union_committee_keeps_the_criteria_and_scores(home):
    criteria = home("get", "/home-criteria", "worker")
    home("post", "/home-criteria", "worker", 403, json={"name": "x", "max_score": 5, "source": "y"})
    home("post", "/home-assessments", "auditor", 403, json={"year": 2025, "scores": full_marks(criteria)})
    home("get", "/home-assessments/2025", "worker", 404)
