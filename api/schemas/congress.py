"""Marshmallow schemas of the workers' congress API: roster, meetings, matters, check-in, votes, receipts."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer, Upload
from workflows.numerals import chinese

from . import Schema


def _field(obj, name: str):
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _ordinal_label(name: str, unit: str):
    """A read-only ``label`` in Chinese ordinals (第五届, 第二次会议), as the pages and notices write them."""
    return fields.Function(lambda obj: f"第{chinese(_field(obj, name))}{unit}" if _field(obj, name) else None,
                           dump_only=True, metadata={"description": f"第N{unit} in Chinese numerals"})

CATEGORIES = ["frontline", "technician", "middle_manager", "senior_manager", "other"]
MODES = ["hear", "deliberate", "adopt", "elect"]
CHOICES = ["for", "against", "abstain"]
_count = {"validate": validate.Range(min=0)}


# Roster
class OrganisationCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    headcount = Integer(required=True, validate=validate.Range(min=1),
                               metadata={"description": "all workers (职工总数)"})
    women_count = Integer(load_default=0, **_count)
    dispatched_count = Integer(load_default=0, **_count, metadata={"description": "劳务派遣 workers"})


class OrganisationUpdateSchema(Schema):
    headcount = Integer(validate=validate.Range(min=1))
    women_count = Integer(**_count)
    dispatched_count = Integer(**_count)


class OrganisationSchema(OrganisationCreateSchema):
    id = Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class TermCreateSchema(Schema):
    organisation_id = Integer(required=True)
    number = Integer(required=True, validate=validate.Range(min=1), metadata={"description": "第N届"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, metadata={"description": "last day; 3 to 5 years after starts_on"})


class TermSchema(TermCreateSchema):
    id = Integer()
    label = _ordinal_label("number", "届")
    created_at = fields.DateTime()


class TermQuerySchema(Schema):
    organisation_id = Integer()


class RepresentativeCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    employee_no = fields.String(required=True, validate=validate.Length(min=1, max=50))
    delegation = fields.String(required=True, validate=validate.Length(min=1, max=100),
                               metadata={"description": "代表团(组)"})
    category = fields.String(required=True, metadata={"description": f"one of {CATEGORIES} or its Chinese name"})
    gender = fields.String(required=True, metadata={"description": "male/female or 男/女"})
    dispatched = fields.Boolean(load_default=False)
    elected_on = fields.Date(required=True)
    username = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100),
                             metadata={"description": "the user account the representative votes with"})


class RepresentativeSchema(RepresentativeCreateSchema):
    id = Integer()
    term_id = Integer()
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class SeatedOnQuerySchema(Schema):
    on = fields.Date(metadata={"description": "only those seated on this day (default: all / today)"})


class RosterFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "CSV, UTF-8 (BOM accepted); Chinese or English headers"})


class RosterImportArgsSchema(Schema):
    accounts = fields.String(load_default="link", validate=validate.OneOf(["link", "create"]), metadata={
        "description": "link: link existing accounts (a 用户名 without one is a warning); create: also create "
                       "the missing accounts with an initial password each"})
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]), metadata={
        "description": "csv: answer with the printable sheet of new accounts and their initial passwords"})


class RosterWarningSchema(Schema):
    row = Integer()
    column = fields.String(allow_none=True)
    message = fields.String()


class IssuedAccountSchema(Schema):
    name = fields.String()
    employee_no = fields.String()
    delegation = fields.String()
    username = fields.String()
    password = fields.String(metadata={"description": "initial password, shown only in this answer"})


class RosterImportedSchema(Schema):
    imported = Integer()
    representatives = fields.List(fields.Nested(RepresentativeSchema))
    warnings = fields.List(fields.Nested(RosterWarningSchema))
    accounts = fields.List(fields.Nested(IssuedAccountSchema))


class RepresentativeEndSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(["recalled", "vacated"]))
    effective_on = fields.Date(required=True, metadata={"description": "first day no longer seated"})


class RepresentativeAccountSchema(Schema):
    username = fields.String(required=True, allow_none=True, validate=validate.Length(min=1, max=100))


class CompositionShareSchema(Schema):
    seats = Integer()
    share = fields.Float()
    workforce = Integer()
    workforce_share = fields.Float()


class CompositionViolationSchema(Schema):
    rule = fields.String()
    severity = fields.String(metadata={"description": "hard: blocks convening; soft: a warning"})
    message = fields.String()


class CompositionSchema(Schema):
    term_id = Integer()
    on = fields.Date()
    headcount = Integer()
    seated = Integer()
    min_representatives = Integer()
    managers = Integer()
    max_managers = Integer()
    women = fields.Nested(CompositionShareSchema)
    dispatched = fields.Nested(CompositionShareSchema)
    by_category = fields.Dict(keys=fields.String(), values=Integer())
    by_delegation = fields.Dict(keys=fields.String(), values=Integer())
    violations = fields.List(fields.Nested(CompositionViolationSchema))
    ok = fields.Boolean()


# Meetings, matters, check-in
class MeetingCreateSchema(Schema):
    session_number = Integer(required=True, validate=validate.Range(min=1), metadata={"description": "第M次"})
    held_on = fields.Date(required=True)
    title = fields.String(load_default=None, validate=validate.Length(max=200))


class MeetingSchema(MeetingCreateSchema):
    id = Integer()
    label = _ordinal_label("session_number", "次会议")
    term_id = Integer()
    status = fields.String(metadata={"description": "planned, in_session or closed"})
    created_at = fields.DateTime()
    created_by = fields.String()
    convened_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class MeetingDetailSchema(MeetingSchema):
    term_number = Integer()
    seated = Integer(metadata={"description": "representatives seated on the meeting day"})
    present = Integer(metadata={"description": "representatives checked in"})


class MatterCreateSchema(Schema):
    matter_type = fields.String(required=True, validate=validate.Length(min=1, max=60),
                                metadata={"description": "a type of the matter_mode decision table"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))


class MatterSchema(MatterCreateSchema):
    id = Integer()
    meeting_id = Integer()
    position = Integer()
    mode = fields.String(metadata={"description": f"one of {MODES}"})
    secret = fields.Boolean()
    at_least_half_allowed = fields.Boolean()
    decision_sha256 = fields.String()
    created_at = fields.DateTime()


class CheckInCreateSchema(Schema):
    representative_id = Integer(load_default=None, allow_none=True,
                                       metadata={"description": "presidium only; default: the caller's own seat"})


class CheckInSchema(Schema):
    meeting_id = Integer()
    representative_id = Integer()
    checked_in_at = fields.DateTime()
    checked_in_by = fields.String()


class OpinionCreateSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class OpinionSchema(OpinionCreateSchema):
    id = Integer()
    matter_id = Integer()
    representative_id = Integer()
    created_at = fields.DateTime()


class MatterModesSchema(Schema):
    decision_id = fields.String()
    sha256 = fields.String()
    deployment_id = Integer(allow_none=True, metadata={"description": "null: the bundled table"})
    rows = fields.List(fields.Dict())


class DmnFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "matter_mode.dmn"})


class DecisionDeployedSchema(Schema):
    created = fields.Boolean()
    sha256 = fields.String()
    deployment_id = Integer(allow_none=True)


# Votes
class VoteOpenSchema(Schema):
    analog = fields.Boolean(load_default=False, metadata={"description": "a paper vote; totals entered at close"})
    majority = fields.String(load_default=None, validate=validate.OneOf(["more_than_half", "at_least_half"]))
    allow_proxies = fields.Boolean(load_default=False)


class PaperTotalsSchema(Schema):
    ballots_issued = Integer(**_count)
    ballots_cast = Integer(**_count)
    valid = Integer(**_count)
    in_favour = Integer(data_key="for", attribute="for", **_count)
    against = Integer(**_count)
    abstain = Integer(**_count)


class VoteResultSchema(PaperTotalsSchema):
    seated = Integer()
    present = Integer()
    invalid = Integer(allow_none=True)
    rule = fields.String(metadata={"description": "more_than_half_of_all_seated or at_least_half_of_all_seated"})
    quorum_required = Integer()
    votes_required = Integer()
    outcome = fields.String(allow_none=True, metadata={"description": "adopted or rejected"})


class VoteSchema(Schema):
    id = Integer()
    matter_id = Integer()
    kind = fields.String(metadata={"description": "named, secret or analog"})
    secret = fields.Boolean()
    majority = fields.String()
    allow_proxies = fields.Boolean()
    status = fields.String()
    opened_at = fields.DateTime()
    opened_by = fields.String()
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    seal_hash = fields.String(allow_none=True, metadata={"description": "hash of the vote.sealed audit event"})
    result = fields.Nested(VoteResultSchema)


class BallotCreateSchema(Schema):
    choice = fields.String(required=True, validate=validate.OneOf(CHOICES))
    representative_id = Integer(load_default=None, allow_none=True,
                                       metadata={"description": "only for proxies, where the vote allows them"})


class BallotCastSchema(Schema):
    vote_id = Integer()
    representative_id = Integer()
    kind = fields.String()
    receipt = fields.String(allow_none=True, metadata={"description": "secret votes: shown once, never stored"})


class NamedBallotSchema(Schema):
    representative_id = Integer()
    name = fields.String()
    choice = fields.String()
    cast_at = fields.DateTime()
    cast_by = fields.String()


class VoteBallotsSchema(Schema):
    vote_id = Integer()
    kind = fields.String()
    choices = fields.List(fields.String(), metadata={"description": "secret: the sealed choices, random order"})
    named = fields.List(fields.Nested(NamedBallotSchema))


class VoteReceiptsSchema(Schema):
    vote_id = Integer()
    receipts = fields.List(fields.String(), metadata={"description": "SHA-256 of every receipt code counted"})


class ReceiptCheckSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ReceiptCheckedSchema(Schema):
    counted = fields.Boolean()


class VoteVerificationSchema(Schema):
    vote_id = Integer()
    participants = Integer()
    ballots = Integer()
    ballots_equal_participants = fields.Boolean()
    tally = fields.Dict(keys=fields.String(), values=Integer())
    tally_matches_result = fields.Boolean()
    seal_matches = fields.Boolean()
    audit_ok = fields.Boolean()
