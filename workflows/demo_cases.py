"""Demo cases, so that every demo role has something to do: one proposal at each stage (co-signing, screening,
registered, being handled, answered and awaiting the rating, published) and two resolutions (one to draft, one
for the delegations to deliberate). Driven through the diagrams as the people would, created once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.identity import Actor
from engine.models import HumanTask, ProcessVersion
from engine.runtime import complete_task, start_instance
from engine.unit_of_work import UnitOfWork
from workflows.congress import proposals
from workflows.congress.tables import Proposal

# username -> roles of the demo users who act below (workflows.demo.DEMO_USERS)
_ROLES = {"rep_wang": {"representative"}, "rep_li": {"representative"}, "rep04": {"representative"},
          "rep05": {"representative"}, "delegation_wu": {"delegation", "representative"},
          "committee_zhang": {"proposal_committee"}, "hr_chen": {"hr"},
          "dept_logistics": {"handling_department"}, "drafting_zhou": {"drafting_group"}}
# employee numbers of the seats (workflows.demo._LINKED and the rep04… accounts)
_SEAT = {"rep_wang": "E0001", "rep_li": "E0002", "delegation_wu": "E0003", "rep04": "E0004", "rep05": "E0005"}

# (stage it stops at, proposer, co-signers, title, reason, measures, handling department)
PROPOSALS: list[tuple[str, str, list[str], str, str, str, str]] = [
    ("cosigning", "rep_li", ["rep_wang", "rep04"], "关于增设夜班职工通勤班车的提案",
     "三车间夜班 22:00 下班，公交已停运，职工自行打车费用高、安全隐患大。",
     "开通 22:15 发车的夜班通勤班车两条线路，覆盖主要居住区。", "logistics"),
    ("screening", "rep04", ["rep_li", "rep05"], "关于改善高温车间防暑降温条件的提案",
     "铸造车间夏季室温超过 35℃，现有风扇降温效果差。",
     "加装冷风机，调整高温时段作息，按规定足额发放高温津贴。", "logistics"),
    ("registered", "rep05", ["rep_wang", "rep_li"], "关于完善职工带薪年休假安排的提案",
     "部分班组年休假长期休不满，未休天数也未按规定支付报酬。",
     "各部门年初制定休假计划，人力资源部按季度检查落实。", "hr"),
    ("handling", "rep_wang", ["rep_li", "rep04"], "关于建立技能等级与薪酬挂钩机制的提案",
     "取得高级工、技师证书的职工待遇与普通工相同，学技术积极性不高。",
     "制定技能等级津贴标准，将技能等级纳入岗位薪酬体系。", "hr"),
    ("answered", "rep_wang", ["rep04", "rep05"], "关于食堂增加夜班供餐的提案",
     "夜班职工凌晨用餐只能吃泡面，影响身体健康。", "食堂在 0:00—1:00 供应热食，价格与白天一致。", "logistics"),
    ("published", "rep_li", ["rep_wang", "rep05"], "关于厂区增设电动自行车充电桩的提案",
     "职工电动自行车在车棚私拉电线充电，存在火灾隐患。", "在东、西车棚各建设 20 个智能充电桩，按成本价收费。",
     "logistics"),
]
_ORDER = ("cosigning", "screening", "registered", "handling", "answered", "rated", "published")


def _actor(username: str) -> Actor:
    return Actor(username, frozenset(_ROLES[username]))


def _task(uow: UnitOfWork, instance_id: str, element_id: str) -> str:
    with uow:
        return uow.session.scalar(select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                                             HumanTask.element_id == element_id,
                                                             HumanTask.state == "ready"))


def _step(uow: UnitOfWork, instance_id: str, element_id: str, data: dict[str, Any], username: str) -> None:
    complete_task(uow, _task(uow, instance_id, element_id), data, actor=_actor(username))


def _proposal(uow: UnitOfWork, stop: str, proposer: str, cosigners: list[str], title: str, reason: str,
              measures: str, department: str) -> None:
    reached = _ORDER.index(stop)
    instance = start_instance(uow, "proposal", actor=_actor(proposer))
    _step(uow, instance, "submit", {"title": title, "reason": reason, "measures": measures,
                                    "cosigners": [_SEAT[c] for c in cosigners]}, proposer)
    if reached < _ORDER.index("screening"):
        return
    with uow:
        proposal_id = uow.session.scalar(select(Proposal.id).where(Proposal.instance_id == instance))
    for cosigner in cosigners:
        proposals.cosign(uow, proposal_id, True, "同意附议。", actor=_actor(cosigner))
    if reached < _ORDER.index("registered"):
        return
    _step(uow, instance, "screen", {"decision": "accept", "screening_reason": "符合立案条件，予以立案。"},
          "committee_zhang")
    if reached < _ORDER.index("handling"):
        return
    _step(uow, instance, "assign", {"handling_department": department, "due_days": 30,
                                    "assignment_note": "请按期答复提案人。"}, "committee_zhang")
    if reached < _ORDER.index("answered"):
        return
    _step(uow, instance, "handle", {"reply": "经研究，同意提案建议，已制定实施方案。", "measures_taken": measures,
                                    "signed_by": "郑军", "contacted_proposer": True}, "dept_logistics")
    if reached < _ORDER.index("rated"):
        return
    _step(uow, instance, "rate", {"satisfaction": "satisfied", "rating_comment": "答复及时，措施具体。"}, proposer)
    _step(uow, instance, "report", {"report_summary": "已完成建设并投入使用。", "implementation_status": "implemented"},
          "committee_zhang")


def _resolutions(uow: UnitOfWork) -> None:
    """One resolution waiting for its draft (drafting group), one waiting for the delegations' deliberation."""
    start_instance(uow, "resolution", actor=_actor("drafting_zhou"))
    deliberated = start_instance(uow, "resolution", actor=_actor("drafting_zhou"))
    _step(uow, deliberated, "draft", {
        "title": "关于职工食堂扩建及午餐补贴调整方案的决议（草案）", "matter_type": "welfare_decision",
        "text": "一、食堂扩建工程于明年第一季度开工，新增座位 300 个。\n"
                "二、职工午餐补贴由每人每天 12 元调整为 15 元。\n"
                "三、本方案经职工代表大会审议通过后施行，由工会监督落实。"}, "drafting_zhou")


def seed_cases(uow: UnitOfWork) -> bool:
    """Create the demo cases once (after the demo users, departments and congress exist).

    Returns:
        False when proposals exist already, or the congress diagrams are not deployed (nothing is changed).
    """
    with uow:
        if uow.session.scalar(select(Proposal.id).limit(1)) is not None:
            return False
        deployed = set(uow.session.scalars(select(ProcessVersion.process_id).where(
            ProcessVersion.process_id.in_(["proposal", "resolution"]))))
        if deployed != {"proposal", "resolution"}:
            return False
    for case in PROPOSALS:
        _proposal(uow, *case)
    _resolutions(uow)
    return True
