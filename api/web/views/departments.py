"""Admins' departments page: the organisational units whose people a task may name, with members and heads."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for

from engine import departments
from engine.errors import ValidationFailed
from engine.identity import ADMIN

from ...extension import uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(105, "web.departments_page", "nav.departments", "departments", lambda actor: actor.has(ADMIN), group="people")


def _names(raw: str) -> list[str]:
    return [n for n in re.split(r"[\s,，、;；]+", raw or "") if n]


def _page(status: int = 200, **context):
    return render("departments.html", status, departments=departments.list_departments(uow(readonly=True)),
                  **context)


@blp.route("/admin/departments")
@page(ADMIN)
def departments_page():
    return _page()


@blp.route("/admin/departments", methods=["POST"])
@page(ADMIN)
def departments_save():
    form = request.form
    try:
        departments.save_department(uow(), form.get("code", "")[:50], name=form.get("name", "")[:200],
                                    members=_names(form.get("members", "")), heads=_names(form.get("heads", "")),
                                    parent_code=(form.get("parent_code") or "").strip()[:50] or None,
                                    actor=web_actor())
    except ValidationFailed as error:
        return _page(422, error=error.message, draft=form)
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
