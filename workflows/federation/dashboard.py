"""The federation's dashboard: each member enterprise's democratic-management status and the coverage rates.

For every member enterprise of the federation (``tenancy.members``, all levels):
- its workers' congress: the last closed session, and whether it met within its own
  ``session_interval_months`` (rules.md §2.2): the member's ``rule_session_interval_months`` setting, else its
  federations' (nearest first), else the installation's;
- its own collective contract: the latest one, its stage and expiry, and whether one is in force today;
  the regional and industry contracts in force for it (``regional.binding``);
- its factory-affairs disclosures due in the reporting window (the last 12 months, up to today) and those of
  them published; a member practises disclosure when it published at least one in the window;
- its overdue steps: open human tasks whose due time has passed (counted only, casework excluded).

Rates: 职代会建制率 = members whose congress met in the interval / members; 集体合同覆盖率 = members covered by a
contract in force (own, regional or industry) / members, and the same weighted by headcount; 厂务公开覆盖率 =
members that published a disclosure in the window / members. Nothing of secret ballots or private casework is
read. The reads are unscoped and filtered explicitly to the federation's members.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import tenancy
from engine.identity import Actor
from engine.models import HumanTask, Organisation
from engine.unit_of_work import UnitOfWork
from workflows import rules as r
from workflows.calendar import add_months, local_today
from workflows.congress.tables import Meeting
from workflows.contracts.change import IN_FORCE
from workflows.contracts.record import KIND_NAMES
from workflows.contracts.tables import Contract
from workflows.disclosure.tables import Disclosure
from workflows.federation import regional
from workflows.federation.tables import RegionalContract

DISCLOSURE_WINDOW_MONTHS = 12
PRIVATE_PROCESSES = ("appraisal", "hardship", "labour_mediation", "legal_aid")  # casework: never counted
CONTRACT_STAGE_NAMES = {
    "requested": "已提出协商要求", "escalated": "已提请协调", "representatives": "确定协商代表",
    "preparation": "协商准备", "negotiating": "协商中", "suspended": "中止协商", "dispute": "争议协调",
    "agreed": "协商一致", "adoption": "职代会审议", "signing": "待签字", "signed": "已签字",
    "under_review": "审查中", "effective": "已生效", "published": "已生效并公布", "renewal_window": "续订期",
    "renewed": "已续订", "expired": "已到期", "closed": "已终止", "abandoned": "已放弃", "terminated": "已解除",
}


SESSION_INTERVAL = "rule_session_interval_months"


def _intervals(session: Session, members: list[Organisation], installed: int) -> dict[int, int]:
    """The session interval in force for each member: its own setting, else its federations', else the
    installation's. A value the rules would refuse (set past the API's check) counts as not set."""
    months: dict[str, int] = {}
    out: dict[int, int] = {}
    for org in members:
        value = tenancy.setting(session, org.id, SESSION_INTERVAL)
        if value is None:
            out[org.id] = installed
            continue
        key = repr(value)
        if key not in months:
            try:
                months[key] = r.Rules.from_mapping({SESSION_INTERVAL: value}, prefix="rule_").session_interval_months
            except ValueError:
                months[key] = installed
        out[org.id] = months[key]
    return out


def _rate(part: int, whole: int) -> float | None:
    return round(float(Fraction(part, whole)) * 100, 1) if whole else None


def _members(session: Session, federation_id: int) -> list[Organisation]:
    return [m for m in tenancy.members(session, federation_id) if m.kind == tenancy.ENTERPRISE]


def _last_sessions(session: Session, ids: list[int]) -> dict[int, dt.date]:
    rows = session.execute(select(Meeting.org_id, func.max(Meeting.held_on)).where(
        Meeting.org_id.in_(ids), Meeting.status == "closed").group_by(Meeting.org_id))
    return dict(rows.all())


def _contracts(session: Session, ids: list[int]) -> dict[int, list[Contract]]:
    out: dict[int, list[Contract]] = {}
    for row in session.scalars(select(Contract).where(Contract.org_id.in_(ids)).order_by(Contract.id)):
        out.setdefault(row.org_id, []).append(row)
    return out


def _disclosures(session: Session, ids: list[int], since: dt.datetime, now: dt.datetime) -> dict[int, tuple]:
    """org -> (due in the window, of them published, published in the window)."""
    due = {org: (n, done) for org, n, done in session.execute(
        select(Disclosure.org_id, func.count(), func.count(Disclosure.published_at)).where(
            Disclosure.org_id.in_(ids), Disclosure.publish_due >= since, Disclosure.publish_due <= now)
        .group_by(Disclosure.org_id)).all()}
    published = dict(session.execute(select(Disclosure.org_id, func.count()).where(
        Disclosure.org_id.in_(ids), Disclosure.published_at >= since, Disclosure.published_at <= now)
        .group_by(Disclosure.org_id)).all())
    return {org: (*due.get(org, (0, 0)), published.get(org, 0)) for org in set(due) | set(published)}


def _overdue_steps(session: Session, ids: list[int], now: dt.datetime) -> dict[int, int]:
    rows = session.execute(select(HumanTask.org_id, func.count()).where(
        HumanTask.org_id.in_(ids), HumanTask.state == "ready", HumanTask.due_at < now,
        HumanTask.process_id.not_in(PRIVATE_PROCESSES)).group_by(HumanTask.org_id))
    return dict(rows.all())


def _own_contract(contracts: list[Contract], today: dt.date) -> tuple[Contract | None, bool]:
    """The contract to show (the one in force, a comprehensive one first; else the latest) and whether in force."""
    in_force = [c for c in contracts if c.stage in IN_FORCE and (c.expires_on is None or c.expires_on >= today)]
    if in_force:
        return sorted(in_force, key=lambda c: (c.kind != "comprehensive", -c.id))[0], True
    return (contracts[-1] if contracts else None), False


def figures(uow: UnitOfWork, federation_id: int, *, rules: r.Rules) -> dict[str, Any]:
    """The dashboard of one federation: its members' rows and the coverage rates."""
    with uow, tenancy.unscoped():
        s = uow.session
        federation = s.get(Organisation, federation_id)
        now = uow.now()
        today = local_today(uow)
        members = _members(s, federation_id)
        ids = [m.id for m in members]
        since_day = add_months(today, -rules.session_interval_months)
        window_start = add_months(today, -DISCLOSURE_WINDOW_MONTHS)
        since = dt.datetime.combine(window_start, dt.time(0), tzinfo=dt.UTC)
        sessions = _last_sessions(s, ids) if ids else {}
        contracts = _contracts(s, ids) if ids else {}
        disclosures = _disclosures(s, ids, since, now) if ids else {}
        overdue = _overdue_steps(s, ids, now) if ids else {}
        federations = {federation_id, *(m.id for m in tenancy.members(s, federation_id)
                                        if m.kind == tenancy.FEDERATION)}
        regionals = [c for c in s.scalars(select(RegionalContract).where(RegionalContract.org_id.in_(federations)))
                     if regional.in_force(c, today)]
        intervals = _intervals(s, members, rules.session_interval_months)
        rows = [_member_row(m, sessions.get(m.id), intervals[m.id], add_months(today, -intervals[m.id]),
                            *_own_contract(contracts.get(m.id, []), today),
                            [c for c in regionals if regional.applies_to(c, m)], disclosures.get(m.id, (0, 0, 0)),
                            overdue.get(m.id, 0)) for m in members]
    n = len(rows)
    headcount = sum(row["headcount"] or 0 for row in rows)
    covered_workers = sum(row["headcount"] or 0 for row in rows if row["contract_covered"])
    met = sum(row["congress_met"] for row in rows)
    covered = sum(row["contract_covered"] for row in rows)
    disclosing = sum(row["disclosure_practised"] for row in rows)
    return {
        "federation": {"id": federation.id, "code": federation.code, "name": federation.name,
                       "region": federation.region, "industry": federation.industry},
        "as_of": today, "session_interval_months": rules.session_interval_months,
        "congress_since": since_day, "disclosure_since": window_start,
        "totals": {"members": n, "congress_met": met, "contract_covered": covered,
                   "contract_own": sum(row["own_contract_in_force"] for row in rows),
                   "contract_regional_only": sum(row["contract_covered"] and not row["own_contract_in_force"]
                                                 for row in rows),
                   "disclosure_practised": disclosing, "headcount": headcount, "covered_workers": covered_workers,
                   "disclosures_due": sum(row["disclosures_due"] for row in rows),
                   "disclosures_done": sum(row["disclosures_done"] for row in rows),
                   "overdue_steps": sum(row["overdue_steps"] for row in rows)},
        "rates": {"congress": _rate(met, n), "contract_members": _rate(covered, n),
                  "contract_workers": _rate(covered_workers, headcount), "disclosure": _rate(disclosing, n)},
        "members": rows,
    }


def _member_row(org: Organisation, last_session: dt.date | None, interval: int, since: dt.date, own: Contract | None,
                own_in_force: bool, regionals: list[RegionalContract], disclosures: tuple[int, int, int],
                overdue: int) -> dict[str, Any]:
    due, done, published = disclosures
    return {
        "org_id": org.id, "code": org.code, "name": org.name, "region": org.region, "industry": org.industry,
        "headcount": org.headcount, "last_congress_on": last_session, "session_interval_months": interval,
        "congress_since": since,
        "congress_met": last_session is not None and last_session >= since,
        "contract_id": own.id if own else None, "contract_kind": own.kind if own else None,
        "contract_stage": own.stage if own else None,
        "contract_stage_name": CONTRACT_STAGE_NAMES.get(own.stage, own.stage) if own else None,
        "contract_expires_on": own.expires_on if own else None, "own_contract_in_force": own_in_force,
        "regional_contracts": [{"id": c.id, "title": c.title, "scope_name": regional.SCOPES[c.scope],
                                "expires_on": c.expires_on} for c in regionals],
        "contract_covered": own_in_force or bool(regionals),
        "disclosures_due": due, "disclosures_done": done, "disclosures_published": published,
        "disclosure_practised": published > 0, "overdue_steps": overdue,
    }


def dashboard(uow: UnitOfWork, actor: Actor, *, rules: r.Rules) -> dict[str, Any]:
    """The dashboard of the actor's federation. Raises: Forbidden (not a federation officer)."""
    with uow:
        federation_id = regional.federation_of(uow.session, actor).id
    return figures(uow, federation_id, rules=rules)


def member_records(uow: UnitOfWork, actor: Actor, org_id: int) -> dict[str, Any]:
    """A member's public records: closed congress sessions, published contracts and disclosures, and the regional
    contracts binding it. Raises: Forbidden (not a federation officer), NotFound (not one of its members)."""
    from engine.errors import NotFound

    with uow:
        s = uow.session
        federation = regional.federation_of(s, actor)
        org = s.get(Organisation, org_id)
        if org is None or org.id not in {m.id for m in _members(s, federation.id)}:
            raise NotFound(f"organisation {org_id} is not a member of {federation.name}")
        today = local_today(uow)
        with tenancy.unscoped():
            sessions = s.execute(select(Meeting.title, Meeting.held_on).where(
                Meeting.org_id == org.id, Meeting.status == "closed").order_by(Meeting.held_on.desc())).all()
            contracts = s.scalars(select(Contract).where(Contract.org_id == org.id, Contract.published_at.is_not(None))
                                  .order_by(Contract.id.desc()))
            disclosures = s.scalars(select(Disclosure).where(Disclosure.org_id == org.id,
                                                             Disclosure.published_at.is_not(None))
                                    .order_by(Disclosure.published_at.desc()).limit(50))
            out = {
                "org_id": org.id, "code": org.code, "name": org.name, "region": org.region,
                "industry": org.industry, "headcount": org.headcount,
                "congress_sessions": [{"title": t, "held_on": d} for t, d in sessions],
                "contracts": [{"id": c.id, "title": c.title, "kind_name": KIND_NAMES.get(c.kind),
                               "stage_name": CONTRACT_STAGE_NAMES.get(c.stage, c.stage),
                               "published_at": c.published_at, "expires_on": c.expires_on,
                               "notice_html": c.notice_html} for c in contracts],
                "disclosures": [{"id": d.id, "title": d.title, "period": d.period, "published_at": d.published_at,
                                 "content": d.content} for d in disclosures],
            }
            out["regional_contracts"] = [regional.view(c, today) for c in regional.binding(s, org, today)]
    return out
