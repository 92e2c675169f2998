"""The contract office's forms: a new request, each side's negotiators, the preparation, a meeting, a draft and
the filing. Each form is read into the same schema as the API's and handed to the same domain service; a
refusal comes back to the contract's hub as a message naming the rule and its article."""

from __future__ import annotations

import copy
from typing import Any

from flask import flash, redirect, request, url_for
from marshmallow import ValidationError

from engine.errors import DmflowError
from workflows.contracts import drafts as contract_drafts
from workflows.contracts import filing as contract_filing
from workflows.contracts import negotiators as contract_negotiators
from workflows.contracts import request as contract_request
from workflows.contracts.negotiators import CREDENTIALS
from workflows.contracts.record import LIAISON, NEGOTIATORS, RECORDER, SIDES
from workflows.federation import regional
from workflows.federation.regional import DIRECTIONS

from ...extension import services, uow
from ...schemas import contracts as cs
from .. import forms, i18n
from ..core import blp, page, render, web_actor

# The negotiators of a side and a draft's clauses as repeatable rows through the generic form fields: every
# choice picked from a list in words (性别, 资格), nothing typed as a code.
MEMBERS_FORM = {"type": "object", "properties": {"members": {
    "type": "array", "title": "谈判代表",
    "description": "每人一行；首席代表勾选“首席代表”，并填写其签字用的账号；“添加一条”增加一人。",
    "items": {"type": "object", "properties": {
        "name": {"type": "string", "title": "姓名", "maxLength": 100},
        "person_id": {"type": "string", "title": "工号或身份证号", "maxLength": 64},
        "gender": {"type": "string", "title": "性别", "enum": ["female", "male"]},
        "credential": {"type": "string", "title": "资格", "enum": list(CREDENTIALS)},
        "is_chief": {"type": "boolean", "title": "首席代表"},
        "username": {"type": "string", "title": "账号（首席代表签字用）", "maxLength": 100},
        "delegation_ref": {"type": "string", "title": "委托书编号（书面委托的首席代表）", "maxLength": 200},
        "outside_expert": {"type": "boolean", "title": "本单位以外的专业人员（第23条）"}}}}}}
MEMBERS_UI = {"members": {"items": {
    "ui:order": ["name", "person_id", "gender", "credential", "is_chief", "username", "delegation_ref",
                 "outside_expert"],
    "gender": {"ui:enumNames": ["女", "男"]},
    "credential": {"ui:enumNames": ["工会主席", "法定代表人", "书面委托", "职工选举产生的首席代表", "一般代表"]}}},
    "ui:i18n": {"en": {"properties": {"members": {
        "title": "Negotiators",
        "description": "One person a row; tick “Chief negotiator” for the chief and give the account they sign "
                       "with; “Add a row” adds a person.",
        "items": {"properties": {
            "name": {"title": "Name"}, "person_id": {"title": "Staff or ID number"},
            "gender": {"title": "Gender", "enumNames": ["Female", "Male"]},
            "credential": {"title": "Capacity", "enumNames": ["Union chair", "Legal representative",
                                                              "Written delegation", "Chief elected by the workers",
                                                              "Member"]},
            "is_chief": {"title": "Chief negotiator"},
            "username": {"title": "Account (a chief signs with it)"},
            "delegation_ref": {"title": "Delegation letter no. (a delegated chief)"},
            "outside_expert": {"title": "Expert from outside the enterprise (art. 23)"}}}}}}}}
CLAUSES_FORM = {"type": "object", "properties": {"clauses": {
    "type": "array", "title": "条款", "description": "每条一行：标题和正文；“添加一条”增加一条。",
    "items": {"type": "object", "properties": {
        "title": {"type": "string", "title": "标题", "maxLength": 200},
        "text": {"type": "string", "title": "正文"}}}}}}
CLAUSES_UI = {"clauses": {"items": {"ui:order": ["title", "text"],
                                    "text": {"ui:widget": "textarea", "ui:options": {"rows": 3}}}},
              "ui:i18n": {"en": {"properties": {"clauses": {
                  "title": "Clauses", "description": "One clause a row: its title and text; “Add a row” adds one.",
                  "items": {"properties": {"title": {"title": "Title"}, "text": {"title": "Text"}}}}}}}}


def _clauses_form(floors: list[dict[str, Any]]) -> tuple[dict, dict]:
    """The clauses' rows; where regional or industry contracts bind the enterprise, each row may say which of
    their terms it sets and its figure, so that a local text below a floor is refused (劳动合同法 第55条)."""
    if not floors:
        return CLAUSES_FORM, CLAUSES_UI
    keys = list(dict.fromkeys(f["key"] for f in floors))
    names = {f["key"]: f"{f['label']}（《{f['contract']}》{DIRECTIONS[f['direction']]}{f['value']:g}{f['unit']}）"
             for f in floors}
    schema = copy.deepcopy(CLAUSES_FORM)
    schema["properties"]["clauses"]["items"]["properties"] |= {
        "key": {"type": "string", "title": "对应区域性、行业性合同的标准", "enum": keys},
        "value": {"type": "number", "title": "本条规定的数值"}}
    ui = copy.deepcopy(CLAUSES_UI)
    ui["clauses"]["items"]["ui:order"] += ["key", "value"]
    ui["clauses"]["items"]["key"] = {"ui:enumNames": [names[k] for k in keys]}
    ui["ui:i18n"]["en"]["properties"]["clauses"]["items"]["properties"] |= {
        "key": {"title": "Term of the regional or industry contract it sets", "enumNames": [names[k] for k in keys]},
        "value": {"title": "The figure this clause sets"}}
    return schema, ui


def row_forms(org_id: int | None) -> dict[str, forms.Form]:
    """The hub's row forms (negotiators, clauses), labelled in the reader's language."""
    lang = i18n.current_lang()
    clauses = _clauses_form(regional.floors_for(uow(readonly=True), org_id) if org_id else [])
    return {"members": forms.build(MEMBERS_FORM, MEMBERS_UI, lang), "clauses": forms.build(*clauses, lang)}


class _Rows(Exception):
    """Rows the form could not read, with the message for the hub."""


def _rows(schema: dict, name: str, required: tuple[str, ...], key: str) -> list[dict[str, Any]]:
    data, errors = forms.parse(schema, request.form, services().config["TIMEZONE"])
    rows = data.get(name, [])
    missing = [i for i, row in enumerate(rows, start=1) if any(not row.get(k) for k in required)]
    if errors or missing:
        raise _Rows(i18n.t(key, rows="、".join(str(i) for i in missing) or "?"))
    return rows


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").splitlines() if line.strip()]


def _text(name: str) -> str | None:
    return request.form.get(name, "").strip() or None


def _fields(*names: str) -> dict[str, Any]:
    return {n: v for n in names if (v := _text(n)) is not None}


def _members() -> list[dict[str, Any]]:
    return [{**row, "is_chief": bool(row.get("is_chief"))} for row in
            _rows(MEMBERS_FORM, "members", ("name", "person_id"), "ct.f.members_incomplete")]


def _clauses() -> list[dict[str, Any]]:
    schema, _ = _clauses_form(regional.floors_for(uow(readonly=True), web_actor().org_id))
    return [{"title": row.get("title", ""), "text": row["text"]} | {k: row[k] for k in ("key", "value") if k in row}
            for row in _rows(schema, "clauses", ("text",), "ct.f.clauses_incomplete")]


def _refused(contract_id: int, message: str):
    flash(i18n.t("ct.refused", message=message), "error")
    return redirect(url_for("web.contract_page", contract_id=contract_id))


def _submit(contract_id: int | None, schema, body: dict[str, Any], action, done: str):
    """Load ``body`` with the API's schema, run ``action(loaded)``; messages go to the hub (or the new form)."""
    try:
        result = action(schema.load(body))
    except ValidationError as error:
        flash(i18n.t("ct.refused", message=error.messages), "error")
    except DmflowError as error:
        flash(i18n.t("ct.refused", message=error.message), "error")
    else:
        flash(i18n.t(done), "ok")
        contract_id = contract_id or result
    if contract_id is None:
        return redirect(url_for("web.contract_new"))
    return redirect(url_for("web.contract_page", contract_id=contract_id))


@blp.route("/contracts/new", methods=["GET", "POST"])
@page(*NEGOTIATORS)
def contract_new():
    if request.method == "GET":
        return render("contract_new.html")
    body = _fields("kind", "title", "enterprise", "union_name", "text", "term_years") | {"topics": _lines("topics")}
    rules, calendar = services().rules, services().calendar

    def start(loaded):
        return contract_request.request_negotiation(uow(), loaded, actor=web_actor(), rules=rules,
                                                    timezone=calendar.tz.key,
                                                    adoption_majority=rules.contract_adoption_rule.value).id
    return _submit(None, cs.ContractRequestSchema(), body, start, "ct.requested")


@blp.route("/contracts/<int:contract_id>/representatives/<side>", methods=["POST"])
@page(*NEGOTIATORS)
def contract_side(contract_id: int, side: str):
    side = side if side in SIDES else "union"
    try:
        members = _members()
    except _Rows as error:
        return _refused(contract_id, str(error))
    return _submit(contract_id, cs.ContractSideListSchema(), {"members": members}, lambda b: (
        contract_negotiators.set_side(uow(), contract_id, side, b["members"], actor=web_actor(),
                                      rules=services().rules)), "ct.saved")


@blp.route("/contracts/<int:contract_id>/representatives/confirm", methods=["POST"])
@page(*NEGOTIATORS)
def contract_confirm_sides(contract_id: int):
    return _submit(contract_id, cs.Schema(), {}, lambda _: contract_negotiators.confirm(
        uow(), contract_id, actor=web_actor(), rules=services().rules), "ct.saved")


@blp.route("/contracts/<int:contract_id>/preparation", methods=["POST"])
@page(*NEGOTIATORS)
def contract_preparation(contract_id: int):
    body = _fields("first_meeting_on", "place", "info_supplied_on") | {
        "topics": _lines("topics"), "information": _lines("information"),
        "recorder": {k: v for k in ("name", "person_id", "username") if (v := _text(f"recorder_{k}"))}}
    return _submit(contract_id, cs.ContractPreparationSchema(), body, lambda b: (
        contract_negotiators.propose_preparation(uow(), contract_id, b, actor=web_actor(),
                                                 rules=services().rules)), "ct.saved")


@blp.route("/contracts/<int:contract_id>/preparation/confirm", methods=["POST"])
@page(*NEGOTIATORS)
def contract_confirm_preparation(contract_id: int):
    return _submit(contract_id, cs.Schema(), {}, lambda _: contract_negotiators.confirm_preparation(
        uow(), contract_id, actor=web_actor()), "ct.saved")


@blp.route("/contracts/<int:contract_id>/meetings", methods=["POST"])
@page(RECORDER)
def contract_meeting(contract_id: int):
    body = _fields("held_on", "place", "chair_side", "union_position", "employer_position", "minutes", "outcome",
                   "resume_on")
    return _submit(contract_id, cs.ContractMeetingCreateSchema(), body, lambda b: contract_drafts.record_meeting(
        uow(), contract_id, b, actor=web_actor(), rules=services().rules), "ct.saved")


@blp.route("/contracts/<int:contract_id>/drafts", methods=["POST"])
@page(*NEGOTIATORS)
def contract_draft(contract_id: int):
    try:
        body = {"clauses": _clauses()} | _fields("note")
    except _Rows as error:
        return _refused(contract_id, str(error))
    return _submit(contract_id, cs.ContractDraftCreateSchema(), body, lambda b: contract_drafts.add_draft(
        uow(), contract_id, clauses=b["clauses"], note=b.get("note"), actor=web_actor()), "ct.saved")


@blp.route("/contracts/<int:contract_id>/drafts/library", methods=["POST"])
@page(*NEGOTIATORS)
def contract_draft_from_library(contract_id: int):
    """A women workers' contract's first draft taken from the clause library, to be edited in later drafts."""
    body = {"from_library": True} | _fields("note")
    return _submit(contract_id, cs.ContractDraftCreateSchema(), body, lambda b: contract_drafts.add_draft(
        uow(), contract_id, clauses=None, note=b.get("note"), actor=web_actor(), from_library=True), "ct.saved")


@blp.route("/contracts/<int:contract_id>/renewal", methods=["POST"])
@page(*NEGOTIATORS)
def contract_renewal(contract_id: int):
    """Either side asks to renew in the window before expiry (第38条); the new negotiation gets its own hub."""
    body = {"topics": _lines("topics"), "text": _text("text") or ""}
    found: list[int] = []
    done = _submit(contract_id, cs.ContractRenewalSchema(), body, lambda b: found.append(
        contract_request.request_renewal(uow(), contract_id, b, actor=web_actor(), rules=services().rules).id),
        "ct.renewal_requested")
    return redirect(url_for("web.contract_page", contract_id=found[0])) if found else done


@blp.route("/contracts/<int:contract_id>/objection", methods=["POST"])
@page(LIAISON)
def contract_objection(contract_id: int):
    """The liaison enters the bureau's review opinion objecting to clauses (第45条); they are renegotiated."""
    cells = request.form.get("clauses", "").replace("，", ",").replace("、", ",").split(",")
    clauses = [int(cell) for cell in cells if cell.strip().isdigit()]
    body = {"clauses": clauses, "opinion": _text("opinion") or ""} | _fields("document_no", "issued_on")
    return _submit(contract_id, cs.Schema(), {}, lambda _: contract_request.deliver_objection(
        uow(), contract_id, body, actor=web_actor()), "ct.objection_recorded")


@blp.route("/contracts/<int:contract_id>/filing", methods=["POST"])
@page(*NEGOTIATORS)
def contract_file(contract_id: int):
    body = _fields("representatives_statement", "negotiation_statement", "women_statement") | {"legal_status": [
        {"party": p, "document": doc, "number": _text(f"{p}_number") or ""}
        for p in ("employer", "union") if (doc := _text(f"{p}_document"))]}
    wage = _fields("last_year_average_wage", "adjustment_ratio", "headcount")
    if wage:
        body["wage_information"] = wage
    return _submit(contract_id, cs.ContractFilingCreateSchema(), body, lambda b: contract_filing.file_contract(
        uow(), contract_id, b, actor=web_actor()), "ct.filed")
