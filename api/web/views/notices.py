"""The bell's pages: the user's notifications (mark read), and their own contact details and channels."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from engine import identity, notifications
from engine.errors import ValidationFailed

from ...extension import uow
from .. import i18n
from ..core import blp, page, render, safe_next, web_actor

PAGE_SIZE = 30


@blp.route("/notifications")
@page()
def notifications_page():
    unread = request.args.get("unread") == "1"
    offset = max(int(request.args.get("offset", 0) or 0), 0) if request.args.get("offset", "0").isdigit() else 0
    listing = notifications.listing(uow(readonly=True), web_actor().username, unread=unread, limit=PAGE_SIZE,
                                    offset=offset)
    return render("notifications.html", listing=listing, unread_only=unread, page_size=PAGE_SIZE)


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@page()
def notification_read(notification_id: int):
    """Mark a notice read, then go to what it is about (or back to the list)."""
    notice = notifications.mark_read(uow(), web_actor().username, notification_id)
    if request.form.get("open") and notice["link"]:
        return redirect(safe_next(notice["link"], url_for("web.notifications_page")))
    return redirect(url_for("web.notifications_page"))


@blp.route("/notifications/read-all", methods=["POST"])
@page()
def notifications_read_all():
    marked = notifications.mark_all_read(uow(), web_actor().username)
    flash(i18n.t("notices.marked", n=marked), "ok")
    return redirect(url_for("web.notifications_page"))


def _profile_changes(form) -> dict:
    return {"email": form.get("email", ""), "mobile": form.get("mobile", ""),
            "notify_inapp": form.get("notify_inapp") == "on", "notify_email": form.get("notify_email") == "on"}


@blp.route("/profile", methods=["GET", "POST"])
@page()
def profile_page():
    username = web_actor().username
    if request.method == "POST":
        try:
            identity.set_profile(uow(), username, _profile_changes(request.form), actor=web_actor())
        except ValidationFailed as error:
            profile = identity.get_profile(uow(readonly=True), username) | _profile_changes(request.form)
            return render("profile.html", 422, profile=profile, errors=error.errors)
        flash(i18n.t("profile.saved"), "ok")
        return redirect(url_for("web.profile_page"))
    return render("profile.html", profile=identity.get_profile(uow(readonly=True), username), errors={})
