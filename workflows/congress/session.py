"""A congress session run by its diagram (bpmn/congress/session.bpmn): ordinary or extraordinary, the
preparatory meeting (预备会议) that approves the presidium, the agenda and the scrutineers, the plenary, the
closing and the minutes (rules.md §2.1–2.2).

The diagram's human tasks are completed here by their element id (``complete_step``), so the presidium's
screens and the API act on "the session's preparatory meeting" rather than on task ids; the generic task API
works as well.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import runtime
from engine.deployments import find_version
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.models import HumanTask
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress import joint_meetings, meetings
from workflows.congress.meetings import PRESIDIUM, get_meeting, meeting_chain
from workflows.congress.roster import seated_among, seated_count
from workflows.congress.session_tables import PresidiumMember, SessionRecord
from workflows.congress.tables import Matter, Meeting, Representative, Vote
from workflows.errors import RuleViolation
from workflows.hooks import rules_of

PROCESS_ID = "congress_session"
KINDS = ("ordinary", "extraordinary")
PROPOSERS = ("enterprise", "union", "representatives")
STARTERS = ("union_chair", PRESIDIUM)
# 民主管理规定 第19条 (V): 工人、技术人员、管理人员 >= 50% of the presidium. The roster knows no category for
# managers without a leadership post (管理人员 as opposed to 中层以上管理人员和领导人员), so only frontline workers
# and technicians count towards the share: the check errs on the side of the workers.
FRONTLINE = frozenset({"frontline", "technician"})


def _ids(values: Any, field: str) -> list[int]:
    try:
        ids = sorted({int(v) for v in values or []})
    except (TypeError, ValueError):
        raise ValidationFailed("expected representative ids", {field: ["a list of representative ids"]}) from None
    return ids


def check_extraordinary(session: Session, meeting: Meeting, proposed_by: str | None, supporters: list[int],
                        rules: r.Rules) -> None:
    """An extraordinary session is proposed by the enterprise, the union or at least one third of the
    representatives (1986 条例 第18条, V; rules.md §2.2).

    Raises:
        ValidationFailed: no or an unknown proposer, a supporter not seated.
        RuleViolation ``extraordinary_session_share``: representatives proposing are fewer than one third.
    """
    if proposed_by not in PROPOSERS:
        raise ValidationFailed("an extraordinary session is proposed by the enterprise, the union or representatives",
                               {"proposed_by": [f"one of {', '.join(PROPOSERS)}"]})
    if proposed_by != "representatives":
        return
    seated_among(session, meeting, supporters, "supporters")
    seated = seated_count(session, meeting)
    if not r.extraordinary_session_supported(len(supporters), seated, rules):
        share = rules.extraordinary_session_share
        needed = -(-seated * share.numerator // share.denominator)
        raise RuleViolation(f"an extraordinary session needs the proposal of at least {share} of the {seated} "
                            f"representatives ({needed}); {len(supporters)} proposed it (1986 条例 第18条)",
                            "extraordinary_session_share",
                            {"supporters": [f"at least {needed} of {seated} seated representatives"]})


def check_presidium(session: Session, meeting: Meeting, member_ids: list[int], rules: r.Rules) -> None:
    """Workers, technicians and managers are at least half of the presidium (民主管理规定 第19条, V).

    Raises:
        ValidationFailed: nobody, or someone not seated. RuleViolation ``presidium_min_frontline_share``.
    """
    if not member_ids:
        raise ValidationFailed("the presidium has members", {"presidium": ["choose the presidium's members"]})
    reps = seated_among(session, meeting, member_ids, "presidium")
    frontline = sum(p.category in FRONTLINE for p in reps)
    if not r.presidium_composition_valid(frontline, len(reps), rules):
        raise RuleViolation(
            f"workers and technicians are {frontline} of the {len(reps)} presidium members; at least "
            f"{rules.presidium_min_frontline_share} are required (民主管理规定 第19条)",
            "presidium_min_frontline_share",
            {"presidium": [f"{frontline} of {len(reps)} are frontline workers or technicians"]})


def record_of(session: Session, meeting_id: int, *, lock: bool = False) -> SessionRecord:
    """Raises: NotFound (the meeting has no session run by the diagram)."""
    query = select(SessionRecord).where(SessionRecord.meeting_id == meeting_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        raise NotFound(f"meeting {meeting_id} has no session under way; start it first")
    return row


def start_session(uow: UnitOfWork, meeting_id: int, body: dict[str, Any], *, rules: r.Rules,
                  actor: Actor) -> SessionRecord:
    """Start the ``congress_session`` instance of a planned meeting; an extraordinary one is checked first.

    Args:
        body: kind (ordinary | extraordinary), proposed_by (enterprise | union | representatives),
            supporters (representative ids, when representatives propose it), reason.

    Raises:
        Forbidden: not the union or the presidium. NotFound: the meeting, or the diagram is not deployed.
        Conflict: the meeting is not planned or already has its session. ValidationFailed.
        RuleViolation ``extraordinary_session_share``.
    """
    if not actor.has(*STARTERS, ADMIN):
        raise Forbidden("a session is started by the union or the presidium", {"roles": list(STARTERS)})
    kind = body.get("kind") or "ordinary"
    if kind not in KINDS:
        raise ValidationFailed("unknown session kind", {"kind": [f"one of {', '.join(KINDS)}"]})
    supporters = _ids(body.get("supporters"), "supporters")
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status != "planned":
            raise Conflict(f"meeting {meeting_id} is {meeting.status}, not planned")
        if s.get(SessionRecord, meeting_id) is not None:
            raise Conflict(f"meeting {meeting_id} already has its session")
        if kind == "extraordinary":
            check_extraordinary(s, meeting, body.get("proposed_by"), supporters, rules)
        try:
            pv = find_version(s, PROCESS_ID)
        except NotFound as exc:
            raise NotFound("the session diagram is not deployed (dmflow deploy-bundled)") from exc
        record = SessionRecord(meeting_id=meeting_id, kind=kind, proposed_by=body.get("proposed_by"),
                               supporters_json=json.dumps(supporters), reason=body.get("reason"),
                               scrutineers_json="[]", created_at=uow.now(), created_by=actor.username)
        s.add(record)
        s.flush()
        record.instance_id = runtime.create_instance(
            uow, pv, actor=actor.username, business_key=f"congress_session:{meeting_id}",
            data={"meeting_id": meeting_id, "kind": kind, "title": meeting.title,
                  "proposed_by": body.get("proposed_by"), "supporters": supporters})
        uow.audit(meeting_chain(meeting_id), "session.started", {
            "kind": kind, "proposed_by": body.get("proposed_by"), "supporters": supporters,
            "instance_id": record.instance_id}, actor=actor.username)
        joint_meetings.carry_to(uow, meeting, actor.username)
        uow.commit()
    return record


def approve_preparatory(uow: UnitOfWork, meeting_id: int, data: dict[str, Any], actor: str | None) -> None:
    """Keep what the preparatory meeting approved (inside the step's open uow) and convene the meeting."""
    s = uow.session
    record = record_of(s, meeting_id, lock=True)
    members = _ids(data.get("presidium"), "presidium")
    for rep_id in members:
        s.add(PresidiumMember(meeting_id=meeting_id, representative_id=rep_id))
    record.scrutineers_json = json.dumps(_ids(data.get("scrutineers"), "scrutineers"))
    record.preparatory_at = uow.now()
    uow.audit(meeting_chain(meeting_id), "session.preparatory_approved", {
        "presidium": members, "scrutineers": json.loads(record.scrutineers_json),
        "agenda": list(s.scalars(select(Matter.id).where(Matter.meeting_id == meeting_id).order_by(Matter.position))),
        "votes_for": data.get("votes_for"), "votes_against": data.get("votes_against"),
        "abstentions": data.get("abstentions")}, actor=actor)
    meetings.convene(uow, meeting_id, rules=rules_of(uow), actor=Actor(actor or "system", frozenset()))


def check_preparatory(uow: UnitOfWork, meeting_id: int, data: dict[str, Any], rules: r.Rules) -> None:
    """The preparatory meeting's decision: presidium (第19条), agenda approved, scrutineers seated, and the
    approval carried by more than half of all seated representatives (民主管理规定 第20条, V).

    Raises:
        ValidationFailed. RuleViolation ``presidium_min_frontline_share``, ``adoption_rule``.
    """
    s = uow.session
    meeting = get_meeting(s, meeting_id)
    check_presidium(s, meeting, _ids(data.get("presidium"), "presidium"), rules)
    seated_among(s, meeting, _ids(data.get("scrutineers"), "scrutineers"), "scrutineers")
    if data.get("agenda_approved") is not True:
        raise ValidationFailed("the preparatory meeting approves the agenda", {"agenda_approved": ["tick it"]})
    counts = {k: data.get(k) for k in ("votes_for", "votes_against", "abstentions")}
    if any(not isinstance(v, int) or v < 0 for v in counts.values()):
        raise ValidationFailed("enter the show of hands", {k: ["a whole number"] for k, v in counts.items()
                                                           if not isinstance(v, int) or v < 0})
    seated = seated_count(s, meeting)
    if sum(counts.values()) > seated:
        raise ValidationFailed(f"more hands than the {seated} seated representatives", {"votes_for": [str(seated)]})
    if not r.adopted(counts["votes_for"], seated, rules):
        raise RuleViolation(f"{counts['votes_for']} of {seated} is not more than half of all representatives "
                            f"(民主管理规定 第20条)", "adoption_rule",
                            {"votes_for": [f"more than {seated // 2} needed"]})


def check_plenary_done(uow: UnitOfWork, meeting_id: int) -> None:
    """The plenary ends when no vote is open. Raises: Conflict."""
    s = uow.session
    open_votes = s.scalar(select(func.count()).select_from(Vote).join(Matter, Matter.id == Vote.matter_id)
                          .where(Matter.meeting_id == meeting_id, Vote.status == "open"))
    if open_votes:
        raise Conflict(f"{open_votes} vote(s) are still open; close them before closing the session")


def ready_step(session: Session, record: SessionRecord, element_id: str) -> HumanTask:
    """Raises: Conflict: the session is not at that step."""
    row = session.scalar(select(HumanTask).where(HumanTask.instance_id == record.instance_id,
                                                 HumanTask.state == "ready"))
    if row is None or row.element_id != element_id:
        at = row.name if row is not None else "no step"
        raise Conflict(f"the session is at {at}, not {element_id}", {"step": [at]})
    return row


def complete_step(uow: UnitOfWork, meeting_id: int, element_id: str, data: dict[str, Any], *,
                  actor: Actor) -> str:
    """Complete the session's ready task ``element_id`` (preparatory, plenary, approve_minutes) as ``actor``.

    Raises:
        NotFound. Conflict: the session is elsewhere. Forbidden: not the presidium. ValidationFailed,
        RuleViolation: from the step's checks.
    """
    with uow:
        task_id = ready_step(uow.session, record_of(uow.session, meeting_id), element_id).id
    return runtime.complete_task(uow, task_id, data, actor=actor)


def session_view(uow: UnitOfWork, meeting_id: int) -> dict[str, Any]:
    """The session: kind, proposer, current step, presidium and scrutineers with names. Raises: NotFound."""
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id)
        record = s.get(SessionRecord, meeting_id)
        if record is None:
            return {"meeting_id": meeting_id, "started": False, "status": meeting.status}
        step = s.scalar(select(HumanTask).where(HumanTask.instance_id == record.instance_id,
                                                HumanTask.state == "ready"))
        members = list(s.scalars(select(Representative).join(
            PresidiumMember, PresidiumMember.representative_id == Representative.id)
            .where(PresidiumMember.meeting_id == meeting_id).order_by(Representative.employee_no)))
        scrutineers = json.loads(record.scrutineers_json)
        names = dict(s.execute(select(Representative.id, Representative.name)
                               .where(Representative.id.in_(scrutineers))).all()) if scrutineers else {}
        return {"meeting_id": meeting_id, "started": True, "status": meeting.status, "kind": record.kind,
                "proposed_by": record.proposed_by, "supporters": json.loads(record.supporters_json),
                "reason": record.reason, "instance_id": record.instance_id,
                "step": step.element_id if step else None, "step_name": step.name if step else None,
                "task_id": step.id if step else None, "preparatory_at": record.preparatory_at,
                "presidium": [{"id": p.id, "name": p.name, "category": p.category,
                               "delegation": p.delegation} for p in members],
                "scrutineers": [{"id": i, "name": names.get(i)} for i in scrutineers]}


def last_session_day(session: Session, term_id: int) -> dt.date | None:
    """The day of the term's last closed session."""
    return session.scalar(select(func.max(Meeting.held_on)).where(Meeting.term_id == term_id,
                                                                  Meeting.status == "closed"))
