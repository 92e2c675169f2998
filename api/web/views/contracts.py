"""The contract office (集体合同): every contract's page is the hub of its negotiation.

The page shows where the contract stands (a stage bar), what comes next and who must do it, the open steps
of its procedure (each a link to its form: the reply, the congress submission, the bureau's receipt, the
publication), both sides' negotiators, the meetings with both chiefs' sign-off, the drafts with their
clause-by-clause changes, the filings with their package, and the published notice. Chiefs sign minutes,
agree a draft and sign the contract here. Every worker reads the published contracts (第48条).
"""

from __future__ import annotations

from flask import Response, flash, redirect, url_for

from engine import queries
from engine.errors import DmflowError, NotFound
from engine.identity import ADMIN, AUDITOR, Actor
from workflows.congress import ballots, meetings
from workflows.contracts import drafts as contract_drafts
from workflows.contracts import filing as contract_filing
from workflows.contracts import record as contracts
from workflows.contracts import request as contract_request
from workflows.contracts.record import LIAISON, NEGOTIATORS, PRESIDIUM, RECORDER

from ...extension import uow
from .. import i18n
from ..core import blp, menu, page, render, web_actor
from . import contract_forms

OFFICE = (*NEGOTIATORS, RECORDER, PRESIDIUM, LIAISON)
READERS = (*OFFICE, AUDITOR, ADMIN)
menu(75, "web.contracts_page", "nav.contracts", "contracts", lambda actor: actor.has(*OFFICE), group="bargaining")

# The stage bar: the main road from the request to publication (side roads show as the current stage).
STAGE_BAR = ("requested", "representatives", "preparation", "negotiating", "agreed", "adoption", "signing",
             "signed", "filed", "under_review", "effective", "published")


def _reader(actor: Actor) -> bool:
    return actor.has(*READERS)


@blp.route("/contracts")
@page()
def contracts_page():
    actor = web_actor()
    rows = contracts.list_contracts(uow(readonly=True))
    if not _reader(actor):  # every worker reads the published contracts (第48条)
        rows = [c for c in rows if c.notice_html is not None]
    return render("contracts_list.html", rows=rows, reader=_reader(actor), stage=_stage_label,
                  may_request=actor.has(*NEGOTIATORS))


def _stage_label(stage: str) -> str:
    return i18n.t(f"ct.stage.{stage}")


def _diffs(contract_id: int, drafts: list[dict]) -> dict[int, dict]:
    """Each version's changes against the one before."""
    return {d["version"]: contract_drafts.diff(uow(readonly=True), contract_id, d["version"] - 1, d["version"])
            for d in drafts if d["version"] > 1}


@blp.route("/contracts/<int:contract_id>")
@page()
def contract_page(contract_id: int):
    actor = web_actor()
    if not _reader(actor):
        return redirect(url_for("web.contract_notice", contract_id=contract_id))
    detail = contracts.detail(uow(readonly=True), contract_id)
    instance = queries.get_instance(uow(readonly=True), detail["instance_id"]) if detail["instance_id"] else None
    stage = detail["stage"]
    reached = STAGE_BAR.index(stage) if stage in STAGE_BAR else -1
    chiefs = {n["side"]: n["username"] for n in detail["negotiators"] if n["is_chief"] and not n["ended_on"]}
    return render("contract_detail.html", c=detail, bar=STAGE_BAR, reached=reached, stage=_stage_label,
                  vote=_vote(detail["vote_id"]), library=contract_drafts.clause_library(detail["kind"]),
                  presidium=actor.has(PRESIDIUM), liaison=actor.has(LIAISON),
                  next_who=contracts.NEXT_BY.get(stage), tasks=instance["ready_tasks"] if instance else [],
                  diffs=_diffs(contract_id, detail["drafts"]), chief=actor.username in chiefs.values(),
                  sides=contracts.SIDE_NAMES, recorder=actor.has(RECORDER),
                  my_sides=[s for s in contracts.SIDES if actor.has(contracts.ROLE_OF_SIDE[s])],
                  row_forms=contract_forms.row_forms(actor.org_id))


def _vote(vote_id: int | None) -> dict | None:
    """The adoption vote's meeting and agenda item: the hub links to the congress's pages for it."""
    if vote_id is None:
        return None
    vote = ballots.get_vote(uow(readonly=True), vote_id)
    unit = uow(readonly=True)
    with unit:
        matter = meetings.get_matter(unit.session, vote.matter_id)
        meeting = meetings.get_meeting(unit.session, matter.meeting_id)
        return {"id": vote.id, "status": vote.status, "outcome": vote.outcome, "meeting_id": meeting.id,
                "meeting": meeting.title, "matter": matter.title}


@blp.route("/contracts/<int:contract_id>/notice")
@page()
def contract_notice(contract_id: int):
    """The publication notice (第48条: 向全体职工公布), for every signed-in worker once published."""
    record = contracts.get_contract_record(uow(readonly=True), contract_id)
    if record.notice_html is None:
        raise NotFound(i18n.t("ct.not_published"))
    return Response(record.notice_html, mimetype="text/html")


@blp.route("/contracts/<int:contract_id>/filings/<int:number>/package.html")
@page(*READERS)
def contract_package(contract_id: int, number: int):
    filing = contract_filing.get_filing(uow(readonly=True), contract_id, number)
    return Response(filing.package_html, mimetype="text/html")


@blp.route("/contracts/<int:contract_id>/filings/<int:number>/package.json")
@page(*READERS)
def contract_package_json(contract_id: int, number: int):
    filing = contract_filing.get_filing(uow(readonly=True), contract_id, number)
    return Response(filing.package_json, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=contract-{contract_id}-filing-{number}.json"})


def _act(contract_id: int, action, done_key: str):
    """Run a chief's action; a refusal is shown on the hub in the page's language, with its article."""
    try:
        action()
    except DmflowError as error:
        flash(i18n.t("ct.refused", message=error.message), "error")
    else:
        flash(i18n.t(done_key), "ok")
    return redirect(url_for("web.contract_page", contract_id=contract_id))


@blp.route("/contracts/<int:contract_id>/meetings/<int:number>/sign", methods=["POST"])
@page(*NEGOTIATORS)
def contract_sign_minutes(contract_id: int, number: int):
    return _act(contract_id, lambda: contract_drafts.sign_minutes(uow(), contract_id, number, actor=web_actor()),
                "ct.minutes_signed")


@blp.route("/contracts/<int:contract_id>/drafts/<int:version>/agree", methods=["POST"])
@page(*NEGOTIATORS)
def contract_agree(contract_id: int, version: int):
    return _act(contract_id, lambda: contract_drafts.agree(uow(), contract_id, version, actor=web_actor()),
                "ct.agreed")


@blp.route("/contracts/<int:contract_id>/sign", methods=["POST"])
@page(*NEGOTIATORS)
def contract_sign(contract_id: int):
    return _act(contract_id, lambda: contract_request.sign(uow(), contract_id, actor=web_actor()), "ct.signed")
