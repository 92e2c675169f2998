"""Marshmallow schemas of the factory-affairs disclosure API (厂务公开): catalogue, disclosures, feedback."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer, Upload
from workflows.disclosure.catalogue import CATEGORIES, CHANNELS, FREQUENCIES
from workflows.disclosure.feedback import KINDS, SATISFACTION, VISIBILITIES

from . import Schema


def _channels(**kwargs) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(CHANNELS)), validate=validate.Length(min=1),
                       metadata={"description": f"one or more of {', '.join(CHANNELS)}"}, **kwargs)


# Catalogue
class ItemUpdateSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    topic = fields.String(allow_none=True, validate=validate.Length(max=40))
    legal_basis = fields.String(validate=validate.Length(min=1, max=2000))
    frequency = fields.String(validate=validate.OneOf(FREQUENCIES))
    channels = _channels()
    owner_role = fields.String(validate=validate.Length(min=1, max=100),
                               metadata={"description": "the owner department's role, e.g. dept_hr"})
    congress_first = fields.Boolean(metadata={"description": "the congress sees it before publication"})
    confidentiality_check = fields.Boolean(metadata={"description": "a confidentiality and legality check first"})
    feedback_days = Integer(allow_none=True, validate=validate.Range(min=1, max=90),
                                   metadata={"description": "null: the rule disclosure_feedback_days"})
    active = fields.Boolean()


class ItemCreateSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,59}$"))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    topic = fields.String(load_default=None, validate=validate.Length(max=40))
    legal_basis = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    frequency = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    channels = _channels(required=True)
    owner_role = fields.String(required=True, validate=validate.Length(min=1, max=100))
    congress_first = fields.Boolean(required=True)
    confidentiality_check = fields.Boolean(required=True)
    feedback_days = Integer(load_default=None, validate=validate.Range(min=1, max=90))


class ItemSchema(ItemUpdateSchema):
    id = Integer()
    code = fields.String()
    created_at = fields.DateTime()
    created_by = fields.String()
    updated_at = fields.DateTime()
    updated_by = fields.String()


class ItemQuerySchema(Schema):
    active = fields.Boolean(load_default=False, metadata={"description": "true: active items only"})


# Disclosures
class DisclosureStartSchema(Schema):
    item_id = Integer(required=True)
    period = fields.String(load_default=None, metadata={"description": "regular items: 2026-03, 2026-Q1 or 2026"})
    within_days = Integer(load_default=None, validate=validate.Range(min=1, max=90),
                                 metadata={"description": "ad hoc items: publication due N days from now"})


class DisclosureQuerySchema(Schema):
    status = fields.String()
    item_id = Integer()


class DisclosureSummarySchema(Schema):
    id = Integer()
    item_id = Integer()
    item_code = fields.String()
    category = fields.String()
    title = fields.String()
    period = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "drafting, checking, reviewing, awaiting_congress, approved, "
                                                    "withheld, feedback_open, answering, evaluating, rectifying, "
                                                    "closed, archived"})
    owner_role = fields.String()
    publish_due = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)
    feedback_until = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    rating_until = fields.DateTime(allow_none=True)
    archived_at = fields.DateTime(allow_none=True)


class AttachmentSchema(Schema):
    id = Integer()
    filename = fields.String()
    media_type = fields.String()
    size = Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


class PublicationSchema(Schema):
    id = Integer()
    channel = fields.String()
    location = fields.String(allow_none=True)
    posted_by = fields.String()
    posted_at = fields.DateTime()
    recorded_at = fields.DateTime()


class RectificationSchema(Schema):
    id = Integer()
    requirements = fields.String()
    ordered_by = fields.String(allow_none=True)
    ordered_at = fields.DateTime()
    due_at = fields.DateTime()
    overdue_at = fields.DateTime(allow_none=True)
    report = fields.String(allow_none=True)
    reported_by = fields.String(allow_none=True)
    reported_at = fields.DateTime(allow_none=True)


class ReviewSchema(Schema):
    id = Integer()
    stage = fields.String(metadata={"description": "confidentiality, supervision, congress or evaluation"})
    decision = fields.String()
    details = fields.Dict()
    reviewer = fields.String(allow_none=True)
    reviewed_at = fields.DateTime()


class StaffViewSchema(Schema):
    draft_version = Integer()
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    publication_late_at = fields.DateTime(allow_none=True)
    congress_first = fields.Boolean()
    confidentiality_check = fields.Boolean()
    archive_sha256 = fields.String(allow_none=True, metadata={"description": "SHA-256 of the sealed archive"})
    reviews = fields.List(fields.Nested(ReviewSchema))


class DisclosureSchema(DisclosureSummarySchema):
    legal_basis = fields.String()
    content = fields.String(allow_none=True)
    period_note = fields.String(allow_none=True)
    channels = fields.List(fields.String())
    feedback_days = Integer()
    attachments = fields.List(fields.Nested(AttachmentSchema))
    publications = fields.List(fields.Nested(PublicationSchema))
    rectifications = fields.List(fields.Nested(RectificationSchema))
    questions = Integer()
    unanswered = Integer()
    staff = fields.Nested(StaffViewSchema, metadata={"description": "only for the owner department, the "
                                                                    "confidentiality officer, the supervision "
                                                                    "group and auditors"})


class DraftSchema(Schema):
    content = fields.String(required=True, validate=validate.Length(min=1, max=200_000))
    channels = _channels(required=True)
    period_note = fields.String(load_default=None, validate=validate.Length(max=200))


class AttachmentUploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "one file, not empty, at most the configured size "
                                                          "(10 MB by default)"})


class ConfidentialitySchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["clear", "return", "withhold"]))
    state_secret = fields.Boolean(required=True)
    trade_secret = fields.Boolean(required=True)
    lawful = fields.Boolean(required=True)
    notes = fields.String(load_default=None, validate=validate.Length(max=5000),
                          metadata={"description": "kept on the record, shown to staff only"})


class ReviewBodySchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "return"]))
    truthful = fields.Boolean(required=True)
    complete = fields.Boolean(required=True)
    timely = fields.Boolean(required=True)
    comments = fields.String(load_default=None, validate=validate.Length(max=5000))


class PostingSchema(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    location = fields.String(load_default=None, validate=validate.Length(max=200),
                             metadata={"description": "e.g. 一号楼公开栏, the intranet page, the meeting"})
    posted_at = fields.AwareDateTime(load_default=None, metadata={"description": "default: now"})


class EvaluationSchema(Schema):
    truthful = fields.Boolean(required=True)
    complete = fields.Boolean(required=True)
    timely = fields.Boolean(required=True)
    rectification_required = fields.Boolean(required=True)
    rectification_requirements = fields.String(validate=validate.Length(min=1, max=5000))
    rectification_days = Integer(validate=validate.Range(min=1, max=90))
    conclusion = fields.String(validate=validate.Length(max=5000))


class RectificationReportSchema(Schema):
    report = fields.String(required=True, validate=validate.Length(min=1, max=20_000))


# Feedback
class QuestionCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    kind = fields.String(load_default="question", validate=validate.OneOf(KINDS))
    visibility = fields.String(load_default="public", validate=validate.OneOf(VISIBILITIES), metadata={
        "description": "who sees the asker's name: public (everyone), department (the owner department only), "
                       "anonymous (nobody)"})


class QuestionSchema(Schema):
    id = Integer()
    kind = fields.String()
    body = fields.String()
    asked_by = fields.String(allow_none=True, metadata={"description": "null when the asker chose not to show it"})
    mine = fields.Boolean()
    visibility = fields.String()
    asked_at = fields.DateTime()
    answer_due = fields.DateTime()
    answer = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    late = fields.Boolean()


class AnswerSchema(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=20_000))


class RatingCreateSchema(Schema):
    satisfaction = fields.String(required=True, validate=validate.OneOf(SATISFACTION))
    comment = fields.String(load_default=None, validate=validate.Length(max=2000))


class RatingSchema(Schema):
    satisfaction = fields.String()
    comment = fields.String(allow_none=True)
    rated_at = fields.DateTime()


class RatingsSchema(Schema):
    summary = fields.Dict(keys=fields.String(), values=Integer())
    ratings = fields.List(fields.Nested(RatingSchema))
