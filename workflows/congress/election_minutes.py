"""The elections and recalls of a meeting in its minutes (会议纪要): every published round with its count, each
candidate's votes and who was elected (registered as a section of `minutes.compose`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.congress.election_tables import Election, ElectionRound
from workflows.congress.minutes import register_section
from workflows.congress.tables import Matter, Meeting
from workflows.numerals import chinese


def _entry(entry: dict) -> str:
    name = entry["name"] + ("（另选他人）" if entry["write_in"] else "")
    if entry["against"] is None:
        return f"{name}{entry['for']}票"
    return f"{name}赞成{entry['for']}票、反对{entry['against']}票、弃权{entry['abstain']}票"


def _round_lines(matter: Matter, election: Election, rnd: ElectionRound) -> list[str]:
    result = rnd.result or {}
    kind = "罢免" if election.kind == "recall" else "选举"
    ballot = "无记名投票" if rnd.secret else "记名投票"
    lines = [f"{matter.title}（{kind}，第{chinese(rnd.number)}轮，{ballot}）：应到{result['seated']}人，"
             f"实到{result['present']}人，发出选票{result['ballots_issued']}张，收回{result['ballots_cast']}张。"
             f"{result['rule']}"]
    for post in result["posts"]:
        votes = "；".join(_entry(e) for e in post["entries"])
        lines.append(f"   {post['title']}（{post['seats']}名）：{votes}。")
        outcome = ("罢免：" if election.kind == "recall" else "当选：") + ("、".join(post["elected"]) or "无")
        if post["unfilled"]:
            outcome += f"；{post['unfilled']}个名额未选出"
        lines.append(f"   {outcome}。")
    return lines


@register_section
def election_section(s: Session, meeting: Meeting) -> list[str]:
    """The published rounds of the meeting's elections and recalls, in agenda order."""
    lines: list[str] = []
    rows = s.execute(select(Matter, Election).join(Election, Election.matter_id == Matter.id)
                     .where(Matter.meeting_id == meeting.id).order_by(Matter.position)).all()
    for matter, election in rows:
        for rnd in s.scalars(select(ElectionRound).where(ElectionRound.election_id == election.id,
                                                         ElectionRound.status == "published")
                             .order_by(ElectionRound.number)):
            lines += _round_lines(matter, election, rnd)
    return ["选举和罢免情况：", *lines] if lines else []
