"""A matter for adoption (审议通过事项) from draft to archive: deliberation, a secret vote, the notice."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from engine import jobs
from engine.worker import run_once

from conftest import bundled_files
from helpers.congress import make_congress
from helpers.roundtrip import complete as _complete
from helpers.roundtrip import ready as _ready


def _draft_to_agenda(client, heads, meeting_id):
    iid = client.post("/api/v1/instances", json={"process": "resolution", "data": {"meeting_id": meeting_id}},
                      headers=heads["drafting"]).get_json()["id"]
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["drafting"], ready["draft"], {
        "title": "关于职工福利基金使用方案的决议（草案）", "text": "一、福利基金用于职工体检。",
        "matter_type": "welfare_fund_plan"})
    _, ready = _ready(client, heads["auditor"], iid)
    _complete(client, heads["delegation"], ready["deliberate"], {
        "opinions": [{"delegation": "第一代表团", "opinion": "增加体检项目"}], "summary": "建议增加项目"})
    _, ready = _ready(client, heads["auditor"], iid)
    body = _complete(client, heads["drafting"], ready["revise_draft"], {
        "title": "关于职工福利基金使用方案的决议", "text": "一、福利基金用于职工体检，增加眼科项目。",
        "revision_notes": "采纳第一代表团意见"})
    return iid, body


def _vote(client, heads, meeting_id, matter_id, choices):
    """Convene, check in every voter, open the vote, cast `choices` (one per voter), close it."""
    p = heads["presidium"]
    assert client.post(f"/api/v1/congress/meetings/{meeting_id}/convene", headers=p).status_code in (200, 409)
    for name in choices:
        client.post(f"/api/v1/congress/meetings/{meeting_id}/check-ins", json={}, headers=heads[name])
    r = client.post(f"/api/v1/congress/matters/{matter_id}/votes", json={}, headers=p)
    assert r.status_code == 201, r.get_json()
    vote_id = r.get_json()["id"]
    for name, choice in choices.items():
        cast = client.post(f"/api/v1/congress/votes/{vote_id}/ballots", json={"choice": choice}, headers=heads[name])
        assert cast.status_code in (200, 201), cast.get_json()
    r = client.post(f"/api/v1/congress/votes/{vote_id}/close", json={}, headers=p)
    assert r.status_code == 200, r.get_json()
    return vote_id


def _setup(client, deploy, users, services):
    ids = make_congress(services, linked={i: f"rep{i}" for i in range(1, 23)})
    assert deploy(bundled_files("congress")).status_code == 201
    heads = {f"rep{i}": users.headers(f"rep{i}", "representative") for i in range(1, 23)}
    for name, role in (("presidium", "presidium"), ("drafting", "drafting_group"), ("delegation", "delegation"),
                       ("auditor", "auditor")):
        heads[name] = users.headers(name, role)
    return ids, heads


def _adopted(client, deploy, users, services):
    """A resolution drafted, put to the vote and adopted (18 for, 2 against, 1 abstaining): (instance, heads, its
    state after the close)."""
    ids, heads = _setup(client, deploy, users, services)
    iid, body = _draft_to_agenda(client, heads, ids["meeting_id"])
    choices = {f"rep{i}": "for" for i in range(1, 19)} | {"rep19": "against", "rep20": "against", "rep21": "abstain"}
    _vote(client, heads, ids["meeting_id"], body["data"]["vote"]["matter_id"], choices)
    body, _ = _ready(client, heads["auditor"], iid)
    return iid, heads, body


def test_adopted_resolution_is_published_with_its_notice_and_archived(client, deploy, users, services, clock):
    ids, heads = _setup(client, deploy, users, services)
    iid, body = _draft_to_agenda(client, heads, ids["meeting_id"])
    assert body["ready_tasks"] == []  # waiting for the congress to vote
    agenda = body["data"]["vote"]
    matters = client.get(f"/api/v1/congress/meetings/{ids['meeting_id']}/matters", headers=heads["auditor"]).get_json()
    assert [m["id"] for m in matters] == [agenda["matter_id"]] and matters[0]["mode"] == "adopt"
    choices = {f"rep{i}": "for" for i in range(1, 19)} | {"rep19": "against", "rep20": "against", "rep21": "abstain"}
    _vote(client, heads, ids["meeting_id"], agenda["matter_id"], choices)
    body, ready = _ready(client, heads["auditor"], iid)
    assert body["data"]["vote_result"]["outcome"] == "adopted" and body["data"]["vote_result"]["for"] == 18
    notice = body["data"]["notice"]
    pdf = client.get(f"/api/v1/documents/{notice['document_id']}", headers=heads["rep1"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["X-Content-SHA256"] == hashlib.sha256(pdf.data).hexdigest()
    html = client.get(f"/api/v1/documents/{notice['html_document_id']}", headers=heads["rep1"]).get_data(as_text=True)
    assert "关于职工福利基金使用方案的决议" in html and "18" in html
    history = client.get(f"/api/v1/instances/{iid}/history", headers=heads["auditor"]).get_json()
    generated = [e["payload"]["sha256"] for e in history if e["type"] == "document.generated"]
    assert pdf.headers["X-Content-SHA256"] in generated
    assert body["status"] == "running" and body["next_timer_at"]  # published for the publication period
    clock.set(clock.now() + timedelta(days=9))
    run_once(services.uow)
    assert client.get(f"/api/v1/instances/{iid}", headers=heads["auditor"]).get_json()["status"] == "completed"


def test_rejected_resolution_goes_back_to_the_drafters(client, deploy, users, services):
    ids, heads = _setup(client, deploy, users, services)
    iid, body = _draft_to_agenda(client, heads, ids["meeting_id"])
    # 15 in favour of 30 seated is exactly half: not adopted (过半数 of ALL representatives).
    choices = {f"rep{i}": "for" for i in range(1, 16)} | {f"rep{i}": "against" for i in range(16, 22)}
    _vote(client, heads, ids["meeting_id"], body["data"]["vote"]["matter_id"], choices)
    body, ready = _ready(client, heads["auditor"], iid)
    assert body["data"]["vote_result"]["outcome"] == "rejected" and list(ready) == ["decide_next"]
    _complete(client, heads["presidium"], ready["decide_next"], {"decision": "back_to_drafters",
                                                                  "decision_reason": "意见分歧较大"})
    _, ready = _ready(client, heads["auditor"], iid)
    assert list(ready) == ["revise_draft"]


def test_the_notice_is_listed_on_the_case_page_and_published_to_every_worker(client, deploy, users, services, clock):
    import re

    from engine import passwords
    from engine.identity import SYSTEM

    ids, heads = _setup(client, deploy, users, services)
    iid, body = _draft_to_agenda(client, heads, ids["meeting_id"])
    choices = {f"rep{i}": "for" for i in range(1, 19)} | {"rep19": "against", "rep20": "against", "rep21": "abstain"}
    _vote(client, heads, ids["meeting_id"], body["data"]["vote"]["matter_id"], choices)
    notice = _ready(client, heads["auditor"], iid)[0]["data"]["notice"]
    users.headers("outsider", "hr")
    for name in ("delegation", "outsider"):
        passwords.set_password(services.uow(), name, "correct-horse-42", actor=SYSTEM)

    def login(name):
        web = client.application.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text).group(1)
        assert web.post("/login", data={"username": name, "password": "correct-horse-42",
                                        "csrf_token": token}).status_code == 302
        return web

    rep = login("delegation")  # a role of the diagram: involved in the case
    page = rep.get(f"/instances/{iid}").text
    assert 'id="documents"' in page and f"notice-{body['data']['vote']['matter_id']}.pdf" in page
    pdf = rep.get(f"/documents/{notice['document_id']}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["X-Content-SHA256"] == hashlib.sha256(pdf.data).hexdigest()
    outsider = login("outsider")
    assert outsider.get(f"/instances/{iid}").status_code == 403  # the case is not theirs
    assert outsider.get(f"/documents/{notice['document_id']}").status_code == 200  # a notice is published to all


def _pdf_hashes(client, head, iid):
    history = client.get(f"/api/v1/instances/{iid}/history", headers=head).get_json()
    return [e["payload"]["sha256"] for e in history
            if e["type"] == "document.generated" and e["payload"]["filename"].endswith(".pdf")]


def test_closing_the_vote_answers_before_the_notice_pdf_is_rendered_and_the_worker_renders_it(
        client, deploy, users, services, clock):
    """The close commits the result without WeasyPrint: the PDF is a job that the worker renders afterwards."""
    services.runtime.deferred_jobs = jobs.WORKER
    iid, heads, body = _adopted(client, deploy, users, services)
    notice = body["data"]["notice"]
    assert body["data"]["vote_result"]["outcome"] == "adopted"  # the result is visible at once
    waiting = client.get(f"/api/v1/documents/{notice['document_id']}", headers=heads["rep1"])
    assert waiting.status_code == 202 and waiting.get_json()["status"] == "rendering"
    assert waiting.headers["Retry-After"]
    assert _pdf_hashes(client, heads["auditor"], iid) == []  # nothing was rendered in the close's transaction
    html = client.get(f"/api/v1/documents/{notice['html_document_id']}", headers=heads["rep1"])
    assert html.status_code == 200 and "关于职工福利基金使用方案的决议" in html.get_data(as_text=True)

    done = run_once(services.uow)

    assert done.messages_failed == 0
    pdf = client.get(f"/api/v1/documents/{notice['document_id']}", headers=heads["rep1"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert _pdf_hashes(client, heads["auditor"], iid) == [hashlib.sha256(pdf.data).hexdigest()]
    run_once(services.uow)  # a second pass renders nothing twice
    assert len(_pdf_hashes(client, heads["auditor"], iid)) == 1


def test_the_notice_page_says_in_chinese_that_the_pdf_is_being_generated(client, deploy, users, services):
    import re

    from engine import passwords
    from engine.identity import SYSTEM

    services.runtime.deferred_jobs = jobs.WORKER
    ids, heads = _setup(client, deploy, users, services)
    iid, body = _draft_to_agenda(client, heads, ids["meeting_id"])
    choices = {f"rep{i}": "for" for i in range(1, 19)} | {"rep19": "against", "rep20": "against", "rep21": "abstain"}
    _vote(client, heads, ids["meeting_id"], body["data"]["vote"]["matter_id"], choices)
    notice = _ready(client, heads["auditor"], iid)[0]["data"]["notice"]
    passwords.set_password(services.uow(), "rep1", "correct-horse-42", actor=SYSTEM)
    web = client.application.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.get("/login").text).group(1)
    web.post("/login", data={"username": "rep1", "password": "correct-horse-42", "csrf_token": token})
    page = web.get(f"/documents/{notice['document_id']}")
    assert page.status_code == 202 and "正在生成" in page.text and 'http-equiv="refresh"' in page.text
    run_once(services.uow)
    pdf = web.get(f"/documents/{notice['document_id']}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_in_background_mode_the_serving_process_renders_the_pdf_after_the_close(client, deploy, users, services):
    services.runtime.deferred_jobs = jobs.BACKGROUND
    ids, heads = _setup(client, deploy, users, services)
    iid, body = _draft_to_agenda(client, heads, ids["meeting_id"])
    choices = {f"rep{i}": "for" for i in range(1, 19)} | {"rep19": "against", "rep20": "against", "rep21": "abstain"}
    _vote(client, heads, ids["meeting_id"], body["data"]["vote"]["matter_id"], choices)
    notice = _ready(client, heads["auditor"], iid)[0]["data"]["notice"]
    jobs.drain()
    pdf = client.get(f"/api/v1/documents/{notice['document_id']}", headers=heads["rep1"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert _pdf_hashes(client, heads["auditor"], iid) == [hashlib.sha256(pdf.data).hexdigest()]


def test_a_notice_pdf_that_cannot_be_rendered_is_reported_not_hidden(client, deploy, users, services, clock,
                                                                     monkeypatch):
    from workflows import notices

    services.runtime.deferred_jobs = jobs.WORKER
    ids, heads = _setup(client, deploy, users, services)
    iid, body = _draft_to_agenda(client, heads, ids["meeting_id"])
    choices = {f"rep{i}": "for" for i in range(1, 19)} | {"rep19": "against", "rep20": "against", "rep21": "abstain"}
    _vote(client, heads, ids["meeting_id"], body["data"]["vote"]["matter_id"], choices)
    notice = _ready(client, heads["auditor"], iid)[0]["data"]["notice"]
    monkeypatch.setattr(notices, "CJK_FAMILIES", ("No Such Font SC",))  # this machine "has no CJK font"
    for _ in range(8):  # the outbox's attempts, each after its back-off
        run_once(services.uow)
        clock.set(clock.now() + timedelta(hours=7))
    failed = client.get(f"/api/v1/documents/{notice['document_id']}", headers=heads["rep1"])
    assert failed.status_code == 503 and "fonts-noto-cjk" in failed.get_json()["message"]


def test_a_case_exported_while_its_notice_pdf_renders_still_verifies_offline(client, deploy, users, services):
    from engine.offline import verify_case

    services.runtime.deferred_jobs = jobs.WORKER
    ids, heads = _setup(client, deploy, users, services)
    iid, body = _draft_to_agenda(client, heads, ids["meeting_id"])
    choices = {f"rep{i}": "for" for i in range(1, 19)} | {"rep19": "against", "rep20": "against", "rep21": "abstain"}
    _vote(client, heads, ids["meeting_id"], body["data"]["vote"]["matter_id"], choices)
    early = client.get(f"/api/v1/instances/{iid}/export", headers=heads["auditor"]).get_json()
    assert [d["filename"] for d in early["case"]["documents"]] == [f"notice-{body['data']['vote']['matter_id']}.html"]
    assert _document_problems(verify_case(early)) == []  # (no checkpoint is taken in this test)
    run_once(services.uow)
    later = client.get(f"/api/v1/instances/{iid}/export", headers=heads["auditor"]).get_json()
    assert len(later["case"]["documents"]) == 2 and _document_problems(verify_case(later)) == []
    assert "2 documents recorded in the chain" in " ".join(verify_case(later).facts)


def _document_problems(check):
    return [p for p in check.problems if "document" in p]


def test_the_notice_is_dated_in_the_organisations_own_time_zone_and_names_it(client, deploy, users, services):
    r = client.patch("/api/v1/organisations/1", json={"settings": {"time_zone": "Asia/Urumqi"}},
                     headers=users.headers("operator", "admin"))
    assert r.status_code == 200, r.get_json()
    iid, heads, body = _adopted(client, deploy, users, services)
    notice = body["data"]["notice"]
    html = client.get(f"/api/v1/documents/{notice['html_document_id']}", headers=heads["rep1"]).get_data(as_text=True)
    assert "乌鲁木齐时间" in html and "北京时间" not in html
