"""A hand-built federation: organisations created as rows, officers and members' users acting for them."""

from __future__ import annotations

import datetime as dt

from engine import deployments, tenancy
from engine.identity import Actor
from engine.models import Organisation
from engine.worker import run_once
from workflows.catalog import read_folder
from workflows.federation import regional

from helpers.api import ROOT
from helpers.contracts import ADMIN, local

FLOORS = [
    {"key": "minimum_wage", "label": "最低工资标准", "value": 2800, "unit": "元/月", "direction": "min"},
    {"key": "wage_growth", "label": "年度工资增长", "value": 5, "unit": "%", "direction": "min"},
    {"key": "weekly_hours", "label": "每周工作时间", "value": 40, "unit": "小时", "direction": "max"},
]
REGIONAL_BODY = {
    "scope": "regional", "title": "浦东新区餐饮行业区域性集体合同", "region": "浦东新区",
    "employer_side": "浦东新区企业联合会", "term_years": 3,
    "clauses": [{"title": "劳动报酬", "text": "本区域企业职工月工资不低于2800元，每年增长不低于5%。"},
                {"title": "工作时间", "text": "每周工作时间不超过40小时。"}],
    "floors": FLOORS,
}


def organisation(services, code: str, name: str, *, kind: str = tenancy.ENTERPRISE, parent: int | None = None,
                 region: str | None = None, industry: str | None = None, headcount: int | None = None) -> int:
    uow = services.uow()
    with uow:
        org = Organisation(code=code, name=name, kind=kind, parent_id=parent, region=region, industry=industry,
                           headcount=headcount, settings={}, created_at=uow.now())
        uow.session.add(org)
        uow.session.flush()
        uow.commit()
        return org.id


def officer(federation_id: int, username: str = "officer_zhang") -> Actor:
    return Actor(username, frozenset({regional.FEDERATION_OFFICER}), org_id=federation_id)


def liaison(federation_id: int, username: str = "bureau_qian") -> Actor:
    """The labour bureau's liaison, a user of the federation's organisation (role ``liaison``)."""
    return Actor(username, frozenset({regional.LIAISON}), org_id=federation_id)


def deploy_regional(services) -> None:
    """The bundled ``bpmn/federation`` procedures, deployed for the installation (inherited by everyone)."""
    deployments.deploy(services.uow(), read_folder(ROOT / "bpmn" / "federation"), actor=ADMIN)


VOTE = {"body": "regional", "held_on": "2026-01-05", "representatives_total": 60, "present": 52, "in_favour": 45,
        "against": 5, "abstained": 2}
SESSION = {"held_on": "2026-01-05", "place": "区总工会会议室", "participants": "双方协商代表各5人",
           "summary": "双方就最低工资、工资增长和工作时间达成一致。"}


def step(services, federation_id: int, contract_id: int, element_id: str, data: dict, who: Actor) -> None:
    with tenancy.acting_for(federation_id):
        if element_id == "negotiate":
            data = regional.negotiation_data(services.uow(readonly=True), contract_id, data)
        regional.drive(services.uow(), contract_id, element_id, data, actor=who)


def fire_timers(services, clock, moment: dt.datetime) -> int:
    clock.set(moment)
    return len(run_once(services.uow).timers_fired)


def regional_in_force(services, clock, federation_id: int, body: dict | None = None) -> int:
    """A regional contract through its procedure: negotiated and adopted by the regional congress on 2026-01-05,
    signed 01-08, filed 01-12, received 01-15; the review timer makes it effective on 01-31 (15 days after the
    receipt, the last day 01-30 not a holiday); the clock is left at 2026-01-31 00:30."""
    deploy_regional(services)
    who = officer(federation_id)
    clock.set(local("2026-01-05"))
    with tenancy.acting_for(federation_id):
        row = regional.create(services.uow(), body or REGIONAL_BODY, actor=who, rules=services.rules)
    step(services, federation_id, row.id, "negotiate", {**SESSION, "outcome": "congress"}, who)
    step(services, federation_id, row.id, "regional_congress_vote", VOTE, who)
    clock.set(local("2026-01-15"))
    step(services, federation_id, row.id, "sign", {"signed_on": "2026-01-08"}, who)
    step(services, federation_id, row.id, "file", {"filed_on": "2026-01-12"}, who)
    step(services, federation_id, row.id, "register_receipt", {"received_on": "2026-01-15"}, liaison(federation_id))
    assert fire_timers(services, clock, local("2026-01-31", "00:30")) >= 1
    return row.id


def disclosure(services, org_id: int, code: str, *, due: dt.datetime, published: dt.datetime | None) -> None:
    """A disclosure of a member, due at `due`, published at `published` (rows as the disclosure office leaves
    them; the procedure itself is tested in tests/workflows/disclosure)."""
    from workflows.disclosure.tables import Disclosure, DisclosureItem

    with tenancy.acting_for(org_id):
        uow = services.uow()
        with uow:
            now = uow.now()
            item = DisclosureItem(
                code=code, title="社会保险缴纳情况", category="vital_interests", topic="social_insurance",
                legal_basis="社会保险法", frequency="quarterly", channels_json='["notice_board"]', owner_role="dept_hr",
                congress_first=False, confidentiality_check=False, active=True, created_at=now, created_by="admin",
                updated_at=now, updated_by="admin")
            uow.session.add(item)
            uow.session.flush()
            uow.session.add(Disclosure(
                item_id=item.id, period="2026-Q1", title="2026年第一季度社会保险缴纳情况",
                status="published" if published else "drafting", owner_role="dept_hr", congress_first=False,
                confidentiality_check=False, feedback_days=7, content="已足额缴纳。", channels_json='["notice_board"]',
                draft_version=1, publish_due=due, published_at=published, created_at=now, created_by="hr",
                updated_at=now))
            uow.commit()


def join(services, org_id: int, federation_id: int, **fields) -> int:
    """Make an existing organisation (e.g. the installation's first, ``tenancy.DEFAULT_ORG``) a member."""
    uow = services.uow()
    with uow:
        org = uow.session.get(Organisation, org_id)
        org.parent_id = federation_id
        for key, value in fields.items():
            setattr(org, key, value)
        uow.commit()
    return org_id


def closed_session(services, org_id: int, held_on: dt.date, name: str, *, headcount: int = 600,
                   women: int = 200) -> None:
    """A congress term of `org_id` with 30 seats and a session held and closed on `held_on` (through the congress
    services, at the caller's clock)."""
    from workflows.congress import meetings

    from helpers.congress import make_term, roster_rows, seat

    chair = Actor("chair", frozenset({"presidium"}), org_id=org_id)
    with tenancy.acting_for(org_id):
        term = make_term(services, headcount=headcount, women=women, name=name, starts_on=dt.date(2024, 1, 1),
                         ends_on=dt.date(2027, 12, 31))
        seat(services, term.id, roster_rows(30, managers=3, women=10, elected=dt.date(2024, 1, 10)))
        meeting = meetings.create_meeting(services.uow(), term.id, session_number=1, held_on=held_on,
                                          rules=services.rules, actor=chair)
        meetings.convene(services.uow(), meeting.id, rules=services.rules, actor=chair)
        meetings.close_meeting(services.uow(), meeting.id, actor=chair)
