"""The installation's organisations page (its operator, an admin of organisation 1): enterprises and the
federations above them, and a form to add one."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from engine import organisations, tenancy
from engine.errors import Conflict, ValidationFailed
from engine.identity import ADMIN

from ...extension import uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(106, "web.organisations_page", "nav.organisations", "organisations", organisations.is_operator)


def _page(status: int = 200, **context):
    return render("organisations.html", status, kinds=tenancy.KINDS,
                  organisations=organisations.list_organisations(uow(readonly=True), web_actor()), **context)


@blp.route("/admin/organisations")
@page(ADMIN)
def organisations_page():
    return _page()


@blp.route("/admin/organisations", methods=["POST"])
@page(ADMIN)
def organisations_create():
    actor = web_actor()
    if not organisations.is_operator(actor):
        return _page(403, error=i18n.t("org.operator_only"))
    form = request.form
    headcount = (form.get("headcount") or "").strip()
    try:
        organisations.create_organisation(
            uow(), actor, (form.get("code") or "").strip()[:64], name=(form.get("name") or "").strip()[:200],
            kind=form.get("kind") or tenancy.ENTERPRISE, parent=(form.get("parent") or "").strip() or None,
            region=(form.get("region") or "").strip()[:100] or None,
            industry=(form.get("industry") or "").strip()[:100] or None,
            headcount=int(headcount) if headcount.isdigit() and len(headcount) < 9 else None)
    except (ValidationFailed, Conflict) as error:
        return _page(422 if isinstance(error, ValidationFailed) else 409, error=error.message, draft=form)
    flash(i18n.t("org.saved"), "ok")
    return redirect(url_for("web.organisations_page"))
