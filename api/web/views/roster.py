"""The congress office's roster page: a term's representatives, searched and paged, and the roster import with
the printable sheet of new accounts' initial passwords (shown once)."""

from __future__ import annotations

from flask import request

from engine.errors import ValidationFailed
from engine.identity import ADMIN
from workflows.congress import roster, roster_import
from workflows.congress.meetings import PRESIDIUM

from ...extension import services, uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor

menu(65, "web.congress_roster", "nav.roster", "roster", lambda actor: actor.has(ADMIN, PRESIDIUM), group="people")
PER_PAGE = 50


def _term(term_id: int | None):
    """The term asked for, else the one running today, else the latest."""
    terms = roster.list_terms(uow(readonly=True))
    if not terms:
        return None, terms
    if term_id is not None:
        return next((t for t in terms if t.id == term_id), None), terms
    today = services().calendar.local_date(services().clock.now())
    running = [t for t in terms if t.starts_on <= today <= t.ends_on]
    return (running or sorted(terms, key=lambda t: t.number))[-1], terms


def _row_message(problem: dict) -> str:
    """A problem of the import in the reader's language (``ro.problem.<code>``), else its English wording."""
    key = f"ro.problem.{problem.get('code')}"
    return i18n.t(key, **problem.get("params", {})) if i18n.known(key) else str(problem.get("message", ""))


def _roster_page(status: int = 200, **extra):
    term, terms = _term(request.args.get("term", type=int) or request.form.get("term", type=int))
    text = request.args.get("q", "")
    page_no = max(request.args.get("page", 1, type=int), 1)
    rows, total = roster.page_of_representatives(uow(readonly=True), term.id, text=text, page=page_no,
                                                 per_page=PER_PAGE) if term else ([], 0)
    today = services().calendar.local_date(services().clock.now())
    return render("congress_roster.html", status, term=term, terms=terms, rows=rows, total=total, q=text,
                  page_no=page_no, pages=max(1, -(-total // PER_PAGE)), today=today,
                  may_import=web_actor().has(ADMIN), row_message=_row_message, **extra)


@blp.route("/congress/roster")
@page(ADMIN, PRESIDIUM)
def congress_roster():
    return _roster_page()


@blp.route("/congress/roster/import", methods=["POST"])
@page(ADMIN)
def congress_roster_import():
    term, _ = _term(request.form.get("term", type=int))
    upload = request.files.get("file")
    if term is None or upload is None or not upload.filename:
        return _roster_page(422, import_error=i18n.t("ro.no_file"))
    try:
        done = roster_import.import_roster(uow(), term.id, upload.read(), actor=web_actor(),
                                           create_accounts=request.form.get("create_accounts") == "1")
    except ValidationFailed as error:
        problems = (error.errors or {}).get("rows") or []
        return _roster_page(422, import_error=i18n.t("ro.import_failed", n=len(problems) or 1),
                            problems=problems)
    return _roster_page(201, imported=done)
