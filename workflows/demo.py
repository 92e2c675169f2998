"""A demo organisation: one user per role (tokens written to a file) and a small workers' congress, created once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select

from engine import departments, organisations, tenancy
from engine.deployments import find_version
from engine.errors import NotFound
from engine.identity import SYSTEM, Actor, create_user
from engine.models import User
from engine.passwords import generate_password, set_password
from engine.unit_of_work import UnitOfWork
from workflows.calendar import local_today
from workflows.casework import committee
from workflows.congress import accounts, meetings, roster, roster_import
from workflows.congress.tables import Organisation
from workflows.federation import regional
from workflows.federation.tables import RegionalContract
from workflows.rules import Rules

# username, display name (zh-CN), roles
DEMO_USERS: list[tuple[str, str, list[str]]] = [
    ("admin", "系统管理员", ["admin"]),
    ("designer", "流程设计员", ["designer"]),
    ("auditor", "审计员", ["auditor"]),
    ("rep_wang", "王芳（职工代表）", ["representative"]),
    ("rep_li", "李强（职工代表）", ["representative"]),
    ("committee_zhang", "张伟（提案工作委员会）", ["proposal_committee"]),
    ("union_chair", "刘洋（工会主席）", ["union_chair", "presidium"]),
    ("hr_chen", "陈静（人力资源部）", ["hr"]),
    ("worker_ma", "马丽（职工）", ["worker"]),
    ("drafting_zhou", "周敏（起草组）", ["drafting_group"]),
    ("delegation_wu", "吴刚（第3代表团团长）", ["delegation", "representative"]),
    ("dept_logistics", "郑军（后勤保障部）", ["handling_department"]),
    ("liaison_sun", "孙丽（劳动保障联络员）", ["liaison"]),
    # casework (工会服务): the mediation committee (chair, a mediator, the employer's member), legal aid, assistance,
    # and the union committee that runs appraisals and the 职工之家 assessment
    ("mediation_zhao", "赵敏（调解委员会主任）", ["mediation_committee"]),
    ("mediator_qian", "钱进（调解员）", ["mediation_committee"]),
    ("mediation_feng", "冯涛（调解委员会企业代表）", ["mediation_committee"]),
    ("legal_aid_he", "何琳（法律援助工作人员）", ["legal_aid_officer"]),
    ("assist_lu", "卢红（帮扶工作委员会）", ["assistance_committee"]),
    ("union_xu", "徐静（工会委员会）", ["union_committee"]),
    # the disclosure office (厂务公开): an owner department, the confidentiality check, the supervision group
    ("hr_luo", "罗军（人力资源部·厂务公开）", ["dept_hr"]),
    ("secrecy_he", "何磊（保密审查员）", ["confidentiality_officer"]),
    ("supervisor_xu", "徐娜（厂务公开监督检查小组）", ["supervision_group"]),
    # the contract office (集体合同): each side's chief negotiator and the neutral recorder
    ("chief_yang", "杨燕（工会方首席协商代表）", ["union_negotiator"]),
    ("chief_lin", "林杰（企业方首席协商代表）", ["employer_negotiator"]),
    ("recorder_xie", "谢霞（协商记录员）", ["recorder"]),
]
# The district federation the demo enterprise (the installation's first organisation) belongs to, two more small
# member enterprises without procedures of their own, and the federation's officer (signs in to /federation).
DEMO_FEDERATION = ("pudong-fed", "浦东新区总工会", "浦东新区")
DEMO_MEMBERS = [("pd-electronics", "浦东精密电子有限公司", "电子器件", 150),
                ("pd-food", "浦东食品有限公司", "食品加工", 80)]
DEMO_FEDERATION_USERS: list[tuple[str, str, list[str]]] = [
    ("federation_gu", "顾明（浦东新区总工会）", ["federation_officer"]),
    # the district labour bureau's liaison for collective contracts: registers receipts and review opinions
    ("bureau_pd", "钱立（浦东新区人社局·集体合同审查）", ["liaison"]),
]
# The small members' presidiums: on the members' congresses path (区域性集体合同 adopted by each bound member's
# congress) each records its own congress's vote on the regional draft from its inbox.
DEMO_MEMBER_USERS: list[tuple[str, str, str, list[str]]] = [
    ("pd-electronics", "presidium_pde", "周敏（浦东精密电子·职代会主席团）", ["presidium"]),
    ("pd-food", "presidium_pdf", "吴刚（浦东食品·职代会主席团）", ["presidium"]),
]
# A regional contract under negotiation, so that the officer has a step to do (区域性集体合同, 劳动合同法 第53条).
DEMO_REGIONAL = {
    "scope": "regional", "title": "浦东新区中小企业区域性集体合同（2027—2029年）", "region": "浦东新区",
    "employer_side": "浦东新区企业联合会", "term_years": 3,
    "clauses": [{"title": "劳动报酬", "text": "区域内企业职工月工资不低于2800元，每年增长不低于5%。"},
                {"title": "工作时间", "text": "每周工作时间不超过40小时。"},
                {"title": "休息休假", "text": "职工享受带薪年休假不少于5天。"}],
    "floors": [{"key": "minimum_wage", "value": 2800, "unit": "元/月", "direction": "min"},
               {"key": "wage_growth", "value": 5, "unit": "%", "direction": "min"},
               {"key": "weekly_hours", "value": 40, "unit": "小时", "direction": "max"}],
}
# the enterprise's labour-dispute mediation committee (劳动争议调解仲裁法 第10条): both sides, a union-member chair
DEMO_MEDIATION_COMMITTEE = [
    {"username": "mediation_zhao", "side": "worker", "union_member": True, "chair": True},
    {"username": "mediator_qian", "side": "worker", "union_member": True},
    {"username": "mediation_feng", "side": "employer"},
]

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹"
_GIVEN = ["芳", "强", "伟", "洋", "静", "敏", "刚", "丽", "军", "磊", "娜", "涛", "燕", "杰", "霞"]
# code, name, members, heads: the departments whose people get the tasks handed to them (a proposal's handling)
DEMO_DEPARTMENTS = [("logistics", "后勤保障部", ["dept_logistics"], ["dept_logistics"]),
                    ("hr", "人力资源部", ["hr_chen"], ["hr_chen"])]
# seat number -> demo account that votes with it; the other seats get accounts rep04..rep30 from the import
_LINKED = {1: "rep_wang", 2: "rep_li", 3: "delegation_wu"}


def _roster_csv() -> bytes:
    categories = ["一线职工"] * 22 + ["技术人员"] * 4 + ["中层管理人员"] * 3 + ["高层管理人员(领导人员)"]
    names = {1: "王芳", 2: "李强", 3: "吴刚", 4: "孙晓东"}  # 4: not 陈静, the name of the HR demo user
    lines = ["姓名,工号,代表团,类别,性别,派遣,当选日期,用户名"]
    for i in range(1, 31):
        name = names.get(i, _SURNAMES[i % len(_SURNAMES)] + _GIVEN[i % len(_GIVEN)] + ("" if i < 16 else "红"))
        lines.append(f"{name},E{i:04d},第{(i - 1) % 3 + 1}代表团,{categories[i - 1]},{'女' if i % 2 else '男'},"
                     f"{'是' if i in (28, 29) else '否'},2025-01-01,{_LINKED.get(i, f'rep{i:02d}')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def seed_congress(uow: UnitOfWork, rules, sheet_file: str | Path | None = None) -> bool:
    """A demo enterprise with its 5th congress term, 30 seated representatives with web accounts and a planned
    meeting; the new accounts' initial passwords are written to ``sheet_file`` (CSV, readable by the owner only).

    Returns:
        False when a demo organisation exists already (nothing is changed).
    """
    with uow:
        if uow.session.scalar(select(Organisation.id).limit(1)) is not None:
            return False
    org = roster.create_organisation(uow, name="华东机械制造有限公司", headcount=600, women_count=250,
                                     dispatched_count=30, actor=SYSTEM)
    term = roster.create_term(uow, org.id, number=5, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2029, 12, 31),
                              actor=SYSTEM)
    done = roster_import.import_roster(uow, term.id, _roster_csv(), actor=SYSTEM, create_accounts=True)
    if sheet_file is not None:
        _write_private(Path(sheet_file), accounts.sheet_csv(done["accounts"]))
    today = local_today(uow)
    meetings.create_meeting(uow, term.id, session_number=2, held_on=max(today + dt.timedelta(days=14),
                                                                          dt.date(2025, 1, 2)),
                            rules=rules, actor=SYSTEM, title="第五届职工代表大会第二次会议")
    return True


def _seed_departments(uow: UnitOfWork) -> None:
    """The demo departments that do not exist yet (their members are demo users)."""
    with uow:
        known = set(departments.names(uow))
    for code, name, members, heads in DEMO_DEPARTMENTS:
        if code not in known:
            departments.save_department(uow, code, name=name, members=members, heads=heads, actor=SYSTEM)


def _write_private(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)  # before any password is written
    path.write_bytes(content)


def _seed_federation(uow: UnitOfWork) -> int:
    """The demo federation with the installation's first organisation (华东机械) and two more enterprises as its
    members, created once; returns the federation's id."""
    code, name, region = DEMO_FEDERATION
    with uow:
        found = tenancy.by_code(uow.session, code)
    if found is not None:
        return found.id
    fed = organisations.create_organisation(uow, SYSTEM, code, name=name, kind=tenancy.FEDERATION, region=region)
    organisations.update_organisation(uow, SYSTEM, tenancy.DEFAULT_ORG, name="华东机械制造有限公司", parent=code,
                                      region=region, industry="机械制造", headcount=600)
    for member, member_name, industry, headcount in DEMO_MEMBERS:
        organisations.create_organisation(uow, SYSTEM, member, name=member_name, parent=code, region=region,
                                          industry=industry, headcount=headcount)
    return fed["id"]


def _seed_regional(uow: UnitOfWork, federation: int) -> None:
    """The demo regional contract, once, with one negotiation session behind it (needs the bundled diagrams)."""
    officer = Actor(DEMO_FEDERATION_USERS[0][0], frozenset({regional.FEDERATION_OFFICER}), org_id=federation)
    with tenancy.acting_for(federation):
        with uow:
            if uow.session.scalar(select(RegionalContract.id).limit(1)) is not None:
                return
            try:
                find_version(uow.session, regional.PROCESS_ID)
            except NotFound:
                return
        row = regional.create(uow, DEMO_REGIONAL, actor=officer, rules=Rules())
        session = {"held_on": local_today(uow).isoformat(), "place": "浦东新区总工会三楼会议室",
                   "participants": "总工会方：顾明等5人；企业方：浦东新区企业联合会5人",
                   "summary": "双方交换了工资增长幅度的意见：企业方提出4%，总工会方坚持不低于5%，约定下次继续协商。",
                   "outcome": "continue"}
        regional.drive(uow, row.id, "negotiate", regional.negotiation_data(uow, row.id, session), actor=officer)


def seed_demo(uow: UnitOfWork, tokens_file: str | Path) -> list[tuple[str, list[str], str, str]]:
    """Create the demo users that do not exist yet, with a token and a web password each, saved to `tokens_file`.

    Each line of the file is ``username<TAB>roles<TAB>token<TAB>password``.

    The file keeps one line per user: a line of an earlier run for a user created now (the
    database was reset) is replaced, since its token no longer works; other lines are kept.

    Returns:
        (username, roles, token, password) for each user created now; empty when all existed already.
    """
    with uow:
        existing = set(uow.session.scalars(select(User.username)))
    federation = _seed_federation(uow)
    created = []
    with uow:
        members = {code: tenancy.by_code(uow.session, code).id for code, *_ in DEMO_MEMBER_USERS}
    for org, username, display, roles in [(None, *u) for u in DEMO_USERS] + \
            [(federation, *u) for u in DEMO_FEDERATION_USERS] + [(members[c], *u) for c, *u in DEMO_MEMBER_USERS]:
        if username in existing:
            continue
        with tenancy.acting_for(org):
            _, token = create_user(uow, username, roles, actor=SYSTEM, display_name=display, token_label="demo")
        password = generate_password()
        set_password(uow, username, password, actor=SYSTEM)
        created.append((username, roles, token, password))
    _seed_departments(uow)
    _seed_regional(uow, federation)
    if not committee.roster(uow):
        committee.set_roster(uow, DEMO_MEDIATION_COMMITTEE, actor=SYSTEM)
    if created:
        path = Path(tokens_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)  # before any token is written
        now = {username for username, *_ in created}
        kept = [line for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and line.split("\t", 1)[0] not in now]
        new = [f"{username}\t{','.join(roles)}\t{token}\t{password}" for username, roles, token, password in created]
        path.write_text("".join(f"{line}\n" for line in kept + new), encoding="utf-8")
    return created
