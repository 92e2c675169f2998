"""Designers: draw, rename in the properties panel, check, deploy, reopen a version, compare versions,
and see a deployment error on the element it points at."""

from __future__ import annotations

import json

from engine import deployments

FORM = {"type": "object", "title": "收集意见", "required": ["opinion"],
        "properties": {"opinion": {"type": "string", "title": "意见", "minLength": 1}}}


def rename_in_panel(page, element_id: str, name: str) -> None:
    page.click(f'g.djs-element[data-element-id="{element_id}"]')
    page.wait_for_selector(".bio-properties-panel-header-label")
    field = page.locator("#bio-properties-panel-name")
    if not field.is_visible():
        page.click('[data-group-id="group-general"] .bio-properties-panel-group-header')
    field.fill(name)
    page.wait_for_function(
        "([id, name]) => window.modeler.get('elementRegistry').get(id).businessObject.name === name",
        arg=[element_id, name])


def test_designer_draws_renames_deploys_reopens_and_compares(ui, live_server):
    page = ui.login("designer")
    ui.nav("modeler")
    page.wait_for_selector("#canvas[data-state=ready]")
    process_id = page.input_value("#main-name").removesuffix(".bpmn")

    rename_in_panel(page, "task_1", "收集意见")
    # A form for the task: a new JSON Schema file beside the diagram, linked in the task's form box.
    form_file = f"{process_id}.collect.schema.json"
    page.fill("#new-file-name", form_file)
    page.click("#add-file button")
    page.locator(f'details.file[data-file="{form_file}"] textarea').fill(json.dumps(FORM, ensure_ascii=False))
    page.wait_for_selector("#task-forms:not([hidden])")  # task_1 is still selected
    page.fill("#form-schema-file", form_file)
    page.press("#form-schema-file", "Tab")
    page.click("#lint")
    page.wait_for_selector("#result[data-state=ok]")
    assert "校验通过" in page.inner_text("#result")
    page.click("#deploy")
    page.wait_for_selector(f"#result a.created[data-process='{process_id}'][data-version='1']")
    ui.shot("modeler-deployed-zh", "已部署", "收集意见", "用户任务的表单")
    detail = deployments.get_version(live_server.services.uow(readonly=True), process_id, 1)
    assert [(t["element_id"], t["name"], t["form"]) for t in detail["user_tasks"]] == \
        [("task_1", "收集意见", form_file)]
    assert detail["user_tasks"][0]["form_schema"]["required"] == ["opinion"]

    # Reopen the deployed version from the process list: the rename is in the stored XML.
    page.goto(ui.url("/processes"))
    page.locator(f"#process-{process_id} tr[data-version='1'] a.button").first.click()
    page.wait_for_selector("#canvas[data-state=ready]")
    assert page.evaluate("modeler.get('elementRegistry').get('task_1').businessObject.name") == "收集意见"
    rename_in_panel(page, "task_1", "收集职工意见")
    page.click("#deploy")
    page.wait_for_selector(f"#result a.created[data-process='{process_id}'][data-version='2']")

    page.goto(ui.url(f"/processes/{process_id}/diff?a=1&b=2"))
    page.wait_for_selector("#viewer-a[data-state=ready]")
    page.wait_for_selector("#viewer-b[data-state=ready]")
    assert page.locator("#diff-summary li.changed[data-element=task_1]").count() == 1
    for side in "ab":
        assert page.locator(f'#viewer-{side} g.djs-element.dm-changed[data-element-id="task_1"]').count() == 1
    ui.shot("diff-zh", "版本比较", "收集职工意见")


def test_a_deployment_error_is_marked_on_its_element(ui):
    page = ui.login("designer", lang="en")
    page.goto(ui.url("/designer/proposal_intake/1"))
    page.wait_for_selector("#canvas[data-state=ready]")
    ui.shot("modeler-en", "Forms and decision tables", "proposal_intake.submit.schema.json")
    # Break a form file: the JSON check stops it in the browser, before any request.
    form = page.locator('details.file[data-file="proposal_intake.submit.schema.json"]')
    form.locator("summary").click()
    form.locator("textarea").fill("{ not json")
    page.click("#lint")
    page.wait_for_selector("#result[data-state=error]")
    assert "Not valid JSON" in form.inner_text()
    # Without the form file, the server's checks name the user task that needs it.
    form.locator("button.remove").click()
    page.click("#lint")
    page.wait_for_selector("#result[data-state=error]")
    marked = page.locator('g.djs-element.dm-error[data-element-id="submit_proposal"]')
    assert marked.count() == 1
    assert "proposal_intake.submit.schema.json" in page.inner_text(".dm-error-overlay")
    assert "submit_proposal" in page.inner_text("#result")
    ui.shot("modeler-error-en", "Cannot deploy")
    # Checking stores nothing.
    page.goto(ui.url("/processes"))
    assert page.locator("#process-proposal_intake tr[data-version]").count() == 1
