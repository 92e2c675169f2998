"""People are picked by name, not typed as logins (web test client): the users' suggestions (the organisation's
active users only, no contact details, nothing for a read-only auditor), delegating and reassigning a task to a
colleague typed by name, a mediation's co-applicants added by name, and a user's roles edited as checkboxes of
their Chinese names. A name that means nobody, or several people, is refused in Chinese (422) and what was typed
stays in the form."""

from __future__ import annotations

import html
import re

import pytest

from engine import departments, tenancy
from engine.identity import SYSTEM, create_user, set_profile

from helpers.casework import CLAIM, mediation_api
from helpers.congress import make_congress
from helpers.letters import CLERK_DIAGRAM
from helpers.tenancy import organisation
from helpers.web import csrf, login

# username -> (display name, roles); two clerks share a name, in different departments
PEOPLE = {"clerk_li": ("李明", ["clerk"]), "clerk_wu": ("吴晓兰", ["clerk"]), "clerk_wf1": ("王芳", ["clerk"]),
          "clerk_wf2": ("王芳", ["clerk"]), "driver_zhou": ("周强", ["driver"]), "root": ("管理员", ["admin"])}


@pytest.fixture
def office(services):
    for username, (name, roles) in PEOPLE.items():
        create_user(services.uow(), username, roles, actor=SYSTEM, display_name=name)
    set_profile(services.uow(), "clerk_wu", {"email": "wu@example.cn", "mobile": "13800138000"}, actor=SYSTEM)
    departments.save_department(services.uow(), "fin", name="财务部", members=["clerk_wf1"], heads=[], actor=SYSTEM)
    departments.save_department(services.uow(), "log", name="后勤保障部", members=["clerk_wf2"], heads=[],
                                actor=SYSTEM)
    other = organisation(services, "elsewhere")
    with tenancy.acting_for(other):
        create_user(services.uow(), "far_wang", ["clerk"], actor=SYSTEM, display_name="王芳")
    return services


def signed_in(app, username: str):
    client = app.test_client()
    login(client, username)
    return client


def suggestions(client, text: str) -> list[dict]:
    answer = client.get("/people/users", query_string={"q": text}, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    return answer.get_json()


def pooled_task(client, deploy, login_as) -> str:
    assert deploy({"letters.bpmn": CLERK_DIAGRAM}).status_code == 201
    started = client.post("/api/v1/instances", json={"process": "letters", "data": {"title": "来信"}},
                          headers=login_as("reception"))
    return started.get_json()["ready_tasks"][0]["id"]


def typed_value(page: str, field_id: str) -> str:
    return html.unescape(re.search(rf'id="{field_id}" name="[a-z_]+" value="([^"]*)"', page).group(1))


class TestSuggestions:
    def test_colleagues_are_suggested_by_part_of_their_name_with_their_department(self, app, office):
        li = signed_in(app, "clerk_li")
        found = suggestions(li, "王")
        assert [(p["name"], p["username"], p["departments"]) for p in found] == [
            ("王芳", "clerk_wf1", ["财务部"]), ("王芳", "clerk_wf2", ["后勤保障部"])]
        assert [p["username"] for p in suggestions(li, "晓兰")] == ["clerk_wu"]
        assert {p["username"] for p in suggestions(li, "CLERK_W")} == {"clerk_wf1", "clerk_wf2", "clerk_wu"}
        assert suggestions(li, "") == []

    def test_a_representative_is_found_by_employee_number_too(self, app, office):
        make_congress(office, seats=30, linked={2: "clerk_wu"})
        li = signed_in(app, "clerk_li")
        assert [p["username"] for p in suggestions(li, "E0002")] == ["clerk_wu"]
        assert suggestions(li, "E0003") == []  # a seat without an account is nobody to hand a task to

    def test_another_organisations_users_are_never_suggested(self, app, office):
        found = suggestions(signed_in(app, "clerk_li"), "王芳")
        assert "far_wang" not in {p["username"] for p in found} and len(found) == 2
        assert suggestions(signed_in(app, "clerk_li"), "far_wang") == []

    def test_no_contact_details_and_at_most_twenty(self, app, office, services):
        for i in range(25):
            create_user(services.uow(), f"temp{i:02d}", ["clerk"], actor=SYSTEM, display_name=f"临时工{i:02d}")
        li = signed_in(app, "clerk_li")
        assert len(suggestions(li, "临时工")) == 20
        answer = li.get("/people/users?q=吴").text
        assert "wu@example.cn" not in answer and "13800138000" not in answer
        assert set(suggestions(li, "吴")[0]) == {"username", "name", "departments"}

    def test_a_read_only_auditor_gets_nothing_and_a_stranger_must_log_in(self, app, office, client):
        auditor = app.test_client()
        login(auditor, "auditor_gu", "auditor")
        assert suggestions(auditor, "王") == []
        assert client.get("/people/users?q=王").status_code == 302


class TestHandOver:
    def test_a_task_is_delegated_to_a_colleague_typed_by_name(self, app, client, office, deploy, login_as):
        task_id = pooled_task(client, deploy, login_as)
        li = signed_in(app, "clerk_li")
        page = li.get(f"/tasks/{task_id}").text
        assert "转办给" in page and "用户名）" not in page and 'data-users="/people/users"' in page
        done = li.post(f"/tasks/{task_id}/delegate", data={"csrf_token": csrf(page), "to": "", "to_name": "吴晓兰"})
        assert done.status_code == 302
        wu = signed_in(app, "clerk_wu")
        assert wu.get("/tasks?scope=mine").text.count('data-task="') == 1
        assert "转办自" in wu.get(f"/tasks/{task_id}").text

    def test_an_ambiguous_name_is_refused_listing_the_candidates_by_name_and_department(
            self, app, client, office, deploy, login_as):
        task_id = pooled_task(client, deploy, login_as)
        li = signed_in(app, "clerk_li")
        page = li.get(f"/tasks/{task_id}").text
        refused = li.post(f"/tasks/{task_id}/delegate", data={"csrf_token": csrf(page), "to_name": "王芳"})
        assert refused.status_code == 422
        assert "名为“王芳”的同事不止一位" in refused.text
        assert "王芳（财务部，用户名 clerk_wf1）" in refused.text
        assert "王芳（后勤保障部，用户名 clerk_wf2）" in refused.text
        assert typed_value(refused.text, "delegate-to-text") == "王芳"
        assert signed_in(app, "clerk_wf1").get("/tasks?scope=mine").text.count('data-task="') == 0

    def test_an_unknown_name_or_someone_who_may_not_do_it_is_refused_in_chinese(
            self, app, client, office, deploy, login_as):
        task_id = pooled_task(client, deploy, login_as)
        li = signed_in(app, "clerk_li")
        token = csrf(li.get(f"/tasks/{task_id}").text)
        unknown = li.post(f"/tasks/{task_id}/delegate", data={"csrf_token": token, "to_name": "张三丰"})
        assert unknown.status_code == 422 and "找不到名为“张三丰”的在职同事" in unknown.text
        assert typed_value(unknown.text, "delegate-to-text") == "张三丰"
        elsewhere = li.post(f"/tasks/{task_id}/delegate", data={"csrf_token": token, "to_name": "far_wang"})
        assert elsewhere.status_code == 422 and "找不到名为“far_wang”" in elsewhere.text
        driver = li.post(f"/tasks/{task_id}/delegate", data={"csrf_token": token, "to_name": "周强"})
        assert driver.status_code == 422 and "周强不能办理此任务" in driver.text
        assert typed_value(driver.text, "delegate-to-text") == "周强"

    def test_an_admin_reassigns_to_a_name_and_a_refusal_keeps_the_reason(self, app, client, office, deploy,
                                                                         login_as):
        task_id = pooled_task(client, deploy, login_as)
        root = signed_in(app, "root")
        page = root.get(f"/tasks/{task_id}").text
        assert "指派给（留空则退回待认领）" in page
        refused = root.post(f"/tasks/{task_id}/reassign",
                            data={"csrf_token": csrf(page), "to_name": "王芳", "reason": "值班调整"})
        assert refused.status_code == 422 and "名为“王芳”的同事不止一位" in refused.text
        assert typed_value(refused.text, "reassign-to-text") == "王芳" and 'value="值班调整"' in refused.text
        done = root.post(f"/tasks/{task_id}/reassign", data={"csrf_token": csrf(page), "to_name": "李明"})
        assert done.status_code == 302
        assert "李明" in root.get(f"/tasks/{task_id}").text


class TestCoApplicants:
    @pytest.fixture
    def flow(self, client, deploy, users, services, clock, office):
        flow = mediation_api(client, deploy, users, services, clock)
        flow.seat_committee()
        return flow

    def test_a_group_application_names_colleagues_by_name_and_sends_their_logins(self, app, flow):
        li = signed_in(app, "clerk_li")
        form = li.get("/casework/mediations/new").text
        assert "用户名，用逗号分隔" not in form and 'data-multiple="co_applicant"' in form
        filed = li.post("/casework/mediations/new", data={
            "csrf_token": csrf(form), "respondent": "某某机械有限公司", "claim": CLAIM,
            "co_applicant": ["clerk_wf2"], "co_applicant_names": "吴晓兰，周强"})
        assert filed.status_code == 302
        case = flow.call("get", "/mediations", "chair")[0]
        assert case["applicants"] == ["clerk_li", "clerk_wf2", "clerk_wu", "driver_zhou"]

    def test_unknown_and_ambiguous_names_are_refused_and_the_form_keeps_everything(self, app, flow):
        li = signed_in(app, "clerk_li")
        form = li.get("/casework/mediations/new").text
        refused = li.post("/casework/mediations/new", data={
            "csrf_token": csrf(form), "respondent": "某某机械有限公司", "claim": CLAIM,
            "co_applicant": ["clerk_wu"], "co_applicant_names": "王芳、张三丰"})
        assert refused.status_code == 422
        assert "名为“王芳”的同事不止一位" in refused.text and "找不到名为“张三丰”的在职同事" in refused.text
        assert typed_value(refused.text, "md-co-text") == "王芳、张三丰"
        assert 'name="co_applicant" value="clerk_wu" checked' in refused.text and "吴晓兰" in refused.text
        assert CLAIM in refused.text and 'value="某某机械有限公司"' in refused.text
        assert flow.call("get", "/mediations", "chair") == []


def test_an_admin_edits_roles_by_their_chinese_names(app, office):
    root = signed_in(app, "root")
    page = root.get("/admin/users").text
    row = re.search(r'<tr data-user="clerk_wu">.*?</tr>', page, re.S).group(0)
    assert "修改角色" in row and 'name="role" value="representative"' in row and "职工代表" in row
    assert 'name="roles" value=' not in row  # no box of role codes to edit
    assert re.search(r'value="clerk" checked', row)
    saved = root.post("/admin/users/clerk_wu/roles", data={"csrf_token": csrf(page),
                                                          "role": ["clerk", "representative"]})
    assert saved.status_code == 302
    row = re.search(r'<tr data-user="clerk_wu">.*?</tr>', root.get("/admin/users").text, re.S).group(0)
    assert re.search(r'value="representative" checked', row) and re.search(r'value="clerk" checked', row)
