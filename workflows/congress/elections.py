"""Elections on an agenda matter: posts with seats, candidates nominated with a short profile, equal (等额) or
competitive (差额) elections, and the recall (罢免) of a person elected. Ballots: `election_ballots`; counting,
rounds and publication: `election_tally`; scrutineers: `scrutineers`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.congress import roster
from workflows.congress.election_tables import Candidate, Election, ElectionPost, ElectionRound, Scrutineer
from workflows.congress.meetings import get_matter, get_meeting, meeting_chain
from workflows.congress.tables import Matter, Representative
from workflows.errors import RuleViolation
from workflows.records import fetch

METHODS = ("approve", "choose")
NOMINATORS = ("delegation", "union", "representatives")
SETUP = "setup"


def get_election(session: Session, election_id: int, *, lock: bool = False) -> Election:
    """Raises: NotFound."""
    return fetch(session, Election, election_id, "election", lock=lock)


def election_of_matter(session: Session, matter_id: int) -> Election | None:
    return session.scalar(select(Election).where(Election.matter_id == matter_id))


def meeting_of(session: Session, election: Election):
    return get_meeting(session, get_matter(session, election.matter_id).meeting_id)


def _check_post(post: dict[str, Any], method: str) -> dict[str, Any]:
    seats = post.get("seats")
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValidationFailed("a post has at least one seat", {"seats": ["at least 1"]})
    title = str(post.get("title") or "").strip()
    if not title:
        raise ValidationFailed("a post needs a title", {"title": ["required"]})
    max_choices = post.get("max_choices") or seats
    if not 1 <= max_choices <= seats:
        raise ValidationFailed("a ballot marks at most as many as there are seats",
                               {"max_choices": [f"between 1 and {seats}"]})
    return {"title": title[:200], "seats": seats, "max_choices": max_choices,
            "write_in": bool(post.get("write_in", True))}


def create_election(uow: UnitOfWork, matter_id: int, *, posts: list[dict[str, Any]], rules: r.Rules, actor: Actor,
                    competitive: bool = True, method: str = "approve", recall_of: int | None = None) -> Election:
    """Set up the election (matter type ``election``) or the recall (``recall``) held on an agenda matter.

    A recall names the elected candidate (``recall_of``); it has one post of one seat, the person recalled,
    marked for / against / abstain, and no write-in. Secrecy comes from the matter_mode table.

    Raises:
        NotFound. Conflict: the matter is not an election or recall, already has one (or a plain vote), or its
        meeting is closed. ValidationFailed: posts or method wrong, the person recalled is not elected.
    """
    from workflows.congress.tables import Vote  # the plain vote of the same matter

    if method not in METHODS:
        raise ValidationFailed("unknown ballot method", {"method": [f"one of {', '.join(METHODS)}"]})
    with uow:
        s = uow.session
        matter = get_matter(s, matter_id, lock=True)
        meeting = get_meeting(s, matter.meeting_id)
        if matter.mode != "elect" or matter.matter_type not in ("election", "recall"):
            raise Conflict(f"matter {matter_id} is '{matter.matter_type}', not an election or a recall")
        if meeting.status == "closed":
            raise Conflict(f"meeting {meeting.id} is closed")
        if election_of_matter(s, matter_id) is not None or s.scalar(select(Vote.id).where(Vote.matter_id == matter_id)):
            raise Conflict(f"matter {matter_id} already has its election or vote")
        recalled = None
        if matter.matter_type == "recall":
            recalled = s.get(Candidate, recall_of) if recall_of else None
            if recalled is None or recalled.status != "elected":
                raise ValidationFailed("a recall names a person elected", {"recall_of": ["not an elected candidate"]})
            title = s.get(ElectionPost, recalled.post_id).title
            checked = [{"title": f"罢免{title}", "seats": 1, "max_choices": 1, "write_in": False}]
            competitive, method = False, "approve"
        else:
            if recall_of is not None:
                raise ValidationFailed("only a recall names a person elected", {"recall_of": ["not allowed"]})
            if not posts:
                raise ValidationFailed("an election fills at least one post", {"posts": ["required"]})
            checked = [_check_post(p, method) for p in posts]
            if not rules.election_write_in_allowed:
                checked = [dict(p, write_in=False) for p in checked]
        election = Election(matter_id=matter_id, kind=matter.matter_type, competitive=competitive, method=method,
                            secret=matter.secret, recall_of=recall_of, status=SETUP, created_at=uow.now(),
                            created_by=actor.username)
        s.add(election)
        s.flush()
        for position, post in enumerate(checked, start=1):
            s.add(ElectionPost(election_id=election.id, position=position, **post))
        s.flush()
        if recalled is not None:
            post = s.scalar(select(ElectionPost).where(ElectionPost.election_id == election.id))
            s.add(Candidate(election_id=election.id, post_id=post.id, position=1, name=recalled.name,
                            employee_no=recalled.employee_no, representative_id=recalled.representative_id,
                            nominated_by="union", nominator="罢免", nominator_ids=None,
                            profile=recalled.profile, status="nominated", created_at=uow.now()))
        uow.audit(meeting_chain(meeting.id), "election.created", {
            "election_id": election.id, "matter_id": matter_id, "kind": election.kind, "competitive": competitive,
            "method": method, "secret": election.secret, "posts": checked, "recall_of": recall_of},
            actor=actor.username)
        uow.commit()
    return election


def _setup_election(s: Session, election_id: int) -> Election:
    election = get_election(s, election_id, lock=True)
    if election.status != SETUP:
        raise Conflict(f"election {election_id} has started: candidates are fixed once the first round opens")
    if election.kind == "recall":
        raise Conflict(f"election {election_id} is a recall: its only candidate is the person recalled")
    return election


def add_post(uow: UnitOfWork, election_id: int, post: dict[str, Any], *, rules: r.Rules, actor: Actor) -> ElectionPost:
    """Add another post (title, seats, max_choices, write_in) before the first round.

    Raises: NotFound. Conflict: the election has started or is a recall. ValidationFailed: a bad post.
    """
    with uow:
        s = uow.session
        election = _setup_election(s, election_id)
        checked = _check_post(post, election.method)
        if not rules.election_write_in_allowed:
            checked["write_in"] = False
        position = (s.scalar(select(func.max(ElectionPost.position)).where(ElectionPost.election_id == election_id))
                    or 0) + 1
        row = ElectionPost(election_id=election_id, position=position, **checked)
        s.add(row)
        s.flush()
        uow.audit(meeting_chain(meeting_of(s, election).id), "election.post_added", {
            "election_id": election_id, "post_id": row.id, **checked}, actor=actor.username)
        uow.commit()
    return row


def nominate(uow: UnitOfWork, election_id: int, *, post_id: int, name: str, nominated_by: str, nominator: str,
             profile: str, rules: r.Rules, actor: Actor, employee_no: str | None = None,
             representative_id: int | None = None, nominator_ids: list[int] | None = None) -> Candidate:
    """Add a candidate to a post, nominated by a delegation, the union or a number of representatives.

    Raises:
        NotFound. Conflict: the election has started. ValidationFailed: an unknown post or nominator, a
        delegation that does not exist, too few nominating representatives, a candidate named twice.
        RuleViolation ``scrutineer_not_candidate``: the candidate is a scrutineer of the meeting.
    """
    if nominated_by not in NOMINATORS:
        raise ValidationFailed("unknown nominator", {"nominated_by": [f"one of {', '.join(NOMINATORS)}"]})
    with uow:
        s = uow.session
        election = _setup_election(s, election_id)
        meeting = meeting_of(s, election)
        post = s.get(ElectionPost, post_id)
        if post is None or post.election_id != election_id:
            raise ValidationFailed("no such post in this election", {"post_id": [post_id]})
        seated = {rep.id: rep for rep in roster.seated(s, meeting.term_id, meeting.held_on)}
        ids = sorted(set(nominator_ids or []))
        if nominated_by == "representatives":
            if stranger := [i for i in ids if i not in seated]:
                raise ValidationFailed("nominators must be seated representatives", {"nominator_ids": stranger})
            if len(ids) < rules.proposal_cosigners_min + 1:
                raise RuleViolation(f"a joint nomination needs at least {rules.proposal_cosigners_min + 1} "
                                    "representatives", "proposal_cosigners_min", {"nominator_ids": [len(ids)]})
            nominator = nominator or "、".join(seated[i].name for i in ids)
        elif nominated_by == "delegation" and nominator not in {rep.delegation for rep in seated.values()}:
            raise ValidationFailed("no such delegation in this congress", {"nominator": [nominator]})
        elif nominated_by == "union":
            nominator = nominator or "工会委员会"
        if representative_id is not None:
            rep = seated.get(representative_id)
            if rep is None:
                raise ValidationFailed("not a representative seated on the meeting day",
                                       {"representative_id": [representative_id]})
            name, employee_no = name or rep.name, employee_no or rep.employee_no
            if s.get(Scrutineer, (meeting.id, representative_id)) is not None:
                raise RuleViolation(f"{rep.name} is a scrutineer of this meeting and cannot stand as a candidate "
                                    "(监票人不得为候选人)", "scrutineer_not_candidate",
                                    {"representative_id": [representative_id]})
        name = (name or "").strip()[:100]
        if not name:
            raise ValidationFailed("a candidate needs a name", {"name": ["required"]})
        same = select(Candidate.id).where(Candidate.election_id == election_id, Candidate.status != "withdrawn")
        key = Candidate.employee_no == employee_no if employee_no else Candidate.name == name
        if s.scalar(same.where(key)) is not None:
            raise ValidationFailed("this person is already a candidate", {"name": [name]})
        position = (s.scalar(select(func.max(Candidate.position)).where(Candidate.election_id == election_id))
                    or 0) + 1
        candidate = Candidate(election_id=election_id, post_id=post_id, position=position, name=name,
                              employee_no=employee_no, representative_id=representative_id,
                              nominated_by=nominated_by, nominator=(nominator or "")[:200],
                              nominator_ids=ids or None, profile=(profile or "").strip()[:2000], status="nominated",
                              created_at=uow.now())
        s.add(candidate)
        s.flush()
        uow.audit(meeting_chain(meeting.id), "election.candidate_nominated", {
            "election_id": election_id, "candidate_id": candidate.id, "post_id": post_id, "name": name,
            "employee_no": employee_no, "nominated_by": nominated_by, "nominator": candidate.nominator},
            actor=actor.username)
        uow.commit()
    return candidate


def withdraw(uow: UnitOfWork, candidate_id: int, *, actor: Actor) -> Candidate:
    """Take a candidate off the list before the first round. Raises: NotFound, Conflict."""
    with uow:
        s = uow.session
        candidate = fetch(s, Candidate, candidate_id, "candidate", lock=True)
        election = _setup_election(s, candidate.election_id)
        candidate.status = "withdrawn"
        uow.audit(meeting_chain(meeting_of(s, election).id), "election.candidate_withdrawn", {
            "election_id": election.id, "candidate_id": candidate_id}, actor=actor.username)
        uow.commit()
    return candidate


def candidates_of(session: Session, election_id: int, *, standing: bool = True) -> list[Candidate]:
    query = select(Candidate).where(Candidate.election_id == election_id).order_by(Candidate.position)
    if standing:
        query = query.where(Candidate.status != "withdrawn")
    return list(session.scalars(query))


def posts_of(session: Session, election_id: int) -> list[ElectionPost]:
    return list(session.scalars(select(ElectionPost).where(ElectionPost.election_id == election_id)
                                .order_by(ElectionPost.position)))


def rounds_of(session: Session, election_id: int) -> list[ElectionRound]:
    return list(session.scalars(select(ElectionRound).where(ElectionRound.election_id == election_id)
                                .order_by(ElectionRound.number)))


def next_round_plan(session: Session, election: Election, rounds: list[ElectionRound]) -> dict[str, Any] | None:
    """The further round the last published round calls for: its seats per post, the candidates the rule names
    and why; None when nothing is left (or the last round is not yet published, or it is a recall)."""
    if election.kind != "election" or election.status == "finished" or not rounds \
            or rounds[-1].status != "published":
        return None
    further = (rounds[-1].result or {}).get("further") or []
    if not further:
        return None
    return {"seats": {str(f["post_id"]): f["seats"] for f in further},
            "candidates": [c for f in further for c in f["candidates"]],
            "reason": "tie" if all(f["reason"] == "tie" for f in further) else "unfilled",
            "posts": further}


def _columns(row) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def detail(uow: UnitOfWork, election_id: int) -> dict[str, Any]:
    """An election with its matter, posts, candidates and rounds (results only once counted)."""
    with uow:
        s = uow.session
        election = get_election(s, election_id)
        matter = s.get(Matter, election.matter_id)
        meeting = get_meeting(s, matter.meeting_id)
        rounds = rounds_of(s, election_id)
        reps = {c.representative_id for c in candidates_of(s, election_id, standing=False) if c.representative_id}
        delegations = dict(s.execute(select(Representative.id, Representative.delegation)
                                     .where(Representative.id.in_(reps))).all()) if reps else {}
        return {**_columns(election), "matter_title": matter.title, "meeting_id": meeting.id,
                "meeting_title": meeting.title, "meeting_status": meeting.status,
                "posts": [_columns(p) for p in posts_of(s, election_id)],
                "candidates": [{**_columns(c), "delegation": delegations.get(c.representative_id)}
                               for c in candidates_of(s, election_id, standing=False)],
                "rounds": [{k: v for k, v in _columns(x).items() if k not in ("result", "ballot_key")}
                           for x in rounds],  # a count is read per round, by those who may see it
                "next_round": next_round_plan(s, election, rounds)}


def list_elections(uow: UnitOfWork, meeting_id: int) -> list[dict[str, Any]]:
    """The elections and recalls of a meeting, in agenda order."""
    with uow:
        s = uow.session
        get_meeting(s, meeting_id)
        rows = s.execute(select(Election, Matter).join(Matter, Matter.id == Election.matter_id)
                         .where(Matter.meeting_id == meeting_id).order_by(Matter.position)).all()
        return [{**_columns(e), "matter_title": m.title, "position": m.position} for e, m in rows]
