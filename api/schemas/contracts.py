"""Marshmallow schemas of the collective-contract API: request, representatives, meetings, drafts, filing."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer
from workflows.contracts.record import KINDS, SIDES, STAGES
from workflows.rules import Majority

from . import Schema

_side = {"validate": validate.OneOf(SIDES)}
_text = {"validate": validate.Length(min=1, max=20000)}
_short = {"validate": validate.Length(min=1, max=200)}


class ContractRequestSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "comprehensive (集体合同), wage (工资专项集体合同), women (女职工权益保护专项集体合同), "
                       "safety (劳动安全卫生专项集体合同, 劳动合同法 第52条)"})
    title = fields.String(required=True, **_short)
    enterprise = fields.String(required=True, **_short)
    union_name = fields.String(required=True, **_short)
    side = fields.String(**_side, metadata={"description": "requesting side; needed only if you hold both roles"})
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                         metadata={"description": "协商议题 (第32条: the request names what is to be negotiated)"})
    text = fields.String(required=True, validate=validate.Length(max=20000),
                         metadata={"description": "the written request (协商要求书)"})
    proposed_time = fields.String(validate=validate.Length(max=200))
    proposed_place = fields.String(validate=validate.Length(max=200))
    term_years = Integer(required=True, metadata={"description": "1 to 3 years (第38条)"})
    received_at = fields.AwareDateTime(default_timezone=None, metadata={
        "description": "when the other side received the request (default: now); the 20 days run from it"})
    no_union = fields.Boolean(load_default=False, metadata={
        "description": "the enterprise has no union (第20条): the worker side is recommended by the workers and "
                       "endorsed by at least half of them, its chief elected among its members"})
    adoption_majority = fields.String(validate=validate.OneOf([m.value for m in Majority]), metadata={
        "description": "at_least_half (半数以上, 第36条, default) or more_than_half (过半数)"})


class ContractQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    stage = fields.String(validate=validate.OneOf(STAGES))


class ContractSchema(Schema):
    id = Integer()
    kind = fields.String()
    kind_name = fields.String()
    title = fields.String()
    enterprise = fields.String()
    union_name = fields.String()
    stage = fields.String(metadata={"description": f"one of {', '.join(STAGES)}"})
    requesting_side = fields.String()
    received_at = fields.DateTime()
    term_years = Integer()
    adoption_majority = fields.String()
    timezone = fields.String()
    instance_id = fields.String(allow_none=True)
    previous_contract_id = Integer(allow_none=True)
    request = fields.Dict()
    deadlines = fields.Dict(metadata={"description": "name -> {due, last_day, confirmed[, remind_at]}"})
    reply = fields.Dict(allow_none=True)
    escalation = fields.Dict(allow_none=True)
    representatives_confirmed_at = fields.DateTime(allow_none=True)
    preparation = fields.Dict(allow_none=True)
    agreed_version = Integer(allow_none=True)
    objection_pending = fields.Boolean()
    vote_id = Integer(allow_none=True)
    failed_vote_attempts = Integer()
    adoption = fields.Dict(allow_none=True, metadata={"description": "the congress resolution: attendance, tally"})
    next_by = fields.String(allow_none=True, metadata={
        "description": "who takes the next step: other_side, both_sides, recorder_chiefs, presidium, "
                       "representatives, chiefs, employer, union, liaison (none once the procedure has ended)"})
    signed_at = fields.DateTime(allow_none=True)
    signed_version = Integer(allow_none=True)
    effective_at = fields.DateTime(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    publication = fields.Dict(allow_none=True)
    notice_sha256 = fields.String(allow_none=True)
    created_at = fields.DateTime()
    created_by = fields.String()
    updated_at = fields.DateTime()


class ContractNegotiatorInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    person_id = fields.String(required=True, validate=validate.Length(min=1, max=64),
                              metadata={"description": "工号 or ID number: identifies a person across both sides"})
    username = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "the account a chief representative signs with"})
    gender = fields.String(validate=validate.OneOf(["female", "male"]))
    position = fields.String(validate=validate.Length(max=100))
    is_chief = fields.Boolean(load_default=False)
    credential = fields.String(load_default="member", validate=validate.OneOf(
        ["union_chair", "legal_representative", "written_delegation", "elected_chief", "member"]), metadata={
        "description": "a chief is the union chair / legal representative, or a written delegate (第20–21条); "
                       "without a union the workers' chief is elected among their negotiators (elected_chief)"})
    delegation_ref = fields.String(validate=validate.Length(max=200), metadata={
        "description": "the written delegation (委托书) of a delegated chief"})
    outside_expert = fields.Boolean(load_default=False, metadata={"description": "本单位以外的专业人员 (第23条)"})


class ContractNegotiatorSchema(ContractNegotiatorInSchema):
    id = Integer()
    contract_id = Integer()
    side = fields.String()
    appointed_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)
    replaces_id = Integer(allow_none=True)


class EndorsementSchema(Schema):
    """Without a union (第20条): the workers recommended the list and at least half of all workers agreed."""

    held_on = fields.Date(required=True)
    workers_total = Integer(required=True, validate=validate.Range(min=1), metadata={"description": "all workers"})
    in_favour = Integer(required=True, validate=validate.Range(min=0))
    method = fields.String(load_default="", validate=validate.Length(max=500),
                           metadata={"description": "how the recommendation and the vote were held"})


class ContractSideListSchema(Schema):
    members = fields.List(fields.Nested(ContractNegotiatorInSchema), required=True)
    endorsement = fields.Nested(EndorsementSchema, load_default=None, metadata={
        "description": "the workers' endorsement of their side's list; required when the enterprise has no union"})


class ContractVacancyCreateSchema(Schema):
    negotiator_id = Integer(required=True)
    reason = fields.String(required=True, **_short, metadata={"description": "更换、辞任、不可抗力 ..."})
    occurred_on = fields.Date(required=True)


class ContractVacancyFillSchema(Schema):
    member = fields.Nested(ContractNegotiatorInSchema, required=True)


class ContractVacancySchema(Schema):
    id = Integer()
    contract_id = Integer()
    negotiator_id = Integer()
    side = fields.String()
    reason = fields.String()
    occurred_on = fields.Date()
    due_at = fields.DateTime(allow_none=True)
    last_day = fields.Date(allow_none=True)
    filled_by_id = Integer(allow_none=True)
    filled_on = fields.Date(allow_none=True)
    overdue_at = fields.DateTime(allow_none=True)


class ContractRecorderSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    person_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    username = fields.String(validate=validate.Length(min=1, max=100),
                             metadata={"description": "the account (role 'recorder') that records the meetings"})


class ContractPreparationSchema(Schema):
    side = fields.String(**_side)
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True,
                         validate=validate.Length(min=1))
    first_meeting_on = fields.Date(required=True)
    place = fields.String(required=True, **_short)
    recorder = fields.Nested(ContractRecorderSchema, required=True,
                             metadata={"description": "neutral, not a negotiator (第33条)"})
    info_supplied_on = fields.Date(metadata={"description": "wage agreements: the day the data was supplied"})
    information = fields.List(fields.String(validate=validate.Length(max=500)), load_default=list)


class ContractMeetingCreateSchema(Schema):
    held_on = fields.Date(required=True)
    place = fields.String(required=True, **_short)
    chair_side = fields.String(required=True, **_side)
    union_position = fields.String(required=True, **_text)
    employer_position = fields.String(required=True, **_text)
    minutes = fields.String(required=True, **_text)
    outcome = fields.String(load_default="continue", validate=validate.OneOf(["continue", "suspended"]))
    resume_on = fields.Date(metadata={"description": "a suspension's agreed date of resumption (第35条)"})
    draft_version = Integer(metadata={"description": "the draft discussed"})


class ContractMeetingSchema(ContractMeetingCreateSchema):
    id = Integer()
    number = Integer()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    union_signed_by = fields.String(allow_none=True)
    union_signed_at = fields.DateTime(allow_none=True)
    employer_signed_by = fields.String(allow_none=True)
    employer_signed_at = fields.DateTime(allow_none=True)


class ContractClauseSchema(Schema):
    number = Integer(validate=validate.Range(min=1), metadata={"description": "default: position"})
    title = fields.String(load_default="", validate=validate.Length(max=200))
    text = fields.String(required=True, **_text)
    key = fields.String(validate=validate.Length(min=1, max=60), metadata={
        "description": "the term this clause sets, for the floors of a regional or industry contract "
                       "(e.g. minimum_wage)"})
    value = fields.Float(allow_none=True, metadata={"description": "the clause's figure for `key` (e.g. 2800)"})


class ContractDraftCreateSchema(Schema):
    clauses = fields.List(fields.Nested(ContractClauseSchema), load_default=None)
    note = fields.String(validate=validate.Length(max=2000))
    from_library = fields.Boolean(load_default=False, metadata={
        "description": "start from the clause library (women workers' contracts)"})


class ContractDraftSchema(Schema):
    contract_id = Integer()
    version = Integer()
    note = fields.String(allow_none=True)
    sha256 = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    clauses = fields.List(fields.Nested(ContractClauseSchema))


class ContractDiffQuerySchema(Schema):
    from_version = Integer(required=True, data_key="from")
    to_version = Integer(required=True, data_key="to")


class ContractDiffSchema(Schema):
    contract_id = Integer()
    from_version = Integer()
    to_version = Integer()
    summary = fields.Dict(keys=fields.String(), values=Integer())
    clauses = fields.List(fields.Dict(), metadata={"description": "per clause: status added/removed/changed/"
                                                                  "unchanged; changed ones with lines and changes"})
    text = fields.String(metadata={"description": "a readable unified rendering"})


class ContractLibraryQuerySchema(Schema):
    kind = fields.String(load_default="women", validate=validate.OneOf(KINDS))


class ContractSignOffSchema(Schema):
    contract_id = Integer()
    side = fields.String()
    version = Integer(attribute="version")
    complete = fields.Boolean(metadata={"description": "both chiefs have now signed/agreed"})


class ContractSignatureSchema(Schema):
    contract_id = Integer()
    side = fields.String()
    draft_version = Integer()
    signed_at = fields.DateTime()
    complete = fields.Boolean()


class ContractDisputeCreateSchema(Schema):
    matters = fields.String(required=True, **_text, metadata={"description": "争议事项 and the application"})


class ContractDisputeSchema(Schema):
    id = Integer()
    contract_id = Integer()
    applied_by_side = fields.String()
    applied_by = fields.String()
    applied_at = fields.DateTime()
    matters = fields.String()


class ContractLegalStatusSchema(Schema):
    party = fields.String(required=True, **_side)
    document = fields.String(required=True, **_short, metadata={"description": "营业执照, 工会法人资格证书 ..."})
    number = fields.String(validate=validate.Length(max=100))


class ContractWageInformationSchema(Schema):
    last_year_average_wage = fields.Float(required=True, validate=validate.Range(min=0))
    adjustment_ratio = fields.Float(required=True, metadata={"description": "percent"})
    headcount = Integer(required=True, validate=validate.Range(min=1))


class ContractFilingCreateSchema(Schema):
    legal_status = fields.List(fields.Nested(ContractLegalStatusSchema), load_default=list)
    representatives_statement = fields.String(validate=validate.Length(max=20000),
                                              metadata={"description": "how the representatives were produced"})
    negotiation_statement = fields.String(validate=validate.Length(max=20000),
                                          metadata={"description": "how the negotiation went"})
    wage_information = fields.Nested(ContractWageInformationSchema, metadata={"description": "wage agreements"})
    women_statement = fields.String(validate=validate.Length(max=20000),
                                    metadata={"description": "women workers' contracts: protection statement"})


class ContractFilingSchema(Schema):
    id = Integer()
    contract_id = Integer()
    number = Integer()
    draft_version = Integer()
    filed_at = fields.DateTime()
    filed_by = fields.String()
    sha256 = fields.String(metadata={"description": "SHA-256 of the package JSON (also in the audit trail)"})
    html_sha256 = fields.String()
    received_at = fields.DateTime(allow_none=True)
    receipt_no = fields.String(allow_none=True)


class ContractRenewalSchema(Schema):
    side = fields.String(**_side)
    title = fields.String(**_short)
    topics = fields.List(fields.String(validate=validate.Length(min=1, max=200)), required=True)
    text = fields.String(required=True, validate=validate.Length(max=20000))
    proposed_time = fields.String(validate=validate.Length(max=200))
    proposed_place = fields.String(validate=validate.Length(max=200))
    term_years = Integer()


class ContractDetailSchema(ContractSchema):
    negotiators = fields.List(fields.Nested(ContractNegotiatorSchema))
    vacancies = fields.List(fields.Nested(ContractVacancySchema))
    meetings = fields.List(fields.Nested(ContractMeetingSchema))
    drafts = fields.List(fields.Dict())
    sign_offs = fields.List(fields.Dict())
    disputes = fields.List(fields.Dict())
    filings = fields.List(fields.Nested(ContractFilingSchema))
    objections = fields.List(fields.Dict())
