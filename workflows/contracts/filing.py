"""Filing, review, effect and publication (集体合同规定 第42–48条): the filing package and the notice.

The filing package is what 第42条 and the local filing rules ask for (rules.md §1.1, "Filing package"):
the text, the congress resolution with attendance and tally, the representatives and the chiefs'
credentials, the minutes signed by both chiefs, the parties' legal status, and the wage figures or the
women-protection statement of a special contract. It is stored as JSON and HTML, each with its SHA-256,
and the hashes go into the audit trail so a printed copy can be checked against it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import jinja2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import instance_chain
from engine.checkpoints import latest_fingerprint
from engine.errors import Forbidden, NotFound
from engine.identity import Actor
from engine.models import AuditChain
from engine.unit_of_work import UnitOfWork
from workflows import notices
from workflows.calendar import add_months
from workflows.clause_diff import clause_diff
from workflows.contracts.drafts import agreed_clauses, get_draft, minutes_signed
from workflows.contracts.record import (
    BEFORE_SIGNATURE,
    KIND_NAMES,
    SIDE_NAMES,
    columns,
    dumps,
    get_contract,
    loads,
    local_tz,
    notify,
    record,
    require_stage,
    set_stage,
    side_of,
    violation,
)
from workflows.contracts.tables import (
    Contract,
    Dispute,
    Filing,
    NegotiationMeeting,
    Negotiator,
    Objection,
    SignOff,
)

COPIES = 3  # 第42条: 一式三份
_NEGOTIATOR_FIELDS = ("side", "name", "position", "is_chief", "credential", "delegation_ref", "outside_expert",
                      "appointed_on", "ended_on", "end_reason")


def set_deadline(uow: UnitOfWork, contract: Contract, name: str, info: dict[str, Any],
                 remind_days_before: int | None = None) -> dict[str, Any]:
    """Keep a deadline computed by the diagram (``deadline_info``) on the record; add a reminder instant."""
    info = dict(info)
    if remind_days_before:
        due = dt.datetime.fromisoformat(info["due"])
        info["remind_at"] = (due - dt.timedelta(days=remind_days_before)).isoformat()
    deadlines = loads(contract.deadlines_json, {})
    deadlines[name] = info
    contract.deadlines_json, contract.updated_at = dumps(deadlines), uow.now()
    return info


def _legal_status_complete(items: list[dict[str, Any]]) -> bool:
    return {i.get("party") for i in items or [] if (i.get("document") or "").strip()} >= {"union", "employer"}


def build_package(session: Session, contract: Contract, body: dict[str, Any], *, number: int, filed_at: dt.datetime,
                  filed_by: str) -> dict[str, Any]:
    """The filing package as a JSON-ready dict, with a checklist of every item 第42条 and local rules ask for."""
    version = contract.signed_version
    draft = get_draft(session, contract.id, version)
    clauses = loads(draft.clauses_json)
    reps = list(session.scalars(select(Negotiator).where(Negotiator.contract_id == contract.id)
                                .order_by(Negotiator.side.desc(), Negotiator.is_chief.desc(), Negotiator.id)))
    meetings = list(session.scalars(select(NegotiationMeeting).where(NegotiationMeeting.contract_id == contract.id)
                                    .order_by(NegotiationMeeting.number)))
    signatures = list(session.scalars(select(SignOff).where(SignOff.contract_id == contract.id,
                                                            SignOff.kind == "signature",
                                                            SignOff.draft_version == version)))
    disputes = list(session.scalars(select(Dispute).where(Dispute.contract_id == contract.id)))
    objections = list(session.scalars(select(Objection).where(Objection.contract_id == contract.id)))
    adoption = loads(contract.adoption_json)
    previous = session.scalar(select(Filing).where(Filing.contract_id == contract.id, Filing.number == number - 1))
    package: dict[str, Any] = {
        "document": "集体合同备案材料", "filing_number": number, "copies": COPIES,
        "filed_at": filed_at.isoformat(), "filed_by": filed_by,
        "contract": {"id": contract.id, "kind": contract.kind, "kind_name": KIND_NAMES[contract.kind],
                     "title": contract.title, "enterprise": contract.enterprise, "union": contract.union_name,
                     "term_years": contract.term_years, "draft_version": version, "text_sha256": draft.sha256,
                     "clauses": clauses},
        "signatures": [{"side": x.side, "side_name": SIDE_NAMES[x.side], "signed_by": x.signed_by,
                        "signed_at": x.signed_at.isoformat()} for x in sorted(signatures, key=lambda x: x.side)],
        "congress_resolution": adoption,
        "representatives": [{k: getattr(n, k) for k in _NEGOTIATOR_FIELDS} for n in reps],
        "chief_credentials": [{"side": n.side, "name": n.name, "credential": n.credential,
                               "delegation_ref": n.delegation_ref} for n in reps if n.is_chief and not n.ended_on],
        "representatives_statement": body.get("representatives_statement"),
        "negotiation": {
            "statement": body.get("negotiation_statement"),
            "meetings": [{k: v for k, v in columns(m).items() if k not in ("id", "contract_id")} for m in meetings],
            "disputes": [{"applied_by_side": d.applied_by_side, "matters": d.matters, "accepted_on": d.accepted_on,
                          "agreement_text": d.agreement_text, "agreement_signed_on": d.agreement_signed_on}
                         for d in disputes]},
        "legal_status": body.get("legal_status") or [],
        "review_objections": [{"document_no": o.document_no, "issued_on": o.issued_on, "opinion": o.opinion,
                               "clauses": loads(o.clauses_json)} for o in objections],
    }
    if previous is not None:
        package["changes_since_previous_filing"] = [
            c for c in clause_diff(loads(get_draft(session, contract.id, previous.draft_version).clauses_json),
                                   clauses) if c["status"] != "unchanged"]
    if contract.kind == "wage":
        package["wage_information"] = body.get("wage_information")
    if contract.kind == "women":
        package["women_protection_statement"] = body.get("women_statement")
    package = json.loads(dumps(package))  # dates and times as the strings the stored JSON holds
    package["checklist"] = _checklist(contract, package, meetings, signatures)
    return package


def _checklist(contract: Contract, package: dict[str, Any], meetings, signatures) -> dict[str, bool]:
    adoption = package["congress_resolution"] or {}
    result = adoption.get("result") or {}
    checks = {
        "contract_text": bool(package["contract"]["clauses"]),
        "signed_by_both_chiefs": {x.side for x in signatures} == {"union", "employer"},
        "congress_resolution_with_attendance_and_tally": result.get("outcome") == "adopted" and all(
            result.get(k) is not None for k in ("seated", "present", "for", "against", "abstain")),
        "representatives_list": {r["side"] for r in package["representatives"]} == {"union", "employer"},
        "chief_credentials": len(package["chief_credentials"]) == 2,
        "representatives_statement": bool((package["representatives_statement"] or "").strip()),
        "negotiation_statement": bool((package["negotiation"]["statement"] or "").strip()),
        "minutes_signed_by_both_chiefs": bool(meetings) and all(minutes_signed(m) for m in meetings),
        "legal_status_of_parties": _legal_status_complete(package["legal_status"]),
    }
    if contract.kind == "wage":
        info = package["wage_information"] or {}
        checks["wage_information"] = all(info.get(k) is not None for k in
                                         ("last_year_average_wage", "adjustment_ratio", "headcount"))
    if contract.kind == "women":
        checks["women_protection_statement"] = bool((package["women_protection_statement"] or "").strip())
    return checks


def package_sha256(package: dict[str, Any]) -> str:
    return hashlib.sha256(dumps(package).encode()).hexdigest()


def file_contract(uow: UnitOfWork, contract_id: int, body: dict[str, Any], *, actor: Actor) -> Filing:
    """The employer files the signed text with the labour administration (第42条); the package is generated.

    Raises:
        Forbidden: the caller does not act for the employer (第42条: 由用人单位一方报送).
        RuleViolation ``signature_before_filing`` (第42条: within 10 days *of signature*, so after it),
        ``filing_package_complete`` (an item of the package is missing; ``errors["missing"]`` lists them).
        Conflict: already filed and waiting for review.
    """
    try:
        side_of(actor, "employer")
    except Forbidden:
        raise Forbidden("the employer files the contract (集体合同规定第42条: 由用人单位一方报送); "
                        "this needs the role 'employer_negotiator'") from None
    with uow:
        s = uow.session
        contract = get_contract(s, contract_id, lock=True)
        if contract.stage in BEFORE_SIGNATURE:
            raise violation("a contract is filed after both chief representatives signed it; contract "
                            f"{contract.id} is at stage '{contract.stage}'", "signature_before_filing",
                            {"stage": [contract.stage]})
        require_stage(contract, ("signed",), "file")
        now = uow.now()
        number = (s.scalar(select(func.max(Filing.number)).where(Filing.contract_id == contract.id)) or 0) + 1
        package = build_package(s, contract, body, number=number, filed_at=now, filed_by=actor.username)
        missing = [k for k, ok in package["checklist"].items() if not ok]
        if missing:
            raise violation(f"the filing package is incomplete: {', '.join(missing)}", "filing_package_complete",
                            {"missing": missing})
        digest = package_sha256(package)
        page = render_package_html(package, digest)
        filing = Filing(contract_id=contract.id, number=number, draft_version=contract.signed_version, filed_at=now,
                        filed_by=actor.username, package_json=dumps(package), package_html=page, sha256=digest,
                        html_sha256=hashlib.sha256(page.encode()).hexdigest())
        s.add(filing)
        s.flush()
        record(uow, contract, "contract.filing_package", {
            "filing_id": filing.id, "number": number, "draft_version": filing.draft_version, "sha256": digest,
            "html_sha256": filing.html_sha256, "copies": COPIES}, actor.username)
        set_stage(uow, contract, "filed")
        notify(uow, contract, "contract.filed", {"filing_id": filing.id, "number": number,
                                                 "filed_at": now.isoformat()}, actor.username)
        uow.commit()
    return filing


def get_filing(uow: UnitOfWork, contract_id: int, number: int) -> Filing:
    """Raises: NotFound."""
    with uow:
        get_contract(uow.session, contract_id)
        filing = uow.session.scalar(select(Filing).where(Filing.contract_id == contract_id, Filing.number == number))
        if filing is None:
            raise NotFound(f"contract {contract_id} has no filing {number}")
        return filing


def latest_filing(session: Session, contract: Contract) -> Filing:
    filing = session.scalar(select(Filing).where(Filing.contract_id == contract.id)
                            .order_by(Filing.number.desc()).limit(1))
    if filing is None:
        raise NotFound(f"contract {contract.id} has not been filed")
    return filing


def record_receipt(uow: UnitOfWork, contract: Contract, received_on: str, receipt_no: str | None) -> dict[str, Any]:
    """The labour administration received the text: the 15-day review runs from this day (第45/47条)."""
    filing = latest_filing(uow.session, contract)
    day = dt.date.fromisoformat(received_on[:10])
    filing.received_at = dt.datetime.combine(day, dt.time(0), tzinfo=local_tz(contract)).astimezone(dt.UTC)
    filing.receipt_no = receipt_no
    set_stage(uow, contract, "under_review")
    record(uow, contract, "contract.filing_received", {"filing_id": filing.id, "received_on": day,
                                                       "receipt_no": receipt_no}, None)
    return {"filing_id": filing.id, "number": filing.number, "received_on": day.isoformat()}


def record_objection(uow: UnitOfWork, contract: Contract, objection: dict[str, Any], actor: str | None
                     ) -> dict[str, Any]:
    """A review opinion objects to clauses (第45条): they go back to negotiation, then re-filing (第46条)."""
    filing = latest_filing(uow.session, contract)
    issued = objection.get("issued_on")
    row = Objection(contract_id=contract.id, filing_id=filing.id, clauses_json=dumps(objection.get("clauses") or []),
                    opinion=str(objection.get("opinion") or ""), document_no=objection.get("document_no"),
                    issued_on=dt.date.fromisoformat(issued[:10]) if issued else None, received_at=uow.now())
    uow.session.add(row)
    uow.session.flush()
    contract.objection_pending = True
    set_stage(uow, contract, "negotiating")
    record(uow, contract, "contract.objection_recorded", {"objection_id": row.id, "filing_id": filing.id,
                                                          "clauses": loads(row.clauses_json),
                                                          "document_no": row.document_no}, actor)
    return {"objection_id": row.id, "clauses": loads(row.clauses_json)}


def make_effective(uow: UnitOfWork, contract: Contract, effective_at: str, *, renewal_months: int,
                   wage_renewal_days: int) -> dict[str, Any]:
    """No objection within 15 days of receipt: the contract is effective (第47条); its term and renewal window."""
    at = dt.datetime.fromisoformat(effective_at)
    tz = local_tz(contract)
    start = at.astimezone(tz).date()
    expires_on = add_months(start, 12 * contract.term_years) - dt.timedelta(days=1)
    opens_on = (expires_on - dt.timedelta(days=wage_renewal_days) if contract.kind == "wage"
                else add_months(expires_on, -renewal_months))

    def midnight(day: dt.date) -> str:
        return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC).isoformat()

    contract.effective_at, contract.expires_on, contract.objection_pending = at, expires_on, False
    set_stage(uow, contract, "effective")
    result = {"effective_at": at.isoformat(), "effective_on": start.isoformat(), "expires_on": expires_on.isoformat(),
              "renewal_notice_at": midnight(opens_on), "expires_at": midnight(expires_on + dt.timedelta(days=1))}
    # Like every deadline, ``due`` is the end of ``last_day``: a renewal is asked for from ``opens_at`` (第38条)
    # until the contract expires.
    set_deadline(uow, contract, "renewal_window", {"opens_at": result["renewal_notice_at"],
                                                   "first_day": opens_on.isoformat(), "due": result["expires_at"],
                                                   "last_day": expires_on.isoformat(), "confirmed": True})
    record(uow, contract, "contract.effective", result, None)
    return result


def notice_html(session: Session, contract: Contract, published_at: dt.datetime, period: int) -> str:
    """The publication notice (第48条), rendered by ``workflows.notices`` with the congress vote behind it."""
    adoption = loads(contract.adoption_json) or {}
    result = adoption.get("result") or {}
    clauses = agreed_clauses(session, contract)
    head = session.get(AuditChain, instance_chain(contract.instance_id))
    effective = contract.effective_at.astimezone(local_tz(contract)).date()
    text = "\n".join([
        f"《{contract.title}》（{KIND_NAMES[contract.kind]}）经双方首席代表签字，报送劳动保障行政部门审查，"
        f"自{effective.isoformat()}起生效，期限{contract.term_years}年，至{contract.expires_on.isoformat()}止。"
        "现依照《集体合同规定》第四十八条向全体职工公布。",
        *(f"第{c['number']}条 {c['title']}：{c['text']}" for c in clauses)])
    vote = {k: result.get(k) for k in ("seated", "present", "ballots_issued", "valid", "for", "against", "abstain",
                                       "rule", "quorum_required", "votes_required", "outcome")}
    vote["ballots_issued"] = vote["ballots_issued"] if vote["ballots_issued"] is not None else vote["present"]
    vote["valid"] = vote["valid"] if vote["valid"] is not None else vote["ballots_issued"]
    vote["secret"] = bool(adoption.get("secret"))
    return notices.render_notice_html({
        "organisation": contract.enterprise, "issuer": f"{contract.enterprise}　{contract.union_name}",
        "meeting": adoption.get("meeting") or "职工代表大会", "title": contract.title, "vote": vote,
        "published_at": published_at, "period": period, "audit_hash": head.last_hash, "text": text,
        "checkpoint": latest_fingerprint(session)},
        tz=contract.timezone)


def publish(uow: UnitOfWork, contract: Contract, publication: dict[str, Any], period: int) -> dict[str, Any]:
    """Store the publication notice with its SHA-256 (also in the audit trail) (第48条)."""
    now = uow.now()
    page = notice_html(uow.session, contract, now, period)
    digest = hashlib.sha256(page.encode()).hexdigest()
    contract.notice_html, contract.notice_sha256, contract.published_at = page, digest, now
    contract.publication_json = dumps(publication)
    set_stage(uow, contract, "published")
    record(uow, contract, "contract.notice_published", {"sha256": digest, "channels": publication.get("channels"),
                                                        "published_on": publication.get("published_on")}, None)
    return {"sha256": digest, "published_at": now.isoformat()}


_PACKAGE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ p.contract.title }} 备案材料</title>
<style>body{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;max-width:60em;margin:2em auto}
table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;vertical-align:top}</style></head><body>
<h1>{{ p.document }}</h1>
<p>{{ p.contract.enterprise }}　{{ p.contract.union }}｜《{{ p.contract.title }}》（{{ p.contract.kind_name }}）｜
第{{ p.filing_number }}次报送｜一式{{ p.copies }}份｜报送时间 {{ p.filed_at }}｜报送人 {{ p.filed_by }}</p>
<h2>一、合同文本（第{{ p.contract.draft_version }}稿，期限{{ p.contract.term_years }}年）</h2>
<ol>{% for c in p.contract.clauses %}<li value="{{ c.number }}"><b>{{ c.title }}</b> {{ c.text }}</li>{% endfor %}</ol>
<p>文本 SHA-256：{{ p.contract.text_sha256 }}</p>
<h2>二、首席代表签字</h2><ul>{% for x in p.signatures %}<li>{{ x.side_name }}：{{ x.signed_by }}，{{ x.signed_at }}</li>
{% endfor %}</ul>
<h2>三、职工代表大会决议</h2>{% set v = p.congress_resolution %}
<p>{{ v.meeting }}《{{ v.matter }}》：应到 {{ v.result.seated }} 人，实到 {{ v.result.present }} 人（法定出席
{{ v.result.quorum_required }} 人）；赞成 {{ v.result['for'] }}，反对 {{ v.result.against }}，
弃权 {{ v.result.abstain }}；
通过所需 {{ v.result.votes_required }} 票（{{ v.result.rule }}）；结果：{{ v.result.outcome }}。</p>
<h2>四、协商代表及首席代表资格</h2><table><tr><th>方</th><th>姓名</th><th>职务</th><th>首席</th><th>资格</th>
<th>授权书</th><th>外部专业人员</th><th>任职</th></tr>{% for r in p.representatives %}<tr><td>{{ r.side }}</td>
<td>{{ r.name }}</td><td>{{ r.position or "" }}</td><td>{{ "是" if r.is_chief else "" }}</td><td>{{ r.credential }}</td>
<td>{{ r.delegation_ref or "" }}</td><td>{{ "是" if r.outside_expert else "" }}</td>
<td>{{ r.appointed_on }}{% if r.ended_on %} 至 {{ r.ended_on }}（{{ r.end_reason }}）{% endif %}</td></tr>
{% endfor %}</table><p>代表产生情况：{{ p.representatives_statement }}</p>
<h2>五、协商情况及会议纪要</h2><p>{{ p.negotiation.statement }}</p>{% for m in p.negotiation.meetings %}
<h3>第{{ m.number }}次协商会议（{{ m.held_on }}，{{ m.place }}，主持：{{ m.chair_side }}）</h3>
<p>工会方：{{ m.union_position }}</p><p>用人单位方：{{ m.employer_position }}</p><p>纪要：{{ m.minutes }}</p>
<p>结果：{{ m.outcome }}{% if m.resume_on %}，约定 {{ m.resume_on }} 恢复协商{% endif %}；签字：工会方首席
{{ m.union_signed_by }}（{{ m.union_signed_at }}），用人单位方首席 {{ m.employer_signed_by }}
（{{ m.employer_signed_at }}）</p>
{% endfor %}{% for d in p.negotiation.disputes %}<p>争议协调：{{ d.matters }} → {{ d.agreement_text }}
（{{ d.agreement_signed_on }}）</p>
{% endfor %}<h2>六、主体资格证明</h2><ul>{% for x in p.legal_status %}<li>{{ x.party }}：{{ x.document }}
{{ x.number or "" }}</li>{% endfor %}</ul>
{% if p.get('wage_information') %}<h2>七、工资协议说明</h2>
<p>上年度职工平均工资 {{ p.wage_information.last_year_average_wage }}，
本年度调整幅度 {{ p.wage_information.adjustment_ratio }}%，职工人数 {{ p.wage_information.headcount }}</p>{% endif %}
{% if p.get('women_protection_statement') %}<h2>七、女职工权益保护情况说明</h2>
<p>{{ p.women_protection_statement }}</p>{% endif %}
{% if p.review_objections %}<h2>八、审查意见及修改情况</h2>{% for o in p.review_objections %}<p>{{ o.document_no }}
（{{ o.issued_on }}）：{{ o.opinion }}，异议条款 {{ o.clauses | join("、") }}</p>{% endfor %}
{% for c in p.get('changes_since_previous_filing') or [] %}<p>第{{ c.number }}条 {{ c.title }}：{{ c.status }}
{{ c.text or "" }}</p>{% endfor %}{% endif %}
<h2>材料清单</h2><ul>{% for k, ok in p.checklist.items() %}<li>{{ "✓" if ok else "✗" }} {{ k }}</li>{% endfor %}</ul>
<p>备案材料（JSON）SHA-256：{{ digest }}</p></body></html>
""")


def render_package_html(package: dict[str, Any], digest: str) -> str:
    """The package as a printable, escaped HTML page naming the JSON package's SHA-256."""
    return _PACKAGE.render(p=package, digest=digest)
