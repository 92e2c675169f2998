"""A federation's pages: the dashboard over its member enterprises (charts, a row per member, exports), a member's
public records, and the regional and industry contracts (a member's workers see those binding their enterprise)."""

from __future__ import annotations

import copy

from flask import Response, current_app, flash, redirect, request, url_for

from engine import tenancy
from engine.errors import DmflowError, Forbidden
from engine.models import Organisation
from workflows.federation import dashboard, regional, report

from ...errors import status_of
from ...extension import services, uow
from .. import forms, i18n
from ..core import blp, may_complete, menu, page, render, web_actor

OFFICER = regional.FEDERATION_OFFICER
CHART = (("congress", "fed.rate_congress"), ("contract_members", "fed.rate_contract_members"),
         ("contract_workers", "fed.rate_contract_workers"), ("disclosure", "fed.rate_disclosure"))

menu(76, "web.federation_dashboard", "nav.federation", "federation", lambda actor: actor.has(OFFICER))


def _in_a_federation(actor) -> bool:
    """Officers, and the workers of an enterprise that belongs to a federation (one primary-key read)."""
    if actor.has(OFFICER):
        return True
    with (work := uow(readonly=True)):
        org = work.session.get(Organisation, actor.org_id)
        return org is not None and org.parent_id is not None


menu(77, "web.regional_contracts", "nav.regional_contracts", "regional-contracts", _in_a_federation, group="bargaining")


def _figures() -> dict:
    return dashboard.dashboard(uow(readonly=True), web_actor(), rules=services().rules)


@blp.route("/federation")
@page(OFFICER)
def federation_dashboard():
    return render("federation.html", figures=_figures(), chart=CHART)


@blp.route("/federation/report.csv")
@page(OFFICER)
def federation_report_csv():
    return Response(report.to_csv(_figures()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=federation-report.csv"})


@blp.route("/federation/report.xlsx")
@page(OFFICER)
def federation_report_xlsx():
    return Response(report.to_xlsx(_figures()),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=federation-report.xlsx"})


@blp.route("/federation/members/<int:org_id>")
@page(OFFICER)
def federation_member(org_id: int):
    return render("federation_member.html", member=dashboard.member_records(uow(readonly=True), web_actor(), org_id))


# The officer's form to start a regional or industry contract (rendered and read like a step's form).
_COUNT = {"type": "integer", "minimum": 1, "maximum": 3}
START_FORM = {
    "title": "登记区域性、行业性集体合同草案",
    "description": "与区域或行业的企业方（企业联合会、行业协会等）协商拟订的草案。"
                   "登记后进入集体协商，协商一致后提交审议。",
    "type": "object", "required": ["scope", "title", "employer_side", "term_years", "clauses"],
    "properties": {
        "scope": {"type": "string", "enum": ["regional", "industry"], "title": "类别"},
        "title": {"type": "string", "minLength": 1, "maxLength": 200, "title": "合同名称"},
        "region": {"type": "string", "maxLength": 100, "title": "适用区域", "description": "区域性集体合同填写。"},
        "industry": {"type": "string", "maxLength": 100, "title": "适用行业", "description": "行业性集体合同填写。"},
        "employer_side": {"type": "string", "minLength": 1, "maxLength": 200, "title": "企业方",
                          "description": "区域或行业的企业代表组织，如企业联合会、行业协会。"},
        "term_years": {**_COUNT, "title": "期限（年）", "description": "1至3年（集体合同规定第38条）。"},
        "clauses": {"type": "array", "minItems": 1, "maxItems": 200, "title": "合同文本", "items": {
            "type": "object", "required": ["text"], "properties": {
                "title": {"type": "string", "maxLength": 200, "title": "条款标题"},
                "text": {"type": "string", "minLength": 1, "maxLength": 20000, "title": "条款正文"}}}},
        "floors": {"type": "array", "maxItems": 50, "title": "最低标准条款",
                   "description": "成员单位自己的集体合同不得低于（或高于）的标准。", "items": {
                       "type": "object", "required": ["key", "value", "direction"], "properties": {
                           "key": {"type": "string", "enum": list(regional.FLOOR_TERMS), "title": "项目"},
                           "value": {"type": "number", "title": "标准"},
                           "unit": {"type": "string", "maxLength": 30, "title": "单位"},
                           "direction": {"type": "string", "enum": ["min", "max"], "title": "要求"}}}},
    },
}
START_UI = {
    "ui:order": ["scope", "title", "region", "industry", "employer_side", "term_years", "clauses", "floors"],
    "scope": {"ui:widget": "radio", "ui:enumNames": ["区域性集体合同", "行业性集体合同"]},
    "clauses": {"items": {"text": {"ui:widget": "textarea", "ui:options": {"rows": 2}}}},
    "floors": {"items": {"key": {"ui:enumNames": [label for label, _ in regional.FLOOR_TERMS.values()]},
                         "direction": {"ui:enumNames": ["不低于", "不高于"]}}},
    "ui:i18n": {"en": {
        "title": "Record a regional or industry collective contract draft",
        "description": "The draft negotiated with the employers' side of the region or trade (an employers' "
                       "federation, a trade association). It then goes to negotiation, and once agreed to a vote.",
        "properties": {
            "scope": {"title": "Kind", "enumNames": ["Regional contract", "Industry contract"]},
            "title": {"title": "Title"},
            "region": {"title": "Region", "description": "For a regional contract."},
            "industry": {"title": "Industry", "description": "For an industry contract."},
            "employer_side": {"title": "Employers' side",
                              "description": "The employers' organisation of the region or trade."},
            "term_years": {"title": "Term (years)", "description": "1 to 3 years (art. 38)."},
            "clauses": {"title": "Contract text", "items": {"properties": {
                "title": {"title": "Clause title"}, "text": {"title": "Clause text"}}}},
            "floors": {"title": "Floor clauses",
                       "description": "Standards members' own contracts may not fall below (or exceed).",
                       "items": {"properties": {
                           "key": {"title": "Item", "enumNames": ["Minimum wage", "Annual wage growth",
                                                                  "Weekly working hours", "Daily working hours",
                                                                  "Overtime pay", "Paid annual leave",
                                                                  "Vocational training", "Other standard"]},
                           "value": {"title": "Standard"}, "unit": {"title": "Unit"},
                           "direction": {"title": "Requirement", "enumNames": ["at least", "at most"]}}}},
        }}},
}
BAR = ("negotiating", "adoption", "adopted", "signed", "filed", "under_review", "effective")
NEXT_WHO = {"negotiating": "officer", "adoption": "officer", "adopted": "officer", "signed": "officer",
            "filed": "liaison", "under_review": "liaison"}


def _start_form() -> tuple[dict, dict]:
    """The start form with the regions and industries of the federation's members to pick from."""
    schema, ui = copy.deepcopy(START_FORM), copy.deepcopy(START_UI)
    actor = web_actor()
    with (work := uow(readonly=True)):
        found = tenancy.members(work.session, actor.org_id)
    for key in ("region", "industry"):
        values = sorted({getattr(m, key) for m in found if getattr(m, key)})
        if values:
            schema["properties"][key]["enum"] = values
    return schema, ui


def _regional_list(values: dict | None = None, errors: dict | None = None, status: int = 200):
    actor = web_actor()
    officer = actor.has(OFFICER)
    form = None
    if officer:
        schema, ui = _start_form()
        form = forms.build(schema, ui, i18n.current_lang(), values or {"scope": "regional", "term_years": 3},
                           errors or {})
    return render("federation_regional.html", status, contracts=regional.listing(uow(readonly=True), actor),
                  officer=officer, form=form)


@blp.route("/federation/regional-contracts", methods=["GET", "POST"])
@page()
def regional_contracts():
    if request.method == "GET":
        return _regional_list()
    actor = web_actor()
    if not actor.has(OFFICER):
        raise Forbidden("roles")
    schema, _ = _start_form()
    data, errors = forms.parse(schema, request.form, current_app.config["TIMEZONE"])
    errors = errors or forms.messages(schema, data)
    if errors:
        return _regional_list(data, errors, 422)
    try:
        row = regional.create(uow(), data, actor=actor, rules=services().rules)
    except DmflowError as error:
        found = forms.refusal_messages(error.errors) or {"": [error.message]}
        found = {k: [i18n.t("form.required") if m == "required" else m for m in v] for k, v in found.items()}
        return _regional_list(data, found, status_of(error))
    flash(i18n.t("fed.created", title=row.title), "ok")
    return redirect(url_for("web.regional_contract_page", contract_id=row.id))


@blp.route("/federation/regional-contracts/<int:contract_id>")
@page()
def regional_contract_page(contract_id: int):
    actor = web_actor()
    contract = regional.hub(uow(readonly=True), contract_id, actor)
    stage = contract["stage"]
    return render("federation_regional_contract.html", c=contract, bar=BAR, reached=BAR.index(stage),
                  officer="sessions" in contract, next_who=NEXT_WHO.get(stage),
                  mine={task["id"] for task in contract["steps"] if may_complete(task["id"])})
