"""Factory-affairs disclosure (厂务公开): catalogue, disclosures and their stages, workers' questions, ratings."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from engine.errors import ValidationFailed
from engine.identity import ADMIN
from workflows.congress.tables import Matter
from workflows.disclosure import catalogue as disclosure_catalogue
from workflows.disclosure import feedback as disclosure_feedback
from workflows.disclosure import stages as disclosure

from ..auth import current_actor, require
from ..extension import uow as _uow
from ..schemas import Schema
from ..schemas import disclosures as ds

blp = Blueprint("disclosures", __name__, url_prefix="/api/v1/disclosures",
                description="Factory-affairs disclosure (厂务公开): catalogue, drafts, checks, publication, feedback")


def _detail(disclosure_id: int) -> dict:
    return disclosure.detail(_uow(readonly=True), disclosure_id, current_actor())


@blp.route("/catalogue")
class Catalogue(MethodView):
    @blp.arguments(ds.ItemQuerySchema, location="query")
    @blp.response(200, ds.ItemSchema(many=True))
    def get(self, args):
        """The catalogue of what must be disclosed (every worker may read it)."""
        current_actor()
        return disclosure_catalogue.list_items(_uow(readonly=True), active_only=args["active"])

    @blp.arguments(ds.ItemCreateSchema)
    @blp.response(201, ds.ItemSchema)
    def post(self, body):
        """Add a catalogue item (admins)."""
        return disclosure_catalogue.create_item(_uow(), body, actor=require(ADMIN))


@blp.route("/catalogue/<int:item_id>")
class CatalogueItem(MethodView):
    @blp.arguments(ds.ItemUpdateSchema)
    @blp.response(200, ds.ItemSchema)
    def patch(self, body, item_id):
        """Edit a catalogue item (admins); disclosures already started keep their values."""
        return disclosure_catalogue.update_item(_uow(), item_id, body, actor=require(ADMIN))


@blp.route("")
class Disclosures(MethodView):
    @blp.arguments(ds.DisclosureQuerySchema, location="query")
    @blp.response(200, ds.DisclosureSummarySchema(many=True))
    def get(self, args):
        """Disclosures the caller may see: published ones for every worker, drafts for their staff only."""
        return disclosure.listing(_uow(readonly=True), current_actor(), status=args.get("status"),
                                  item_id=args.get("item_id"))

    @blp.arguments(ds.DisclosureStartSchema)
    @blp.response(201, ds.DisclosureSchema)
    def post(self, body):
        """Start a disclosure on demand (ad hoc, or a missed period): the owner department or supervision group."""
        disclosure_id = disclosure_catalogue.request_disclosure(_uow(), body["item_id"], period=body["period"],
                                                                within_days=body["within_days"],
                                                                actor=current_actor())
        return _detail(disclosure_id)


@blp.route("/<int:disclosure_id>")
class DisclosureDetail(MethodView):
    @blp.response(200, ds.DisclosureSchema)
    def get(self, disclosure_id):
        """One disclosure; a draft is reported as missing to anyone who is not its staff."""
        return _detail(disclosure_id)


@blp.route("/<int:disclosure_id>/draft")
class Draft(MethodView):
    @blp.arguments(ds.DraftSchema)
    @blp.response(200, ds.DisclosureSchema)
    def put(self, body, disclosure_id):
        """The owner department writes the draft: content, channels, the period it covers."""
        disclosure.edit_draft(_uow(), disclosure_id, **body, actor=current_actor())
        return _detail(disclosure_id)


@blp.route("/<int:disclosure_id>/attachments")
class Attachments(MethodView):
    @blp.arguments(ds.AttachmentUploadSchema, location="files")
    @blp.response(201, ds.AttachmentSchema)
    def post(self, files, disclosure_id):
        """Attach a file to the draft (owner department); empty or oversized files are refused (422)."""
        upload = files["file"]
        try:
            content = upload.read()
        finally:
            upload.close()  # a large upload is a temporary file; close it now, not at garbage collection
        return disclosure.add_attachment(_uow(), disclosure_id, filename=upload.filename or "",
                                         media_type=upload.mimetype or "application/octet-stream",
                                         content=content, actor=current_actor())


@blp.route("/<int:disclosure_id>/attachments/<int:attachment_id>")
class AttachmentFile(MethodView):
    @blp.response(200, content_type="application/octet-stream")
    def get(self, disclosure_id, attachment_id):
        """An attachment's bytes, with its SHA-256 in a header, for whoever may see the disclosure."""
        row = disclosure.get_attachment(_uow(readonly=True), disclosure_id, attachment_id, current_actor())
        disposition = f"attachment; filename=\"attachment-{row.id}\"; filename*=UTF-8''{quote(row.filename)}"
        return Response(row.content, mimetype=row.media_type, headers={
            "X-Content-SHA256": row.sha256, "Content-Disposition": disposition})


@blp.route("/<int:disclosure_id>/submit")
class Submit(MethodView):
    @blp.response(200, ds.DisclosureSchema)
    def post(self, disclosure_id):
        """The owner department declares the draft true and complete and sends it to the checks."""
        disclosure.submit_draft(_uow(), disclosure_id, actor=current_actor())
        return _detail(disclosure_id)


class CongressReviewSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["noted", "returned"]),
                            metadata={"description": "noted: the congress has seen it; returned: back to drafting"})
    note = fields.String(load_default=None, validate=validate.Length(max=2000))
    matter_id = fields.Integer(load_default=None, validate=validate.Range(min=1), metadata={
        "description": "the agenda item (matter) of the congress meeting at which it was heard"})


def matter_heard(matter_id: int | None) -> dict | None:
    """The meeting and agenda item a congress review names (None: none named).

    Raises:
        ValidationFailed: no such agenda item.
    """
    if matter_id is None:
        return None
    unit = _uow(readonly=True)
    with unit:
        matter = unit.session.get(Matter, matter_id)
        if matter is None:
            raise ValidationFailed(f"agenda item {matter_id} does not exist", {"matter_id": [str(matter_id)]})
        return {"meeting_id": matter.meeting_id, "matter_id": matter.id, "matter_title": matter.title}


@blp.route("/<int:disclosure_id>/congress-review")
class CongressReview(MethodView):
    @blp.arguments(CongressReviewSchema)
    @blp.response(200, CongressReviewSchema)
    def post(self, body, disclosure_id):
        """The presidium records that the congress has seen a matter it must see before publication (or
        returned it); the disclosure moves on in the same transaction."""
        actor = require("presidium", ADMIN)
        disclosure.congress_reviewed(_uow(), disclosure_id, outcome=body["outcome"], note=body["note"],
                                     actor=actor.username, heard=matter_heard(body["matter_id"]))
        return body  # the draft itself stays visible to its staff only


@blp.route("/<int:disclosure_id>/confidentiality-check")
class ConfidentialityCheck(MethodView):
    @blp.arguments(ds.ConfidentialitySchema)
    @blp.response(200, ds.DisclosureSchema)
    def post(self, body, disclosure_id):
        """The confidentiality officer clears, returns or withholds (no state or trade secrets are published)."""
        notes = body.pop("notes")
        disclosure.confidentiality_check(_uow(), disclosure_id, body, notes, actor=current_actor())
        return _detail(disclosure_id)


@blp.route("/<int:disclosure_id>/review")
class Review(MethodView):
    @blp.arguments(ds.ReviewBodySchema)
    @blp.response(200, ds.DisclosureSchema)
    def post(self, body, disclosure_id):
        """The supervision group checks truthfulness, completeness and timeliness; approves or returns."""
        comments = body.pop("comments")
        disclosure.supervision_review(_uow(), disclosure_id, body, comments, actor=current_actor())
        return _detail(disclosure_id)


@blp.route("/<int:disclosure_id>/publications")
class Publications(MethodView):
    @blp.arguments(ds.PostingSchema)
    @blp.response(201, ds.PublicationSchema)
    def post(self, body, disclosure_id):
        """Record a posting on one channel, with time, place and poster (only once approved: else 409)."""
        return disclosure.record_posting(_uow(), disclosure_id, **body, actor=current_actor())


@blp.route("/<int:disclosure_id>/publish")
class Publish(MethodView):
    @blp.response(200, ds.DisclosureSchema)
    def post(self, disclosure_id):
        """Declare it published (every planned channel posted); workers may read it and the window opens."""
        disclosure.publish(_uow(), disclosure_id, actor=current_actor())
        return _detail(disclosure_id)


@blp.route("/<int:disclosure_id>/questions")
class Questions(MethodView):
    @blp.response(200, ds.QuestionSchema(many=True))
    def get(self, disclosure_id):
        """Every question and answer; the asker's name only as the asker allowed."""
        return disclosure_feedback.questions(_uow(readonly=True), disclosure_id, current_actor())

    @blp.arguments(ds.QuestionCreateSchema)
    @blp.response(201, ds.QuestionSchema)
    def post(self, body, disclosure_id):
        """Ask a question or raise an objection while the feedback window is open (else 409)."""
        actor = current_actor()
        question = disclosure_feedback.ask(_uow(), disclosure_id, **body, actor=actor)
        return next(q for q in disclosure_feedback.questions(_uow(readonly=True), disclosure_id, actor)
                    if q["id"] == question.id)


@blp.route("/<int:disclosure_id>/questions/<int:question_id>/answer")
class Answer(MethodView):
    @blp.arguments(ds.AnswerSchema)
    @blp.response(200, ds.QuestionSchema)
    def post(self, body, disclosure_id, question_id):
        """The owner department answers (anyone else: 403)."""
        actor = current_actor()
        disclosure_feedback.answer(_uow(), disclosure_id, question_id, body["answer"], actor=actor)
        return next(q for q in disclosure_feedback.questions(_uow(readonly=True), disclosure_id, actor)
                    if q["id"] == question_id)


@blp.route("/<int:disclosure_id>/evaluation")
class Evaluation(MethodView):
    @blp.arguments(ds.EvaluationSchema)
    @blp.response(200, ds.DisclosureSchema)
    def post(self, body, disclosure_id):
        """The supervision group evaluates and closes, or orders a rectification with a deadline."""
        disclosure.evaluate(_uow(), disclosure_id, body, actor=current_actor())
        return _detail(disclosure_id)


@blp.route("/<int:disclosure_id>/rectification")
class Rectification(MethodView):
    @blp.arguments(ds.RectificationReportSchema)
    @blp.response(200, ds.DisclosureSchema)
    def post(self, body, disclosure_id):
        """The owner department reports the rectification done."""
        disclosure.report_rectification(_uow(), disclosure_id, body["report"], actor=current_actor())
        return _detail(disclosure_id)


@blp.route("/<int:disclosure_id>/ratings")
class Ratings(MethodView):
    @blp.response(200, ds.RatingsSchema)
    def get(self, disclosure_id):
        """The workers' ratings, without names (supervision group and auditors)."""
        return disclosure_feedback.ratings(_uow(readonly=True), disclosure_id, current_actor())

    @blp.arguments(ds.RatingCreateSchema)
    @blp.response(201, ds.RatingSchema)
    def post(self, body, disclosure_id):
        """Rate a closed disclosure once (satisfied, basically satisfied, unsatisfied)."""
        return disclosure_feedback.rate(_uow(), disclosure_id, **body, actor=current_actor())
