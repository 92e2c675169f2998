"""Collective contract negotiation (集体合同): request, representatives, meetings, drafts, signature, filing."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from engine.errors import Conflict, NotFound
from engine.identity import ADMIN, AUDITOR
from workflows.contracts import drafts as contract_drafts
from workflows.contracts import filing as contract_filing
from workflows.contracts import negotiators as contract_negotiators
from workflows.contracts import record as contracts
from workflows.contracts import request
from workflows.contracts.record import LIAISON, NEGOTIATORS, PRESIDIUM, RECORDER

from ..auth import require
from ..extension import services as _svc
from ..extension import uow as _uow
from ..schemas import contracts as cs

blp = Blueprint("contracts", __name__, url_prefix="/api/v1/contracts",
                description="Collective contract negotiation (集体合同、工资专项、女职工专项集体合同)")
READERS = (*NEGOTIATORS, RECORDER, PRESIDIUM, LIAISON, AUDITOR, ADMIN)


def _detail(contract_id: int) -> dict:
    return contracts.detail(_uow(readonly=True), contract_id)


def _html(page: str) -> Response:
    return Response(page, mimetype="text/html")


@blp.route("")
class Contracts(MethodView):
    @blp.arguments(cs.ContractQuerySchema, location="query")
    @blp.response(200, cs.ContractSchema(many=True))
    def get(self, args):
        """Contracts, newest first, optionally of one kind or stage."""
        require(*READERS)
        return [contracts.summary(c) for c in contracts.list_contracts(_uow(readonly=True), **args)]

    @blp.arguments(cs.ContractRequestSchema)
    @blp.response(201, cs.ContractDetailSchema)
    def post(self, body):
        """Request negotiation in writing (第32条); starts the procedure. The other side replies within 20 days."""
        actor = require(*NEGOTIATORS)
        rules = _svc().rules
        contract = request.request_negotiation(_uow(), body, actor=actor, rules=rules,
                                                 timezone=_svc().calendar.tz.key,
                                                 adoption_majority=rules.contract_adoption_rule.value)
        return _detail(contract.id)


@blp.route("/clause-library")
class ClauseLibrary(MethodView):
    @blp.arguments(cs.ContractLibraryQuerySchema, location="query")
    @blp.response(200, cs.ContractClauseSchema(many=True))
    def get(self, args):
        """Typical clauses offered as a starting point (women workers' special contracts: a template, not a rule)."""
        require(*READERS)
        return contract_drafts.clause_library(args["kind"])


@blp.route("/<int:contract_id>")
class ContractDetail(MethodView):
    @blp.response(200, cs.ContractDetailSchema)
    def get(self, contract_id):
        """The contract with its stage, deadlines and every negotiation record."""
        require(*READERS)
        return _detail(contract_id)


@blp.route("/<int:contract_id>/representatives/<string:side>")
class SideRepresentatives(MethodView):
    @blp.arguments(cs.ContractSideListSchema)
    @blp.response(200, cs.ContractNegotiatorSchema(many=True))
    def put(self, body, contract_id, side):
        """Name one side's representatives (第19–24条: ≥3, one chief with standing, ≤1/3 outside, no dual role)."""
        actor = require(*NEGOTIATORS)
        if side not in contracts.SIDES:
            raise NotFound(f"side must be one of {', '.join(contracts.SIDES)}")
        return contract_negotiators.set_side(_uow(), contract_id, side, body["members"], actor=actor,
                                             rules=_svc().rules, endorsement=body.get("endorsement"))


@blp.route("/<int:contract_id>/representatives/confirm")
class ConfirmRepresentatives(MethodView):
    @blp.response(200, cs.ContractDetailSchema)
    def post(self, contract_id):
        """Confirm both lists (equal numbers, 第19条); the procedure moves on to preparation."""
        contract_negotiators.confirm(_uow(), contract_id, actor=require(*NEGOTIATORS), rules=_svc().rules)
        return _detail(contract_id)


@blp.route("/<int:contract_id>/vacancies")
class Vacancies(MethodView):
    @blp.arguments(cs.ContractVacancyCreateSchema)
    @blp.response(201, cs.ContractVacancySchema)
    def post(self, body, contract_id):
        """A seat falls vacant; it is filled within 15 days (第31条; the diagram's timer watches it)."""
        actor = require(*NEGOTIATORS)
        return contract_negotiators.open_vacancy(_uow(), contract_id, body["negotiator_id"], reason=body["reason"],
                                                 occurred_on=body["occurred_on"], actor=actor)


@blp.route("/<int:contract_id>/vacancies/<int:vacancy_id>/fill")
class FillVacancy(MethodView):
    @blp.arguments(cs.ContractVacancyFillSchema)
    @blp.response(201, cs.ContractNegotiatorSchema)
    def post(self, body, contract_id, vacancy_id):
        """Seat the replacement (the side's list must again satisfy 第19–24条)."""
        actor = require(*NEGOTIATORS)
        return contract_negotiators.fill_vacancy(_uow(), contract_id, vacancy_id, body["member"], actor=actor,
                                                 rules=_svc().rules)


@blp.route("/<int:contract_id>/preparation")
class Preparation(MethodView):
    @blp.arguments(cs.ContractPreparationSchema)
    @blp.response(200, cs.ContractDetailSchema)
    def put(self, body, contract_id):
        """Propose agenda, first meeting, place, neutral recorder and information exchanged (第33条)."""
        actor = require(*NEGOTIATORS)
        contract_negotiators.propose_preparation(_uow(), contract_id, body, actor=actor, rules=_svc().rules)
        return _detail(contract_id)


@blp.route("/<int:contract_id>/preparation/confirm")
class ConfirmPreparation(MethodView):
    @blp.response(200, cs.ContractDetailSchema)
    def post(self, contract_id):
        """The other side agrees the preparation; negotiation opens."""
        contract_negotiators.confirm_preparation(_uow(), contract_id, actor=require(*NEGOTIATORS))
        return _detail(contract_id)


@blp.route("/<int:contract_id>/meetings")
class Meetings(MethodView):
    @blp.response(200, cs.ContractMeetingSchema(many=True))
    def get(self, contract_id):
        """The negotiation meetings in order."""
        require(*READERS)
        return _detail(contract_id)["meetings"]

    @blp.arguments(cs.ContractMeetingCreateSchema)
    @blp.response(201, cs.ContractMeetingSchema)
    def post(self, body, contract_id):
        """Record a meeting (the agreed recorder): chiefs chair in turn (第34条); a suspension names its end."""
        return contract_drafts.record_meeting(_uow(), contract_id, body, actor=require(RECORDER), rules=_svc().rules)


@blp.route("/<int:contract_id>/meetings/<int:number>/sign")
class SignMinutes(MethodView):
    @blp.response(200, cs.ContractMeetingSchema)
    def post(self, contract_id, number):
        """A chief representative signs the minutes; signed minutes of a suspension suspend (第35条)."""
        return contract_drafts.sign_minutes(_uow(), contract_id, number, actor=require(*NEGOTIATORS))


@blp.route("/<int:contract_id>/drafts")
class Drafts(MethodView):
    @blp.response(200, cs.ContractDraftSchema(many=True))
    def get(self, contract_id):
        """Every version of the text."""
        require(*READERS)
        return contract_drafts.list_drafts(_uow(readonly=True), contract_id)

    @blp.arguments(cs.ContractDraftCreateSchema)
    @blp.response(201, cs.ContractDraftSchema)
    def post(self, body, contract_id):
        """Store the next version (or start from the clause library)."""
        draft = contract_drafts.add_draft(_uow(), contract_id, clauses=body["clauses"], note=body.get("note"),
                                          from_library=body["from_library"], actor=require(*NEGOTIATORS))
        return contract_drafts.draft_view(draft)


@blp.route("/<int:contract_id>/drafts/diff")
class DraftDiff(MethodView):
    @blp.arguments(cs.ContractDiffQuerySchema, location="query")
    @blp.response(200, cs.ContractDiffSchema)
    def get(self, args, contract_id):
        """A clause-by-clause comparison of two versions (`?from=1&to=2`)."""
        require(*READERS)
        return contract_drafts.diff(_uow(readonly=True), contract_id, args["from_version"], args["to_version"])


@blp.route("/<int:contract_id>/drafts/<int:version>")
class DraftDetail(MethodView):
    @blp.response(200, cs.ContractDraftSchema)
    def get(self, contract_id, version):
        """One version of the text."""
        require(*READERS)
        return contract_drafts.read_draft(_uow(readonly=True), contract_id, version)


@blp.route("/<int:contract_id>/drafts/<int:version>/agree")
class AgreeDraft(MethodView):
    @blp.response(200, cs.ContractSignOffSchema)
    def post(self, contract_id, version):
        """A chief representative agrees the latest draft; both together end the negotiation (第34条)."""
        return contract_drafts.agree(_uow(), contract_id, version, actor=require(*NEGOTIATORS))


@blp.route("/<int:contract_id>/disputes")
class Disputes(MethodView):
    @blp.arguments(cs.ContractDisputeCreateSchema)
    @blp.response(201, cs.ContractDisputeSchema)
    def post(self, body, contract_id):
        """Apply to the labour administration to coordinate a dispute (第49–50条; 30 + ≤15 days, 第52条)."""
        return request.apply_for_coordination(_uow(), contract_id, body["matters"], actor=require(*NEGOTIATORS))


@blp.route("/<int:contract_id>/signatures")
class Signatures(MethodView):
    @blp.response(201, cs.ContractSignatureSchema)
    def post(self, contract_id):
        """A chief representative signs the adopted text (第37条); refused before adoption (第36条)."""
        return request.sign(_uow(), contract_id, actor=require(*NEGOTIATORS))


@blp.route("/<int:contract_id>/filings")
class Filings(MethodView):
    @blp.response(200, cs.ContractFilingSchema(many=True))
    def get(self, contract_id):
        """The filings (first filing and re-filings after an objection)."""
        require(*READERS)
        return _detail(contract_id)["filings"]

    @blp.arguments(cs.ContractFilingCreateSchema)
    @blp.response(201, cs.ContractFilingSchema)
    def post(self, body, contract_id):
        """The employer files the signed text (第42条); the filing package is generated and hashed."""
        return contract_filing.file_contract(_uow(), contract_id, body, actor=require(*NEGOTIATORS))


@blp.route("/<int:contract_id>/filings/<int:number>/package")
class FilingPackage(MethodView):
    @blp.response(200)
    def get(self, contract_id, number):
        """The filing package as JSON (its SHA-256 is in the filing and the audit trail)."""
        require(*READERS)
        return current_app.response_class(contract_filing.get_filing(_uow(readonly=True), contract_id,
                                                                     number).package_json,
                                          mimetype="application/json")


@blp.route("/<int:contract_id>/filings/<int:number>/package.html")
class FilingPackageHtml(MethodView):
    @blp.response(200)
    def get(self, contract_id, number):
        """The filing package as a printable HTML page."""
        require(*READERS)
        return _html(contract_filing.get_filing(_uow(readonly=True), contract_id, number).package_html)


@blp.route("/<int:contract_id>/notice")
class Notice(MethodView):
    @blp.response(200)
    def get(self, contract_id):
        """The publication notice (第48条: 向全体职工公布): every signed-in user reads it once published."""
        actor = require()
        detail = contracts.get_contract_record(_uow(readonly=True), contract_id)
        if detail.notice_html is None:
            if not actor.has(*READERS):
                raise NotFound(f"contract {contract_id} has no published notice")
            raise Conflict(f"contract {contract_id} has not been published yet")
        return _html(detail.notice_html)


@blp.route("/<int:contract_id>/renewal")
class Renewal(MethodView):
    @blp.arguments(cs.ContractRenewalSchema)
    @blp.response(201, cs.ContractDetailSchema)
    def post(self, body, contract_id):
        """Either side asks to renew in the window before expiry (第38条): a new, linked negotiation."""
        actor = require(*NEGOTIATORS)
        new = request.request_renewal(_uow(), contract_id, body, actor=actor, rules=_svc().rules)
        return _detail(new.id)
