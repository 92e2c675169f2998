"""Admins' pages: users, their roles and login passwords."""

from __future__ import annotations

import re

from flask import flash, redirect, request, url_for

from engine import identity, passwords
from engine.errors import Conflict, ValidationFailed
from engine.identity import ADMIN

from ...extension import uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(100, "web.users_page", "nav.users", "users", lambda actor: actor.has(ADMIN), group="people")


def _roles(raw: str) -> list[str]:
    return [r for r in re.split(r"[\s,，、]+", raw) if r]


PER_PAGE = 50


def _matches(user: dict, text: str) -> bool:
    text = text.casefold()
    names = [user["username"], user["display_name"] or "", *user["roles"], *(i18n.role_label(r) for r in user["roles"])]
    return any(text in name.casefold() for name in names)


def _users_page(status: int = 200, **context):
    everyone = identity.list_users(uow(readonly=True))
    known = sorted(i18n.role_codes() | {r for u in everyone for r in u["roles"]})
    text = request.args.get("q", "").strip()[:100]
    found = [u for u in everyone if _matches(u, text)] if text else everyone
    pages = max(1, -(-len(found) // PER_PAGE))
    page_no = min(max(request.args.get("page", 1, type=int), 1), pages)
    shown = found[(page_no - 1) * PER_PAGE: page_no * PER_PAGE]
    return render("users.html", status, users=shown, total=len(found), q=text, page_no=page_no, pages=pages,
                  known_roles=known, **context)


@blp.route("/admin/users")
@page(ADMIN)
def users_page():
    return _users_page()


@blp.route("/admin/users", methods=["POST"])
@page(ADMIN)
def users_create():
    form = request.form
    username, password = form.get("username", "").strip(), form.get("password", "")
    roles = form.getlist("role") + _roles(form.get("roles", ""))
    try:
        if password:
            passwords.check_policy(password)
        _, token = identity.create_user(uow(), username, roles, actor=web_actor(),
                                        display_name=form.get("display_name", "").strip() or None)
        if password:
            passwords.set_password(uow(), username, password, actor=web_actor())
    except ValidationFailed as error:
        message = i18n.t("users.password_policy", n=passwords.MIN_LENGTH) if "password" in error.errors \
            else error.message
        return _users_page(422, error=message, draft=form)
    except Conflict as error:
        return _users_page(409, error=error.message, draft=form)
    return _users_page(201, created={"username": username, "token": token})


@blp.route("/admin/users/<username>/password", methods=["POST"])
@page(ADMIN)
def users_password(username: str):
    try:
        passwords.set_password(uow(), username, request.form.get("password", ""), actor=web_actor())
    except ValidationFailed:
        flash(i18n.t("users.password_policy", n=passwords.MIN_LENGTH), "error")
    else:
        flash(i18n.t("users.password_set", name=username), "ok")
    return redirect(url_for("web.users_page"))


@blp.route("/admin/users/<username>/contact", methods=["POST"])
@page(ADMIN)
def users_contact(username: str):
    try:
        identity.set_profile(uow(), username, {"email": request.form.get("email", ""),
                                               "mobile": request.form.get("mobile", "")}, actor=web_actor())
    except ValidationFailed as error:
        flash(error.message + ": " + "; ".join(m for ms in error.errors.values() for m in ms), "error")
    else:
        flash(i18n.t("users.contact_saved", name=username), "ok")
    return redirect(url_for("web.users_page"))


@blp.route("/admin/users/<username>/roles", methods=["POST"])
@page(ADMIN)
def users_roles(username: str):
    roles = request.form.getlist("role") + _roles(request.form.get("roles", ""))
    identity.set_roles(uow(), username, roles, actor=web_actor())
    flash(i18n.t("users.roles_set", name=username), "ok")
    return redirect(url_for("web.users_page"))
