"""The documents a mediation case produces: the agreement (调解协议书) and the referral to arbitration (仲裁告知书).

Plain UTF-8 text, stored through ``workflows.documents`` with its SHA-256 (also in the audit trail). Dates are
the enterprise's local dates (北京时间 by default).
"""

from __future__ import annotations

from engine.unit_of_work import UnitOfWork
from workflows import documents
from workflows.casework.mediation import applicants
from workflows.casework.tables import MediationCase

LIMITATION_NOTE = ("劳动争议申请仲裁的时效期间为一年，从当事人知道或者应当知道其权利被侵害之日起计算"
                   "（劳动争议调解仲裁法 第27条）。")


def _local(uow: UnitOfWork, when) -> str:
    return uow.runtime.context["calendar"].local_date(when).isoformat()


def agreement(uow: UnitOfWork, record: MediationCase, actor: str | None) -> documents.Document:
    """Generate and store the 调解协议书 (signed by both parties, the mediator, sealed by the committee)."""
    text = "\n".join([
        f"劳动争议调解协议书（第{record.id}号）",
        "",
        f"申请人：{'、'.join(applicants(record))}",
        f"被申请人：{record.respondent}" + (f"（代表：{record.employer_rep}）" if record.employer_rep else ""),
        f"调解员：{record.mediator}",
        f"收到申请：{_local(uow, record.received_at)}",
        "",
        "争议事项：", record.claim, "",
        "经调解，双方自愿达成如下协议：", record.outcome_note or "", "",
        "本协议由双方当事人签名或者盖章，经调解员签名并加盖调解组织印章后生效，对双方当事人具有约束力，"
        "当事人应当履行（劳动争议调解仲裁法 第14条）。",
        "双方当事人已签名：是", f"调解员签名：{record.mediator}", "企业劳动争议调解委员会（盖章）",
        f"日期：{_local(uow, uow.now())}",
    ])
    return documents.store(uow, kind="mediation_agreement", title=f"调解协议书（第{record.id}号）",
                           filename=f"mediation-{record.id}-agreement.txt", media_type="text/plain; charset=utf-8",
                           content=text.encode(), instance_id=record.instance_id, actor=actor)


def referral(uow: UnitOfWork, record: MediationCase, expired: bool, actor: str | None) -> documents.Document:
    """Generate and store the letter telling the worker they may apply for arbitration."""
    why = (f"自收到调解申请之日起十五日内（期限至{_local(uow, record.due_at)}）未达成调解协议" if expired
           else "经调解未能达成调解协议")
    text = "\n".join([
        f"劳动争议仲裁告知书（调解第{record.id}号）",
        "",
        f"{'、'.join(applicants(record))}：",
        f"你（们）于{_local(uow, record.received_at)}申请调解的与{record.respondent}之间的劳动争议，{why}，调解终止。",
        "根据劳动争议调解仲裁法 第14条，你（们）可以依法向劳动争议仲裁委员会申请仲裁。",
        LIMITATION_NOTE,
        "",
        "企业劳动争议调解委员会",
        f"日期：{_local(uow, uow.now())}",
    ])
    return documents.store(uow, kind="mediation_referral", title=f"仲裁告知书（调解第{record.id}号）",
                           filename=f"mediation-{record.id}-referral.txt", media_type="text/plain; charset=utf-8",
                           content=text.encode(), instance_id=record.instance_id, actor=actor)
