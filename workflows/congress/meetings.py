"""Congress meetings: sessions, agenda matters with their mode from the matter_mode DMN table, check-in."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lxml import etree
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.audit import SYSTEM_CHAIN
from engine.errors import Conflict, Forbidden, InvalidDiagram, NotFound, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.models import Deployment, DeploymentFile
from engine.sandbox import make_script_engine
from engine.unit_of_work import UnitOfWork
from workflows.congress import composition, roster
from workflows.congress.tables import CheckIn, Matter, Meeting, Opinion, Representative, Term, Vote
from workflows.records import fetch
from workflows.rules import Rules

PRESIDIUM, REPRESENTATIVE = "presidium", "representative"
DECISION_ID, DMN_FILE = "matter_mode", "matter_mode.dmn"
BUNDLED_DMN = Path(__file__).resolve().parents[2] / "bpmn" / "congress" / DMN_FILE
MODES = ("hear", "deliberate", "adopt", "elect")
VOTING_MODES = frozenset({"adopt", "elect"})
_TABLES: OrderedDict[str, Any] = OrderedDict()  # sha256 -> parsed decision table (DMNEngine), LRU


def meeting_chain(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


class _DecisionTask:
    """The little of a SpiffWorkflow task that evaluating a decision table (and its errors) reads."""

    def __init__(self, data: dict[str, Any], script_engine: Any):
        self.data = data
        self.task_spec = SimpleNamespace(name=DECISION_ID, bpmn_name=DECISION_ID, bpmn_id=DECISION_ID)
        self.workflow = SimpleNamespace(script_engine=script_engine, spec=SimpleNamespace(file=DMN_FILE),
                                        parent_workflow=None)
        self.workflow.top_workflow = self.workflow


def _parse_table(content: bytes, filename: str = DMN_FILE):
    sha = hashlib.sha256(content).hexdigest()
    if sha in _TABLES:
        _TABLES.move_to_end(sha)
        return _TABLES[sha]
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise InvalidDiagram("DOCTYPE and ENTITY declarations are not allowed in DMN files", file=filename)
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_dmn_xml(root, filename=filename)
        table = parser.get_engine(DECISION_ID, None)
    except etree.XMLSyntaxError as exc:
        raise InvalidDiagram(f"not well-formed XML: {exc.msg}", file=filename, line=exc.lineno) from exc
    except (SpiffWorkflowException, KeyError, AttributeError, IndexError, TypeError, ValueError) as exc:
        raise InvalidDiagram(" ".join(str(exc).split()) or type(exc).__name__, file=filename,
                             element_id=DECISION_ID) from exc
    _TABLES[sha] = table
    while len(_TABLES) > 16:
        _TABLES.popitem(last=False)
    return table


def _current_table(session: Session) -> tuple[bytes, int | None]:
    """The newest deployed matter_mode.dmn (with the congress diagrams or alone), else the bundled one."""
    row = session.execute(select(DeploymentFile.content, DeploymentFile.deployment_id)
                          .where(DeploymentFile.filename == DMN_FILE)
                          .order_by(DeploymentFile.deployment_id.desc()).limit(1)).first()
    if row is not None:
        return row.content, row.deployment_id
    if not BUNDLED_DMN.is_file():
        raise NotFound(f"no {DMN_FILE} is deployed; deploy bpmn/congress/{DMN_FILE}")
    return BUNDLED_DMN.read_bytes(), None


def _script_engine(uow: UnitOfWork) -> Any:
    runtime = getattr(uow, "runtime", None)
    return getattr(runtime, "script_engine", None) or make_script_engine()


def _outcome(table, matter_type: str, script_engine: Any) -> dict[str, Any]:
    try:
        result = table.result(_DecisionTask({"matter_type": matter_type}, script_engine))
    except SpiffWorkflowException as exc:
        raise InvalidDiagram(f"the {DECISION_ID} table failed: {' '.join(str(exc).split())}",
                             file=DMN_FILE, element_id=DECISION_ID) from exc
    return dict(result)


def _check_outcome(outcome: dict[str, Any], where: str) -> None:
    if outcome.get("mode") not in MODES or not isinstance(outcome.get("secret"), bool) \
            or not isinstance(outcome.get("at_least_half_allowed", False), bool):
        raise InvalidDiagram(f"{where}: outputs must be mode in {MODES}, secret and at_least_half_allowed "
                             f"booleans; got {outcome}", file=DMN_FILE, element_id=where)


def decide_mode(uow: UnitOfWork, matter_type: str) -> dict[str, Any]:
    """Evaluate the matter_mode decision table in force for one matter type (inside an open uow).

    Returns:
        {mode, secret, at_least_half_allowed, decision_sha256}.

    Raises:
        ValidationFailed: the type is not in the table. InvalidDiagram: the table is broken.
    """
    content, _ = _current_table(uow.session)
    outcome = _outcome(_parse_table(content), matter_type, _script_engine(uow))
    if not outcome:
        known = ", ".join(m["matter_type"] for m in _rows(_parse_table(content), _script_engine(uow)))
        raise ValidationFailed(f"matter type '{matter_type}' is not in the {DECISION_ID} decision table",
                               {"matter_type": [f"expected one of: {known}"]})
    _check_outcome(outcome, matter_type)
    return {"mode": outcome["mode"], "secret": outcome["secret"],
            "at_least_half_allowed": outcome.get("at_least_half_allowed", False),
            "decision_sha256": hashlib.sha256(content).hexdigest()}


def _rows(table, script_engine: Any) -> list[dict[str, Any]]:
    rows = []
    for rule in table.decision_table.rules:
        entry = rule.inputEntries[0].lhs[0] if rule.inputEntries else None
        try:
            outputs = dict(rule.output_as_dict(_DecisionTask({}, script_engine)))
        except SpiffWorkflowException as exc:
            raise InvalidDiagram(" ".join(str(exc).split()), file=DMN_FILE, element_id=rule.id) from exc
        _check_outcome(outputs, rule.id)
        rows.append({"matter_type": (entry or "-").strip().strip("\"'"), "description": rule.description or "",
                     **outputs})
    return rows


def matter_modes(uow: UnitOfWork) -> dict[str, Any]:
    """The decision table in force: its source, hash and one row per matter type. Raises: InvalidDiagram."""
    with uow:
        content, deployment_id = _current_table(uow.session)
        return {"decision_id": DECISION_ID, "sha256": hashlib.sha256(content).hexdigest(),
                "deployment_id": deployment_id, "rows": _rows(_parse_table(content), _script_engine(uow))}


def deploy_matter_modes(uow: UnitOfWork, content: bytes, *, actor: Actor) -> dict[str, Any]:
    """Deploy a new version of matter_mode.dmn on its own; identical content changes nothing.

    Raises:
        InvalidDiagram: not a valid DMN table with id ``matter_mode`` and the expected outputs.
    """
    sha = hashlib.sha256(content).hexdigest()
    with uow:
        _rows(_parse_table(content), _script_engine(uow))
        current, _ = _current_table(uow.session)
        if hashlib.sha256(current).hexdigest() == sha:
            return {"created": False, "sha256": sha, "deployment_id": None}
        deployment = Deployment(name=f"decision:{DECISION_ID}", created_at=uow.now(), created_by=actor.username)
        uow.session.add(deployment)
        uow.session.flush()
        uow.session.add(DeploymentFile(deployment_id=deployment.id, filename=DMN_FILE, kind="dmn", sha256=sha,
                                       content=content))
        uow.audit(SYSTEM_CHAIN, "decision.deployed", {"decision_id": DECISION_ID, "deployment_id": deployment.id,
                                                      "files": {DMN_FILE: sha}}, actor=actor.username)
        uow.commit()
    return {"created": True, "sha256": sha, "deployment_id": deployment.id}


def get_meeting(session: Session, meeting_id: int, *, lock: bool = False) -> Meeting:
    """Raises: NotFound."""
    return fetch(session, Meeting, meeting_id, "meeting", lock=lock)


def _check_composition(session: Session, term: Term, day: dt.date, rules: Rules) -> None:
    composition.require_valid_composition(composition.composition_report(session, term, day, rules))


def create_meeting(uow: UnitOfWork, term_id: int, *, session_number: int, held_on: dt.date, rules: Rules,
                   actor: Actor, title: str | None = None) -> Meeting:
    """Plan a session (第N届第M次) on a day within the term.

    Raises:
        NotFound: no such term. ValidationFailed: the day is outside the term. Conflict: the number is taken.
        RuleViolation: the congress seated that day breaks a hard composition rule.
    """
    with uow:
        s = uow.session
        term = fetch(s, Term, term_id, "term")
        if not term.starts_on <= held_on <= term.ends_on:
            raise ValidationFailed("the meeting must be held within the term",
                                   {"held_on": [f"between {term.starts_on} and {term.ends_on}"]})
        if s.scalar(select(Meeting).where(Meeting.term_id == term_id, Meeting.session_number == session_number)):
            raise Conflict(f"meeting {session_number} of term {term.number} already exists")
        _check_composition(s, term, held_on, rules)
        meeting = Meeting(term_id=term_id, session_number=session_number, held_on=held_on, status="planned",
                          title=title or f"第{term.number}届职工代表大会第{session_number}次会议",
                          created_at=uow.now(), created_by=actor.username)
        s.add(meeting)
        s.flush()
        uow.audit(meeting_chain(meeting.id), "meeting.created", {
            "term_id": term_id, "session_number": session_number, "held_on": held_on, "title": meeting.title},
            actor=actor.username)
        uow.commit()
    return meeting


def convene(uow: UnitOfWork, meeting_id: int, *, rules: Rules, actor: Actor) -> Meeting:
    """Open the session; the composition is checked again against the roster of the meeting day.

    Raises:
        NotFound. Conflict: not planned. RuleViolation: a hard composition rule is broken.
    """
    with uow:
        meeting = get_meeting(uow.session, meeting_id, lock=True)
        if meeting.status != "planned":
            raise Conflict(f"meeting {meeting_id} is {meeting.status}, not planned")
        _check_composition(uow.session, uow.session.get(Term, meeting.term_id), meeting.held_on, rules)
        meeting.status, meeting.convened_at = "in_session", uow.now()
        uow.audit(meeting_chain(meeting_id), "meeting.convened", {"held_on": meeting.held_on},
                  actor=actor.username)
        uow.commit()
    return meeting


def close_meeting(uow: UnitOfWork, meeting_id: int, *, actor: Actor) -> Meeting:
    """Close the session. Raises: NotFound. Conflict: not in session, or a vote is still open."""
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status != "in_session":
            raise Conflict(f"meeting {meeting_id} is {meeting.status}, not in session")
        open_votes = s.scalar(select(func.count()).select_from(Vote).join(Matter, Matter.id == Vote.matter_id)
                              .where(Matter.meeting_id == meeting_id, Vote.status == "open"))
        if open_votes:
            raise Conflict(f"{open_votes} vote(s) of meeting {meeting_id} are still open")
        meeting.status, meeting.closed_at = "closed", uow.now()
        uow.audit(meeting_chain(meeting_id), "meeting.closed", {}, actor=actor.username)
        uow.commit()
    return meeting


def meeting_summary(uow: UnitOfWork, meeting_id: int) -> dict[str, Any]:
    """A meeting with its seated and present counts. Raises: NotFound."""
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id)
        term = s.get(Term, meeting.term_id)
        present = len(present_ids(s, meeting))
        return {**{c.key: getattr(meeting, c.key) for c in Meeting.__table__.columns}, "term_number": term.number,
                "seated": len(roster.seated(s, term.id, meeting.held_on)), "present": present}


def present_query(meeting: Meeting, at: dt.datetime | None = None):
    """SELECT of the representatives checked in (at or before ``at``) who are seated on the meeting day."""
    query = (select(CheckIn.representative_id).join(Representative, Representative.id == CheckIn.representative_id)
             .where(CheckIn.meeting_id == meeting.id, Representative.elected_on <= meeting.held_on,
                    or_(Representative.ended_on.is_(None), Representative.ended_on > meeting.held_on)))
    return query if at is None else query.where(CheckIn.checked_in_at <= at)


def present_ids(session: Session, meeting: Meeting, at: dt.datetime | None = None) -> set[int]:
    """Representatives checked in (at or before ``at``) who are seated on the meeting day."""
    return set(session.scalars(present_query(meeting, at)))


def list_meetings(uow: UnitOfWork, term_id: int) -> list[Meeting]:
    with uow:
        return list(uow.session.scalars(select(Meeting).where(Meeting.term_id == term_id)
                                        .order_by(Meeting.session_number)))


def add_matter(uow: UnitOfWork, meeting_id: int, *, matter_type: str, title: str, actor: Actor) -> Matter:
    """Append an agenda item; its mode and secrecy come from the matter_mode table in force.

    Raises:
        NotFound. Conflict: the meeting is closed. ValidationFailed: unknown matter type.
    """
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status == "closed":
            raise Conflict(f"meeting {meeting_id} is closed")
        decided = decide_mode(uow, matter_type)
        position = (s.scalar(select(func.max(Matter.position)).where(Matter.meeting_id == meeting_id)) or 0) + 1
        matter = Matter(meeting_id=meeting_id, position=position, matter_type=matter_type, title=title,
                        created_at=uow.now(), **decided)
        s.add(matter)
        s.flush()
        uow.audit(meeting_chain(meeting_id), "matter.added", {"matter_id": matter.id, "position": position,
                                                              "matter_type": matter_type, "title": title,
                                                              **decided}, actor=actor.username)
        uow.commit()
    return matter


def list_matters(uow: UnitOfWork, meeting_id: int) -> list[Matter]:
    with uow:
        get_meeting(uow.session, meeting_id)
        return list(uow.session.scalars(select(Matter).where(Matter.meeting_id == meeting_id)
                                        .order_by(Matter.position)))


def get_matter(session: Session, matter_id: int, *, lock: bool = False) -> Matter:
    """Raises: NotFound."""
    return fetch(session, Matter, matter_id, "matter", lock=lock)


def seat_of(session: Session, meeting: Meeting, actor: Actor, representative_id: int | None = None
            ) -> Representative:
    """The representative the caller acts for: their own seat, or ``representative_id`` if it is theirs.

    Raises:
        Forbidden: the caller is not a representative, or not the one named, or not seated that day.
    """
    if not actor.has(REPRESENTATIVE):
        raise Forbidden("only representatives take part in person (role 'representative')")
    query = roster.seated_query(meeting.term_id, meeting.held_on).where(Representative.username == actor.username)
    rep = session.scalar(query)
    if rep is None:
        raise Forbidden(f"'{actor.username}' is not a representative seated on {meeting.held_on}")
    if representative_id is not None and representative_id != rep.id:
        raise Forbidden(f"'{actor.username}' sits for representative {rep.id}, not {representative_id}")
    return rep


def check_in(uow: UnitOfWork, meeting_id: int, *, actor: Actor, representative_id: int | None = None) -> CheckIn:
    """Record a representative present: themselves, or anyone by the presidium (or an admin).

    Raises:
        NotFound. Conflict: the meeting is closed or the representative already checked in.
        Forbidden: checking in someone else without the presidium role, or someone not seated that day.
    """
    with uow:
        s = uow.session
        meeting = get_meeting(s, meeting_id, lock=True)
        if meeting.status == "closed":
            raise Conflict(f"meeting {meeting_id} is closed")
        if representative_id is not None and actor.has(PRESIDIUM, ADMIN):
            rep = s.scalar(roster.seated_query(meeting.term_id, meeting.held_on)
                           .where(Representative.id == representative_id))
            if rep is None:
                raise Forbidden(f"representative {representative_id} is not seated on {meeting.held_on}")
        else:
            rep = seat_of(s, meeting, actor, representative_id)
        if s.get(CheckIn, (meeting_id, rep.id)) is not None:
            raise Conflict(f"representative {rep.id} has already checked in")
        row = CheckIn(meeting_id=meeting_id, representative_id=rep.id, checked_in_at=uow.now(),
                      checked_in_by=actor.username)
        s.add(row)
        uow.audit(meeting_chain(meeting_id), "representative.checked_in", {"representative_id": rep.id},
                  actor=actor.username)
        uow.commit()
    return row


def list_check_ins(uow: UnitOfWork, meeting_id: int) -> list[CheckIn]:
    with uow:
        get_meeting(uow.session, meeting_id)
        return list(uow.session.scalars(select(CheckIn).where(CheckIn.meeting_id == meeting_id)
                                        .order_by(CheckIn.checked_in_at, CheckIn.representative_id)))


def add_opinion(uow: UnitOfWork, matter_id: int, text: str, *, actor: Actor) -> Opinion:
    """A checked-in representative's opinion on a matter being heard or deliberated (no vote).

    Raises:
        NotFound. Conflict: the matter is voted on, or the meeting is not in session.
        Forbidden: not a seated, checked-in representative.
    """
    with uow:
        s = uow.session
        matter = get_matter(s, matter_id)
        meeting = get_meeting(s, matter.meeting_id)
        if matter.mode in VOTING_MODES:
            raise Conflict(f"matter {matter_id} is decided by a vote ({matter.mode}), not by collecting opinions")
        if meeting.status != "in_session":
            raise Conflict(f"meeting {meeting.id} is {meeting.status}, not in session")
        rep = seat_of(s, meeting, actor)
        if s.get(CheckIn, (meeting.id, rep.id)) is None:
            raise Forbidden(f"representative {rep.id} has not checked in")
        opinion = Opinion(matter_id=matter_id, representative_id=rep.id, text=text, created_at=uow.now())
        s.add(opinion)
        s.flush()
        uow.audit(meeting_chain(meeting.id), "opinion.submitted", {"matter_id": matter_id, "opinion_id": opinion.id,
                                                                   "representative_id": rep.id, "text": text},
                  actor=actor.username)
        uow.commit()
    return opinion


def list_opinions(uow: UnitOfWork, matter_id: int) -> list[Opinion]:
    with uow:
        get_matter(uow.session, matter_id)
        return list(uow.session.scalars(select(Opinion).where(Opinion.matter_id == matter_id)
                                        .order_by(Opinion.id)))
