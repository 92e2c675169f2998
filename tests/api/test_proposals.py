"""A proposal (提案) from submission to publication, through the HTTP API, with its practice rules."""

from __future__ import annotations

from engine import departments
from engine.identity import SYSTEM

from conftest import bundled_files
from helpers.congress import make_congress
from helpers.roundtrip import complete as _complete
from helpers.roundtrip import ready as _ready

GOOD = {"title": "食堂扩建", "reason": "午餐排队超过30分钟", "measures": "增加4个窗口"}


def _setup(client, deploy, users, services):
    make_congress(services, linked={1: "rep1", 2: "rep2", 3: "rep3"})
    assert deploy(bundled_files("congress")).status_code == 201
    heads = {name: users.headers(name, "representative") for name in ("rep1", "rep2", "rep3")}
    heads["outsider"] = users.headers("outsider", "representative")  # holds the role, not a seat
    heads["committee"] = users.headers("committee", "proposal_committee")
    heads["dept"] = users.headers("dept", "handling_department")
    users.headers("dept_other", "handling_department")  # holds the role, works in another department
    departments.save_department(services.uow(), "logistics", name="后勤保障部", members=["dept"], heads=["dept"],
                                actor=SYSTEM)
    departments.save_department(services.uow(), "finance", name="财务部", members=["dept_other"], heads=[],
                                actor=SYSTEM)
    heads["auditor"] = users.headers("auditor", "auditor")
    return heads


def _submit(client, heads, cosigners):
    iid = client.post("/api/v1/instances", json={"process": "proposal"}, headers=heads["rep1"]).get_json()["id"]
    _, ready = _ready(client, heads["rep1"], iid)
    return iid, client.post(f"/api/v1/tasks/{ready['submit']}/complete", headers=heads["rep1"],
                            json={"data": GOOD | {"cosigners": cosigners}})


def _cosigned(client, heads) -> tuple[str, int]:
    """A proposal of rep1 that rep2 and rep3 have seconded: (instance id, proposal id)."""
    iid, _ = _submit(client, heads, ["E0002", "E0003"])
    pid = client.get("/api/v1/congress/proposals", headers=heads["auditor"]).get_json()[0]["id"]
    for rep in ("rep2", "rep3"):
        client.post(f"/api/v1/congress/proposals/{pid}/cosign", json={"confirm": True}, headers=heads[rep])
    return iid, pid


def test_cosigner_who_is_not_a_representative_is_refused(client, deploy, users, services):
    heads = _setup(client, deploy, users, services)
    _, r = _submit(client, heads, ["E0002", "X9999"])
    assert r.status_code == 422
    assert r.get_json()["errors"]["rule"] == ["cosigner_not_representative"]
    assert r.get_json()["errors"]["cosigners"] == ["not a seated representative: X9999"]


def test_proposal_needs_at_least_two_cosigners(client, deploy, users, services):
    heads = _setup(client, deploy, users, services)
    iid, r = _submit(client, heads, ["E0002"])
    assert r.status_code == 422 and r.get_json()["errors"]["rule"] == ["proposal_cosigners_min"]
    body, ready = _ready(client, heads["rep1"], iid)
    assert list(ready) == ["submit"]  # nothing changed


def test_only_a_seated_representative_may_submit(client, deploy, users, services):
    heads = _setup(client, deploy, users, services)
    iid = client.post("/api/v1/instances", json={"process": "proposal"}, headers=heads["outsider"]).get_json()["id"]
    _, ready = _ready(client, heads["outsider"], iid)
    r = client.post(f"/api/v1/tasks/{ready['submit']}/complete", headers=heads["outsider"],
                    json={"data": GOOD | {"cosigners": ["E0002", "E0003"]}})
    assert r.status_code == 403


def test_proposal_from_submission_to_publication_with_a_second_round(client, deploy, users, services):
    heads = _setup(client, deploy, users, services)
    iid, r = _submit(client, heads, ["E0002", "E0003"])
    assert r.status_code == 200 and r.get_json()["ready_tasks"] == []  # waiting for the co-signers
    [proposal] = client.get("/api/v1/congress/proposals", headers=heads["auditor"]).get_json()
    assert proposal["status"] == "cosigning" and proposal["proposer_employee_no"] == "E0001"
    pid = proposal["id"]
    assert client.post(f"/api/v1/congress/proposals/{pid}/cosign", json={"confirm": True},
                       headers=heads["outsider"]).status_code == 403
    client.post(f"/api/v1/congress/proposals/{pid}/cosign", json={"confirm": True}, headers=heads["rep2"])
    assert client.post(f"/api/v1/congress/proposals/{pid}/cosign", json={"confirm": True},
                       headers=heads["rep2"]).status_code == 409
    _, ready = _ready(client, heads["auditor"], iid)
    assert ready == {}  # still one co-signer to answer
    client.post(f"/api/v1/congress/proposals/{pid}/cosign", json={"confirm": True, "comment": "同意"},
                headers=heads["rep3"])
    body, ready = _ready(client, heads["auditor"], iid)
    assert list(ready) == ["screen"] and body["data"]["cosignature"]["confirmed"] == ["E0002", "E0003"]
    _complete(client, heads["committee"], ready["screen"], {"decision": "accept", "screening_reason": "属职权范围"})
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["committee"], ready["assign"], {"handling_department": "后勤保障部", "due_days": 30})
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["dept"], ready["handle"], {"reply": "拟增加2个窗口", "measures_taken": "已立项",
                                                       "signed_by": "李主任", "contacted_proposer": True})
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["rep1"], ready["rate"], {"satisfaction": "unsatisfied", "rating_comment": "窗口仍不够"})
    body, ready = _ready(client, heads["auditor"], iid)
    assert list(ready) == ["handle"] and body["data"]["handling_round"] == 2  # one more round
    _complete(client, heads["dept"], ready["handle"], {"reply": "增加4个窗口", "measures_taken": "下月施工",
                                                       "signed_by": "李主任", "contacted_proposer": True})
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["rep1"], ready["rate"], {"satisfaction": "satisfied"})
    _, ready = _ready(client, heads["auditor"], iid)
    done = _complete(client, heads["committee"], ready["report"], {"report_summary": "已落实",
                                                                   "implementation_status": "implemented"})
    assert done["status"] == "completed"
    published = client.get("/api/v1/congress/proposals?status=published", headers=heads["rep2"]).get_json()
    assert [p["id"] for p in published] == [pid]
    assert published[0]["satisfaction"] == "satisfied" and published[0]["published_at"]
    history = client.get(f"/api/v1/instances/{iid}/history", headers=heads["auditor"]).get_json()
    types = [e["type"] for e in history]
    assert types.count("proposal.cosign_answered") == 2 and "message.received" in types
    assert client.get("/api/v1/audit/verify", headers=heads["auditor"]).get_json()["ok"]


def test_rejected_proposal_is_recorded_with_the_reason(client, deploy, users, services):
    heads = _setup(client, deploy, users, services)
    iid, pid = _cosigned(client, heads)
    _, ready = _ready(client, heads["auditor"], iid)
    done = _complete(client, heads["committee"], ready["screen"], {"decision": "reject",
                                                                   "screening_reason": "属个人问题"})
    assert done["status"] == "completed"
    proposal = client.get(f"/api/v1/congress/proposals/{pid}", headers=heads["rep1"]).get_json()
    assert proposal["status"] == "not_registered" and proposal["decision"] == "reject"


def _notices(client, headers, kind):
    return [n for n in client.get("/api/v1/notifications", headers=headers).get_json()["items"] if n["kind"] == kind]


def test_the_proposer_is_told_of_the_screening_and_of_each_reply(client, deploy, users, services):
    heads = _setup(client, deploy, users, services)
    iid, pid = _cosigned(client, heads)
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["committee"], ready["screen"], {"decision": "accept"})
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["committee"], ready["assign"], {"handling_department": "后勤保障部", "due_days": 30})
    _, ready = _ready(client, heads["auditor"], iid)
    assert _notices(client, heads["rep1"], "proposal.replied") == []
    _complete(client, heads["dept"], ready["handle"], {"reply": "拟增加2个窗口", "measures_taken": "已立项",
                                                       "signed_by": "李主任", "contacted_proposer": True})
    [replied] = _notices(client, heads["rep1"], "proposal.replied")
    assert replied["title"] == "提案已答复：食堂扩建" and replied["link"] == f"/congress/proposals/{pid}"
    assert _notices(client, heads["rep2"], "proposal.replied") == []  # the proposer's, not the co-signers'


def test_the_proposer_is_told_why_a_proposal_was_not_registered(client, deploy, users, services):
    heads = _setup(client, deploy, users, services)
    iid, pid = _cosigned(client, heads)
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["committee"], ready["screen"], {"decision": "reject", "screening_reason": "属个人问题"})
    [screened] = _notices(client, heads["rep1"], "proposal.screened")
    assert "不予立案" in screened["body"] and "属个人问题" in screened["body"]
