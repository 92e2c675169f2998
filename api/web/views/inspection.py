"""The representatives' inspection pages (职工代表巡视): the union office's list and plan form, and one page per
inspection where the team records what it did and found, the inspected unit answers and reports its
rectification, and the union chair chases what is overdue and reports to the congress.

Each step is a task of the ``inspection`` diagram; the page finds the open task and completes it with the
engine, so the diagram's checks (who acts, every finding answered, the session still open) are the same as
through the API. The inspection's tasks in the inbox lead here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError

from engine import departments, queries, runtime
from engine.errors import DmflowError, Forbidden, ValidationFailed
from engine.identity import ADMIN, AUDITOR
from workflows.inspection import plan as inspection_plan
from workflows.inspection import queries as inspections
from workflows.inspection.report import SUBJECT_NAMES

from ...extension import services, uow
from ...schemas import inspection as schemas
from .. import forms, i18n
from ..core import blp, desk, may_complete, menu, page, render, web_actor

OFFICE = (*inspection_plan.PLANNERS, "representative", AUDITOR, ADMIN)
METHODS = ("reports", "site_visits", "interviews", "documents", "questions")
STAGES = ("notified", "answering", "rectifying", "rectified", "reported")
# The team's findings as repeatable rows (问题, 责任人, 整改期限) through the generic form fields.
FINDINGS_FORM = {"type": "object", "properties": {"findings": {
    "type": "array", "title": "发现的问题",
    "description": "每个问题一行；责任人和整改期限可不填；没有发现问题时删去空行。",
    "items": {"type": "object", "properties": {
        "text": {"type": "string", "title": "问题", "maxLength": 2000},
        "owner": {"type": "string", "title": "责任人", "maxLength": 200},
        "due_on": {"type": "string", "format": "date", "title": "整改期限"}}}}}}
FINDINGS_UI = {"findings": {"items": {"ui:order": ["text", "owner", "due_on"],
                                      "text": {"ui:placeholder": "新增窗口尚未启用"},
                                      "owner": {"ui:placeholder": "后勤保障部 王经理"}}},
               "ui:i18n": {"en": {"properties": {"findings": {
                   "title": "Findings",
                   "description": "One finding a row; the person responsible and the deadline may be left blank; "
                                  "remove the empty row when nothing was found.",
                   "items": {"properties": {
                       "text": {"title": "Finding", "placeholder": "The new service window is not open yet"},
                       "owner": {"title": "Responsible", "placeholder": "Logistics, manager Wang"},
                       "due_on": {"title": "Deadline for rectification"}}}}}}}}
menu(78, "web.inspections_page", "ins.menu", "inspections", lambda actor: actor.has(*OFFICE))
desk("inspection", lambda task: url_for("web.inspection_page", inspection_id=int(task["data"]["inspection_id"]))
     if task["data"].get("inspection_id") else None)


def until(due: str | dt.datetime | None) -> str:
    """A deadline as its last day: the period ends at 24:00 of that day, Beijing time (民法典 第203条)."""
    if not due:
        return ""
    last = dt.datetime.fromisoformat(i18n.localtime(due)) - dt.timedelta(minutes=1)
    return i18n.t("ins.until", day=last.date().isoformat())


def _department_names() -> dict[str, str]:
    return departments.names(uow(readonly=True))


@blp.route("/inspections")
@page()
def inspections_page():
    actor = web_actor()
    rows = inspections.listing(uow(readonly=True))
    return render("inspections.html", rows=rows, year=inspections.this_year(uow(readonly=True)),
                  planner=actor.has(*inspection_plan.PLANNERS), subjects=SUBJECT_NAMES, depts=_department_names())


@blp.route("/inspections/new", methods=["GET", "POST"])
@page(*inspection_plan.PLANNERS)
def inspection_new():
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = {k: request.form.get(k, "").strip() for k in ("title", "subject_kind", "subject_ref", "scope",
                                                              "department", "starts_on", "ends_on", "notice_days")}
        others = request.form.get("other_members", "").replace("，", ",").replace("\n", ",").split(",")
        team = request.form.getlist("team") + [u.strip() for u in others if u.strip()]
        body = {k: v for k, v in form.items() if v} | {"team": team}
        try:
            row = inspection_plan.plan_inspection(uow(), schemas.PlanSchema().load(body), actor=web_actor())
        except ValidationError as error:
            flash(i18n.t("ins.refused", message=error.messages), "error")
        except DmflowError as error:
            flash(i18n.t("ins.refused", message=error.message), "error")
        else:
            flash(i18n.t("ins.planned"), "ok")
            return redirect(url_for("web.inspection_page", inspection_id=row.id))
    return render("inspection_new.html", form=form, subjects=SUBJECT_NAMES, depts=_department_names(),
                  people=inspections.team_candidates(uow(readonly=True)), chosen=set(request.form.getlist("team")),
                  earliest=dt.date.fromisoformat(i18n.localtime(services().clock.now())[:10]) + dt.timedelta(days=10))


def _open_tasks(detail: dict[str, Any]) -> dict[str, dict]:
    if not detail["instance_id"]:
        return {}
    instance = queries.get_instance(uow(readonly=True), detail["instance_id"])
    return {t["element_id"]: t for t in instance["ready_tasks"]}


@blp.route("/inspections/<int:inspection_id>")
@page()
def inspection_page(inspection_id: int):
    actor = web_actor()
    detail = inspections.detail(uow(readonly=True), inspection_id)
    tasks = _open_tasks(detail)
    mine = {element for element, task in tasks.items() if may_complete(task["id"])}
    today = i18n.localtime(services().clock.now())[:10]
    findings_form = forms.build(FINDINGS_FORM, FINDINGS_UI, i18n.current_lang()) if "record_findings" in mine else None
    return render("inspection_detail.html", i=detail, tasks=tasks, mine=mine, subjects=SUBJECT_NAMES,
                  findings_form=findings_form,
                  depts=_department_names(), methods=METHODS, stages=STAGES, today=today,
                  meetings=inspections.open_meetings(uow(readonly=True)) if "report" in mine else [],
                  team_member=actor.username in detail["team"], until=until)


def _findings_from_form() -> list[dict[str, Any]]:
    """The findings' rows of the team's form (rows left blank are dropped; a row needs its 问题)."""
    data, errors = forms.parse(FINDINGS_FORM, request.form, services().config["TIMEZONE"])
    if errors:
        raise ValidationFailed(i18n.t("ins.findings_invalid"), errors)
    return [{k: v for k, v in row.items() if v not in (None, "")} for row in data.get("findings", [])
            if (row.get("text") or "").strip()]


def _data(element: str, detail: dict[str, Any]) -> dict[str, Any]:
    """The task data of a step, read from the page's form."""
    form = request.form
    ids = [f["id"] for f in detail["findings"]]
    if element == "record_findings":
        return {"methods": [m for m in form.getlist("methods") if m in METHODS], "findings": _findings_from_form()}
    if element == "answer":
        return {"answers": [{"finding_id": i, "answer": form.get(f"answer_{i}", "").strip()} for i in ids]}
    if element == "rectify":
        return {"rectifications": [{"finding_id": i, "done": form.get(f"done_{i}") == "1",
                                    "note": form.get(f"note_{i}", "").strip()} for i in ids]}
    if element in ("escalate", "supervise_rectification"):
        return {"urge_note": form.get("urge_note", "").strip()}
    if element == "report":
        return {"meeting_id": int(form.get("meeting_id") or 0), "summary": form.get("summary", "").strip()}
    raise Forbidden(f"no such step: {element}")


@blp.route("/inspections/<int:inspection_id>/steps/<element>", methods=["POST"])
@page()
def inspection_step(inspection_id: int, element: str):
    """Complete the inspection's open step ``element`` with the page's form (the engine checks who may)."""
    detail = inspections.detail(uow(readonly=True), inspection_id)
    task = _open_tasks(detail).get(element)
    if task is None:
        flash(i18n.t("ins.step_gone"), "error")
        return redirect(url_for("web.inspection_page", inspection_id=inspection_id))
    try:
        runtime.complete_task(uow(), task["id"], _data(element, detail), actor=web_actor())
    except DmflowError as error:
        details = "；".join(str(v) for values in (error.errors or {}).values()
                           for v in (values if isinstance(values, list) else [values]))
        flash(i18n.t("ins.refused", message=f"{error.message}{'：' + details if details else ''}"), "error")
    else:
        flash(i18n.t(f"ins.done.{element}"), "ok")
    return redirect(url_for("web.inspection_page", inspection_id=inspection_id))
