"""Marshmallow schemas of the casework API (工会个案): labour-dispute mediation and its committee."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer
from workflows.casework.committee import SIDES

from . import Schema

_USER = validate.Length(min=1, max=100)


class CommitteeMemberSchema(Schema):
    username = fields.String(required=True, validate=_USER)
    side = fields.String(required=True, validate=validate.OneOf(SIDES),
                         metadata={"description": "worker (职工代表) or employer (企业代表)"})
    union_member = fields.Boolean(load_default=False)
    chair = fields.Boolean(load_default=False, metadata={"description": "the committee's chair (主任)"})
    chair_agreed_by_both = fields.Boolean(load_default=False,
                                          metadata={"description": "a chair chosen by both sides (双方推举)"})


class CommitteeSchema(Schema):
    members = fields.List(fields.Nested(CommitteeMemberSchema), required=True)


class ApplicationSchema(Schema):
    applicants = fields.List(fields.String(validate=_USER), required=True, validate=validate.Length(min=1, max=50),
                             metadata={"description": "usernames of the applying worker(s); several: a group"})
    respondent = fields.String(required=True, validate=validate.Length(min=1, max=200),
                               metadata={"description": "the other party (the enterprise)"})
    claim = fields.String(required=True, validate=validate.Length(min=1, max=20000),
                          metadata={"description": "the dispute, the facts and what is asked"})
    oral = fields.Boolean(load_default=False,
                          metadata={"description": "an oral application recorded by the committee (第12条)"})


class AcceptSchema(Schema):
    mediator = fields.String(required=True, validate=_USER)
    employer_rep = fields.String(load_default=None, validate=_USER,
                                 metadata={"description": "the enterprise's representative in this case"})
    no_conflict_declared = fields.Boolean(required=True, metadata={
        "description": "the mediator declares no relation to or interest in either party (回避)"})


class RefuseSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class SessionCreateSchema(Schema):
    held_at = fields.AwareDateTime(load_default=None)
    record = fields.String(required=True, validate=validate.Length(min=1, max=50000))


class CloseSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("agreement", "failed")))
    terms = fields.String(load_default=None, validate=validate.Length(max=50000),
                          metadata={"description": "the agreement's terms, or why mediation failed"})
    signed_by_both = fields.Boolean(load_default=False,
                                    metadata={"description": "both parties signed the agreement (第14条)"})


class ExtendSchema(Schema):
    days = Integer(required=True, validate=validate.Range(min=1, max=365))
    applicant_consent = fields.Boolean(required=True, metadata={"description": "the applicant(s) agreed"})
    employer_consent = fields.Boolean(required=True, metadata={"description": "the enterprise agreed"})


class MediationQuerySchema(Schema):
    status = fields.String(load_default=None)


class SessionSchema(Schema):
    id = Integer()
    held_at = fields.AwareDateTime()
    record = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.AwareDateTime()


class MediationSummarySchema(Schema):
    id = Integer()
    status = fields.String()
    applicants = fields.List(fields.String())
    oral = fields.Boolean()
    respondent = fields.String()
    employer_rep = fields.String(allow_none=True)
    mediator = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime(allow_none=True)
    extension_days = Integer()
    closed_at = fields.AwareDateTime(allow_none=True)


class MediationSchema(MediationSummarySchema):
    instance_id = fields.String(allow_none=True)
    recorded_by = fields.String()
    claim = fields.String()
    refusal_reason = fields.String(allow_none=True)
    outcome_note = fields.String(allow_none=True)
    agreement_document_id = Integer(allow_none=True)
    referral_document_id = Integer(allow_none=True)
    sessions = fields.List(fields.Nested(SessionSchema))


class LegalAidApplicationSchema(Schema):
    facts = fields.String(required=True, validate=validate.Length(min=1, max=20000),
                          metadata={"description": "the dispute and the rights infringed"})
    hardship = fields.String(required=True, validate=validate.Length(min=1, max=20000),
                             metadata={"description": "the evidence of financial hardship"})


class LegalAidReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("refer", "decline")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    referred_to = fields.String(load_default=None, validate=validate.Length(max=200),
                                metadata={"description": "the upper-level union's legal-aid body"})


class LegalAidOutcomeSchema(Schema):
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=20000))


class LegalAidSummarySchema(Schema):
    id = Integer()
    status = fields.String()
    applicant = fields.String()
    referred_to = fields.String(allow_none=True)
    submitted_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


class LegalAidSchema(LegalAidSummarySchema):
    instance_id = fields.String(allow_none=True)
    facts = fields.String()
    hardship = fields.String()
    decision_reason = fields.String(allow_none=True)
    referral_document_id = Integer(allow_none=True)
    outcome = fields.String(allow_none=True)


class HardshipApplicationSchema(Schema):
    household = fields.String(required=True, validate=validate.Length(min=1, max=20000),
                              metadata={"description": "the household's members, health, housing"})
    circumstances = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    monthly_income = Integer(required=True, validate=validate.Range(min=0),
                                    metadata={"description": "the household's income per month, yuan"})


class HardshipVerifySchema(Schema):
    visit_record = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    verified_income = Integer(required=True, validate=validate.Range(min=0))


class HardshipDecideSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    assistance_kind = fields.String(load_default=None, validate=validate.Length(max=40))
    amount = Integer(load_default=None, validate=validate.Range(min=1))


class HardshipObjectionCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class HardshipResolveSchema(Schema):
    upheld = fields.Boolean(required=True)
    resolution = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class HardshipPaymentCreateSchema(Schema):
    amount = Integer(required=True, validate=validate.Range(min=1))
    reference = fields.String(load_default=None, validate=validate.Length(max=100))


class HardshipReviewSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("continue", "close")))
    note = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    verified_income = Integer(load_default=None, validate=validate.Range(min=0))


class HardshipPublishedSchema(Schema):
    id = Integer()
    applicant = fields.String()
    assistance_kind = fields.String(allow_none=True)
    publicity_until = fields.AwareDateTime(allow_none=True)


class HardshipSummarySchema(Schema):
    id = Integer()
    status = fields.String()
    applicant = fields.String()
    assistance_kind = fields.String(allow_none=True)
    submitted_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)


class HardshipSchema(HardshipSummarySchema):
    instance_id = fields.String(allow_none=True)
    household = fields.String()
    circumstances = fields.String()
    monthly_income = Integer()
    verified_income = Integer(allow_none=True)
    visit_record = fields.String(allow_none=True)
    visited_by = fields.String(allow_none=True)
    decision_reason = fields.String(allow_none=True)
    amount = Integer(allow_none=True)
    publicity_until = fields.AwareDateTime(allow_none=True)
    review_due = fields.AwareDateTime(allow_none=True)
    objections = fields.List(fields.Dict())
    payments = fields.List(fields.Dict())


class AppraisalCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    items = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                        validate=validate.Length(min=1, max=100),
                        metadata={"description": "the leaders or work items appraised"})
    scale = fields.String(load_default="three", metadata={"description": "three (满意/基本满意/不满意) or five (1-5)"})
    electorate = fields.String(load_default="representatives", metadata={"description": "representatives or all"})
    closes_at = fields.AwareDateTime(required=True)
    dissatisfied_share = fields.String(load_default=None, metadata={
        "description": "follow-up above this dissatisfied share; default rule appraisal_dissatisfied_share"})


class BallotSchema(Schema):
    grades = fields.Dict(keys=Integer(), values=fields.String(), required=True,
                         metadata={"description": "item id -> grade"})


class AppraisalSchema(Schema):
    id = Integer()
    title = fields.String()
    scale = fields.String()
    electorate = fields.String()
    dissatisfied_share = fields.String()
    status = fields.String()
    closes_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    instance_id = fields.String(allow_none=True)
    voters = Integer()
    items = fields.List(fields.Dict(), metadata={"description": "with counts per grade once voting has closed"})
