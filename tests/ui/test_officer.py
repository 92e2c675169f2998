"""Officers: start a case, fill a task form (the browser checks it first), get the server's validation
message on the field, correct it and complete; the inbox shows due dates and marks overdue tasks."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from engine import inbox, runtime
from engine.identity import Actor
from engine.models import HumanTask

from helpers.pages import fill_proposal_form


def make_overdue(server, instance_id: str) -> None:
    unit = server.services.uow()
    with unit:
        task = unit.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                           HumanTask.state == "ready"))
        task.due_at = server.clock.now() - timedelta(days=1)
        unit.commit()


def test_representative_submits_and_committee_corrects_a_rejection(ui, live_server):
    page = ui.login("rep")
    page.goto(ui.url("/processes"))
    page.locator("#process-proposal_intake button.start").click()
    page.wait_for_selector("#task-form")
    assert page.inner_text("#task-title") == "提交提案"
    assert page.get_attribute("#f-title", "minlength") == "2"
    assert page.get_attribute("#f-title", "maxlength") == "100"
    assert page.get_attribute("#f-reason", "rows") == "6"  # ui:widget textarea
    ui.shot("task-form-zh", "案由", "理由/情况", "建议措施", "附议人")

    # The browser refuses the empty form (HTML5 attributes derived from the schema): no request is made.
    task_url = page.url
    page.click("#complete")
    assert page.url == task_url
    assert page.evaluate("document.querySelector('#f-title').validity.valueMissing")

    fill_proposal_form(page)
    assert "已完成“提交提案”" in page.inner_text(".flash.ok")
    instance_id = page.url.rsplit("/", 1)[-1]
    make_overdue(live_server, instance_id)
    page.click("#logout")

    page = ui.login("committee", lang="en")
    ui.nav("tasks")
    row = page.locator("#inbox tr.overdue", has_text="审查提案")
    assert row.count() >= 1
    assert "Overdue" in row.first.inner_text()
    ui.shot("inbox-en", "My tasks", "Overdue")
    page.goto(ui.url(f"/instances/{instance_id}"))
    page.locator("#ready-tasks a").click()
    page.wait_for_selector("#task-form")
    assert "Decision" in page.inner_text("#task-form")  # English labels from the UI schema's ui:i18n.en
    # "Do not register" needs a reason: a rule the HTML cannot express (if/then), so the server answers.
    page.get_by_label("Do not register").check()
    page.click("#complete")
    page.wait_for_selector("#form-errors")
    field = page.locator('.field[data-field="screening_reason"]')
    assert "has-error" in field.get_attribute("class")
    assert field.locator(".error-text").inner_text() == "This field is required."
    assert page.is_checked("input[name=decision][value=reject]")  # what was entered is kept
    ui.shot("task-error-en", "Please correct the marked fields", "This field is required.")

    page.fill("#f-screening_reason", "属个人问题，建议通过其他渠道反映")
    page.click("#complete")
    page.wait_for_selector("#instance-status")
    assert page.inner_text("#instance-status") == "Completed"
    assert "属个人问题" in page.inner_text("#instance-data")


def test_auditor_may_read_a_task_but_not_complete_it(ui, live_server):
    rep = Actor("rep", frozenset({"representative"}))
    instance_id = runtime.start_instance(live_server.services.uow(), "proposal_intake", actor=rep)
    page = ui.login("auditor")
    page.goto(ui.url(f"/instances/{instance_id}"))
    assert page.locator("#ready-tasks a").count() == 0  # not theirs to do
    task = inbox.list_tasks(live_server.services.uow(readonly=True), rep,
                            inbox.TaskFilter(instance_id=instance_id))["items"][0]
    page.goto(ui.url(f"/tasks/{task['id']}"))
    assert page.locator("#read-only").is_visible()
    assert page.locator("#complete").count() == 0
    assert page.locator("#f-title").is_disabled()


class _Held:
    """WSGI middleware holding the requests to one path until released (a slow network, as the server sees it)."""

    def __init__(self, app, path: str):
        self.app, self.path, self.seen, self.release = app, path, 0, threading.Event()

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"] == self.path:
            self.seen += 1
            self.release.wait(20)
        return self.app(environ, start_response)


def test_a_second_click_while_the_first_is_on_its_way_starts_no_second_case(ui, live_server):
    """The first request is held on its way; a second click, or Enter, sends nothing more."""
    from engine.models import Instance

    def count() -> int:
        unit = live_server.services.uow(readonly=True)
        with unit:
            return len(unit.session.scalars(select(Instance.id).where(Instance.process_id == "proposal_intake"))
                       .all())

    before = count()
    page = ui.login("rep")
    page.goto(ui.url("/processes"))
    app = live_server.app
    held = app.wsgi_app = _Held(app.wsgi_app, "/processes/proposal_intake/start")
    try:
        # One script clicks, waits while the request is on its way, then clicks again and presses the form's
        # submission once more (as Enter does); it reports whether the button was disabled in between.
        disabled = page.evaluate("""async () => {
            const button = document.querySelector('#process-proposal_intake button.start');
            button.click();
            await new Promise(resolve => setTimeout(resolve, 300));
            const disabled = button.disabled;
            button.click();
            button.closest('form').requestSubmit();
            return disabled;
        }""")
        page.wait_for_timeout(500)
        assert held.seen == 1 and disabled  # nothing more was sent; the button showed it was on its way
    finally:
        held.release.set()
        app.wsgi_app = held.app
    page.wait_for_selector("#task-form")
    assert count() == before + 1
