"""Negotiating representatives (集体合同规定 第19–24、31条), their vacancies, and the preparation (第33条)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.contracts.record import (
    ARTICLES,
    NEGOTIATORS,
    RECORDER,
    SIDE_NAMES,
    SIDES,
    active_negotiators,
    dumps,
    get_contract,
    loads,
    notify,
    record,
    require_stage,
    set_stage,
    side_of,
    today,
    violation,
)
from workflows.contracts.tables import Contract, Negotiator, Vacancy
from workflows.errors import RuleViolation

# A chief's standing (第20–21条): the union chair or the legal representative, or a written delegate.
CHIEF_CREDENTIALS = {"union": ("union_chair", "written_delegation"),
                     "employer": ("legal_representative", "written_delegation")}
# 第20条: where the enterprise has no union, the workers' chief is elected among their negotiators.
NO_UNION_CHIEF_CREDENTIALS = ("elected_chief",)
CREDENTIALS = ("union_chair", "legal_representative", "written_delegation", "elected_chief", "member")
# Stages in which a seat can fall vacant: after the representatives were confirmed, until signature.
VACANCY_STAGES = ("preparation", "negotiating", "suspended", "dispute", "agreed", "adoption", "signing")
MAX_VACANCIES = 30  # the diagram's vacancy watch handles this many per negotiation


def _person(member: dict[str, Any]) -> set[str]:
    keys = {f"id:{member['person_id'].strip().upper()}"}
    if member.get("username"):
        keys.add(f"user:{member['username']}")
    return keys


def endorsement_violations(endorsement: dict[str, Any] | None) -> list[tuple[str, str]]:
    """第20条, an enterprise without a union: the workers recommended their side's negotiators democratically and
    at least half of all workers agreed (半数以上 counts half itself, 民法典 第1259条)."""
    if not endorsement:
        return [("worker_side_endorsement", "the enterprise has no union: the workers recommend their negotiators "
                 "and at least half of all workers agree; give the endorsement (held_on, workers_total, in_favour)")]
    total, favour = endorsement["workers_total"], endorsement["in_favour"]
    if favour > total or favour * 2 < total:
        return [("worker_side_endorsement", f"{favour} of {total} workers agreed to the worker side's negotiators; "
                 "at least half of all workers must agree")]
    return []


def side_violations(side: str, members: list[dict[str, Any]], other: list[dict[str, Any]], *, kind: str,
                    rules: r.Rules, no_union: bool = False,
                    endorsement: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """Every rule of 第19–24条 that one side's list breaks, as (rule, message), in article order.

    Equal numbers on both sides (第19条) is checked when both lists are confirmed (``confirm``). ``no_union``:
    the enterprise has no union, so the worker side needs the workers' endorsement and an elected chief (第20条).
    """
    found: list[tuple[str, str]] = []
    name = SIDE_NAMES[side]
    if len(members) < rules.negotiators_min_per_side:
        found.append(("negotiators_min_per_side", f"{name} names {len(members)} representatives; each side has at "
                      f"least {rules.negotiators_min_per_side}"))
    chiefs = [m for m in members if m["is_chief"]]
    if len(chiefs) != 1:
        found.append(("one_chief_per_side", f"{name} names {len(chiefs)} chief representatives; each side has "
                      "exactly one"))
    workers_without_union = no_union and side == "union"
    if workers_without_union:
        found += endorsement_violations(endorsement)
    for chief in chiefs:
        allowed = NO_UNION_CHIEF_CREDENTIALS if workers_without_union else CHIEF_CREDENTIALS[side]
        delegated = chief["credential"] == "written_delegation" and (chief.get("delegation_ref") or "").strip()
        if workers_without_union and chief["credential"] not in allowed:
            found.append(("worker_chief", f"{name}'s chief representative {chief['name']} is elected among the "
                          "worker side's negotiators (the enterprise has no union): credential elected_chief"))
        elif chief["credential"] not in allowed or (chief["credential"] == "written_delegation" and not delegated):
            rule = "worker_chief" if side == "union" else "employer_chief"
            who = "the union chair (工会主席)" if side == "union" else "the legal representative (法定代表人)"
            found.append((rule, f"{name}'s chief representative {chief['name']} must be {who} or a delegate "
                          "appointed in writing (give the delegation document in delegation_ref)"))
        if chief.get("outside_expert"):
            found.append(("outside_expert_not_chief", f"{chief['name']} is an outside expert and cannot be the chief "
                          "representative"))
    outsiders = sum(bool(m.get("outside_expert")) for m in members)
    if members and not r.outside_experts_within_cap(outsiders, len(members), rules):
        found.append(("outside_experts_max_share", f"{name} names {outsiders} outside experts among {len(members)} "
                      f"representatives; at most {rules.outside_experts_max_share} of a side"))
    others = set().union(*(_person(m) for m in other)) if other else set()
    for m in members:
        if _person(m) & others:
            found.append(("no_dual_roles", f"{m['name']} ({m['person_id']}) already represents the other side"))
    if kind == "women" and side == "union" and rules.women_negotiator_required \
            and not any(m.get("gender") == "female" for m in members):
        found.append(("women_negotiator", "the worker side of a women workers' special contract includes a woman "
                      "negotiator (the union's women workers' committee)"))
    return found


def raise_violations(found: list[tuple[str, str]]) -> None:
    """Raises: RuleViolation naming every rule and article broken (none: returns)."""
    if not found:
        return
    if len(found) == 1:
        raise violation(found[0][1], found[0][0])
    rules = list(dict.fromkeys(rule for rule, _ in found))
    raise RuleViolation("; ".join(f"{m} ({ARTICLES[rule]})" for rule, m in found), rules,
                        {"article": [ARTICLES[x] for x in rules], "members": [m for _, m in found]})


def _check_members(members: list[dict[str, Any]]) -> None:
    ids = Counter(m["person_id"].strip().upper() for m in members)
    twice = sorted(p for p, n in ids.items() if n > 1)
    if twice:
        raise ValidationFailed("a person is listed twice on one side", {"members": twice})
    wrong = [m["name"] for m in members if m["credential"] not in CREDENTIALS]
    if wrong:
        raise ValidationFailed(f"credential must be one of {', '.join(CREDENTIALS)}", {"members": wrong})


def _as_dict(n: Negotiator) -> dict[str, Any]:
    return {k: getattr(n, k) for k in ("name", "person_id", "username", "gender", "position", "is_chief",
                                       "credential", "delegation_ref", "outside_expert")}


def set_side(uow: UnitOfWork, contract_id: int, side: str, members: list[dict[str, Any]], *, actor: Actor,
             rules: r.Rules, endorsement: dict[str, Any] | None = None) -> list[Negotiator]:
    """Name (or rename) one side's negotiating representatives before they are confirmed.

    Raises:
        Forbidden: the caller does not act for ``side``. Conflict: not at the representatives stage.
        RuleViolation: 第19条 (at least 3, one chief), 第20/21条 (chief's standing), 第23条 (outside experts
        at most 1/3, never chief), 第24条 (nobody on both sides), and the women-negotiator local rule.
    """
    side_of(actor, side)
    _check_members(members)
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        require_stage(contract, ("representatives",), "name representatives")
        other = [_as_dict(n) for n in active_negotiators(s, contract.id, "employer" if side == "union" else "union")]
        request = loads(contract.request_json, {})
        no_union = bool(request.get("no_union"))
        raise_violations(side_violations(side, members, other, kind=contract.kind, rules=rules, no_union=no_union,
                                         endorsement=endorsement))
        if no_union and side == "union":
            contract.request_json = dumps(request | {"worker_side_endorsement": endorsement})
        s.execute(delete(Negotiator).where(Negotiator.contract_id == contract.id, Negotiator.side == side))
        on, now = today(uow, contract), uow.now()
        rows = [Negotiator(contract_id=contract.id, side=side, appointed_on=on, created_at=now,
                           **{**_defaults(m)}) for m in members]
        s.add_all(rows)
        s.flush()
        record(uow, contract, "contract.representatives_named", {
            "side": side, "members": members,
            **({"endorsement": endorsement} if no_union and side == "union" else {})}, actor.username)
        uow.commit()
    return rows


def _defaults(m: dict[str, Any]) -> dict[str, Any]:
    return {"name": m["name"], "person_id": m["person_id"].strip(), "username": m.get("username"),
            "gender": m.get("gender"), "position": m.get("position"), "is_chief": bool(m["is_chief"]),
            "credential": m["credential"], "delegation_ref": m.get("delegation_ref"),
            "outside_expert": bool(m.get("outside_expert"))}


def confirm(uow: UnitOfWork, contract_id: int, *, actor: Actor, rules: r.Rules) -> Contract:
    """Confirm both sides' representatives: equal numbers (第19条), nobody on both sides (第24条).

    Raises:
        RuleViolation ``negotiators_equal`` / ``negotiators_min_per_side`` / ``no_dual_roles``.
        Forbidden: not a negotiator. Conflict: not at the representatives stage.
    """
    if not actor.has(*NEGOTIATORS):
        raise Forbidden(f"confirming the representatives needs one of the roles {', '.join(NEGOTIATORS)}")
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        require_stage(contract, ("representatives",), "confirm the representatives")
        lists = {side: [_as_dict(n) for n in active_negotiators(s, contract.id, side)] for side in SIDES}
        found = []
        if not r.negotiating_sides_valid(len(lists["union"]), len(lists["employer"]), rules):
            found.append(("negotiators_equal", f"the sides name {len(lists['union'])} and {len(lists['employer'])} "
                          f"representatives; they must be equal and at least {rules.negotiators_min_per_side} each"))
        for side in SIDES:
            other = lists["employer" if side == "union" else "union"]
            found += [f for f in side_violations(side, lists[side], other, kind=contract.kind, rules=rules)
                      if f[0] != "no_dual_roles" or side == "union"]
        raise_violations(found)
        contract.representatives_confirmed_at = uow.now()
        set_stage(uow, contract, "preparation")
        record(uow, contract, "contract.representatives_confirmed", {"union": len(lists["union"]),
                                                                     "employer": len(lists["employer"])},
               actor.username)
        notify(uow, contract, "contract.representatives_confirmed",
               {"confirmed_at": contract.representatives_confirmed_at.isoformat()}, actor.username)
        uow.commit()
    return contract


def _open_vacancies(session: Session, contract_id: int) -> list[Vacancy]:
    return list(session.scalars(select(Vacancy).where(Vacancy.contract_id == contract_id,
                                                      Vacancy.filled_by_id.is_(None))
                                .order_by(Vacancy.occurred_on, Vacancy.id)))


def open_vacancy(uow: UnitOfWork, contract_id: int, negotiator_id: int, *, reason: str, occurred_on: dt.date,
                 actor: Actor) -> Vacancy:
    """A representative's seat falls vacant; the side must fill it within 15 days (第31条, timer in the diagram).

    Raises:
        NotFound. Forbidden: the caller does not act for that side. Conflict: wrong stage or seat already empty.
    """
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        require_stage(contract, VACANCY_STAGES, "record a vacancy")
        seat = s.get(Negotiator, negotiator_id)
        if seat is None or seat.contract_id != contract.id:
            raise NotFound(f"representative {negotiator_id} does not negotiate contract {contract_id}")
        side_of(actor, seat.side)
        if seat.ended_on is not None:
            raise Conflict(f"{seat.name}'s seat is already vacant since {seat.ended_on}")
        if occurred_on > today(uow, contract):
            raise ValidationFailed("a vacancy cannot occur in the future", {"occurred_on": [str(occurred_on)]})
        count = len(list(s.scalars(select(Vacancy.id).where(Vacancy.contract_id == contract.id))))
        if count >= MAX_VACANCIES:
            raise Conflict(f"contract {contract.id} already recorded {MAX_VACANCIES} vacancies")
        seat.ended_on, seat.end_reason = occurred_on, reason
        vacancy = Vacancy(contract_id=contract.id, negotiator_id=seat.id, side=seat.side, reason=reason,
                          occurred_on=occurred_on, created_at=uow.now(), created_by=actor.username)
        s.add(vacancy)
        s.flush()
        record(uow, contract, "contract.vacancy_opened", {"vacancy_id": vacancy.id, "negotiator_id": seat.id,
                                                          "side": seat.side, "reason": reason,
                                                          "occurred_on": occurred_on}, actor.username)
        # The diagram watches one vacancy at a time; a later one is handed over when the earlier is filled.
        notify(uow, contract, "contract.vacancy_opened",
               {"vacancy_id": vacancy.id, "occurred_at": occurred_on.isoformat()}, actor.username, required=False)
        uow.commit()
    return vacancy


def fill_vacancy(uow: UnitOfWork, contract_id: int, vacancy_id: int, member: dict[str, Any], *, actor: Actor,
                 rules: r.Rules) -> Negotiator:
    """Seat a replacement; the side's list must again satisfy 第19–24条 (a chief's seat needs a chief).

    Raises:
        NotFound. Forbidden. Conflict: already filled. RuleViolation: see ``set_side``.
    """
    _check_members([member])
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        vacancy = s.get(Vacancy, vacancy_id)
        if vacancy is None or vacancy.contract_id != contract.id:
            raise NotFound(f"vacancy {vacancy_id} does not belong to contract {contract_id}")
        side_of(actor, vacancy.side)
        if vacancy.filled_by_id is not None:
            raise Conflict(f"vacancy {vacancy_id} was filled on {vacancy.filled_on}")
        vacated = s.get(Negotiator, vacancy.negotiator_id)
        if bool(member["is_chief"]) != vacated.is_chief:
            raise ValidationFailed("the replacement takes the vacated seat: a chief's seat needs a chief, another "
                                   "seat a member", {"is_chief": [vacated.is_chief]})
        members = [_as_dict(n) for n in active_negotiators(s, contract.id, vacancy.side)] + [member]
        other = [_as_dict(n) for n in active_negotiators(s, contract.id, "employer" if vacancy.side == "union"
                                                         else "union")]
        raise_violations(side_violations(vacancy.side, members, other, kind=contract.kind, rules=rules))
        on = today(uow, contract)
        seat = Negotiator(contract_id=contract.id, side=vacancy.side, appointed_on=on, replaces_id=vacated.id,
                          created_at=uow.now(), **_defaults(member))
        s.add(seat)
        s.flush()
        vacancy.filled_by_id, vacancy.filled_on = seat.id, on
        late = vacancy.last_day is not None and on > vacancy.last_day
        record(uow, contract, "contract.vacancy_filled", {"vacancy_id": vacancy.id, "negotiator_id": seat.id,
                                                          "filled_on": on, "late": late}, actor.username)
        following = _open_vacancies(s, contract.id)
        nxt = following[0] if following else None
        notify(uow, contract, "contract.vacancy_filled", {
            "vacancy_id": vacancy.id, "next_vacancy_id": nxt.id if nxt else None,
            "next_occurred_at": nxt.occurred_on.isoformat() if nxt else None}, actor.username, required=False)
        uow.commit()
    return seat


def set_vacancy_deadline(uow: UnitOfWork, contract: Contract, vacancy_id: int, info: dict[str, Any]) -> None:
    vacancy = uow.session.get(Vacancy, vacancy_id)
    if vacancy is not None and vacancy.contract_id == contract.id:
        vacancy.due_at = dt.datetime.fromisoformat(info["due"])
        vacancy.last_day = dt.date.fromisoformat(info["last_day"])


def mark_vacancy_overdue(uow: UnitOfWork, contract: Contract, vacancy_id: int) -> bool:
    """Record that a vacancy was not filled in time; False if it had been filled meanwhile."""
    vacancy = uow.session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.filled_by_id is not None:
        return False
    vacancy.overdue_at = uow.now()
    record(uow, contract, "contract.vacancy_overdue", {"vacancy_id": vacancy.id, "side": vacancy.side,
                                                       "last_day": vacancy.last_day}, None)
    return True


def propose_preparation(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor,
                        rules: r.Rules) -> Contract:
    """One side proposes the agenda, time, place, neutral recorder and information exchanged (第33条).

    Raises:
        RuleViolation ``recorder_neutral`` (第33条: the recorder is not a representative),
        ``wage_info_before_meeting_days`` (wage information supplied 5 days before the first meeting).
        Forbidden. Conflict: not at the preparation stage.
    """
    side = side_of(actor, body.get("side"))
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        require_stage(contract, ("preparation",), "prepare the negotiation")
        found = []
        recorder = body["recorder"]
        negotiators = active_negotiators(s, contract.id)
        if any(n.person_id.upper() == recorder["person_id"].strip().upper()
               or (recorder.get("username") and n.username == recorder["username"]) for n in negotiators):
            found.append(("recorder_neutral", f"the recorder {recorder['name']} is a negotiating representative; "
                          "both sides appoint a neutral recorder who is not"))
        found += wage_info_violations(contract, body.get("info_supplied_on"), body["first_meeting_on"], rules)
        raise_violations(found)
        preparation = {**{k: body.get(k) for k in ("topics", "first_meeting_on", "place", "info_supplied_on",
                                                   "information")}, "recorder": recorder,
                       "proposed_by_side": side, "proposed_by": actor.username, "confirmed_by": None}
        contract.preparation_json = dumps(preparation)
        record(uow, contract, "contract.preparation_proposed", preparation, actor.username)
        uow.commit()
    return contract


def wage_info_violations(contract: Contract, supplied: Any, meeting_on: Any, rules: r.Rules
                         ) -> list[tuple[str, str]]:
    """A wage agreement's information is supplied at least N days before the first meeting (default 5)."""
    if contract.kind != "wage":
        return []
    days = rules.wage_info_before_meeting_days
    supplied = dt.date.fromisoformat(str(supplied)) if supplied else None
    meeting_on = dt.date.fromisoformat(str(meeting_on))
    if supplied is None or (meeting_on - supplied).days < days:
        return [("wage_info_before_meeting_days", f"wage information must be supplied at least {days} days before "
                 f"the first meeting on {meeting_on}; supplied: {supplied or 'not yet'}")]
    return []


def confirm_preparation(uow: UnitOfWork, contract_id: int, *, actor: Actor) -> Contract:
    """The other side agrees the preparation (agenda, recorder appointed jointly); negotiation opens.

    Raises:
        Forbidden: the caller acts for the proposing side. Conflict: nothing proposed, or wrong stage.
    """
    with uow:
        contract = get_contract(uow.session, contract_id, lock=True)
        require_stage(contract, ("preparation",), "confirm the preparation")
        preparation = loads(contract.preparation_json)
        if preparation is None:
            raise Conflict("no preparation has been proposed yet")
        other = "employer" if preparation["proposed_by_side"] == "union" else "union"
        side_of(actor, other)
        preparation.update(confirmed_by=actor.username, confirmed_at=uow.now().isoformat())
        contract.preparation_json = dumps(preparation)
        set_stage(uow, contract, "negotiating")
        record(uow, contract, "contract.preparation_confirmed", {"side": other}, actor.username)
        notify(uow, contract, "contract.preparation_completed",
               {"first_meeting_on": preparation["first_meeting_on"]}, actor.username)
        uow.commit()
    return contract


def require_recorder(contract: Contract, actor: Actor) -> dict[str, Any]:
    """The agreed preparation, if the caller is its neutral recorder. Raises: Forbidden, Conflict."""
    preparation = loads(contract.preparation_json)
    if not actor.has(RECORDER):
        raise Forbidden("meetings are recorded by the recorder (role 'recorder')")
    if preparation is None or not preparation.get("confirmed_by"):
        raise Conflict("the preparation (and with it the recorder) has not been agreed yet")
    username = preparation["recorder"].get("username")
    if username and username != actor.username:
        raise Forbidden(f"the recorder agreed by both sides is '{username}'")
    return preparation
