"""Whom factory-affairs disclosure tells what: a disclosure published, your question answered.

Each function runs inside the transaction of the change it reports (engine.notifications.notify).
"""

from __future__ import annotations

from engine.notifications import INAPP, Role, notify
from engine.unit_of_work import UnitOfWork
from workflows.disclosure.tables import Disclosure, DisclosureQuestion

# Holders of this role are the workforce: a publication reaches them in-app only (mass e-mail is not wanted),
# bounded by NOTIFY_MAX_RECIPIENTS.
WORKER_ROLE = "worker"


def published(uow: UnitOfWork, record: Disclosure) -> int:
    return notify(uow, Role(WORKER_ROLE), "disclosure.published", f"厂务公开：{record.title}",
                  f"“{record.title}”已公开，欢迎查阅并提出问题。(A disclosure was published.)",
                  f"/disclosures/{record.id}", f"disclosure.published/{record.id}", channels=(INAPP,))


def question_answered(uow: UnitOfWork, record: Disclosure, question: DisclosureQuestion) -> int:
    if not question.asked_by:
        return 0
    return notify(uow, question.asked_by, "disclosure.answered", f"您的问题已答复：{record.title}",
                  f"您对“{record.title}”提出的问题已有答复。(Your question was answered.)",
                  f"/disclosures/{record.id}", f"disclosure.answered/{question.id}")
