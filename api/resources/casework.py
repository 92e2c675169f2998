"""The union's casework (工会个案): labour-dispute mediation (劳动争议调解) and its committee; legal-aid referral."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.casework import committee, legal_aid, mediation_stages
from workflows.casework import mediation as cases

from ..auth import current_actor
from ..extension import uow as _uow
from ..schemas import casework as cs

blp = Blueprint("casework", __name__, url_prefix="/api/v1/casework",
                description="The union's casework: labour-dispute mediation (劳动争议调解), legal aid (法律援助)")


def _detail(case_id: int) -> dict:
    return cases.detail(_uow(readonly=True), case_id, current_actor())


@blp.route("/mediation-committee")
class Committee(MethodView):
    @blp.response(200, cs.CommitteeSchema)
    def get(self):
        """The mediation committee's roster (every worker may read who sits on it)."""
        current_actor()
        return {"members": committee.roster(_uow(readonly=True))}

    @blp.arguments(cs.CommitteeSchema)
    @blp.response(200, cs.CommitteeSchema)
    def put(self, body):
        """Replace the roster (admins); worker and employer representatives, one chair (第10条)."""
        return {"members": committee.set_roster(_uow(), body["members"], actor=current_actor())}


@blp.route("/mediations")
class Mediations(MethodView):
    @blp.arguments(cs.MediationQuerySchema, location="query")
    @blp.response(200, cs.MediationSummarySchema(many=True))
    def get(self, args):
        """Cases the caller may see: every case for the committee, admins, auditors; their own for others."""
        return cases.listing(_uow(readonly=True), current_actor(), status=args["status"])

    @blp.arguments(cs.ApplicationSchema)
    @blp.response(201, cs.MediationSchema)
    def post(self, body):
        """File an application: a worker's written one (alone or a group), or an oral one the committee records."""
        case_id = cases.file_application(_uow(), applicants_=body["applicants"], respondent=body["respondent"],
                                         claim=body["claim"], oral=body["oral"], actor=current_actor())
        return _detail(case_id)


@blp.route("/mediations/<int:case_id>")
class Mediation(MethodView):
    @blp.response(200, cs.MediationSchema)
    def get(self, case_id):
        """One case, for its parties, mediator, the committee, admins and auditors (404 for anyone else)."""
        return _detail(case_id)


@blp.route("/mediations/<int:case_id>/accept")
class Accept(MethodView):
    @blp.arguments(cs.AcceptSchema)
    @blp.response(200, cs.MediationSchema)
    def post(self, body, case_id):
        """The committee accepts and assigns a mediator without conflict of interest."""
        mediation_stages.accept(_uow(), case_id, **body, actor=current_actor())
        return _detail(case_id)


@blp.route("/mediations/<int:case_id>/refuse")
class Refuse(MethodView):
    @blp.arguments(cs.RefuseSchema)
    @blp.response(200, cs.MediationSchema)
    def post(self, body, case_id):
        """The committee refuses the application, with its reason."""
        mediation_stages.refuse(_uow(), case_id, reason=body["reason"], actor=current_actor())
        return _detail(case_id)


@blp.route("/mediations/<int:case_id>/sessions")
class Sessions(MethodView):
    @blp.arguments(cs.SessionCreateSchema)
    @blp.response(201, cs.MediationSchema)
    def post(self, body, case_id):
        """The mediator records a session (调解笔录)."""
        mediation_stages.add_session(_uow(), case_id, held_at=body["held_at"], record_text=body["record"],
                                     actor=current_actor())
        return _detail(case_id)


@blp.route("/mediations/<int:case_id>/extend")
class Extend(MethodView):
    @blp.arguments(cs.ExtendSchema)
    @blp.response(200, cs.MediationSchema)
    def post(self, body, case_id):
        """The mediator records both parties' consent to extend the period; the deadline moves."""
        mediation_stages.extend(_uow(), case_id, **body, actor=current_actor())
        return _detail(case_id)


@blp.route("/mediations/<int:case_id>/close")
class Close(MethodView):
    @blp.arguments(cs.CloseSchema)
    @blp.response(200, cs.MediationSchema)
    def post(self, body, case_id):
        """The mediator ends the mediation: an agreement signed by both parties, or no agreement."""
        mediation_stages.close(_uow(), case_id, **body, actor=current_actor())
        return _detail(case_id)


@blp.route("/mediations/<int:case_id>/documents/<int:document_id>")
class Document(MethodView):
    @blp.response(200, content_type="text/plain")
    def get(self, case_id, document_id):
        """The agreement or the referral letter, with its SHA-256 in a header."""
        doc = cases.case_document(_uow(readonly=True), case_id, document_id, current_actor())
        return Response(doc.content, mimetype=doc.media_type, headers={
            "X-Content-SHA256": doc.sha256,
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(doc.filename)}"})


def _aid(case_id: int) -> dict:
    return legal_aid.detail(_uow(readonly=True), case_id, current_actor())


@blp.route("/legal-aid")
class LegalAidCases(MethodView):
    @blp.response(200, cs.LegalAidSummarySchema(many=True))
    def get(self):
        """Legal-aid cases: all for the union's legal-aid officers, admins and auditors; a worker's own."""
        return legal_aid.listing(_uow(readonly=True), current_actor())

    @blp.arguments(cs.LegalAidApplicationSchema)
    @blp.response(201, cs.LegalAidSchema)
    def post(self, body):
        """A worker applies for the union's legal aid (facts and financial hardship)."""
        return _aid(legal_aid.apply(_uow(), **body, actor=current_actor()))


@blp.route("/legal-aid/<int:case_id>")
class LegalAidCase(MethodView):
    @blp.response(200, cs.LegalAidSchema)
    def get(self, case_id):
        """One case, for its applicant and the officers (404 for anyone else)."""
        return _aid(case_id)


@blp.route("/legal-aid/<int:case_id>/review")
class LegalAidReview(MethodView):
    @blp.arguments(cs.LegalAidReviewSchema)
    @blp.response(200, cs.LegalAidSchema)
    def post(self, body, case_id):
        """The union refers the worker to a legal-aid body with a package, or declines with its reason."""
        legal_aid.review(_uow(), case_id, **body, actor=current_actor())
        return _aid(case_id)


@blp.route("/legal-aid/<int:case_id>/outcome")
class LegalAidOutcome(MethodView):
    @blp.arguments(cs.LegalAidOutcomeSchema)
    @blp.response(200, cs.LegalAidSchema)
    def post(self, body, case_id):
        """The officer records the legal-aid body's outcome; the case closes."""
        legal_aid.record_outcome(_uow(), case_id, outcome=body["outcome"], actor=current_actor())
        return _aid(case_id)


@blp.route("/legal-aid/<int:case_id>/documents/<int:document_id>")
class LegalAidDocument(MethodView):
    @blp.response(200, content_type="text/plain")
    def get(self, case_id, document_id):
        """The referral package, with its SHA-256 in a header."""
        doc = legal_aid.case_document(_uow(readonly=True), case_id, document_id, current_actor())
        return Response(doc.content, mimetype=doc.media_type, headers={"X-Content-SHA256": doc.sha256})
