"""Democratic appraisal and satisfaction ratings (民主评议, 满意度评价): a secret graded ballot on leaders or on the
union's work items, by the representatives or by all workers, with a follow-up threshold.

Secrecy: a ballot adds one to a count per item and grade, and the voter is recorded as having voted; no row
links a voter to a grade, and the audit trail says who voted, never how. Results are shown once voting closes.
The threshold (``appraisal_dissatisfied_share``, default 1/3) is practice, not statute (U).
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select, update

from engine.audit import SYSTEM_CHAIN, instance_chain
from engine.deployments import find_version
from engine.errors import Forbidden, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows.casework import records
from workflows.casework.tables import Appraisal, AppraisalCount, AppraisalItem, AppraisalVoter
from workflows.errors import RuleConflict
from workflows.hooks import rules_of

PROCESS_ID = "appraisal"
ORGANISER = "union_committee"
REPRESENTATIVE = "representative"
SCALES = {"three": ("satisfied", "basically_satisfied", "dissatisfied"), "five": ("1", "2", "3", "4", "5")}
DISSATISFIED = {"three": {"dissatisfied"}, "five": {"1", "2"}}
ELECTORATES = ("representatives", "all")


def create(uow: UnitOfWork, *, title: str, items: list[str], scale: str, electorate: str, closes_at: datetime,
           dissatisfied_share: str | None, actor: Actor) -> int:
    """The union committee opens an appraisal; voting runs until ``closes_at``.

    Raises:
        Forbidden: not the union committee. ValidationFailed: no items, unknown scale or electorate, a closing
        time in the past, a bad threshold.
    """
    if not actor.has(ORGANISER, ADMIN) or actor.is_read_only:
        raise Forbidden("the union committee organises an appraisal")
    names = list(dict.fromkeys(i.strip() for i in items if i.strip()))
    problems = {k: [v] for k, v in (("items", "at least one"),) if not names}
    if scale not in SCALES:
        problems["scale"] = [f"one of {', '.join(SCALES)}"]
    if electorate not in ELECTORATES:
        problems["electorate"] = [f"one of {', '.join(ELECTORATES)}"]
    try:
        share = Fraction(dissatisfied_share) if dissatisfied_share else None
        if share is not None and not 0 < share <= 1:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        problems["dissatisfied_share"] = ["a fraction in (0, 1], e.g. 1/3"]
    if problems:
        raise ValidationFailed("the appraisal is not well formed", problems)
    with uow:
        now = uow.now()
        if closes_at <= now:
            raise ValidationFailed("voting closes in the future", {"closes_at": [str(closes_at)]})
        share = share or rules_of(uow).appraisal_dissatisfied_share
        record = Appraisal(title=title.strip(), scale=scale, electorate=electorate, dissatisfied_share=str(share),
                           status="open", closes_at=closes_at, created_by=actor.username, created_at=now)
        uow.session.add(record)
        uow.session.flush()
        uow.session.add_all(AppraisalItem(appraisal_id=record.id, name=n, follow_up=False) for n in names)
        create_instance(uow, find_version(uow.session, PROCESS_ID), actor=actor.username,
                        data={"appraisal_id": record.id, "closes_at": closes_at.isoformat()},
                        business_key=f"appraisal:{record.id}", starter=actor)
        uow.commit()
        return record.id


def _items(uow: UnitOfWork, appraisal_id: int) -> list[AppraisalItem]:
    return list(uow.session.scalars(select(AppraisalItem).where(AppraisalItem.appraisal_id == appraisal_id)
                                    .order_by(AppraisalItem.id)))


def vote(uow: UnitOfWork, appraisal_id: int, grades: dict[int, str], *, actor: Actor) -> None:
    """Cast one secret ballot grading every item.

    Raises:
        NotFound. Forbidden: outside the electorate. RuleConflict ``appraisal_one_ballot``: voted already;
        ``appraisal_voting_period``: closed. ValidationFailed: an item missing or graded off the scale.
    """
    if actor.is_read_only:
        raise Forbidden("auditors read everything and change nothing")
    with uow:
        record = records.fetch(uow.session, Appraisal, appraisal_id, "appraisal", lock=True)
        if record.electorate == "representatives" and not actor.has(REPRESENTATIVE):
            raise Forbidden("this appraisal is by the workers' representatives")
        if record.status != "open" or uow.now() >= record.closes_at:
            raise RuleConflict("voting has closed", "appraisal_voting_period")
        if uow.session.get(AppraisalVoter, (record.id, actor.username)) is not None:
            raise RuleConflict("one ballot per voter", "appraisal_one_ballot")
        items = {i.id for i in _items(uow, record.id)}
        scale = SCALES[record.scale]
        wrong = {str(k): [f"one of {', '.join(scale)}"] for k, v in grades.items() if k not in items or v not in scale}
        missing = {str(i): ["required"] for i in items - set(grades)}
        if wrong or missing:
            raise ValidationFailed("grade every item on the appraisal's scale", wrong | missing)
        uow.session.add(AppraisalVoter(appraisal_id=record.id, username=actor.username))
        for item_id, grade in grades.items():
            hit = uow.session.execute(update(AppraisalCount).where(
                AppraisalCount.item_id == item_id, AppraisalCount.grade == grade)
                .values(count=AppraisalCount.count + 1)).rowcount
            if not hit:
                uow.session.add(AppraisalCount(item_id=item_id, grade=grade, count=1))
        chain = instance_chain(record.instance_id) if record.instance_id else SYSTEM_CHAIN
        uow.audit(chain, "casework.appraisal_voted", {"appraisal_id": record.id}, actor=actor.username,
                  instance_id=record.instance_id)
        uow.commit()


def distribution(uow: UnitOfWork, record: Appraisal) -> list[dict[str, Any]]:
    """Per item: the count of each grade, the ballots, the dissatisfied share and whether it needs follow-up."""
    scale, bad = SCALES[record.scale], DISSATISFIED[record.scale]
    out = []
    for item in _items(uow, record.id):
        counts = dict(uow.session.execute(select(AppraisalCount.grade, AppraisalCount.count)
                                          .where(AppraisalCount.item_id == item.id)).all())
        total = sum(counts.values())
        dissatisfied = sum(counts.get(g, 0) for g in bad)
        out.append({"item_id": item.id, "name": item.name, "ballots": total,
                    "counts": {g: counts.get(g, 0) for g in scale},
                    "dissatisfied_share": str(Fraction(dissatisfied, total)) if total else "0",
                    "follow_up": item.follow_up})
    return out


def needs_follow_up(dissatisfied: int, total: int, threshold: Fraction) -> bool:
    """More than the threshold's share of ballots dissatisfied ("超过"): exactly the threshold does not trigger."""
    return total > 0 and dissatisfied * threshold.denominator > total * threshold.numerator


def results(uow: UnitOfWork, appraisal_id: int, actor: Actor) -> dict[str, Any]:
    """The appraisal; its distribution only once voting has closed (organisers and auditors see it anyway).

    Raises:
        NotFound.
    """
    with uow:
        record = records.fetch(uow.session, Appraisal, appraisal_id, "appraisal")
        voters = len(uow.session.scalars(select(AppraisalVoter.username)
                                         .where(AppraisalVoter.appraisal_id == record.id)).all())
        out = {k: getattr(record, k) for k in ("id", "title", "scale", "electorate", "dissatisfied_share", "status",
                                                "closes_at", "closed_at", "instance_id")} | {"voters": voters}
        out["items"] = distribution(uow, record) if record.status == "closed" else [
            {"item_id": i.id, "name": i.name} for i in _items(uow, record.id)]
        return out



def has_voted(uow: UnitOfWork, appraisal_id: int, username: str) -> bool:
    """Whether this user has cast their ballot (never how)."""
    with uow:
        return uow.session.get(AppraisalVoter, (appraisal_id, username)) is not None


def may_vote(actor: Actor, record: dict[str, Any]) -> bool:
    """In the electorate: the representatives, or every worker; never an auditor."""
    return not actor.is_read_only and (record["electorate"] == "all" or actor.has(REPRESENTATIVE))


def listing(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """Every appraisal, newest first, with whether the actor has voted in it."""
    with uow:
        rows = uow.session.scalars(select(Appraisal).order_by(Appraisal.created_at.desc(), Appraisal.id.desc()))
        voted = set(uow.session.scalars(select(AppraisalVoter.appraisal_id)
                                        .where(AppraisalVoter.username == actor.username)))
        return [{k: getattr(r, k) for k in ("id", "title", "scale", "electorate", "status", "closes_at")}
                | {"voted": r.id in voted} for r in rows]
