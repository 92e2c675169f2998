"""Officers' pages: the task inbox, one task's form (completing it), starting an instance."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from engine import deployments, handover, queries, runtime
from engine import inbox as inbox_queries
from engine.errors import Forbidden, ValidationFailed
from engine.identity import ADMIN, AUDITOR

from ...extension import services, uow
from ...filters import task_filter
from ...schemas.tasks import DUE
from .. import forms, i18n, labels, people
from ..core import blp, desk_of, menu, page, render, web_actor

menu(20, "web.inbox", "nav.tasks", "tasks", lambda actor: not actor.is_read_only)


PAGE_SIZE = 50


def inbox_scopes(actor) -> list[str]:
    scopes = [] if actor.is_read_only else ["open", "mine", "groups"]
    return scopes + (["all"] if actor.has(ADMIN, AUDITOR) else [])


@blp.route("/tasks")
@page()
def inbox():
    """我的待办: assigned to me, my groups' pool to claim from, or (admins, auditors) every task; filtered, paged."""
    actor = web_actor()
    scopes = inbox_scopes(actor)
    scope = request.args.get("scope") if request.args.get("scope") in scopes else scopes[0]
    if request.args.get("all") == "1" and "all" in scopes:
        scope = "all"
    due = request.args.get("due") if request.args.get("due") in DUE else None
    page_no = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    args = {"scope": scope, "all": False, "process": request.args.get("process") or None, "due": due,
            "q": (request.args.get("q") or "").strip()[:200] or None, "page": page_no, "per_page": PAGE_SIZE}
    found = inbox_queries.list_tasks(uow(readonly=True), actor, task_filter(args))
    now = services().clock.now()
    for task in found["items"]:
        task["overdue"] = task["due_at"] is not None and task["due_at"] < now
    pages = max(1, -(-found["total"] // PAGE_SIZE))
    total = f"{found['total']}+" if found["total_capped"] else found["total"]  # counted up to paging.COUNT_CAP
    return render("inbox.html", tasks=found["items"], total=total, page_no=page_no, pages=pages,
                  scope=scope, scopes=scopes, args=args, due_options=DUE,
                  processes=deployments.list_processes(uow(readonly=True)))


def _task_page(task: dict, values: dict, errors: dict, status: int = 200, handing: dict | None = None):
    actor = web_actor()
    form = forms.build(task["form_schema"], task["ui_schema"], i18n.current_lang(), values, errors)
    labels.use_process(task["process_id"], task["version"])
    may_complete = task["may_complete"]
    context = {k: v for k, v in task["data"].items() if k not in (task["form_schema"] or {}).get("properties", {})}
    overdue = task["due_at"] is not None and task["due_at"] < services().clock.now()
    return render("task.html", status, task=task, form=form, may_complete=may_complete, context=context,
                  overdue=overdue, is_admin=actor.has(ADMIN), holds=task["assignee"] == actor.username,
                  desk=desk_of(task), handing=handing or {})


@blp.route("/tasks/<task_id>", methods=["GET", "POST"])
@page()
def task_page(task_id: str):
    actor = web_actor()
    task = queries.get_task(uow(readonly=True), task_id, actor)
    if request.method == "GET":
        if task["state"] != "ready":
            return redirect(url_for("web.instance_page", instance_id=task["instance_id"]))
        return _task_page(task, task["data"], {})
    if not task["may_complete"]:
        raise Forbidden(task_refusal(task))
    data, errors = forms.parse(task["form_schema"], request.form, i18n.zone_key())
    if errors:
        return _task_page(task, data | {name: request.form.get(name) for name in errors}, errors, 422)
    try:
        instance_id = runtime.complete_task(uow(), task_id, data, actor=actor)
    except ValidationFailed as failed:
        # The engine's check is the authority; the page shows the same findings in the page's language.
        errors = forms.messages(task["form_schema"], data) or forms.refusal_messages(failed.errors)
        return _task_page(task, data, errors, 422)
    flash(i18n.t("task.completed", name=task["name"] or task["element_id"]), "ok")
    return _after(instance_id)


def _after(instance_id: str):
    """Where to go after a step: the next task the actor may do in this instance, else the instance."""
    actor = web_actor()
    mine = inbox_queries.list_tasks(uow(readonly=True), actor, inbox_queries.TaskFilter(
        scope="open", instance_id=instance_id))["items"] if not actor.is_read_only else []
    if mine:
        return redirect(url_for("web.task_page", task_id=mine[0]["id"]))
    return redirect(url_for("web.instance_page", instance_id=instance_id))


@blp.route("/processes/<process_id>/start", methods=["POST"])
@page()
def start(process_id: str):
    version = request.form.get("version", type=int)
    key = (request.form.get("business_key") or "").strip() or None
    instance_id = runtime.start_instance(uow(), process_id, actor=web_actor(), version=version, business_key=key)
    flash(i18n.t("instance.started"), "ok")
    return _after(instance_id)


def task_refusal(task: dict) -> str:
    if task["assignee"]:
        return i18n.t("task.assigned_to_other", name=task["assignee_name"] or task["assignee"])
    return i18n.t("task.not_yours")


def _handover_refusal(refused: ValidationFailed, to: str | None) -> str:
    """A refused hand-over in the page's language: the picker's own words, or why that person cannot take it."""
    if isinstance(refused, people.PickRefused):
        return refused.message
    reason = (refused.errors.get("to") or [""])[0]
    if reason == "required":
        return i18n.t("task.reassign_needs_user")
    if reason.startswith("no active user"):
        return i18n.t("people.unknown", name=to)
    return i18n.t("people.may_not_do", name=people.shown([to])[0]["name"] if to else "")


def _hand_over(task_id: str, action: str):
    """转办 (delegate) or, for admins, 指派 (reassign) to a colleague picked or typed by name (or login)."""
    actor = web_actor()
    if action == "reassign" and not actor.has(ADMIN):
        raise Forbidden("roles")
    typed = (request.form.get("to_name") or "").strip()
    to = None
    try:
        to = people.one(request.form.get("to"), typed)
        if action == "delegate":
            if not to:
                raise people.PickRefused(i18n.t("task.delegate_needs_user"), {"to": ["required"]})
            handover.delegate(uow(), task_id, to, actor=actor)
        else:
            handover.reassign(uow(), task_id, to, actor=actor, reason=(request.form.get("reason") or "")[:500])
    except ValidationFailed as refused:
        task = queries.get_task(uow(readonly=True), task_id, actor)
        handing = {"action": action, "typed": typed or to or "", "message": _handover_refusal(refused, to),
                   "reason": request.form.get("reason", "")}
        return _task_page(task, task["data"], {}, 422, handing)
    flash(i18n.t("task.delegateed" if action == "delegate" else "task.reassigned"), "ok")
    if action == "reassign" and to == actor.username:
        return redirect(url_for("web.task_page", task_id=task_id))
    return redirect(url_for("web.inbox"))


@blp.route("/tasks/<task_id>/<action>", methods=["POST"])
@page()
def task_action(task_id: str, action: str):
    """Claim (认领), give back, delegate (转办) or, for admins, reassign a task; each audited."""
    actor = web_actor()
    if action in ("delegate", "reassign"):
        return _hand_over(task_id, action)
    if action == "claim":
        handover.claim(uow(), task_id, actor=actor)
    elif action == "unclaim":
        handover.unclaim(uow(), task_id, actor=actor)
    else:
        raise ValidationFailed(i18n.t("task.delegate_needs_user"), {"to": [i18n.t("task.delegate_needs_user")]})
    flash(i18n.t(f"task.{action}ed"), "ok")
    if action == "claim":
        return redirect(url_for("web.task_page", task_id=task_id))
    return redirect(url_for("web.inbox"))
