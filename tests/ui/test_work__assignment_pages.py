"""Who acts, in the pages (web test client): the inbox's tabs, filters and pages; claiming and delegating a
task from its page; an admin's reassignment; the departments page with its CSV import."""

from __future__ import annotations

import re

from engine import passwords
from engine.identity import SYSTEM, create_user

from helpers.letters import CLERK_DIAGRAM

PASSWORD = "a-good-password"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(app, services, username: str, *roles: str):
    create_user(services.uow(), username, list(roles), actor=SYSTEM, display_name=f"{username}同志")
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    client = app.test_client()
    token = csrf(client.get("/login").text)
    assert client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
                       ).status_code == 302
    return client


def _start(client, deploy, login_as, n: int) -> None:
    assert deploy({"letters.bpmn": CLERK_DIAGRAM}).status_code == 201
    for i in range(n):
        r = client.post("/api/v1/instances", json={"process": "letters", "data": {"title": f"来信{i:02d}"}},
                        headers=login_as("reception"))
        assert r.status_code == 201


def test_the_inbox_has_tabs_filters_and_pages(app, client, deploy, login_as, services):
    _start(client, deploy, login_as, 55)
    clerk = login(app, services, "clerk_li", "clerk")
    page = clerk.get("/tasks").text
    assert 'id="tab-open"' in page and 'id="tab-groups"' in page and 'id="tab-all"' not in page
    assert "共 55 项" in page and page.count('data-task="') == 50 and 'rel="next"' in page
    assert clerk.get("/tasks?page=2").text.count('data-task="') == 5
    found = clerk.get("/tasks?q=来信07").text
    assert found.count('data-task="') == 1 and "来信07" in found and "办理角色" not in found
    assert clerk.get("/tasks?scope=mine").text.count('data-task="') == 0
    assert "共 0 项" in clerk.get("/tasks?due=overdue").text


def test_a_clerk_claims_a_task_from_its_page_and_delegates_it(app, client, deploy, login_as, services):
    _start(client, deploy, login_as, 1)
    li, wu = login(app, services, "clerk_li", "clerk"), login(app, services, "clerk_wu", "clerk")
    task_id = re.search(r'data-task="([^"]+)"', li.get("/tasks").text).group(1)
    page = li.get(f"/tasks/{task_id}").text
    assert 'id="claim"' in page and "尚无人认领" in page
    assert li.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf(page)}).status_code == 302
    page = li.get(f"/tasks/{task_id}").text
    assert "clerk_li同志" in page and 'id="unclaim"' in page and 'id="claim"' not in page
    assert wu.get("/tasks").text.count('data-task="') == 0  # no longer in the pool
    assert wu.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf(wu.get("/tasks").text)}).status_code == 409
    li.post(f"/tasks/{task_id}/delegate", data={"csrf_token": csrf(page), "to": "clerk_wu"})
    assert wu.get("/tasks?scope=mine").text.count('data-task="') == 1
    page = wu.get(f"/tasks/{task_id}").text
    assert "转办自" in page and 'id="complete"' in page


def test_an_admin_reassigns_and_manages_departments(app, client, deploy, login_as, services):
    _start(client, deploy, login_as, 1)
    login(app, services, "clerk_li", "clerk")
    admin = login(app, services, "root", "admin")
    all_tasks = admin.get("/tasks?scope=all").text
    task_id = re.search(r'data-task="([^"]+)"', all_tasks).group(1)
    page = admin.get(f"/tasks/{task_id}").text
    admin.post(f"/tasks/{task_id}/reassign", data={"csrf_token": csrf(page), "to": "clerk_li", "reason": "值班"})
    assert "clerk_li同志" in admin.get(f"/tasks/{task_id}").text
    page = admin.get("/admin/departments").text
    assert "部门管理" in page and 'id="dept-empty"' in page
    # People are ticked by name (no usernames to type); a made-up name is refused, and what was ticked stays.
    assert 'data-person="clerk_li"' in page and 'name="members"' not in page
    refused = admin.post("/admin/departments", data={"csrf_token": csrf(page), "code": "fin", "name": "财务部",
                                                     "member": ["nobody", "clerk_li"]})
    assert refused.status_code == 422 and "没有这些用户：nobody" in refused.text
    assert re.search(r'name="member" value="clerk_li"[^>]*checked', refused.text)
    unnamed = admin.post("/admin/departments", data={"csrf_token": csrf(page), "code": "fin", "name": " "})
    assert unnamed.status_code == 422 and "请填写部门编码和部门名称" in unnamed.text
    admin.post("/admin/departments", data={"csrf_token": csrf(page), "code": "fin", "name": "财务部",
                                           "member": "clerk_li", "head": "clerk_li"})
    editing = admin.get("/admin/departments?edit=fin").text
    assert "正在修改：财务部" in editing and 'value="fin"' in editing
    assert re.search(r'name="member" value="clerk_li"[^>]*checked', editing)
    assert re.search(r'name="head" value="clerk_li"[^>]*checked', editing)
    assert not re.search(r'name="head" value="root"[^>]*checked', editing)
    sheet = "编码,名称,成员,负责人\nlog,后勤保障部,clerk_li、root,root\n".encode()
    from io import BytesIO

    admin.post("/admin/departments/import", data={"csrf_token": csrf(page), "file": (BytesIO(sheet), "d.csv")},
               content_type="multipart/form-data")
    listed = admin.get("/admin/departments").text
    assert 'data-dept="fin"' in listed and 'data-dept="log"' in listed and "后勤保障部" in listed
    assert login(app, services, "clerk_x", "clerk").get("/admin/departments").status_code == 403

