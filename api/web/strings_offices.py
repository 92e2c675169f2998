"""Strings of the contract office and the disclosure office pages: key -> (zh-CN, en)."""

from __future__ import annotations

_STAGES = {
    "requested": ("已提出协商要求", "Requested"), "escalated": ("已提请处理", "Escalated"),
    "representatives": ("确定协商代表", "Representatives"), "preparation": ("协商准备", "Preparation"),
    "negotiating": ("协商中", "Negotiating"), "suspended": ("协商中止", "Suspended"),
    "dispute": ("争议协调", "Dispute coordination"), "agreed": ("草案已达成一致", "Draft agreed"),
    "adoption": ("职代会审议", "Congress vote"), "signing": ("首席代表签字", "Signing"),
    "signed": ("已签字", "Signed"), "filed": ("已报送备案", "Filed"), "under_review": ("审查中", "Under review"),
    "effective": ("已生效", "Effective"), "published": ("已公布", "Published"),
    "renewal_window": ("可申请续订", "Renewal window"), "renewed": ("已续订", "Renewed"),
    "expired": ("已到期", "Expired"), "closed": ("已终止", "Closed"), "abandoned": ("已放弃", "Abandoned"),
}
_NEXT = {
    "requested": ("书面回应协商要求（20日内）", "Reply to the request in writing (within 20 days)"),
    "escalated": ("上级工会或劳动保障部门处理", "The upper union or the labour bureau decides"),
    "representatives": ("双方确定并确认协商代表", "Both sides name and confirm their negotiators"),
    "preparation": ("提出并确认协商议题、时间、地点和记录员", "Propose and confirm topics, time, place and recorder"),
    "negotiating": ("召开协商会议、记录纪要、提出草案，首席代表签认纪要并同意草案",
                    "Hold meetings, record minutes, table drafts; the chiefs sign minutes and agree a draft"),
    "suspended": ("在约定日期恢复协商", "Resume on the agreed date"),
    "dispute": ("劳动保障部门协调处理（30日内）", "The labour bureau coordinates (within 30 days)"),
    "agreed": ("主席团将草案提交职工代表大会审议（应到代表三分之二以上出席）",
               "The presidium submits the draft to the congress (two thirds present)"),
    "adoption": ("职工代表表决", "The representatives vote"),
    "signing": ("双方首席代表签字", "Both chief negotiators sign"),
    "signed": ("用人单位报送劳动保障部门备案（10日内，工资协议7日内）",
               "The employer files it with the labour bureau (10 days; wage agreements 7)"),
    "filed": ("联络员登记劳动保障部门收到文本的日期", "The liaison records the bureau's receipt"),
    "under_review": ("劳动保障部门15日内审查；有异议时登记审查意见", "The bureau reviews within 15 days"),
    "effective": ("向全体职工公布", "Publish it to all workers"),
    "published": ("到期前可申请续订", "Either side may ask to renew before expiry"),
    "renewal_window": ("申请续订", "Ask to renew"),
}
_WHO = {
    "other_side": ("被要求方", "The side asked"), "liaison": ("联络员", "The liaison"),
    "both_sides": ("双方协商代表", "Both sides' negotiators"), "recorder_chiefs": ("记录员和双方首席代表",
                                                                               "The recorder and both chiefs"),
    "presidium": ("主席团", "The presidium"), "representatives": ("职工代表", "The representatives"),
    "chiefs": ("双方首席代表", "Both chief negotiators"), "employer": ("用人单位方", "The employer"),
    "union": ("工会（职工）方", "The union side"),
}
_DEADLINES = {"reply": ("书面回应期限", "Reply due"), "filing": ("报送期限", "Filing due"),
              "review": ("审查期限", "Review ends"), "publication": ("公布期限", "Publication due"),
              "renewal_window": ("续订申请期", "Renewal window"), "vacancy": ("补选代表期限", "Vacancy to fill"),
              "coordination": ("协调期限", "Coordination due")}

OFFICE_STRINGS: dict[str, tuple[str, str]] = {
    "nav.contracts": ("集体合同", "Contracts"),
    "ct.list_title": ("集体合同", "Collective contracts"),
    "ct.list_public": ("以下是已向全体职工公布的集体合同。", "The collective contracts published to all workers."),
    "ct.none": ("暂无集体合同。", "No contracts."),
    "ct.title": ("名称", "Title"), "ct.kind": ("类型", "Kind"), "ct.stage": ("阶段", "Stage"),
    "ct.expires_on": ("期满日", "Expires"),
    "ct.kind.comprehensive": ("集体合同", "Collective contract"),
    "ct.kind.wage": ("工资专项集体合同", "Wage agreement"),
    "ct.kind.women": ("女职工权益保护专项集体合同", "Women workers' contract"),
    "ct.now": ("当前阶段", "Now"), "ct.who": ("办理人", "Who"),
    "ct.negotiators": ("协商代表", "Negotiators"), "ct.chief": ("首席代表", "Chief"),
    "ct.outside": ("外部专业人员", "Outside expert"), "ct.ended": ("{day} 离任", "left on {day}"),
    "ct.none_yet": ("暂无。", "None yet."),
    "ct.meetings": ("协商会议", "Meetings"), "ct.meeting_no": ("第{n}次协商会议", "Meeting {n}"),
    "ct.outcome.continue": ("继续协商", "Continue"), "ct.outcome.suspended": ("中止协商", "Suspended"),
    "ct.minutes_signed_by": ("纪要签字（工会方 / 用人单位方首席代表）", "Minutes signed (union / employer chief)"),
    "ct.sign_minutes": ("签认本次会议纪要", "Sign these minutes"),
    "ct.drafts": ("合同草案", "Drafts"), "ct.draft_no": ("第{n}稿", "Version {n}"),
    "ct.clauses": ("{n} 条", "{n} clauses"),
    "ct.diff": ("与上一稿相比：新增 {added}，修改 {changed}，删除 {removed}",
                "Against the previous version: {added} added, {changed} changed, {removed} removed"),
    "ct.agree": ("同意本稿（首席代表）", "Agree this version (chief)"),
    "ct.sign": ("签署合同（首席代表）", "Sign the contract (chief)"),
    "ct.filings": ("备案", "Filings"), "ct.filing_no": ("第{n}次报送", "Filing {n}"),
    "ct.received": ("劳动保障部门收到：{day}", "received by the bureau: {day}"),
    "ct.package": ("备案材料（可打印）", "Filing package (printable)"),
    "ct.publication": ("向全体职工公布", "Published to all workers"),
    "ct.notice": ("公布文本", "The published notice"),
    "ct.not_published": ("该合同尚未公布。", "This contract has not been published."),
    "ct.refused": ("未能办理：{message}", "Refused: {message}"),
    "ct.minutes_signed": ("已签认会议纪要。", "Minutes signed."),
    "ct.agreed": ("已同意本稿。", "Draft agreed."),
    "ct.signed": ("已签字。", "Signed."),
}
OFFICE_STRINGS.update({f"ct.stage.{k}": v for k, v in _STAGES.items()})
OFFICE_STRINGS.update({f"ct.next.{k}": v for k, v in _NEXT.items()})
OFFICE_STRINGS.update({f"ct.who.{k}": v for k, v in _WHO.items()})
OFFICE_STRINGS.update({f"ct.deadline.{k}": v for k, v in _DEADLINES.items()})
