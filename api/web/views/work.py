"""Officers' pages: the task inbox, one task's form (completing it), starting an instance."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for

from engine import queries, runtime
from engine.errors import Forbidden, ValidationFailed
from engine.identity import ADMIN, AUDITOR

from ...extension import services, uow
from .. import forms, i18n
from ..core import blp, menu, page, render, web_actor

menu(20, "web.inbox", "nav.tasks", "tasks", lambda actor: not actor.is_read_only)


@blp.route("/tasks")
@page()
def inbox():
    actor = web_actor()
    show_all = request.args.get("all") == "1" and actor.has(ADMIN, AUDITOR)
    tasks = queries.list_tasks(uow(readonly=True), actor, all_tasks=show_all or actor.is_read_only)
    now = services().clock.now()
    for task in tasks:
        task["overdue"] = task["due_at"] is not None and task["due_at"] < now
    tasks.sort(key=lambda x: (x["due_at"] is None, x["due_at"] or x["created_at"], x["created_at"]))
    return render("inbox.html", tasks=tasks, show_all=show_all, may_show_all=actor.has(ADMIN, AUDITOR))


def _task_page(task: dict, values: dict, errors: dict, status: int = 200):
    actor = web_actor()
    form = forms.build(task["form_schema"], task["ui_schema"], i18n.current_lang(), values, errors)
    may_complete = actor.may_act_in_lane(task["lane"])
    context = {k: v for k, v in task["data"].items() if k not in (task["form_schema"] or {}).get("properties", {})}
    overdue = task["due_at"] is not None and task["due_at"] < services().clock.now()
    return render("task.html", status, task=task, form=form, may_complete=may_complete, context=context,
                  overdue=overdue)


@blp.route("/tasks/<task_id>", methods=["GET", "POST"])
@page()
def task_page(task_id: str):
    actor = web_actor()
    task = queries.get_task(uow(readonly=True), task_id, actor)
    if request.method == "GET":
        if task["state"] != "ready":
            return redirect(url_for("web.instance_page", instance_id=task["instance_id"]))
        return _task_page(task, task["data"], {})
    if not actor.may_act_in_lane(task["lane"]):
        raise Forbidden("roles")
    data, errors = forms.parse(task["form_schema"], request.form, current_app.config["TIMEZONE"])
    if errors:
        return _task_page(task, data | {name: request.form.get(name) for name in errors}, errors, 422)
    try:
        instance_id = runtime.complete_task(uow(), task_id, data, actor=actor)
    except ValidationFailed as failed:
        # The engine's check is the authority; the page shows the same findings in the page's language.
        errors = forms.messages(task["form_schema"], data) or failed.errors
        return _task_page(task, data, errors, 422)
    flash(i18n.t("task.completed", name=task["name"] or task["element_id"]), "ok")
    return _after(instance_id)


def _after(instance_id: str):
    """Where to go after a step: the next task the actor may do in this instance, else the instance."""
    actor = web_actor()
    mine = queries.list_tasks(uow(readonly=True), actor, instance_id=instance_id) if not actor.is_read_only else []
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
