"""Publishing a counted election round once every approved scrutineer has confirmed it: the elected (or the
recalled) take their status, the election notice (HTML and PDF) is stored and its hash audited; finishing an
election with seats left unfilled; and who may see a round's count before it is published."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine import checkpoints
from engine.errors import Conflict, Forbidden
from engine.identity import ADMIN, AUDITOR, Actor
from engine.models import AuditChain
from engine.unit_of_work import UnitOfWork
from workflows import documents
from workflows.congress import roster, scrutineers
from workflows.congress.election_ballots import get_round, meeting_of_round
from workflows.congress.election_notice import render_election_notice_html
from workflows.congress.election_tables import Candidate, Election, ElectionPost, ElectionRound
from workflows.congress.elections import get_election, meeting_of, next_round_plan, rounds_of
from workflows.congress.meetings import PRESIDIUM, get_matter, meeting_chain
from workflows.congress.tables import Organisation, Representative, Term
from workflows.errors import RuleConflict
from workflows.numerals import meeting_title

NOTICE_KIND = "election_notice"


def _mark_candidates(uow: UnitOfWork, election: Election, rnd: ElectionRound) -> None:
    s = uow.session
    further = {c for f in rnd.result.get("further", []) for c in f["candidates"]}
    for post in rnd.result["posts"]:
        for entry in post["entries"]:
            if entry["candidate_id"] is not None:
                candidate = s.get(Candidate, entry["candidate_id"])
                if election.kind == "recall":
                    candidate.status = "recalled" if entry["elected"] else "kept"
                    if entry["elected"]:
                        s.get(Candidate, election.recall_of).status = "recalled"
                elif entry["elected"]:
                    candidate.status, candidate.elected_round = "elected", rnd.number
                elif candidate.id not in further:
                    candidate.status = "not_elected"
            elif entry["elected"]:  # a write-in (另选他人) elected joins the candidates as elected
                s.add(Candidate(election_id=election.id, post_id=post["post_id"], position=999, name=entry["name"],
                                employee_no=None, representative_id=None, nominated_by="write_in",
                                nominator="另选他人", nominator_ids=None, profile="", status="elected",
                                elected_round=rnd.number, created_at=uow.now()))


def _notice(uow: UnitOfWork, election: Election, rnd: ElectionRound, names: list[dict[str, Any]], actor: str):
    s = uow.session
    matter = get_matter(s, election.matter_id)
    meeting = meeting_of(s, election)
    term = s.get(Term, meeting.term_id)
    organisation = s.get(Organisation, term.organisation_id)
    context = uow.runtime.context
    page = render_election_notice_html({
        "organisation": organisation.name, "meeting": meeting_title(term.number, meeting.session_number),
        "title": matter.title, "round": rnd.number, "kind": election.kind, "secret": rnd.secret,
        "result": rnd.result, "scrutineers": names, "published_at": uow.now(),
        "audit_hash": s.get(AuditChain, meeting_chain(meeting.id)).last_hash,
        "checkpoint": checkpoints.latest_fingerprint(s)}, tz=context["calendar"].tz.key)
    stem = f"election-{election.id}-round-{rnd.number}"
    html = documents.store(uow, kind=NOTICE_KIND, title=matter.title, filename=f"{stem}.html",
                           media_type="text/html; charset=utf-8", content=page.encode("utf-8"),
                           instance_id=None, actor=actor)
    return documents.store_pdf_later(uow, html, filename=f"{stem}.pdf", actor=actor), html


def publish(uow: UnitOfWork, round_id: int, *, actor: Actor) -> dict[str, Any]:
    """Publish a closed round's result: every approved scrutineer must have confirmed the count first (the notice's
    PDF is rendered after the commit).

    Returns:
        {round_id, status, document_id (PDF), html_document_id, next_round}.

    Raises:
        NotFound. Conflict: the round is not closed. RuleConflict ``scrutineers_confirmed``: a scrutineer has
        not confirmed (named in ``errors.missing``).
    """
    with uow:
        s = uow.session
        rnd = get_round(s, round_id, lock=True)
        if rnd.status != "closed":
            raise Conflict(f"election round {round_id} is {rnd.status}: only a closed count is published")
        election = get_election(s, rnd.election_id, lock=True)
        meeting = meeting_of_round(s, rnd)
        approved = scrutineers.approved_ids(s, meeting.id)
        confirmed = scrutineers.confirmations(s, round_id)
        people = {rep.id: rep for rep in s.scalars(select(Representative).where(Representative.id.in_(approved)))}
        missing = [i for i in approved if i not in confirmed]
        if missing or not approved:
            names = "、".join(people[i].name for i in missing if i in people) or "—"
            raise RuleConflict(f"every scrutineer confirms the count before the result is published; not yet: "
                               f"{names} (计票结果须经监票人确认后方可公布)", "scrutineers_confirmed",
                               {"missing": [people[i].name if i in people else i for i in missing]})
        chief = {row.representative_id for row in scrutineers.approved_rows(s, meeting.id) if row.chief}
        _mark_candidates(uow, election, rnd)
        rnd.status, rnd.published_at, rnd.published_by = "published", uow.now(), actor.username
        plan = next_round_plan(s, election, rounds_of(s, election.id))
        if plan is None:
            election.status = "finished"
        uow.audit(meeting_chain(meeting.id), "election.published", {
            "round_id": round_id, "election_id": election.id, "number": rnd.number, "result": rnd.result,
            "confirmed_by": sorted(confirmed)}, actor=actor.username)
        names = [{"name": people[i].name, "chief": i in chief} for i in sorted(approved, key=lambda i: i not in chief)]
        pdf, html = _notice(uow, election, rnd, names, actor.username)
        uow.commit()
    return {"round_id": round_id, "status": "published", "document_id": pdf.id, "html_document_id": html.id,
            "next_round": plan}


def finish(uow: UnitOfWork, election_id: int, *, actor: Actor) -> Election:
    """End an election without a further round: the seats still open stay unfilled.

    Raises: NotFound. Conflict: not running, or a round is open or unpublished.
    """
    with uow:
        s = uow.session
        election = get_election(s, election_id, lock=True)
        rounds = rounds_of(s, election_id)
        if election.status != "running" or (rounds and rounds[-1].status != "published"):
            raise Conflict(f"election {election_id} has no published round to finish on")
        for candidate in s.scalars(select(Candidate).where(Candidate.election_id == election_id,
                                                           Candidate.status == "nominated")):
            candidate.status = "not_elected"
        election.status = "finished"
        uow.audit(meeting_chain(meeting_of(s, election).id), "election.finished", {
            "election_id": election_id, "unfilled": (rounds[-1].result or {}).get("further", [])},
            actor=actor.username)
        uow.commit()
    return election


def may_see_count(session, rnd: ElectionRound, actor: Actor) -> bool:
    """A closed count is seen by the presidium, admins, auditors and the approved scrutineers; everyone once
    published."""
    if rnd.status == "published" or actor.has(PRESIDIUM, ADMIN, AUDITOR):
        return rnd.status != "open"
    if rnd.status != "closed":
        return False
    meeting = meeting_of_round(session, rnd)
    rep = session.scalar(roster.seated_query(meeting.term_id, meeting.held_on)
                         .where(Representative.username == actor.username))
    return rep is not None and rep.id in scrutineers.approved_ids(session, meeting.id)


def round_view(uow: UnitOfWork, round_id: int, actor: Actor) -> dict[str, Any]:
    """A round with its count where the caller may see it (``result`` None otherwise), the confirmations and
    the published notice's document ids."""
    with uow:
        s = uow.session
        rnd = get_round(s, round_id)
        election = s.get(Election, rnd.election_id)
        meeting = meeting_of_round(s, rnd)
        visible = may_see_count(s, rnd, actor)
        approved = scrutineers.approved_ids(s, meeting.id)
        confirmed = scrutineers.confirmations(s, round_id)
        names = dict(s.execute(select(Representative.id, Representative.name)
                               .where(Representative.id.in_(approved))).all()) if approved else {}
        stem = f"election-{election.id}-round-{rnd.number}"
        docs = dict(s.execute(select(documents.Document.media_type, documents.Document.id).where(
            documents.Document.kind == NOTICE_KIND, documents.Document.filename.in_([f"{stem}.pdf", f"{stem}.html"])
        )).all())
        posts = {p.id: p.title for p in s.scalars(select(ElectionPost).where(ElectionPost.election_id == election.id))}
        out = {c.key: getattr(rnd, c.key) for c in ElectionRound.__table__.columns if c.key != "result"}
        return {**out, "result": rnd.result if visible else None, "kind": election.kind,
                "meeting_id": meeting.id, "matter_id": election.matter_id, "posts": posts,
                "scrutineers": [{"representative_id": i, "name": names.get(i), "confirmed": i in confirmed}
                                for i in approved],
                "notice_pdf": docs.get("application/pdf"),
                "notice_html": next((v for k, v in docs.items() if k.startswith("text/html")), None)}


def require_visible(uow: UnitOfWork, round_id: int, actor: Actor) -> None:
    """Raises: Forbidden when the caller may not see the round's count yet."""
    with uow:
        if not may_see_count(uow.session, get_round(uow.session, round_id), actor):
            raise Forbidden("the count is seen by the presidium and the scrutineers until it is published")
