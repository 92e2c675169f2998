"""Change and early termination of a collective contract over HTTP: the refusals name their article."""

from __future__ import annotations

from helpers.contracts import Deal

TERMINATE = {"action": "terminate", "ground": "force_majeure", "facts": "厂区因地震损毁，无法恢复生产",
             "proposal_text": "因不可抗力致使集体合同无法履行，提出解除。"}


def test_change_requests_are_refused_with_their_article_and_listed(client, users, services, clock):
    deal = Deal(services, clock).request()
    employer = users.headers("chief_e", "employer_negotiator")
    api = f"/api/v1/contracts/{deal.id}/changes"
    r = client.post(api, json=TERMINATE | {"ground": "cheaper_elsewhere"}, headers=employer)
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["change_ground"]
    assert r.get_json()["errors"]["article"] == ["集体合同规定第39条、第40条"]
    r = client.post(api, json=TERMINATE, headers=employer)
    assert r.status_code == 409 and "not in force" in r.get_json()["message"]
    assert client.post(api, json=TERMINATE, headers=users.headers("worker1")).status_code == 403
    assert client.get(api, headers=employer).get_json() == []
    assert client.get(api, headers=users.headers("worker1")).status_code == 403
    assert client.get("/api/v1/contracts/999/changes", headers=employer).status_code == 404


def test_performance_report_of_a_contract_not_in_force_is_refused_with_its_article(client, users, services, clock):
    deal = Deal(services, clock).request()
    api = f"/api/v1/contracts/{deal.id}/performance-reports"
    body = {"year": 2026, "meeting_id": 1, "summary": "良好",
            "obligations": [{"clause": "第3条", "status": "met"}]}
    r = client.post(api, json=body, headers=users.headers("chair", "union_chair"))
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["performance_year"]
    assert client.post(api, json=body, headers=users.headers("chief_e", "employer_negotiator")).status_code == 403
    bad = body | {"obligations": [{"clause": "第3条", "status": "fine"}]}
    assert client.post(api, json=bad, headers=users.headers("chair", "union_chair")).status_code == 422
    assert client.get(api, headers=users.headers("chief_e", "employer_negotiator")).get_json() == []
