"""Home, login and logout, the language toggle."""

from __future__ import annotations

from flask import redirect, request, session, url_for

from engine import inbox, signin
from engine.directory import DirectoryUnavailable
from engine.errors import Forbidden, TooManyAttempts, Unauthorized
from workflows.congress import dashboard
from workflows.congress.meetings import PRESIDIUM

from ... import directories
from ...extension import services, uow
from .. import i18n
from ..core import blp, login, logout, menu, page, render, safe_next, web_actor

menu(10, "web.home", "nav.home", "home")


@blp.route("/")
@page()
def home():
    actor = web_actor()
    tasks = {"items": [], "total": 0} if actor.is_read_only else \
        inbox.list_tasks(uow(readonly=True), actor, inbox.TaskFilter(scope="open", per_page=5))
    congress = dashboard.representative_steps(uow(readonly=True), actor.username)
    chaired = dashboard.presidium_meetings(uow(readonly=True)) if actor.has(PRESIDIUM) else []
    return render("home.html", task_count=tasks["total"], tasks=tasks["items"], congress=congress,
                  chaired=chaired, day=short_date)


def short_date(value) -> str:
    """A meeting day as people say it: 12月10日 (10 December)."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")
    if i18n.current_lang() == "zh-CN":
        return f"{value.month}月{value.day}日"
    return f"{value.day} {months[value.month - 1]}"


@blp.route("/login", methods=["GET", "POST"])
def login_page():
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if web_actor() is not None:
            return redirect(target)
        return render("login.html", next=target, username="", error=None)
    username = request.form.get("username", "").strip()
    try:
        result = signin.sign_in(uow, username, request.form.get("password", ""), request.remote_addr,
                                services().signin_policy, directory=directories.ldap_sign_in(uow))
    except Unauthorized:
        return render("login.html", 401, next=target, username=username, error=i18n.t("login.failed"))
    except Forbidden:
        return render("login.html", 403, next=target, username=username, error=i18n.t("login.directory_refused"))
    except DirectoryUnavailable:
        return render("login.html", 503, next=target, username=username, error=i18n.t("login.directory_down"))
    except TooManyAttempts as exc:
        minutes = max(1, -(-exc.retry_after // 60))
        html, status = render("login.html", 429, next=target, username=username,
                              error=i18n.t("login.locked", minutes=minutes))
        return html, status, {"Retry-After": str(exc.retry_after)}
    login(result)
    return redirect(target)


@blp.route("/logout", methods=["POST"])
def logout_page():
    actor = web_actor()
    logout()
    if actor is not None:  # every session of this user ends, also a cookie copied before this logout
        signin.end_sessions(uow(), actor.username, reason="logout")
    return redirect(url_for("web.login_page"))


@blp.route("/lang", methods=["POST"])
def set_lang():
    lang = request.form.get("lang")
    if lang in i18n.LANGS:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))


@blp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"))
