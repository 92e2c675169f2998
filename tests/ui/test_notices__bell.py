"""In the browser: the bell counts unread notices, opens the list, and marking one read updates it."""

from __future__ import annotations

from engine.identity import SYSTEM, create_user
from engine.notifications import notify
from engine.passwords import set_password

PASSWORD = "correct-horse-42"  # the password tests/ui/conftest.py gives its users


def test_the_bell_leads_to_the_notices_and_marking_read_updates_it(ui, live_server):
    services = live_server.services
    create_user(services.uow(), "reader_zhou", ["notice_reader"], actor=SYSTEM)
    set_password(services.uow(), "reader_zhou", PASSWORD, actor=SYSTEM)
    for i in range(2):
        uow = services.uow()
        with uow:
            notify(uow, "reader_zhou", "disclosure.published", f"厂务公开：第{i + 1}季度社保缴纳", "已公开。",
                   "/disclosures", f"ui-bell/{i}")
            uow.commit()
    page = ui.login("reader_zhou")
    assert page.inner_text("#bell-count") == "2"
    page.click("#bell")
    page.wait_for_selector("#notices")
    ui.shot("notifications-zh", "消息通知", "厂务公开：第2季度社保缴纳", "未读 2 条")
    page.locator("li.notice.unread .mark-read").first.click()
    page.wait_for_selector("li.notice.unread >> nth=0")
    assert page.inner_text("#bell-count") == "1" and page.locator("li.notice.unread").count() == 1
    page.click("#read-all")
    page.wait_for_selector("#bell-count", state="detached")
    ui.switch_language("en")
    ui.shot("notifications-en", "Notifications", "0 unread")
