"""Service-task handlers of appraisal.bpmn: open the vote, and tally it when it closes."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from engine.notifications import Role, notify
from engine.steps import current_step
from workflows.casework import records
from workflows.casework.appraisal import (
    DISSATISFIED,
    ORGANISER,
    REPRESENTATIVE,
    distribution,
    needs_follow_up,
)
from workflows.casework.tables import Appraisal, AppraisalItem
from workflows.hooks import service


def _record(params: dict[str, Any]) -> Appraisal:
    return records.fetch(current_step().uow.session, Appraisal, int(params["appraisal_id"]), "appraisal", lock=True)


@service("casework.appraisal_attach")
def attach(params: dict[str, Any], data: dict[str, Any]) -> str:
    """Link the appraisal to this instance and invite the electorate."""
    step = current_step()
    record = records.attach(Appraisal, int(params["appraisal_id"]), "appraisal", "POST /api/v1/casework/appraisals")
    if record.electorate == "representatives":  # all workers: announced by the union, not one notice each
        notify(step.uow, Role(REPRESENTATIVE), "casework.appraisal_open", f"请参加评议：{record.title}",
               "无记名评议，截止前完成。 Please take part in the secret appraisal.",
               f"/casework/appraisals/{record.id}", f"appraisal:{record.id}:open")
    records.audit(step.uow, record, "casework.appraisal_opened", {"closes_at": record.closes_at.isoformat()},
                  step.actor)
    return record.status


@service("casework.appraisal_tally")
def tally(params: dict[str, Any], data: dict[str, Any]) -> int:
    """Close the vote, mark items whose dissatisfied share passes the threshold; returns how many."""
    step = current_step()
    record = _record(params)
    record.status, record.closed_at = "closed", step.uow.now()
    threshold, bad = Fraction(record.dissatisfied_share), DISSATISFIED[record.scale]
    flagged = []
    for row in distribution(step.uow, record):
        dissatisfied = sum(row["counts"][g] for g in bad)
        if needs_follow_up(dissatisfied, row["ballots"], threshold):
            step.uow.session.get(AppraisalItem, row["item_id"]).follow_up = True
            flagged.append(row["name"])
    records.audit(step.uow, record, "casework.appraisal_tallied", {
        "results": distribution(step.uow, record), "follow_up": flagged}, step.actor)
    if flagged:
        notify(step.uow, Role(ORGANISER), "casework.appraisal_follow_up", f"评议结果需要跟进：{record.title}",
               "、".join(flagged), f"/casework/appraisals/{record.id}", f"appraisal:{record.id}:follow_up")
    return len(flagged)
