"""The congress API end to end: a 60-representative congress, check-in, three items voted, errors and roles."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import workflows.congress.tables  # noqa: F401  (registers the tables before PostgreSQL's create_all)
from workflows.congress.matter_modes import BUNDLED_DMN
from workflows.congress.tables import Representative

from helpers.congress import API, CongressApi, roster_csv, upload


@pytest.fixture
def congress(client, users, login_as) -> CongressApi:
    return CongressApi(client, users, login_as)


def test_a_60_representative_congress_checks_in_and_votes_three_items_one_secret(congress, services):
    c = congress
    term_id = c.setup(60)
    composition = c.call("get", f"/terms/{term_id}/composition?on=2026-03-02", c.auditor, 200).get_json()
    assert (composition["seated"], composition["min_representatives"], composition["ok"]) == (60, 60, True)
    meeting_id = c.meeting(term_id, present=55)
    absent = c.call("get", f"/terms/{term_id}/representatives", c.admin, 200).get_json()[56]
    c.call("post", f"/meetings/{meeting_id}/check-ins", c.chair, 201, json={"representative_id": absent["id"]})
    detail = c.call("get", f"/meetings/{meeting_id}", c.rep(1), 200).get_json()
    assert (detail["title"], detail["seated"], detail["present"]) == ("第一届职工代表大会第一次会议", 60, 56)

    report = c.matter(meeting_id, "report", "总经理工作报告")
    agenda = [c.matter(meeting_id, t, title) for t, title in (
        ("procedural", "大会议程"), ("welfare_fund_plan", "福利基金使用方案"), ("resolution", "大会决议"))]
    assert [(m["mode"], m["secret"]) for m in [report, *agenda]] == [
        ("hear", False), ("adopt", False), ("adopt", True), ("adopt", False)]
    c.call("post", f"/matters/{report['id']}/opinions", c.rep(2), 201, json={"text": "建议公开食堂收支"})
    assert len(c.call("get", f"/matters/{report['id']}/opinions", c.auditor, 200).get_json()) == 1
    c.call("post", f"/matters/{report['id']}/votes", c.chair, 409, json={})
    votes = [c.open(m["id"]) for m in agenda]
    assert [v["kind"] for v in votes] == ["named", "secret", "named"]
    assert votes[0]["result"]["seated"] == 60 and votes[0]["result"]["present"] == 56

    c.cast(votes[0]["id"], {"for": range(1, 41), "against": range(41, 51), "abstain": range(51, 56)})
    receipts = c.cast(votes[1]["id"], {"for": range(1, 32), "against": range(32, 56)})
    c.cast(votes[2]["id"], {"for": range(1, 31), "against": range(31, 56)})
    results = [c.close(v["id"])["result"] for v in votes]
    assert [(r["for"], r["against"], r["abstain"], r["outcome"]) for r in results] == [
        (40, 10, 5, "adopted"), (31, 24, 0, "adopted"), (30, 25, 0, "rejected")]
    assert results[2] == {"ballots_issued": 56, "ballots_cast": 55, "valid": 55, "for": 30, "against": 25,
                          "abstain": 0, "seated": 60, "present": 56, "invalid": 0,
                          "rule": "more_than_half_of_all_seated", "quorum_required": 40, "votes_required": 31,
                          "outcome": "rejected"}
    listed = c.call("get", f"/meetings/{meeting_id}/votes", c.rep(9), 200).get_json()
    assert [v["result"]["outcome"] for v in listed] == ["adopted", "adopted", "rejected"]

    named = c.call("get", f"/votes/{votes[0]['id']}/ballots", c.auditor, 200).get_json()
    assert len(named["named"]) == 55 and named["named"][0]["choice"] == "for"
    secret = c.call("get", f"/votes/{votes[1]['id']}/ballots", c.auditor, 200).get_json()
    assert secret["named"] == [] and sorted(secret["choices"]) == ["against"] * 24 + ["for"] * 31
    published = c.call("get", f"/votes/{votes[1]['id']}/receipts", c.rep(3), 200).get_json()["receipts"]
    assert len(published) == 55 and all(receipts[i] for i in receipts)
    checked = c.call("post", f"/votes/{votes[1]['id']}/receipts/check", c.rep(3), 200, json={"code": receipts[3]})
    assert checked.get_json() == {"counted": True}
    verification = c.call("get", f"/votes/{votes[1]['id']}/verification", c.auditor, 200).get_json()
    assert verification["ballots_equal_participants"] and verification["tally_matches_result"]
    assert verification["seal_matches"] and verification["audit_ok"]
    assert c.client.get("/api/v1/audit/verify", headers=c.auditor).get_json()["ok"] is True
    c.call("post", f"/meetings/{meeting_id}/close", c.chair, 200)


class TestRefusals:
    @pytest.fixture
    def vote(self, congress) -> dict:
        meeting_id = congress.meeting(congress.setup(45), present=40)
        return congress.open(congress.matter(meeting_id, "resolution")["id"])

    def test_second_ballot_from_the_same_representative_is_409_and_changes_nothing(self, congress, vote):
        congress.cast(vote["id"], {"for": [1]})
        again = congress.call("post", f"/votes/{vote['id']}/ballots", congress.rep(1), 409, json={"choice": "against"})
        assert again.get_json()["code"] == 409 and "already voted" in again.get_json()["message"]
        congress.close(vote["id"])
        named = congress.call("get", f"/votes/{vote['id']}/ballots", congress.chair, 200).get_json()["named"]
        assert [b["choice"] for b in named] == ["for"]

    def test_ballot_from_a_representative_not_checked_in_or_not_seated_is_403(self, congress, vote):
        not_checked_in = congress.call("post", f"/votes/{vote['id']}/ballots", congress.rep(41), 403,
                                       json={"choice": "for"})
        assert "check in" in not_checked_in.get_json()["message"]
        stranger = congress.users.headers("rep999", "representative")
        congress.call("post", f"/votes/{vote['id']}/ballots", stranger, 403, json={"choice": "for"})

    def test_a_representative_votes_only_for_themselves(self, congress, vote):
        term_id = congress.call("get", "/terms", congress.admin, 200).get_json()[0]["id"]
        other = congress.call("get", f"/terms/{term_id}/representatives", congress.admin, 200).get_json()[1]["id"]
        response = congress.call("post", f"/votes/{vote['id']}/ballots", congress.rep(1), 403,
                                 json={"choice": "for", "representative_id": other})
        assert "no proxies" in response.get_json()["message"]

    def test_closing_a_vote_twice_is_409(self, congress, vote):
        congress.close(vote["id"])
        assert congress.call("post", f"/votes/{vote['id']}/close", congress.chair, 409, json={}).get_json()[
            "message"] == f"vote {vote['id']} is already closed"

    def test_closing_a_secret_vote_whose_key_file_is_lost_is_409_and_counts_nothing(self, congress, services):
        meeting_id = congress.meeting(congress.setup(45), present=40)
        vote = congress.open(congress.matter(meeting_id, "welfare_fund_plan")["id"])
        congress.cast(vote["id"], {"for": range(1, 4)})
        [key] = services.runtime.context["ballot_keys"].folder.glob("*.key")
        key.rename(key.with_suffix(".away"))  # the server restarted without its key folder
        body = congress.call("post", f"/votes/{vote['id']}/close", congress.chair, 409, json={}).get_json()
        assert body["errors"]["rule"] == ["ballot_key"] and "cannot be counted" in body["message"]
        assert congress.call("get", f"/votes/{vote['id']}", congress.chair, 200).get_json()["status"] == "open"
        key.with_suffix(".away").rename(key)
        assert congress.close(vote["id"])["result"]["for"] == 3 and not key.exists()

    def test_opening_a_vote_below_two_thirds_present_is_409_naming_the_rule(self, congress):
        meeting_id = congress.meeting(congress.setup(60), present=39)
        matter = congress.matter(meeting_id, "resolution")
        body = congress.call("post", f"/matters/{matter['id']}/votes", congress.chair, 409, json={}).get_json()
        assert body["errors"]["rule"] == ["congress_quorum"] and body["errors"]["quorum_required"] == [40]
        assert congress.call("get", f"/meetings/{meeting_id}/votes", congress.chair, 200).get_json() == []

    def test_import_with_a_duplicate_employee_number_is_refused_whole_listing_the_row(self, congress, services):
        term_id = congress.setup(30)
        content = roster_csv(3, first=31).replace(b"E0033", b"E0031").replace(b"rep033", b"rep032")
        content += "王五,E0005,一团,其他,男,否,2026-01-10,\n".encode()
        body = congress.call("post", f"/terms/{term_id}/representatives/import", congress.admin, 422,
                             data=upload(content), content_type="multipart/form-data").get_json()
        assert [{k: r[k] for k in ("row", "column", "message")} for r in body["errors"]["rows"]] == [
            {"row": 4, "column": "工号", "message": "employee_no 'E0031' duplicates row 2"},
            {"row": 4, "column": "用户名", "message": "username 'rep032' duplicates row 3"},
            {"row": 5, "column": "工号", "message": body["errors"]["rows"][2]["message"]}]
        assert [r["code"] for r in body["errors"]["rows"]] == ["duplicate_row", "duplicate_row", "already_seated"]
        assert "already seated" in body["errors"]["rows"][2]["message"]
        uow = services.uow(readonly=True)
        with uow:
            assert uow.session.scalar(select(func.count()).select_from(Representative)) == 30

    def test_a_meeting_is_refused_while_the_composition_breaks_a_hard_rule(self, congress):
        term_id = congress.setup(60, managers=13)
        body = congress.call("post", f"/terms/{term_id}/meetings", congress.chair, 422,
                             json={"session_number": 1, "held_on": "2026-03-02"}).get_json()
        assert body["errors"]["rule"] == ["max_manager_share"] and "13 of 60 seats" in body["message"]


class TestRoles:
    def test_only_the_presidium_opens_and_closes_votes(self, congress):
        meeting_id = congress.meeting(congress.setup(45), present=40)
        matter = congress.matter(meeting_id, "resolution")
        for who in (congress.rep(1), congress.admin, congress.auditor):
            congress.call("post", f"/matters/{matter['id']}/votes", who, 403, json={})
        vote = congress.open(matter["id"])
        congress.call("post", f"/votes/{vote['id']}/close", congress.rep(1), 403, json={})

    def test_the_roster_is_managed_by_admins_and_read_by_auditors(self, congress):
        term_id = congress.setup(30)
        congress.call("post", "/organisations", congress.chair, 403, json={"name": "x", "headcount": 10})
        congress.call("post", f"/terms/{term_id}/representatives/import", congress.auditor, 403,
                      data=upload(roster_csv(1, first=31)), content_type="multipart/form-data")
        assert len(congress.call("get", f"/terms/{term_id}/representatives", congress.auditor, 200).get_json()) == 30
        congress.call("get", f"/terms/{term_id}/representatives", congress.rep(1), 403)
        assert congress.client.get(f"{API}/terms").status_code == 401

    def test_auditors_read_results_and_change_nothing(self, congress):
        meeting_id = congress.meeting(congress.setup(45), present=40)
        vote = congress.open(congress.matter(meeting_id, "welfare_fund_plan")["id"])
        congress.call("post", f"/votes/{vote['id']}/ballots", congress.auditor, 403, json={"choice": "for"})
        congress.call("post", f"/meetings/{meeting_id}/check-ins", congress.auditor, 403, json={})
        assert congress.call("get", f"/votes/{vote['id']}/result", congress.auditor, 200).get_json()["outcome"] is None

    def test_designers_deploy_a_new_matter_mode_table_that_takes_effect(self, congress, login_as):
        newer = BUNDLED_DMN.read_bytes().replace(b'<text>"hear"</text>', b'<text>"deliberate"</text>', 1)
        congress.call("post", "/matter-modes", congress.chair, 403, data=upload(newer, "matter_mode.dmn"),
                      content_type="multipart/form-data")
        deployed = congress.call("post", "/matter-modes", login_as("designer"), 201,
                                 data=upload(newer, "matter_mode.dmn"), content_type="multipart/form-data")
        assert deployed.get_json()["created"] is True
        table = congress.call("get", "/matter-modes", congress.rep(1), 200).get_json()
        assert table["sha256"] == deployed.get_json()["sha256"] and table["rows"][0]["mode"] == "deliberate"
        meeting_id = congress.meeting(congress.setup(30), present=0)
        assert congress.matter(meeting_id, "report")["mode"] == "deliberate"


def test_admins_seat_recall_and_link_representatives_and_update_the_workforce(congress):
    c = congress
    term_id = c.setup(30)
    body = {"name": "赵六", "employee_no": "X1", "delegation": "三车间", "category": "技术人员", "gender": "女",
            "dispatched": True, "elected_on": "2026-02-01"}
    added = c.call("post", f"/terms/{term_id}/representatives", c.admin, 201, json=body).get_json()
    assert (added["category"], added["gender"], added["dispatched"], added["username"]) == (
        "technician", "female", True, None)
    duplicate = c.call("post", f"/terms/{term_id}/representatives", c.admin, 422, json={**body, "employee_no": "E0001"})
    assert "already seated" in duplicate.get_json()["message"]
    linked = c.call("put", f"/representatives/{added['id']}/account", c.admin, 200, json={"username": "zhao6"})
    assert linked.get_json()["username"] == "zhao6"
    c.call("put", f"/representatives/{added['id']}/account", c.admin, 422, json={"username": "rep001"})
    ended = c.call("post", f"/representatives/{added['id']}/end", c.admin, 200,
                   json={"reason": "recalled", "effective_on": "2026-03-01"}).get_json()
    assert (ended["ended_on"], ended["end_reason"]) == ("2026-03-01", "recalled")
    c.call("post", f"/representatives/{added['id']}/end", c.admin, 409,
           json={"reason": "vacated", "effective_on": "2026-03-05"})
    seated = c.call("get", f"/terms/{term_id}/representatives?on=2026-03-02", c.chair, 200).get_json()
    assert len(seated) == 30
    org_id = c.call("get", "/organisations", c.auditor, 200).get_json()[0]["id"]
    c.call("patch", f"/organisations/{org_id}", c.admin, 200, json={"headcount": 700})
    composition = c.call("get", f"/terms/{term_id}/composition?on=2026-03-02", c.chair, 200).get_json()
    assert composition["min_representatives"] == 35 and composition["violations"][0]["rule"] == "min_representatives"
    c.call("patch", f"/organisations/{org_id}", c.admin, 422, json={"women_count": 701})


def test_bundled_deployment_puts_the_edited_matter_mode_table_in_force(app, services, tmp_path, client, login_as):
    import shutil

    from engine.identity import SYSTEM
    from workflows.catalog import deploy_bundled

    from conftest import ROOT

    shutil.copytree(ROOT / "bpmn", tmp_path / "bpmn")
    table = tmp_path / "bpmn" / "congress" / "matter_mode.dmn"
    deploy_bundled(services.uow(), tmp_path / "bpmn", actor=SYSTEM)
    before = client.get("/api/v1/congress/matter-modes", headers=login_as("auditor")).get_json()
    table.write_text(table.read_text(encoding="utf-8").replace('name="议题审议方式与表决方式"', 'name="议题审议方式"'),
                     encoding="utf-8")
    deploy_bundled(services.uow(), tmp_path / "bpmn", actor=SYSTEM)
    after = client.get("/api/v1/congress/matter-modes", headers=login_as("auditor")).get_json()
    assert after["sha256"] != before["sha256"] and after["deployment_id"]


def test_opening_a_vote_notifies_the_meetings_seated_representatives(congress, client):
    c = congress
    term_id = c.setup(30)
    meeting_id = c.meeting(term_id, present=25)
    absent = c.rep(30)  # seated, with an account, not checked in: told as well
    vote = c.open(c.matter(meeting_id, "resolution", "年度工作计划")["id"])
    mine = client.get("/api/v1/notifications?unread=true", headers=absent).get_json()["items"]
    assert [(n["kind"], n["link"]) for n in mine] == [("vote.opened", f"/congress/votes/{vote['id']}/ballot")]
    assert "年度工作计划" in mine[0]["title"]
    assert client.get("/api/v1/notifications", headers=c.users.headers("outsider", "representative")
                      ).get_json()["total"] == 0
