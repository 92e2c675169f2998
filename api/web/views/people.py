"""The users people pickers suggest: the signed-in user's organisation's active users matching what was typed."""

from __future__ import annotations

from flask import jsonify, request

from engine import people
from workflows.congress import roster

from ...extension import services, uow
from ..core import blp, page, web_actor


@blp.route("/people/users")
@page()
def people_users():
    """At most 20 active users of the caller's organisation (the tenancy layer limits every read to it) whose
    name, login or employee number (工号, from the roster) contains ``q``; name, departments and login only.
    Whoever may hand a task over or file with colleagues may look them up: anyone but a read-only auditor."""
    if web_actor().is_read_only:
        return jsonify([])
    text = request.args.get("q", "").strip()[:50]
    today = services().calendar.local_date(services().clock.now())
    by_number = [rep.username for rep in roster.search_seated(uow(readonly=True), text, today)
                 if rep.username and text in rep.employee_no] if text else []
    return jsonify([{"username": p["username"], "name": p["name"], "departments": p["departments"]}
                    for p in people.search(uow(readonly=True), text, also=by_number)])
