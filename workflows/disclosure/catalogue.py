"""The disclosure catalogue (厂务公开目录), its periods and schedules, and starting one disclosure per period.

Content, timing and organisation follow rules.md §3: the statutory content list (§3.1), "常规性工作定期公开、
临时性工作随时公开" with regular items published by the 10th of the following month (§3.2 Timing), and matters the
congress must review disclosed to it first (§3.2 Main channel). Values an enterprise may change are settings
(`DisclosureSettings`) or catalogue fields, never literals in the code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from engine.audit import SYSTEM_CHAIN
from engine.deployments import find_version
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.identity import Actor
from engine.runtime import create_instance
from engine.unit_of_work import UnitOfWork
from workflows.disclosure.tables import Disclosure, DisclosureItem

PROCESS_ID = "disclosure"
SUPERVISION, CONFIDENTIALITY = "supervision_group", "confidentiality_officer"
CATEGORIES = ("major_decisions", "operations", "vital_interests", "integrity")
FREQUENCIES = ("monthly", "quarterly", "yearly", "ad_hoc")
CHANNELS = ("notice_board", "intranet", "meeting", "wechat", "congress")
_DURATION = re.compile(r"P(\d+[DW]|T\d+[HM])")


@dataclasses.dataclass(frozen=True)
class DisclosureSettings:
    """Configuration of the disclosure procedure (app config keys ``DISCLOSURE_<FIELD>``), with defaults.

    The feedback window itself is the rule ``disclosure_feedback_days`` (workflows.rules), overridable per item.

    Raises:
        ValueError: on construction, a value of the wrong type or out of range, naming the field.
    """

    answer_days: int = 5  # the owner department answers each question within N days (practice, U)
    rating_days: int = 7  # satisfaction survey (测评) open N days after the supervision group closes it
    adhoc_publish_days: int = 10  # 临时性工作随时公开: ad hoc items due N days after the request unless given
    publish_by_day: int = 10  # regular items published by the Nth day after the period ends (§3.2, V)
    rectification_days: int = 15  # default deadline of a rectification the supervision group orders
    attachment_max_bytes: int = 10 * 1024 * 1024
    escalation_interval: str = "P1D"  # how often the diagram looks for late answers during the feedback stage
    questions_per_disclosure: int = 10  # one worker's questions and objections on one disclosure, at most
    questions_per_hour: int = 10  # one worker's questions on all disclosures within any 60 minutes, at most

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.type == "int":
                if isinstance(value, str) and value.strip().isdigit():
                    value = int(value)
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise ValueError(f"disclosure setting '{f.name}': expected an integer >= 1, got {value!r}")
                object.__setattr__(self, f.name, value)
        if not _DURATION.fullmatch(str(self.escalation_interval)):
            raise ValueError(f"disclosure setting 'escalation_interval': expected PnD, PnW, PTnH or PTnM, "
                             f"got {self.escalation_interval!r}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any], prefix: str = "DISCLOSURE_") -> DisclosureSettings:
        """Settings from the keys of an app config that start with ``prefix`` (``DISCLOSURE_ANSWER_DAYS=3``)."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k[len(prefix):].lower(): v for k, v in config.items() if k.startswith(prefix)}
        unknown = set(values) - names
        if unknown:
            raise ValueError(f"unknown disclosure settings: {sorted(unknown)}")
        return cls(**values)


def settings(uow: UnitOfWork) -> DisclosureSettings:
    """The settings of the running app (``runtime.context["disclosure"]``), else the defaults."""
    context = getattr(getattr(uow, "runtime", None), "context", None) or {}
    return context.get("disclosure") or DisclosureSettings()


# code, title, category, topic, frequency, default channels, owner role, congress first, confidentiality check
_NB, _NET, _MEET, _WX, _CONG = CHANNELS
_BASIS = ("中办发〔2002〕13号《关于在国有企业、集体企业及其控股企业深入实行厂务公开制度的通知》；"
          "企业民主管理规定（2012）；省级厂务公开规定")
STATUTORY: list[tuple[str, str, str, str, str, list[str], str, bool, bool]] = [
    ("plans", "企业中长期发展规划和年度经营决策", "major_decisions", "plans", "yearly", [_CONG, _NET], "dept_office",
     True, True),
    ("restructuring", "企业改制、重组、合并、破产方案", "major_decisions", "restructuring", "ad_hoc", [_CONG, _MEET],
     "dept_office", True, True),
    ("staff_reduction", "裁员、职工分流安置方案", "major_decisions", "staff_reduction", "ad_hoc", [_CONG, _NB],
     "dept_hr", True, True),
    ("investment", "重大投资和技术改造项目", "major_decisions", "investment", "ad_hoc", [_CONG, _NET], "dept_office",
     False, True),
    ("targets", "年度生产经营目标及完成情况", "operations", "targets", "quarterly", [_NB, _NET], "dept_office", False,
     True),
    ("budget", "财务预算、决算", "operations", "budget", "yearly", [_CONG, _NET], "dept_finance", True, True),
    ("procurement", "重大项目招投标和大宗物资采购", "operations", "procurement", "quarterly", [_NB, _NET],
     "dept_finance", False, True),
    ("pay_bonus", "工资、奖金分配", "vital_interests", "pay", "monthly", [_NB, _WX], "dept_hr", False, False),
    ("social_insurance", "社会保险和企业年金缴纳情况", "vital_interests", "social_insurance", "quarterly",
     [_NB, _NET, _WX], "dept_hr", False, True),
    ("housing_fund", "住房公积金缴存情况", "vital_interests", "housing_fund", "quarterly", [_NB, _NET], "dept_hr",
     False, True),
    ("hiring", "职工招聘和劳动合同签订情况", "vital_interests", "hiring", "quarterly", [_NB, _NET], "dept_hr", False,
     False),
    ("dismissals", "奖惩和单方解除劳动合同情况", "vital_interests", "dismissals", "quarterly", [_NB, _NET], "dept_hr",
     False, True),
    ("safety", "安全生产标准、事故及处理情况", "vital_interests", "safety", "quarterly", [_NB, _MEET], "dept_safety",
     False, False),
    ("training_funds", "职工教育培训经费提取和使用", "vital_interests", "training_funds", "yearly", [_NB, _NET],
     "dept_hr", False, False),
    ("labour_disputes", "劳动争议及处理结果", "vital_interests", "labour_disputes", "quarterly", [_NB, _NET],
     "dept_hr", False, True),
    ("model_workers", "劳动模范和先进评选条件、名额及结果", "vital_interests", "model_workers", "yearly",
     [_NB, _MEET, _WX], "dept_union", False, False),
    ("collective_contract", "集体合同和劳动规章制度", "vital_interests", "collective_contract", "ad_hoc", [_CONG, _NB],
     "dept_hr", True, False),
    ("welfare", "职工福利费使用情况", "vital_interests", "welfare", "yearly", [_NB, _NET], "dept_finance", False,
     False),
    ("leader_pay", "企业领导人员薪酬、奖金、兼职和补贴", "integrity", "leader_pay", "yearly", [_CONG, _NB],
     "dept_discipline", True, True),
    ("business_expenses", "业务招待费、公务用车、通讯和出国（境）费用", "integrity", "business_expenses", "yearly",
     [_NB, _NET], "dept_finance", False, True),
    ("cadre_selection", "中层管理人员选拔任用", "integrity", "cadre_selection", "ad_hoc", [_NB, _NET], "dept_hr", False,
     False),
    ("leader_appraisal", "领导人员民主评议和廉洁从业情况", "integrity", "leader_appraisal", "yearly", [_CONG, _NB],
     "dept_discipline", True, False),
]


def _check_item(fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if "category" in fields and fields["category"] not in CATEGORIES:
        errors["category"] = [f"one of {', '.join(CATEGORIES)}"]
    if "frequency" in fields and fields["frequency"] not in FREQUENCIES:
        errors["frequency"] = [f"one of {', '.join(FREQUENCIES)}"]
    if "channels" in fields and (not fields["channels"] or set(fields["channels"]) - set(CHANNELS)):
        errors["channels"] = [f"one or more of {', '.join(CHANNELS)}"]
    if "owner_role" in fields and not (0 < len(str(fields["owner_role"]).strip()) <= 100):
        errors["owner_role"] = ["the owner department's role name, 1 to 100 characters"]
    if errors:
        raise ValidationFailed("the catalogue item is not valid", errors)


def _apply(item: DisclosureItem, fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if key == "channels":
            item.channels_json = json.dumps(list(dict.fromkeys(value)))
        else:
            setattr(item, key, value.strip() if key == "owner_role" else value)


def item_view(item: DisclosureItem) -> dict[str, Any]:
    """The JSON-friendly view of a catalogue item."""
    return {c.key: getattr(item, c.key) for c in DisclosureItem.__table__.columns if c.key != "channels_json"} | {
        "channels": json.loads(item.channels_json)}


def seed_catalogue(uow: UnitOfWork, *, actor: str = "system") -> list[str]:
    """Add the statutory items (rules.md §3.1) that are missing; existing items, edited or not, are kept.

    Returns:
        The codes added now (empty when the catalogue was already seeded).
    """
    with uow:
        existing = set(uow.session.scalars(select(DisclosureItem.code)))
        added = []
        now = uow.now()
        for code, title, category, topic, frequency, channels, owner, congress, check in STATUTORY:
            if code in existing:
                continue
            uow.session.add(DisclosureItem(
                code=code, title=title, category=category, topic=topic, legal_basis=_BASIS, frequency=frequency,
                channels_json=json.dumps(channels), owner_role=owner, congress_first=congress,
                confidentiality_check=check, feedback_days=None, active=True, created_at=now, created_by=actor,
                updated_at=now, updated_by=actor))
            added.append(code)
        if added:
            uow.audit(SYSTEM_CHAIN, "disclosure.catalogue_seeded", {"codes": added}, actor=actor)
        uow.commit()
        return added


def list_items(uow: UnitOfWork, *, active_only: bool = False) -> list[dict[str, Any]]:
    """The catalogue, by category and code (public: every worker may see what must be disclosed)."""
    with uow:
        query = select(DisclosureItem).order_by(DisclosureItem.category, DisclosureItem.code)
        if active_only:
            query = query.where(DisclosureItem.active.is_(True))
        return [item_view(i) for i in uow.session.scalars(query)]


def create_item(uow: UnitOfWork, fields: dict[str, Any], *, actor: Actor) -> dict[str, Any]:
    """Add a catalogue item (admins). Raises: ValidationFailed; Conflict: the code exists."""
    _check_item(fields)
    with uow:
        s = uow.session
        if s.scalar(select(DisclosureItem.id).where(DisclosureItem.code == fields["code"])) is not None:
            raise Conflict(f"catalogue item '{fields['code']}' already exists")
        now = uow.now()
        item = DisclosureItem(created_at=now, created_by=actor.username, updated_at=now, updated_by=actor.username,
                              active=True, feedback_days=None, topic=None)
        _apply(item, fields)
        s.add(item)
        s.flush()
        uow.audit(SYSTEM_CHAIN, "disclosure.item_created", {"item": item_view(item)}, actor=actor.username)
        uow.commit()
        return item_view(item)


def update_item(uow: UnitOfWork, item_id: int, changes: dict[str, Any], *, actor: Actor) -> dict[str, Any]:
    """Change a catalogue item (admins); running disclosures keep the values they started with.

    Raises:
        NotFound. ValidationFailed.
    """
    _check_item(changes)
    with uow:
        item = uow.session.get(DisclosureItem, item_id)
        if item is None:
            raise NotFound(f"catalogue item {item_id} does not exist")
        before = item_view(item)
        _apply(item, changes)
        item.updated_at, item.updated_by = uow.now(), actor.username
        after = item_view(item)
        uow.audit(SYSTEM_CHAIN, "disclosure.item_changed", {
            "item_id": item_id, "changes": {k: after[k] for k in after if after[k] != before[k] and k != "updated_at"},
        }, actor=actor.username)
        uow.commit()
        return after


@dataclasses.dataclass(frozen=True)
class Period:
    """A reporting period: ``label`` as stored (2026-03, 2026-Q1, 2026), ``title`` as shown (2026年第1季度)."""

    label: str
    title: str
    first_day: dt.date
    last_day: dt.date


def period_containing(frequency: str, day: dt.date) -> Period:
    """The monthly, quarterly or yearly period that contains `day`. Raises: ValueError for ad hoc items."""
    if frequency == "monthly":
        first = day.replace(day=1)
        label, title, months = f"{day.year}-{day.month:02d}", f"{day.year}年{day.month}月", 1
    elif frequency == "quarterly":
        quarter = (day.month - 1) // 3 + 1
        first = dt.date(day.year, 3 * quarter - 2, 1)
        label, title, months = f"{day.year}-Q{quarter}", f"{day.year}年第{quarter}季度", 3
    elif frequency == "yearly":
        first = dt.date(day.year, 1, 1)
        label, title, months = str(day.year), f"{day.year}年度", 12
    else:
        raise ValueError(f"'{frequency}' items have no periods")
    year, month0 = divmod(first.month - 1 + months, 12)
    return Period(label, title, first, dt.date(first.year + year, month0 + 1, 1) - dt.timedelta(days=1))


def last_ended_period(frequency: str, day: dt.date) -> Period:
    """The latest period that ended before `day` (a schedule firing on 1 April starts the first quarter)."""
    return period_containing(frequency, period_containing(frequency, day).first_day - dt.timedelta(days=1))


_PERIOD = {"monthly": re.compile(r"(\d{4})-(\d{2})"), "quarterly": re.compile(r"(\d{4})-Q([1-4])"),
           "yearly": re.compile(r"(\d{4})")}


def parse_period(frequency: str, label: str) -> Period:
    """The period a label names. Raises: ValidationFailed (wrong shape for the item's frequency)."""
    match = _PERIOD[frequency].fullmatch(label or "")
    if match is None or (frequency == "monthly" and not 1 <= int(match.group(2)) <= 12):
        shape = {"monthly": "2026-03", "quarterly": "2026-Q1", "yearly": "2026"}[frequency]
        raise ValidationFailed(f"a {frequency} item's period looks like {shape}", {"period": [repr(label)]})
    year = int(match.group(1))
    if frequency == "monthly":
        return period_containing(frequency, dt.date(year, int(match.group(2)), 1))
    if frequency == "quarterly":
        return period_containing(frequency, dt.date(year, 3 * int(match.group(2)) - 2, 1))
    return period_containing(frequency, dt.date(year, 1, 1))


def start_disclosure(uow: UnitOfWork, item: DisclosureItem, period: Period | None, *, actor: str,
                     within_days: int | None = None) -> Disclosure:
    """Create the disclosure record and start its instance, inside the caller's open unit of work.

    The publication deadline is the legal calendar's: the ``publish_by_day``-th day after the period ends
    (the 10th of the following month by default), or ``within_days`` (default ``adhoc_publish_days``) after
    the request for an ad hoc item; a last day on a rest day moves to the next working day.

    Raises:
        Conflict: this period of the item was already started. NotFound: the diagram is not deployed.
    """
    s, cfg = uow.session, settings(uow)
    cal, rules = uow.runtime.context["calendar"], uow.runtime.context["rules"]
    now = uow.now()
    if period is not None:
        if s.scalar(select(Disclosure.id).where(Disclosure.item_id == item.id, Disclosure.period == period.label)):
            raise Conflict(f"'{item.title}' for {period.title} has already been started")
        due, title = cal.deadline(period.last_day, cfg.publish_by_day).due, f"{item.title}（{period.title}）"
    else:
        due = cal.deadline(now, within_days or cfg.adhoc_publish_days).due
        title = f"{item.title}（{cal.local_date(now).isoformat()} 临时公开）"
    record = Disclosure(
        item_id=item.id, period=period.label if period else None, title=title, status="starting",
        owner_role=item.owner_role, congress_first=item.congress_first,
        confidentiality_check=item.confidentiality_check,
        feedback_days=item.feedback_days or rules.disclosure_feedback_days, channels_json=item.channels_json,
        draft_version=0, publish_due=due, created_at=now, created_by=actor, updated_at=now)
    s.add(record)
    s.flush()
    pv = find_version(s, PROCESS_ID)
    data = {"disclosure_id": record.id, "publish_due": due.isoformat(),
            "owner_role": record.owner_role,  # its tasks' candidate group (candidateGroups = owner_role)
            "case_title": f"厂务公开 {title}"}  # what each task row shows
    create_instance(uow, pv, actor=actor, data=data,
                    business_key=f"disclosure:{record.id}")
    return record


def request_disclosure(uow: UnitOfWork, item_id: int, *, period: str | None, within_days: int | None,
                       actor: Actor) -> int:
    """Start a disclosure on demand: ad hoc (临时公开), or a regular item's period the schedule did not start.

    Raises:
        NotFound. Forbidden: the caller is neither the item's owner department nor the supervision group.
        Conflict: the item is inactive or the period was already started. ValidationFailed: bad period.
    """
    with uow:
        item = uow.session.get(DisclosureItem, item_id)
        if item is None:
            raise NotFound(f"catalogue item {item_id} does not exist")
        if not actor.has(item.owner_role, SUPERVISION):
            raise Forbidden(f"only the owner department ({item.owner_role}) or the supervision group may start "
                            f"'{item.title}'")
        if not item.active:
            raise Conflict(f"catalogue item '{item.title}' is inactive")
        if item.frequency == "ad_hoc":
            if period:
                raise ValidationFailed("ad hoc items have no period", {"period": [period]})
            found = None
        else:
            found = parse_period(item.frequency, period or "")
        record = start_disclosure(uow, item, found, actor=actor.username, within_days=within_days)
        uow.commit()
        return record.id


def due_periods(frequency: str, last_started: str | None, day: dt.date) -> list[Period]:
    """The ended periods after `last_started` up to the latest one ended before `day`, oldest first.

    An item never started gets only the latest ended period; at most ``MAX_CATCH_UP`` periods are returned.
    """
    latest = last_ended_period(frequency, day)
    if last_started is None:
        return [latest]
    periods, period = [], parse_period(frequency, last_started)
    while period.last_day < latest.last_day and len(periods) < MAX_CATCH_UP:
        period = period_containing(frequency, period.last_day + dt.timedelta(days=1))
        periods.append(period)
    return periods


MAX_CATCH_UP = 12


def start_due_periods(uow: UnitOfWork, frequency: str, *, actor: str = "system") -> dict[str, Any]:
    """Start every ended period of every active item of `frequency` that was not started yet (idempotent).

    Called by the schedule diagrams, one instance per occurrence. An occurrence that repeats starts nothing
    twice; a worker that was down catches up on the periods it missed (see `due_periods`).
    """
    day = uow.runtime.context["calendar"].local_date(uow.now())
    items = uow.session.scalars(select(DisclosureItem).where(DisclosureItem.frequency == frequency,
                                                             DisclosureItem.active.is_(True))
                                .order_by(DisclosureItem.id))
    started = []
    for item in items:
        # Labels of one frequency sort in time order (2026-03 < 2026-12, 2026-Q1 < 2026-Q4).
        last = uow.session.scalar(select(func.max(Disclosure.period)).where(Disclosure.item_id == item.id))
        for period in due_periods(frequency, last, day):
            started.append(start_disclosure(uow, item, period, actor=actor).id)
    return {"period": last_ended_period(frequency, day).label, "started": started}
