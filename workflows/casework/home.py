"""The yearly "职工之家" assessment (建家评估): a scored checklist against configurable criteria.

Each criterion names what is scored, its points and the source it cites (the defaults are practice of the unions'
建家 assessments, not statute: marked U in the README). The union committee scores every active criterion once a
year; the total against the points available gives the result: 先进 from ``home_excellent_share``, 合格 from
``home_pass_share`` (both configuration, practice). An assessment keeps the criteria as they read that year, so
the history stays true when the criteria change. Every worker reads the criteria, the results and the history.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import select

from engine.audit import SYSTEM_CHAIN
from engine.errors import Forbidden, NotFound, ValidationFailed
from engine.identity import ADMIN, Actor
from engine.unit_of_work import UnitOfWork
from workflows.casework.tables import HomeAssessment, HomeCriterion, HomeScore
from workflows.errors import RuleConflict
from workflows.hooks import rules_of

ORGANISER = "union_committee"
RESULTS = ("excellent", "passed", "failed")
CRITERION_FIELDS = ("id", "position", "name", "max_score", "source", "active")
# The default criteria (100 points; editable): the unions' 建家 and 会员评家 practice, not statute (README: U).
DEFAULT_CRITERIA = [
    ("组织健全：工会委员会按期换届，职工代表大会制度健全", 20, "工会法 第11条; 企业民主管理规定 第7条"),
    ("民主管理：职代会按期召开，厂务公开落实", 20, "企业民主管理规定 第3条、第11条"),
    ("维护权益：集体合同签订履行，劳动争议调解及时", 20, "工会法 第6条、第21条; 劳动争议调解仲裁法 第10条"),
    ("服务职工：困难职工帮扶，职工文体活动", 15, "职工之家建设（中华全国总工会）"),
    ("会员评议：会员对工会工作的满意度", 15, "会员评家（中华全国总工会）"),
    ("自身建设：工会经费管理，会员发展", 10, "工会法 第43条"),
]


def seed_criteria(uow: UnitOfWork, *, actor: str = "system") -> int:
    """The default criteria when there are none yet (criteria kept, edited or not, are never touched).

    Returns:
        How many were added now.
    """
    with uow:
        if uow.session.scalar(select(HomeCriterion.id).limit(1)) is not None:
            return 0
        now = uow.now()
        uow.session.add_all(HomeCriterion(position=i, name=name, max_score=points, source=source, active=True,
                                          updated_by=actor, updated_at=now)
                            for i, (name, points, source) in enumerate(DEFAULT_CRITERIA, start=1))
        uow.audit(SYSTEM_CHAIN, "casework.home_criteria_seeded", {"count": len(DEFAULT_CRITERIA)}, actor=actor)
        uow.commit()
        return len(DEFAULT_CRITERIA)


def _organiser(actor: Actor) -> None:
    if actor.is_read_only or not actor.has(ORGANISER, ADMIN):
        raise Forbidden("the union committee keeps the 职工之家 criteria and scores them")


def criteria(uow: UnitOfWork, *, active_only: bool = False) -> list[dict[str, Any]]:
    """The criteria in their order (only those in force if ``active_only``)."""
    with uow:
        query = select(HomeCriterion).order_by(HomeCriterion.position, HomeCriterion.id)
        if active_only:
            query = query.where(HomeCriterion.active.is_(True))
        return [{k: getattr(c, k) for k in CRITERION_FIELDS} for c in uow.session.scalars(query)]


def _check_criterion(name: str, max_score: int, source: str) -> None:
    problems: dict[str, list[str]] = {}
    if not name.strip():
        problems["name"] = ["required"]
    if not 1 <= max_score <= 1000:
        problems["max_score"] = ["between 1 and 1000"]
    if not source.strip():
        problems["source"] = ["cite the rule or practice the criterion comes from"]
    if problems:
        raise ValidationFailed("a criterion names what is scored, its points and its source", problems)


def save_criterion(uow: UnitOfWork, *, criterion_id: int | None, name: str, max_score: int, source: str,
                   active: bool = True, position: int | None = None, actor: Actor) -> int:
    """Add a criterion (``criterion_id`` None) or change one; past assessments keep what they scored.

    Raises:
        Forbidden: not the union committee. NotFound. ValidationFailed: no name, points out of range, no source.
    """
    _organiser(actor)
    _check_criterion(name, max_score, source)
    with uow:
        now = uow.now()
        if criterion_id is None:
            last = uow.session.scalar(select(HomeCriterion.position).order_by(HomeCriterion.position.desc()).limit(1))
            row = HomeCriterion(position=position or (last or 0) + 1, name=name.strip(), max_score=max_score,
                                source=source.strip(), active=active, updated_by=actor.username, updated_at=now)
            uow.session.add(row)
        else:
            row = uow.session.get(HomeCriterion, criterion_id)
            if row is None:
                raise NotFound(f"criterion {criterion_id} does not exist")
            row.name, row.max_score, row.source, row.active = name.strip(), max_score, source.strip(), active
            row.position = position or row.position
            row.updated_by, row.updated_at = actor.username, now
        uow.session.flush()
        uow.audit(SYSTEM_CHAIN, "casework.home_criterion_saved", {k: getattr(row, k) for k in CRITERION_FIELDS},
                  actor=actor.username)
        uow.commit()
        return row.id


def result_of(total: int, max_total: int, rules) -> str:
    """先进 (excellent) from ``home_excellent_share`` of the points, 合格 (passed) from ``home_pass_share``."""
    share = Fraction(total, max_total) if max_total else Fraction(0)
    if share >= rules.home_excellent_share:
        return "excellent"
    return "passed" if share >= rules.home_pass_share else "failed"


def assess(uow: UnitOfWork, *, year: int, scores: dict[int, int], notes: dict[int, str] | None = None,
           note: str | None = None, actor: Actor) -> int:
    """Record a year's assessment: every criterion in force scored between 0 and its points.

    Raises:
        Forbidden. RuleConflict ``home_assessment_once_a_year``: the year is assessed already. ValidationFailed: a
        criterion missing, unknown or scored out of range; a year out of range; no criteria in force.
    """
    _organiser(actor)
    notes = notes or {}
    with uow:
        if not 2000 <= year <= uow.runtime.context["calendar"].local_date(uow.now()).year:
            raise ValidationFailed("assess a past or the current year", {"year": [str(year)]})
        if uow.session.scalar(select(HomeAssessment.id).where(HomeAssessment.year == year)) is not None:
            raise RuleConflict(f"{year} is assessed already", "home_assessment_once_a_year", {"year": [str(year)]})
        rows = list(uow.session.scalars(select(HomeCriterion).where(HomeCriterion.active.is_(True))
                                        .order_by(HomeCriterion.position, HomeCriterion.id)))
        if not rows:
            raise ValidationFailed("no criteria are in force", {"criteria": ["add at least one"]})
        known = {r.id for r in rows}
        problems = {str(k): ["not a criterion in force"] for k in scores if k not in known}
        for row in rows:
            if row.id not in scores:
                problems[str(row.id)] = ["required"]
            elif not 0 <= scores[row.id] <= row.max_score:
                problems[str(row.id)] = [f"between 0 and {row.max_score}"]
        if problems:
            raise ValidationFailed("score every criterion between 0 and its points", problems)
        total, max_total = sum(scores[r.id] for r in rows), sum(r.max_score for r in rows)
        result = result_of(total, max_total, rules_of(uow))
        record = HomeAssessment(year=year, total=total, max_total=max_total, result=result,
                                note=(note or "").strip() or None, assessed_by=actor.username, assessed_at=uow.now())
        uow.session.add(record)
        uow.session.flush()
        uow.session.add_all(HomeScore(assessment_id=record.id, criterion_id=r.id, name=r.name, source=r.source,
                                      max_score=r.max_score, score=scores[r.id],
                                      note=(notes.get(r.id) or "").strip() or None) for r in rows)
        uow.audit(SYSTEM_CHAIN, "casework.home_assessed", {
            "year": year, "total": total, "max_total": max_total, "result": result,
            "scores": {str(r.id): scores[r.id] for r in rows}}, actor=actor.username)
        uow.commit()
        return record.id


ASSESSMENT_FIELDS = ("id", "year", "total", "max_total", "result", "note", "assessed_by", "assessed_at")


def history(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every year's assessment, latest first (without the scores)."""
    with uow:
        rows = uow.session.scalars(select(HomeAssessment).order_by(HomeAssessment.year.desc()))
        return [{k: getattr(r, k) for k in ASSESSMENT_FIELDS} for r in rows]


def assessment(uow: UnitOfWork, year: int) -> dict[str, Any]:
    """A year's assessment with its scores. Raises: NotFound."""
    with uow:
        record = uow.session.scalar(select(HomeAssessment).where(HomeAssessment.year == year))
        if record is None:
            raise NotFound(f"{year} has no 职工之家 assessment")
        scores = uow.session.scalars(select(HomeScore).where(HomeScore.assessment_id == record.id)
                                     .order_by(HomeScore.id))
        return {k: getattr(record, k) for k in ASSESSMENT_FIELDS} | {"scores": [
            {k: getattr(s, k) for k in ("criterion_id", "name", "source", "max_score", "score", "note")}
            for s in scores]}
