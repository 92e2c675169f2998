"""The election notice (选举结果公告), HTML and PDF like the resolution notice: every candidate's votes, who is
elected (or recalled), the rule in words, the scrutineers who confirmed the count and the audit hash."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from workflows import notices
from workflows import rules as r

BASIS = {"zh-CN": "《企业民主管理规定》第二十条；《全民所有制工业企业职工代表大会条例》第十八条",
         "en": "企业民主管理规定 art. 20; 1986 职工代表大会条例 art. 18"}

TEXT: dict[str, dict[str, str]] = {
    "zh-CN": {
        "heading": "职工代表大会选举结果公告", "heading_recall": "职工代表大会罢免结果公告",
        "intro": "{meeting}以{mode}方式进行了《{title}》第{round}轮投票，经监票人确认计票结果，现公告如下。",
        "secret": "无记名投票", "named": "记名投票", "post": "职位", "seats": "应选名额", "candidate": "候选人",
        "for": "赞成", "against": "不赞成", "abstain": "弃权", "elected": "当选", "not_elected": "未当选",
        "tied": "票数相等，另行投票", "write_in": "（另选他人）", "recalled": "罢免", "kept": "未罢免",
        "seated": "全体职工代表（应到）", "present": "出席代表（实到）", "ballots_issued": "发出选票",
        "ballots_cast": "收回选票", "valid": "有效票", "votes_required": "当选所需赞成票",
        "rule": "当选规则", "basis": "依据", "elected_list": "当选人", "none": "无", "further": "另行选举",
        "scrutineers": "监票人（已确认计票）", "chief": "总监票人", "people": "人", "votes": "票",
        "published": "公布时间", "closing": "特此公告。", "verify": "核验信息",
        "audit_hash": "审计链哈希（本次会议最新审计事件）", "checkpoint": "最近一次签名审计检查点",
        "verify_note": "纸质公告可凭此哈希值与 dmflow 审计记录核对。", "colon": "：", "round": "第{n}轮",
    },
    "en": {
        "heading": "Election Result of the Workers' Congress",
        "heading_recall": "Recall Result of the Workers' Congress",
        "intro": "{meeting} held round {round} of '{title}' by {mode}; the scrutineers confirmed the count.",
        "secret": "secret ballot", "named": "named ballot", "post": "Post", "seats": "Seats",
        "candidate": "Candidate",
        "for": "For", "against": "Against", "abstain": "Abstain", "elected": "Elected", "not_elected": "Not elected",
        "tied": "Tied: further round", "write_in": " (write-in)", "recalled": "Recalled", "kept": "Not recalled",
        "seated": "Seated representatives", "present": "Present", "ballots_issued": "Ballots issued",
        "ballots_cast": "Ballots returned", "valid": "Valid ballots", "votes_required": "Votes needed",
        "rule": "Rule", "basis": "Basis", "elected_list": "Elected", "none": "none", "further": "Further round",
        "scrutineers": "Scrutineers (confirmed the count)", "chief": "chief scrutineer", "people": "", "votes": "",
        "published": "Published", "closing": "", "verify": "Verification",
        "audit_hash": "Audit-trail hash (latest audit event of this meeting)",
        "checkpoint": "Latest signed audit checkpoint",
        "verify_note": "A paper copy can be checked against the dmflow audit trail with this hash.", "colon": ": ",
        "round": "round {n}",
    },
}


def election_rule_text(seated: int, votes_required: int, lang: str, kind: str = "election") -> str:
    """The rule a round's result applies, in words."""
    if kind == "recall":
        return {"zh-CN": f"罢免须经全体职工代表（{seated}人）过半数赞成，即至少{votes_required}票"
                         f"（{BASIS['zh-CN']}）。",
                "en": f"A recall needs more than half of all {seated} seated representatives in favour, i.e. "
                      f"{votes_required} votes ({BASIS['en']})."}[lang]
    return {"zh-CN": f"候选人获得的赞成票超过全体职工代表（{seated}人）的半数，即至少{votes_required}票，始得当选；"
                     "获得过半数赞成票的候选人多于应选名额时，按得票多少的顺序确定当选人；票数相等不能确定当选人时，"
                     "就票数相等的候选人另行投票；当选人数少于应选名额时，不足的名额另行选举"
                     f"（{BASIS['zh-CN']}）。",
            "en": f"A candidate is elected with more than half of all {seated} seated representatives in favour, "
                  f"i.e. at least {votes_required} votes; when more qualify than seats, by votes in descending "
                  "order; a tie for the last seats and seats left unfilled go to a further round "
                  f"({BASIS['en']})."}[lang]


def further_round_text(reason: str, rules: r.Rules, lang: str) -> str:
    """Which candidates the rule names for a further round, in words."""
    extra = rules.election_competitive_min_extra
    if reason == "tie":
        return {"zh-CN": "得票相等的候选人多于剩余名额，就这些候选人另行投票。",
                "en": "Candidates tied for the last seats: a further round among them."}[lang]
    return {"zh-CN": f"当选人数少于应选名额，在未当选的候选人中按得票多少依次确定候选人（剩余名额加{extra}人，"
                     "末位票数相等的一并列入）另行选举，当选仍须超过全体职工代表半数。",
            "en": f"Seats left unfilled: a further round among the candidates not elected, in descending order of "
                  f"votes, as many as the seats left plus {extra} (ties at the cut-off included); election still "
                  "needs more than half of all seated representatives."}[lang]


def render_election_notice(notice: Mapping[str, Any], *, lang: str = "zh-CN",
                           tz: str = "Asia/Shanghai") -> notices.Notice:
    """Render the election notice as HTML and PDF (see `render_election_notice_html`).

    Raises:
        NoticeUnavailable: the PDF cannot be produced here.
    """
    page = render_election_notice_html(notice, lang=lang, tz=tz)
    pdf = notices.render_pdf(page)
    return notices.Notice(html=page, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
                          html_sha256=hashlib.sha256(page.encode("utf-8")).hexdigest())


def render_election_notice_html(notice: Mapping[str, Any], *, lang: str = "zh-CN", tz: str = "Asia/Shanghai") -> str:
    """Render the election notice as a standalone HTML page (the PDF is rendered from it).

    Args:
        notice: ``organisation``, ``meeting``, ``title``, ``round`` (number), ``kind`` (election / recall),
            ``secret``, ``result`` (a round's stored result), ``scrutineers`` ([{name, chief}]),
            ``published_at`` (aware datetime), ``audit_hash``, optional ``checkpoint``.
    """
    t, zone = TEXT[lang], ZoneInfo(tz)
    published: datetime = notice["published_at"]
    result, kind = notice["result"], notice["kind"]
    context = {
        "lang": lang, "t": t, "heading": t["heading_recall" if kind == "recall" else "heading"],
        "organisation": notice["organisation"], "meeting": notice["meeting"], "title": notice["title"],
        "intro": t["intro"].format(meeting=notice["meeting"], title=notice["title"], round=notice["round"],
                                   mode=t["secret" if notice["secret"] else "named"]),
        "result": result, "kind": kind, "scrutineers": notice["scrutineers"],
        "rule_text": election_rule_text(result["seated"], result["votes_required"], lang, kind),
        "further": [f["text" if lang == "zh-CN" else "text_en"] for f in result.get("further", [])],
        "published": notices._moment(published, lang, zone),
        "signature_date": notices._local_date(published.astimezone(zone).date(), lang),
        "audit_hash": notice["audit_hash"], "checkpoint": notice.get("checkpoint"),
        "qr": Markup(notices._qr_svg(notice["audit_hash"], notice.get("checkpoint"))),  # noqa: S704  (segno's SVG)
    }
    return notices._environment().get_template("election_notice.html").render(context)
