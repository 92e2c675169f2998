"""Marshmallow schemas of congress elections: posts, candidates, rounds, ballots, scrutineers, publication."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer

from . import Schema

MARKS = ["for", "against", "abstain"]
_count = {"validate": validate.Range(min=0)}


class PostCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200),
                          metadata={"description": "e.g. 职工监事"})
    seats = Integer(required=True, validate=validate.Range(min=1, max=100))
    max_choices = Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=100),
                          metadata={"description": "marks in favour a ballot may give (default: the seats)"})
    write_in = fields.Boolean(load_default=True, metadata={"description": "另选他人 allowed on this post"})


class ElectionCreateSchema(Schema):
    competitive = fields.Boolean(load_default=True, metadata={"description": "差额 (true) or 等额 (false)"})
    method = fields.String(load_default="approve", validate=validate.OneOf(["approve", "choose"]),
                           metadata={"description": "approve: for/against/abstain per candidate; choose: up to N"})
    posts = fields.List(fields.Nested(PostCreateSchema), load_default=list, validate=validate.Length(max=20))
    recall_of = Integer(load_default=None, allow_none=True,
                        metadata={"description": "a recall (matter type recall): the elected candidate's id"})


class PostSchema(Schema):
    id = Integer()
    position = Integer()
    title = fields.String()
    seats = Integer()
    max_choices = Integer()
    write_in = fields.Boolean()


class CandidateCreateSchema(Schema):
    post_id = Integer(required=True)
    representative_id = Integer(load_default=None, allow_none=True,
                                metadata={"description": "a representative standing (name from the roster)"})
    name = fields.String(load_default="", validate=validate.Length(max=100))
    employee_no = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=50))
    nominated_by = fields.String(required=True, validate=validate.OneOf(["delegation", "union", "representatives"]))
    nominator = fields.String(load_default="", validate=validate.Length(max=200),
                              metadata={"description": "the delegation's name (代表团), or who for the union"})
    nominator_ids = fields.List(Integer(), load_default=list, validate=validate.Length(max=500),
                                metadata={"description": "the representatives nominating jointly (联名推荐)"})
    profile = fields.String(load_default="", validate=validate.Length(max=2000))


class CandidateSchema(Schema):
    id = Integer()
    election_id = Integer()
    post_id = Integer()
    position = Integer()
    name = fields.String()
    employee_no = fields.String(allow_none=True)
    representative_id = Integer(allow_none=True)
    delegation = fields.String(allow_none=True)
    nominated_by = fields.String(metadata={"description": "delegation, union, representatives or write_in"})
    nominator = fields.String()
    nominator_ids = fields.List(Integer(), allow_none=True)
    profile = fields.String()
    status = fields.String(metadata={"description": "nominated, elected, not_elected, withdrawn, recalled, kept"})
    elected_round = Integer(allow_none=True)
    created_at = fields.DateTime()


class ScrutineerStateSchema(Schema):
    representative_id = Integer()
    name = fields.String(allow_none=True)
    confirmed = fields.Boolean()


class RoundSchema(Schema):
    id = Integer()
    election_id = Integer()
    number = Integer()
    status = fields.String(metadata={"description": "open, closed (counted) or published"})
    secret = fields.Boolean()
    reason = fields.String(metadata={"description": "first, tie or unfilled"})
    seats = fields.Dict(keys=fields.String(), values=Integer(), metadata={"description": "post id -> seats"})
    candidates = fields.List(Integer())
    opened_at = fields.DateTime()
    opened_by = fields.String()
    closed_at = fields.DateTime(allow_none=True)
    closed_by = fields.String(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    published_by = fields.String(allow_none=True)
    seated = Integer()
    present = Integer()
    quorum_required = Integer()
    votes_required = Integer()
    majority = fields.String()
    ballots_issued = Integer(allow_none=True)
    ballots_cast = Integer(allow_none=True)
    seal_hash = fields.String(allow_none=True)
    result = fields.Dict(allow_none=True, metadata={
        "description": "every candidate's votes, write-ins, who is elected, the rule in words and the further "
                       "round; seen by the presidium and the scrutineers once counted, by all once published"})
    scrutineers = fields.List(fields.Nested(ScrutineerStateSchema))
    notice_pdf = Integer(allow_none=True, metadata={"description": "document id of the election notice (PDF)"})
    notice_html = Integer(allow_none=True)


class ElectionSchema(Schema):
    id = Integer()
    matter_id = Integer()
    kind = fields.String(metadata={"description": "election or recall"})
    competitive = fields.Boolean()
    method = fields.String()
    secret = fields.Boolean()
    recall_of = Integer(allow_none=True)
    status = fields.String(metadata={"description": "setup, running or finished"})
    created_at = fields.DateTime()
    created_by = fields.String()
    matter_title = fields.String()
    meeting_id = Integer()
    meeting_title = fields.String()
    meeting_status = fields.String()
    posts = fields.List(fields.Nested(PostSchema))
    candidates = fields.List(fields.Nested(CandidateSchema))
    rounds = fields.List(fields.Dict())
    next_round = fields.Dict(allow_none=True, metadata={"description": "the further round the rule calls for"})


class ElectionListSchema(Schema):
    id = Integer()
    matter_id = Integer()
    matter_title = fields.String()
    position = Integer()
    kind = fields.String()
    competitive = fields.Boolean()
    method = fields.String()
    secret = fields.Boolean()
    status = fields.String()


class ElectionBallotCreateSchema(Schema):
    marks = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(MARKS)),
                        load_default=dict, metadata={"description": "candidate id -> for / against / abstain"})
    write_ins = fields.Dict(keys=fields.String(), values=fields.List(fields.String(validate=validate.Length(max=40)),
                                                                     validate=validate.Length(max=100)),
                            load_default=dict, metadata={"description": "post id -> names written in (另选他人)"})


class ElectionBallotCastSchema(Schema):
    round_id = Integer()
    representative_id = Integer()
    kind = fields.String()
    receipt = fields.String(allow_none=True, metadata={"description": "secret rounds: shown once, never stored"})


class PublishedSchema(Schema):
    round_id = Integer()
    status = fields.String()
    document_id = Integer(metadata={"description": "the election notice (PDF)"})
    html_document_id = Integer()
    next_round = fields.Dict(allow_none=True)


class ScrutineersProposeSchema(Schema):
    representative_ids = fields.List(Integer(), required=True, validate=validate.Length(min=1, max=50))
    chief_id = Integer(required=True, metadata={"description": "总监票人"})


class ShowOfHandsSchema(Schema):
    votes_for = Integer(data_key="for", required=True, **_count)
    votes_against = Integer(data_key="against", required=True, **_count)
    abstentions = Integer(data_key="abstain", required=True, **_count)


class ScrutineerSchema(Schema):
    representative_id = Integer()
    name = fields.String()
    employee_no = fields.String()
    delegation = fields.String()
    username = fields.String(allow_none=True)
    chief = fields.Boolean()
    status = fields.String(metadata={"description": "proposed or approved"})


class ScrutineersSchema(Schema):
    meeting_id = Integer()
    scrutineers = fields.List(fields.Nested(ScrutineerSchema))
    approvals = fields.List(fields.Dict())
    candidates = fields.List(Integer(), metadata={"description": "representatives standing: never scrutineers"})


class ConfirmationSchema(Schema):
    round_id = Integer()
    representative_id = Integer()
    confirmed_at = fields.DateTime()
    confirmed_by = fields.String()


class RoundReceiptsSchema(Schema):
    round_id = Integer()
    receipts = fields.List(fields.String())


class RoundVerificationSchema(Schema):
    round_id = Integer()
    participants = Integer()
    ballots = Integer()
    ballots_equal_participants = fields.Boolean()
    seal_matches = fields.Boolean()
    result_matches = fields.Boolean()
    audit_ok = fields.Boolean()
