"""The union office's page of a contract's performance disputes (履行争议, 集体合同规定 第55条; 工会法 第20条).

Either side records a dispute; each negotiation session is recorded with its outcome; after a failed session the
union refers the dispute to arbitration and downloads the package (the contract, the dispute, the negotiation
record). The forms are read with the API's schemas and handed to the same domain service.
"""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from marshmallow import ValidationError

from engine.errors import DmflowError
from engine.identity import ADMIN, AUDITOR
from workflows.contracts import performance_disputes as disputes
from workflows.contracts import record as contracts
from workflows.contracts.record import EMPLOYER_NEGOTIATOR, LIAISON, NEGOTIATORS, PRESIDIUM, RECORDER

from ...extension import uow
from ...schemas import contract_disputes as schemas
from .. import i18n
from ..core import blp, page, render, web_actor

PARTIES = (*NEGOTIATORS, "union_chair")
READERS = (*PARTIES, RECORDER, PRESIDIUM, LIAISON, AUDITOR, ADMIN)


def _form(*names: str) -> dict[str, str]:
    return {n: request.form.get(n, "").strip() for n in names if request.form.get(n, "").strip()}


def _submit(contract_id: int, schema, body: dict, action, done: str):
    """Load ``body`` with the API's schema and run the action; a refusal shows its rule and article."""
    try:
        action(schema.load(body))
    except ValidationError as error:
        flash(i18n.t("pd.refused", message=error.messages), "error")
    except DmflowError as error:
        flash(i18n.t("pd.refused", message=error.message), "error")
    else:
        flash(i18n.t(done), "ok")
    return redirect(url_for("web.contract_disputes_page", contract_id=contract_id))


@blp.route("/contracts/<int:contract_id>/performance-disputes")
@page(*READERS)
def contract_disputes_page(contract_id: int):
    actor = web_actor()
    contract = contracts.detail(uow(readonly=True), contract_id)
    rows = disputes.disputes_of(uow(readonly=True), contract_id)
    return render("contract_disputes.html", c=contract, rows=rows, party=actor.has(*PARTIES),
                  union=actor.has(*disputes.UNION_ROLES), employer=actor.has(EMPLOYER_NEGOTIATOR),
                  sides=contracts.SIDE_NAMES, outcomes=disputes.OUTCOMES, statuses=disputes.STATUS_NAMES)


@blp.route("/contracts/<int:contract_id>/performance-disputes", methods=["POST"])
@page(*PARTIES)
def contract_dispute_raise(contract_id: int):
    return _submit(contract_id, schemas.DisputeRequestSchema(), _form("clauses", "facts", "demand"),
                   lambda body: disputes.raise_dispute(uow(), contract_id, body, actor=web_actor()), "pd.raised")


@blp.route("/contracts/<int:contract_id>/performance-disputes/<int:dispute_id>/sessions", methods=["POST"])
@page(*PARTIES)
def contract_dispute_session(contract_id: int, dispute_id: int):
    body = _form("held_on", "place", "participants", "minutes", "outcome", "agreement_text")
    return _submit(contract_id, schemas.DisputeSessionRequestSchema(), body,
                   lambda b: disputes.record_session(uow(), contract_id, dispute_id, b, actor=web_actor()),
                   "pd.session_recorded")


@blp.route("/contracts/<int:contract_id>/performance-disputes/<int:dispute_id>/referral", methods=["POST"])
@page(*disputes.UNION_ROLES)
def contract_dispute_refer(contract_id: int, dispute_id: int):
    return _submit(contract_id, schemas.ReferralRequestSchema(), _form("tribunal", "claims"),
                   lambda b: disputes.refer_to_arbitration(uow(), contract_id, dispute_id, b, actor=web_actor()),
                   "pd.referred")


@blp.route("/contracts/<int:contract_id>/performance-disputes/<int:dispute_id>/package.zip")
@page(*READERS)
def contract_dispute_package(contract_id: int, dispute_id: int):
    doc = disputes.package(uow(readonly=True), contract_id, dispute_id)
    return Response(doc.content, mimetype=doc.media_type, headers={
        "X-Content-SHA256": doc.sha256, "Content-Disposition": f'attachment; filename="{doc.filename}"'})
