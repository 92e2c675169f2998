"""Texts of the casework pages (工会个案: 劳动争议调解): key -> (zh-CN, en)."""

from __future__ import annotations

CASEWORK_STRINGS: dict[str, tuple[str, str]] = {
    "nav.mediations": ("劳动争议调解", "Dispute mediation"),
    "md.list_title": ("劳动争议调解", "Labour-dispute mediation"),
    "md.list_intro": ("你作为当事人、调解员或调解委员会成员可以查看的调解案件。其他人看不到这些案件。",
                      "The mediation cases you are a party to, mediate, or see as a committee member. "
                      "Nobody else sees them."),
    "md.none": ("暂无调解案件。", "No mediation cases."),
    "md.new": ("申请调解", "Apply for mediation"),
    "md.new_intro": ("向企业劳动争议调解委员会书面申请调解。调解委员会应当自收到申请之日起十五日内调解；"
                     "十五日内未达成调解协议的，你可以依法申请仲裁。",
                     "Apply in writing to the enterprise's mediation committee. Without an agreement within "
                     "15 days of receiving your application, you may apply for arbitration."),
    "md.case": ("调解案件 第{id}号", "Mediation case no. {id}"),
    "md.respondent": ("被申请人", "Other party"),
    "md.respondent_help": ("通常是本企业，或与你发生争议的部门。", "Usually the enterprise, or the department."),
    "md.claim": ("争议事项和请求", "Dispute and request"),
    "md.claim_help": ("写明事实、理由和你的请求。只有当事人、调解员和调解委员会能看到。",
                      "The facts, the reasons and what you ask. Only the parties, the mediator and the "
                      "committee can read it."),
    "md.co_applicants": ("共同申请人（可选）", "Co-applicants (optional)"),
    "md.co_applicants_help": ("集体申请时填写其他申请职工的用户名，用逗号分隔。",
                              "For a group application: the other workers' usernames, comma-separated."),
    "md.submit": ("提交申请", "Submit the application"),
    "md.filed": ("已提交调解申请。", "Your application was submitted."),
    "md.applicants": ("申请人", "Applicants"),
    "md.status": ("状态", "Status"),
    "md.received_at": ("收到申请", "Received"),
    "md.due_at": ("调解期限", "Mediation deadline"),
    "md.mediator": ("调解员", "Mediator"),
    "md.closed_at": ("结束时间", "Closed"),
    "md.oral": ("口头申请（调解委员会记录）", "Oral application (recorded by the committee)"),
    "md.refusal_reason": ("不予受理的理由", "Reason for refusal"),
    "md.outcome_note": ("调解结果", "Outcome"),
    "md.sessions": ("调解笔录", "Session records"),
    "md.sessions_none": ("暂无调解笔录。", "No sessions yet."),
    "md.documents": ("文书", "Documents"),
    "md.agreement": ("调解协议书", "Mediation agreement"),
    "md.referral": ("仲裁告知书", "Referral to arbitration"),
    "md.arbitration_note": ("调解不成的，你可以依法向劳动争议仲裁委员会申请仲裁。申请仲裁的时效期间为一年，"
                            "从知道或者应当知道权利被侵害之日起计算（劳动争议调解仲裁法 第27条）。",
                            "Without an agreement you may apply to the labour-dispute arbitration committee. "
                            "The limitation period is one year from the day you knew or should have known of "
                            "the infringement (art. 27)."),
    "md.extension": ("经双方同意延长 {n} 日", "extended by {n} days with both parties' consent"),
    "md.status.received": ("待受理", "Awaiting acceptance"),
    "md.status.mediating": ("调解中", "Being mediated"),
    "md.status.refused": ("不予受理", "Not accepted"),
    "md.status.agreed": ("达成协议", "Agreement reached"),
    "md.status.failed": ("调解不成", "No agreement"),
    "md.err.claim": ("请填写被申请人和争议事项（不超过 {n} 字）。", "Name the other party and the dispute "
                     "(at most {n} characters)."),
}
