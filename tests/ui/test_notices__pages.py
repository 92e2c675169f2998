"""The bell and the notifications page without a browser (web test client): the unread count in the header,
the list, opening and marking read, read-all, and the profile page where users choose their channels."""

from __future__ import annotations

import re

import pytest

from engine import passwords
from engine.identity import SYSTEM, create_user, get_profile
from engine.notifications import notify

PASSWORD = "a-good-password"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def web(client, services):
    create_user(services.uow(), "wang", ["representative"], actor=SYSTEM)
    passwords.set_password(services.uow(), "wang", PASSWORD, actor=SYSTEM)
    token = csrf(client.get("/login").text)
    assert client.post("/login", data={"username": "wang", "password": PASSWORD, "csrf_token": token}
                       ).status_code == 302
    return client


def _notify(services, n: int, username: str = "wang") -> None:
    for i in range(n):
        uow = services.uow()
        with uow:
            notify(uow, username, "vote.opened", f"表决开始：议题{i}", "请投票。", f"/congress/votes/{i + 1}/ballot",
                   f"test/{username}/{i}")
            uow.commit()


def _bell(html: str) -> str | None:
    found = re.search(r'<span class="count" id="bell-count">([^<]+)</span>', html)
    return found.group(1) if found else None


def test_the_bell_shows_the_unread_count_on_every_page(web, services):
    assert 'id="bell"' in web.get("/tasks").text and _bell(web.get("/tasks").text) is None
    _notify(services, 3)
    assert _bell(web.get("/tasks").text) == "3"
    assert _bell(web.get("/").text) == "3"


def test_the_page_lists_notices_and_marks_them_read(web, services):
    _notify(services, 2)
    page = web.get("/notifications")
    assert page.status_code == 200 and "消息通知" in page.text and "表决开始：议题1" in page.text
    assert page.text.index("议题1") < page.text.index("议题0")  # newest first
    ids = re.findall(r'data-notice="(\d+)"', page.text)
    opened = web.post(f"/notifications/{ids[0]}/read", data={"csrf_token": csrf(page.text), "open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"] == "/congress/votes/2/ballot"
    assert _bell(web.get("/notifications").text) == "1"
    unread = web.get("/notifications?unread=1").text
    assert "议题0" in unread and "议题1" not in unread
    done = web.post("/notifications/read-all", data={"csrf_token": csrf(unread)}, follow_redirects=True)
    assert "已将 1 条消息标为已读" in done.text and _bell(done.text) is None


def test_the_page_speaks_english_too(web, services):
    _notify(services, 1)
    web.post("/lang", data={"lang": "en", "csrf_token": csrf(web.get("/").text), "next": "/notifications"})
    page = web.get("/notifications").text
    assert "Notifications" in page and "Mark all read" in page and "Vote" in page


def test_another_users_notice_cannot_be_marked_from_the_page(web, services):
    create_user(services.uow(), "li", ["representative"], actor=SYSTEM)
    _notify(services, 1, username="li")
    token = csrf(web.get("/notifications").text)
    assert web.post("/notifications/1/read", data={"csrf_token": token}).status_code == 404


def test_users_choose_their_channels_on_the_profile_page(web, services):
    page = web.get("/profile")
    assert page.status_code == 200 and 'name="notify_email" checked' in page.text
    saved = web.post("/profile", data={"csrf_token": csrf(page.text), "email": "wang@example.cn",
                                       "mobile": "13800000001", "notify_inapp": "on"}, follow_redirects=True)
    assert "已保存" in saved.text
    profile = get_profile(services.uow(readonly=True), "wang")
    assert profile["email"] == "wang@example.cn" and profile["notify_email"] is False and profile["notify_inapp"]
    bad = web.post("/profile", data={"csrf_token": csrf(saved.text), "email": "nonsense", "notify_inapp": "on"})
    assert bad.status_code == 422 and "邮箱格式不正确" in bad.text
    assert get_profile(services.uow(readonly=True), "wang")["email"] == "wang@example.cn"


def test_an_admin_sets_a_users_email_and_mobile_on_the_users_page(client, services):
    create_user(services.uow(), "root", ["admin"], actor=SYSTEM)
    passwords.set_password(services.uow(), "root", PASSWORD, actor=SYSTEM)
    create_user(services.uow(), "wang", ["representative"], actor=SYSTEM)
    token = csrf(client.get("/login").text)
    client.post("/login", data={"username": "root", "password": PASSWORD, "csrf_token": token})
    page = client.get("/admin/users").text
    done = client.post("/admin/users/wang/contact", data={"csrf_token": csrf(page), "email": "wang@example.cn",
                                                          "mobile": "13800000001"}, follow_redirects=True)
    assert "已保存 wang 的联系方式" in done.text and 'value="wang@example.cn"' in done.text
    assert get_profile(services.uow(readonly=True), "wang")["mobile"] == "13800000001"
