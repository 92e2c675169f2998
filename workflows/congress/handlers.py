"""Service-task handlers and task checks of the congress diagrams (proposal.bpmn, resolution.bpmn)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from engine import departments
from engine.audit import instance_chain
from engine.checkpoints import latest_fingerprint
from engine.identity import Actor
from engine.models import AuditChain
from engine.steps import current_step
from workflows import documents
from workflows import rules as r
from workflows.calendar import local_today
from workflows.congress import alerts, meetings, proposals
from workflows.congress.tables import Matter, Meeting, Organisation, Term, Vote
from workflows.documents import Document
from workflows.hooks import service, validator
from workflows.notices import reference_number, render_notice_html, short_name
from workflows.numerals import chinese, meeting_title

DEFAULT_REFERENCE = "{org_short}职代〔{year}〕{seq}号"


def _actor() -> Actor:
    step = current_step()
    return Actor(step.actor or "system", frozenset())


@validator("proposal", "submit")
def _check_proposal(uow, data: dict[str, Any], actor: Actor) -> None:
    proposals.check_submission(uow, data, actor)


@validator("proposal", "assign")
def _check_assignment(uow, data: dict[str, Any], actor: Actor) -> None:
    """The handling department is one of the enterprise's departments (by code or name), not free text."""
    departments.require_known(uow, data.get("handling_department"), "handling_department")


@service("congress.request_cosignatures")
def request_cosignatures(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Record the proposal and ask its co-signers to confirm; returns ``{"proposal_id"}``."""
    step = current_step()
    proposal = proposals.open_proposal(step.uow, step.instance_id, params["title"], list(params["cosigners"]),
                                       step.actor or "system")
    alerts.cosign_invited(step.uow, proposal, data.get("reason"), data.get("measures"))
    return {"proposal_id": proposal.id, "cosigners": list(params["cosigners"])}


@service("congress.notify_proposer")
def notify_proposer(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Tell the proposer the screening decision (不予立案 / 转为意见建议 / 合并) and record it."""
    step = current_step()
    status = {"reject": "not_registered", "to_opinion": "turned_into_opinion", "merge": "merged"}.get(
        params["decision"], "not_registered")
    proposal = proposals.update(step.uow, int(params["proposal_id"]), actor=step.actor, status=status,
                                decision=params["decision"])
    alerts.proposal_screened(step.uow, proposal, status, params.get("screening_reason"))
    return {"status": status, "reason": params.get("screening_reason"), "merge_into": data.get("merge_into")}


@service("congress.publish_proposal_result")
def publish_proposal_result(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Publish a proposal's handling result to all workers (厂务公开)."""
    step = current_step()
    now = step.uow.now()
    proposals.update(step.uow, int(params["proposal_id"]), actor=step.actor, status="published",
                     satisfaction=params.get("satisfaction"), implementation_status=params.get("implementation_status"),
                     published_at=now)
    return {"published_at": now.isoformat()}


def _next_meeting(session, day: dt.date) -> Meeting | None:
    terms = select(Term.id).where(Term.starts_on <= day, Term.ends_on >= day)
    return session.scalar(select(Meeting).where(Meeting.term_id.in_(terms), Meeting.status != "closed")
                          .order_by(Meeting.held_on, Meeting.id).limit(1))


@service("congress.put_to_vote")
def put_to_vote(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Put a draft on a meeting's agenda as an item to vote on (一事一表决); returns ``{"matter_id"}``.

    The meeting is the instance's ``meeting_id`` when given, else the next meeting of the current term
    that is not closed. The presidium opens and closes the vote in session; closing it sends
    ``vote.closed`` correlated by ``matter_id``.

    Raises:
        LookupError: there is no meeting to put it to (an incident; create the meeting and retry).
    """
    step = current_step()
    s = step.uow.session
    meeting = s.get(Meeting, int(data["meeting_id"])) if data.get("meeting_id") else \
        _next_meeting(s, local_today(step.uow))
    if meeting is None:
        raise LookupError("no congress meeting is planned to vote on this draft; plan one and retry")
    suffix = f"（第{chinese(params['vote_round'])}轮）" if params.get("vote_round", 1) > 1 else ""
    matter = meetings.add_matter(step.uow, meeting.id, matter_type=params["matter_type"],
                                 title=f"{params['title']}{suffix}", actor=_actor())
    step.uow.audit(instance_chain(step.instance_id), "congress.put_to_vote", {
        "matter_id": matter.id, "meeting_id": meeting.id, "title": matter.title, "mode": matter.mode,
        "secret": matter.secret}, actor=step.actor, instance_id=step.instance_id)
    return {"matter_id": matter.id, "meeting_id": meeting.id, "mode": matter.mode, "secret": matter.secret}


@service("congress.publish_notice")
def publish_notice(params: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Generate the resolution notice with the full tally: the HTML now, the PDF after the commit (its document id
    now, its bytes and audited hash when rendered, so closing the vote never waits for WeasyPrint)."""
    step = current_step()
    s = step.uow.session
    matter = s.get(Matter, int(params["matter_id"]))
    vote = s.scalar(select(Vote).where(Vote.matter_id == matter.id))
    meeting = s.get(Meeting, matter.meeting_id)
    term = s.get(Term, meeting.term_id)
    organisation = s.get(Organisation, term.organisation_id)
    rules: r.Rules = step.uow.runtime.context["rules"]
    head = s.get(AuditChain, instance_chain(step.instance_id))
    now = step.uow.now()
    zone = step.uow.runtime.context["calendar"].tz
    page = render_notice_html({
        "organisation": organisation.name, "meeting": meeting_title(term.number, meeting.session_number),
        "title": params.get("title") or matter.title, "published_at": now, "period": rules.resolution_publication_days,
        "audit_hash": head.last_hash, "checkpoint": latest_fingerprint(s),
        "reference": _reference(s, organisation.name, now.astimezone(zone).year, zone),
        "issuer": f"{organisation.name}职工代表大会主席团", "text": str(data.get("text") or ""),
        "vote": {"seated": vote.seated, "present": vote.present, "ballots_issued": vote.ballots_issued,
                 "ballots_cast": vote.ballots_cast, "valid": vote.valid, "for": vote.votes_for,
                 "against": vote.votes_against,
                 "abstain": vote.abstentions, "rule": vote.rule, "quorum_required": vote.quorum_required,
                 "votes_required": vote.votes_required, "outcome": vote.outcome, "secret": vote.secret},
    }, tz=zone.key)
    html = documents.store(step.uow, kind="resolution_notice", title=matter.title,
                           filename=f"notice-{matter.id}.html", media_type="text/html; charset=utf-8",
                           content=page.encode("utf-8"), instance_id=step.instance_id, actor=step.actor)
    pdf = documents.store_pdf_later(step.uow, html, filename=f"notice-{matter.id}.pdf", actor=step.actor)
    return {"published_at": now.isoformat(), "document_id": pdf.id, "html_document_id": html.id,
            "html_sha256": html.sha256}


def _reference(session, organisation: str, year: int, zone) -> str:
    """The next document number (文号) of this year's resolution notices, from the configured pattern."""
    pattern, short = current_step().uow.runtime.context.get("notice_reference") or (DEFAULT_REFERENCE, "")
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    issued = session.scalar(select(func.count()).select_from(Document).where(
        Document.kind == "resolution_notice", Document.media_type == "application/pdf", Document.created_at >= start))
    return reference_number(pattern, org_short=short or short_name(organisation), year=year, seq=(issued or 0) + 1)
