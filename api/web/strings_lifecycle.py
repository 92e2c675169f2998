"""Strings of a contract in force (performance disputes) and of the inspection pages: key -> (zh-CN, en)."""

from __future__ import annotations

LIFECYCLE_STRINGS: dict[str, tuple[str, str]] = {
    "pd.title": ("集体合同履行争议", "Performance disputes"),
    "pd.link": ("履行争议", "Performance disputes"),
    "pd.intro": ("因履行集体合同发生争议，双方先协商解决；协商不成的，工会可以向劳动争议仲裁机构提请仲裁"
                 "（集体合同规定第55条，工会法第20条）。",
                 "A dispute about the contract's performance is negotiated first; if negotiation fails the union may "
                 "apply for arbitration (art. 55; Trade Union Law art. 20)."),
    "pd.number": ("争议 {n}", "Dispute {n}"),
    "pd.raised_by": ("提出方", "Raised by"),
    "pd.clauses": ("涉及条款", "Clauses concerned"),
    "pd.facts": ("争议事实", "Facts"),
    "pd.demand": ("请求事项", "Demand"),
    "pd.agreement": ("协商结果", "Settlement"),
    "pd.agreement_text": ("达成一致的内容（结果为“达成一致”时填写）", "The settlement (when agreed)"),
    "pd.tribunal": ("仲裁机构", "Arbitration committee"),
    "pd.claims": ("仲裁请求", "Claims"),
    "pd.sessions": ("协商记录", "Negotiation sessions"),
    "pd.s.number": ("次数", "Session"),
    "pd.s.nth": ("第{n}次", "No. {n}"),
    "pd.s.held_on": ("协商日期", "Date"),
    "pd.s.place": ("地点", "Place"),
    "pd.s.participants": ("参加人员", "Participants"),
    "pd.s.minutes": ("协商记录", "Record"),
    "pd.s.outcome": ("结果", "Outcome"),
    "pd.no_sessions": ("尚未协商。", "No session yet."),
    "pd.record_session": ("记录一次协商", "Record a session"),
    "pd.save_session": ("保存协商记录", "Save the session"),
    "pd.refer": ("提请劳动争议仲裁", "Refer to arbitration"),
    "pd.refer_button": ("提请仲裁并生成材料", "Refer and build the package"),
    "pd.package": ("下载仲裁材料（合同、争议及协商记录）", "Download the package (contract, dispute, sessions)"),
    "pd.none": ("本合同没有履行争议。", "No performance dispute."),
    "pd.raise": ("提出履行争议", "Raise a dispute"),
    "pd.raise_button": ("提出争议", "Raise"),
    "pd.raised": ("已记录履行争议，并通知对方。", "The dispute is recorded and the other side told."),
    "pd.session_recorded": ("已保存协商记录。", "The session is recorded."),
    "pd.referred": ("已提请仲裁，仲裁材料已生成。", "Referred; the package is ready."),
    "pd.refused": ("未能办理：{message}", "Refused: {message}"),
}
