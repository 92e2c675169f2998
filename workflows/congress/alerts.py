"""Whom the congress tells what: a vote opened in your meeting, your proposal's screening and its reply.

Each function runs inside the transaction of the change it reports (engine.notifications.notify).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.notifications import notify
from engine.unit_of_work import UnitOfWork
from workflows.congress.roster import seated_query
from workflows.congress.tables import Cosignature, Matter, Meeting, Proposal, Representative, Vote
from workflows.hooks import on_task

DECISIONS = {"not_registered": "不予立案", "turned_into_opinion": "转为意见建议", "merged": "并案处理"}


def seated_usernames(uow: UnitOfWork, meeting: Meeting) -> list[str]:
    """The accounts of the representatives seated on the meeting day."""
    return list(uow.session.scalars(seated_query(meeting.term_id, meeting.held_on)
                                    .where(Representative.username.is_not(None))
                                    .with_only_columns(Representative.username)))


def vote_opened(uow: UnitOfWork, vote: Vote, matter: Matter, meeting: Meeting) -> int:
    """Tell every representative seated in the meeting (with an account) that the vote on a matter is open."""
    return notify(uow, seated_usernames(uow, meeting), "vote.opened", f"表决开始：{matter.title}",
                  f"本次会议的“{matter.title}”已开始表决，请投票。(A vote is open in your meeting.)",
                  f"/congress/votes/{vote.id}/ballot", f"vote.opened/{vote.id}")


def _proposer(uow: UnitOfWork, proposal: Proposal) -> list[str]:
    username = uow.session.scalar(select(Representative.username)
                                  .where(Representative.id == proposal.proposer_id))
    return [username] if username else []


def cosign_invited(uow: UnitOfWork, proposal: Proposal, reason: str | None, measures: str | None) -> int:
    """Ask each co-signer (with an account) to confirm, with the proposal's full text in the notice."""
    usernames = list(uow.session.scalars(
        select(Representative.username).join(Cosignature, Cosignature.representative_id == Representative.id)
        .where(Cosignature.proposal_id == proposal.id, Representative.username.is_not(None))))
    proposer = uow.session.get(Representative, proposal.proposer_id)
    body = (f"{proposer.name}提出提案，请您附议。案由：{proposal.title}。理由：{reason or '—'}。"
            f"建议措施：{measures or '—'}。(You are asked to co-sign a proposal.)")
    return notify(uow, usernames, "proposal.cosign", f"请为提案附议：{proposal.title}", body,
                  f"/congress/proposals/{proposal.id}", f"proposal.cosign/{proposal.id}")


def proposal_screened(uow: UnitOfWork, proposal: Proposal, status: str, reason: str | None) -> int:
    """Tell the proposer that the committee did not register the proposal, and why."""
    decision = DECISIONS.get(status, status)
    body = f"您的提案“{proposal.title}”审查结论：{decision}。" + (f"理由：{reason}" if reason else "")
    return notify(uow, _proposer(uow, proposal), "proposal.screened", f"提案审查结论：{proposal.title}",
                  body + " (Your proposal was screened.)", f"/congress/proposals/{proposal.id}",
                  f"proposal.screened/{proposal.id}")


@on_task("proposal", "handle", "completed")
def reply_ready(uow: UnitOfWork, task, data: dict[str, Any]) -> None:
    """Tell the proposer that the handling department replied (each round once)."""
    proposal = uow.session.get(Proposal, int(data["proposal_id"])) if data.get("proposal_id") else None
    if proposal is None:
        return
    notify(uow, _proposer(uow, proposal), "proposal.replied", f"提案已答复：{proposal.title}",
           f"承办部门已答复您的提案“{proposal.title}”，请查看并评价。(Your proposal has a reply; please rate it.)",
           f"/congress/proposals/{proposal.id}", f"proposal.replied/{proposal.id}/{task.id}")
