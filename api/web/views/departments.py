"""Admins' departments page: the organisational units whose people a task may name, with members and heads."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from engine import departments, identity
from engine.errors import ValidationFailed
from engine.identity import ADMIN

from ...extension import uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(105, "web.departments_page", "nav.departments", "departments", lambda actor: actor.has(ADMIN), group="people")


def _page(status: int = 200, draft=None, members=(), heads=(), editing: str | None = None, **context):
    """The page; `draft` (code, name) with the ticked `members` and `heads` refills the form."""
    people = [u for u in identity.list_users(uow(readonly=True)) if u["active"]]
    return render("departments.html", status, departments=departments.list_departments(uow(readonly=True)),
                  users=people, draft=draft, draft_members=set(members), draft_heads=set(heads), editing=editing,
                  **context)


@blp.route("/admin/departments")
@page(ADMIN)
def departments_page():
    wanted = request.args.get("edit", "")[:50]
    found = next((d for d in departments.list_departments(uow(readonly=True)) if d["code"] == wanted), None)
    if found is None:
        return _page()
    return _page(draft={"code": found["code"], "name": found["name"]}, editing=found["name"],
                 members=[m["username"] for m in found["members"]],
                 heads=[m["username"] for m in found["members"] if m["head"]])


@blp.route("/admin/departments", methods=["POST"])
@page(ADMIN)
def departments_save():
    form = request.form
    members, heads = form.getlist("member"), form.getlist("head")
    known = {u["username"] for u in identity.list_users(uow(readonly=True))}
    unknown = [u for u in dict.fromkeys([*members, *heads]) if u not in known]
    if not form.get("code", "").strip() or not form.get("name", "").strip():
        return _page(422, draft=form, members=members, heads=heads, error=i18n.t("dept.required"))
    if unknown:  # only a hand-made request names someone the list did not offer
        return _page(422, draft=form, members=members, heads=heads,
                     error=i18n.t("dept.unknown_users", names="、".join(unknown)))
    try:
        departments.save_department(uow(), form.get("code", "")[:50], name=form.get("name", "")[:200],
                                    members=members, heads=heads,
                                    parent_code=(form.get("parent_code") or "").strip()[:50] or None,
                                    actor=web_actor())
    except ValidationFailed as error:
        return _page(422, draft=form, members=members, heads=heads, error=error.message)
    flash(i18n.t("dept.saved"), "ok")
    return redirect(url_for("web.departments_page"))


@blp.route("/admin/departments/import", methods=["POST"])
@page(ADMIN)
def departments_import():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(422, error=i18n.t("dept.no_file"))
    try:
        saved = departments.import_csv(uow(), upload.read(), actor=web_actor())
    except (ValidationFailed, UnicodeDecodeError) as error:
        return _page(422, error=getattr(error, "message", str(error)))
    flash(i18n.t("dept.imported", n=len(saved)), "ok")
    return redirect(url_for("web.departments_page"))
