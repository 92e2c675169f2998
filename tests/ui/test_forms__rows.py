"""Forms without JSON: arrays of objects and objects of a task form are repeatable sub-forms; the delegation
records its 审议意见 as text; every message names its field in the page's language."""

from __future__ import annotations

import json
import re

from werkzeug.datastructures import MultiDict

from api.web import forms
from engine import passwords
from engine.identity import SYSTEM

from helpers.api import bundled_files
from helpers.congress import make_congress
from helpers.roundtrip import complete as _complete
from helpers.roundtrip import ready as _ready

PASSWORD = "correct-horse-42"
FILES = bundled_files("congress")
SCHEMA = json.loads(FILES["resolution.deliberate.schema.json"])
UI = json.loads(FILES["resolution.deliberate.uischema.json"])


def test_an_array_of_objects_is_rows_of_fields_labelled_in_the_pages_language(app):
    with app.test_request_context():
        form = forms.build(SCHEMA, UI, "zh-CN")
        opinions = form.fields[0]
        assert (opinions.kind, opinions.label, len(opinions.rows)) == ("rows", "审议意见", 1)  # one blank row
        assert [(c.name, c.kind, c.label) for c in opinions.rows[0]] == [
            ("opinions.0.delegation", "text", "代表团"), ("opinions.0.clause", "text", "涉及条款"),
            ("opinions.0.opinion", "textarea", "意见")]
        assert [c.name for c in opinions.children] == ["opinions.__i__.delegation", "opinions.__i__.clause",
                                                       "opinions.__i__.opinion"]
        english = forms.build(SCHEMA, UI, "en").fields[0]
        assert [c.label for c in english.rows[0]] == ["Delegation", "Clause", "Opinion"]


def test_posted_rows_become_a_list_and_blank_rows_are_dropped(app):
    posted = MultiDict([("opinions.0.delegation", "第一代表团"), ("opinions.0.opinion", "第三条增加体检项目"),
                        ("opinions.1.delegation", ""), ("opinions.1.clause", ""), ("opinions.1.opinion", ""),
                        ("opinions.7.delegation", "第二代表团"), ("opinions.7.clause", "第五条"),
                        ("opinions.7.opinion", "同意"), ("summary", "")])
    with app.test_request_context():
        data, errors = forms.parse(SCHEMA, posted, "Asia/Shanghai")
        assert errors == {}
        assert data == {"opinions": [{"delegation": "第一代表团", "opinion": "第三条增加体检项目"},
                                     {"delegation": "第二代表团", "clause": "第五条", "opinion": "同意"}]}
        none, _ = forms.parse(SCHEMA, MultiDict([("opinions.0.delegation", "")]), "Asia/Shanghai")
        assert none == {"opinions": []}  # required: no opinions is an empty list, as the form says


def test_an_object_is_a_group_of_fields_and_a_bad_number_in_a_row_is_named(app):
    schema = {"type": "object", "properties": {
        "place": {"type": "object", "title": "地点", "properties": {"room": {"type": "string", "title": "会议室"},
                                                                   "seats": {"type": "integer", "title": "座位"}}},
        "items": {"type": "array", "title": "明细", "items": {"type": "object", "properties": {
            "n": {"type": "integer", "title": "数量"}}}}}}
    posted = MultiDict([("place.room", "三楼"), ("place.seats", "40"), ("items.0.n", "三")])
    with app.test_request_context():
        data, errors = forms.parse(schema, posted, "Asia/Shanghai")
        assert data == {"place": {"room": "三楼", "seats": 40}, "items": [{"n": "三"}]}
        assert errors == {"items.0.n": ["请输入整数。"]}
        form = forms.build(schema, {}, "zh-CN", data, errors)
        assert form.fields[0].kind == "object" and [c.name for c in form.fields[0].children] == ["place.room",
                                                                                                  "place.seats"]
        assert form.fields[1].all_errors == [("明细 1·数量", "请输入整数。")]


def _deliberation(client, services, users, deploy):
    ids = make_congress(services)
    assert deploy(bundled_files("congress")).status_code == 201
    drafting, delegation = users.headers("drafting", "drafting_group"), users.headers("delegate", "delegation")
    passwords.set_password(services.uow(), "delegate", PASSWORD, actor=SYSTEM)
    iid = client.post("/api/v1/instances", json={"process": "resolution", "data": {"meeting_id": ids["meeting_id"]}},
                      headers=drafting).get_json()["id"]
    _, ready = _ready(client, drafting, iid)
    _complete(client, drafting, ready["draft"], {
        "title": "关于职工福利基金使用方案的决议（草案）", "text": "一、福利基金用于职工体检。",
        "matter_type": "welfare_fund_plan"})
    _, ready = _ready(client, delegation, iid)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"username": "delegate", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    return iid, ready["deliberate"], delegation


def test_a_delegation_records_its_deliberation_opinions_as_text(client, services, users, deploy):
    iid, task_id, delegation = _deliberation(client, services, users, deploy)
    page = client.get(f"/tasks/{task_id}").text
    assert 'name="opinions.0.opinion"' in page and "data-json" not in page and "添加一条" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    missing = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "opinions.0.delegation": "第一代表团",
                                                     "opinions.0.opinion": ""})
    assert missing.status_code == 422
    assert "审议意见 1·意见：此项为必填项。" in missing.text  # the summary names the field and the row
    done = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "opinions.0.delegation": "第一代表团",
                                                  "opinions.0.opinion": "第三条：增加眼科体检", "summary": "同意草案"})
    assert done.status_code == 302
    body = client.get(f"/api/v1/instances/{iid}", headers=delegation).get_json()
    assert body["data"]["opinions"] == [{"delegation": "第一代表团", "opinion": "第三条：增加眼科体检"}]


def test_case_pages_show_names_not_codes(client, services, users, deploy):
    """Field titles from the forms instead of variable names, lists instead of JSON, people by name."""
    iid, task_id, _ = _deliberation(client, services, users, deploy)
    page = client.get(f"/tasks/{task_id}").text
    start = page.index('class="card context"')
    context = page[start:page.index("</details>", start)]
    assert "<dt>标题</dt>" in context and "<dt>title</dt>" not in context
    assert "<dt>meeting_id</dt>" not in context and "<dt>会议编号</dt>" in context
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(f"/tasks/{task_id}", data={"csrf_token": token, "opinions.0.delegation": "第一代表团",
                                           "opinions.0.opinion": "增加眼科体检"})
    case = client.get(f"/instances/{iid}").text
    data = case[case.index('id="instance-data"'):]
    data = data[:data.index("</section>")]
    assert "<dt>审议意见</dt>" in data and "<dt>代表团</dt>" in data and "<dt>意见</dt>" in data
    assert "opinions" not in data and "{&#34;" not in data and '{"' not in data
    assert ">resolution<" not in case and "<h1>resolution" not in case


def test_a_rule_refusal_on_a_form_is_in_the_pages_language_naming_the_field(client, services, users, deploy):
    make_congress(services, linked={1: "rep1", 2: "rep2", 3: "rep3"})
    assert deploy(bundled_files("congress")).status_code == 201
    rep1 = users.headers("rep1", "representative")
    passwords.set_password(services.uow(), "rep1", PASSWORD, actor=SYSTEM)
    iid = client.post("/api/v1/instances", json={"process": "proposal"}, headers=rep1).get_json()["id"]
    _, ready = _ready(client, rep1, iid)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "rep1", "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/tasks/{ready['submit']}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = MultiDict([("csrf_token", token), ("title", "食堂扩建"), ("reason", "午餐排队超过30分钟"),
                      ("measures", "增加4个窗口"), ("cosigners", "E0002"), ("cosigners", "E9999")])
    refused = client.post(f"/tasks/{ready['submit']}", data=form)
    assert refused.status_code == 422
    assert "附议人：附议人必须是本届在席的职工代表，且不能是提案人本人。（E9999）" in refused.text
    assert "cosigner_not_representative" not in refused.text and "not a seated" not in refused.text
