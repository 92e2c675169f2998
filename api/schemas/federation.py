"""Bodies of the federation's API: its dashboard over member enterprises and its regional and industry contracts."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer
from workflows.federation.regional import FLOOR_TERMS

from . import Schema

_text = {"validate": validate.Length(min=1, max=20000)}


class RegionalRef(Schema):
    id = Integer()
    title = fields.String()
    scope_name = fields.String()
    expires_on = fields.Date(allow_none=True)


class MemberSchema(Schema):
    """A member enterprise's particulars (the dashboard's rows and the drill-down's header)."""

    org_id = Integer()
    code = fields.String()
    name = fields.String()
    region = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    headcount = Integer(allow_none=True)


class MemberRowSchema(MemberSchema):
    last_congress_on = fields.Date(allow_none=True, metadata={"description": "the last closed congress session"})
    session_interval_months = Integer(metadata={
        "description": "the member's own interval: its rule_session_interval_months, else its federations', else the "
                       "installation's"})
    congress_since = fields.Date(metadata={"description": "a session closed on or after this day counts"})
    congress_met = fields.Boolean(metadata={"description": "a session closed within the member's interval"})
    contract_id = Integer(allow_none=True)
    contract_kind = fields.String(allow_none=True)
    contract_stage = fields.String(allow_none=True)
    contract_stage_name = fields.String(allow_none=True)
    contract_expires_on = fields.Date(allow_none=True)
    own_contract_in_force = fields.Boolean()
    regional_contracts = fields.List(fields.Nested(RegionalRef))
    contract_covered = fields.Boolean(metadata={"description": "own, regional or industry contract in force"})
    disclosures_due = Integer(metadata={"description": "disclosures due in the last 12 months"})
    disclosures_done = Integer(metadata={"description": "of those, published"})
    disclosures_published = Integer()
    disclosure_practised = fields.Boolean(metadata={"description": "published a disclosure in the last 12 months"})
    overdue_steps = Integer(metadata={"description": "open steps past their due time (casework not counted)"})


class TotalsSchema(Schema):
    members = Integer()
    congress_met = Integer()
    contract_covered = Integer()
    contract_own = Integer()
    contract_regional_only = Integer()
    disclosure_practised = Integer()
    headcount = Integer()
    covered_workers = Integer()
    disclosures_due = Integer()
    disclosures_done = Integer()
    overdue_steps = Integer()


class RatesSchema(Schema):
    congress = fields.Float(allow_none=True, metadata={"description": "职代会建制率, percent"})
    contract_members = fields.Float(allow_none=True, metadata={"description": "集体合同覆盖率 by members, percent"})
    contract_workers = fields.Float(allow_none=True, metadata={"description": "集体合同覆盖率 by headcount, percent"})
    disclosure = fields.Float(allow_none=True, metadata={"description": "厂务公开覆盖率, percent"})


class OrgRef(Schema):
    id = Integer()
    code = fields.String()
    name = fields.String()
    region = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)


class DashboardSchema(Schema):
    federation = fields.Nested(OrgRef)
    as_of = fields.Date()
    session_interval_months = Integer()
    congress_since = fields.Date()
    disclosure_since = fields.Date()
    totals = fields.Nested(TotalsSchema)
    rates = fields.Nested(RatesSchema)
    members = fields.List(fields.Nested(MemberRowSchema))


class ClauseSchema(Schema):
    number = Integer(dump_only=True)
    title = fields.String(load_default="", validate=validate.Length(max=200))
    text = fields.String(required=True, **_text)


class FloorSchema(Schema):
    key = fields.String(required=True, validate=validate.OneOf(list(FLOOR_TERMS)),
                        metadata={"description": "the term, as local contracts' clauses name it: " + ", ".join(
                            f"{k} ({label})" for k, (label, _) in FLOOR_TERMS.items())})
    label = fields.String(validate=validate.Length(min=1, max=100),
                          metadata={"description": "the term's name (default: the term's usual name)"})
    value = fields.Float(required=True)
    unit = fields.String(load_default="", validate=validate.Length(max=30))
    direction = fields.String(load_default="min", validate=validate.OneOf(["min", "max"]),
                              metadata={"description": "min: local value >= floor; max: local value <= floor"})


class RegionalCreateSchema(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(["regional", "industry"]))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    region = fields.String(validate=validate.Length(min=1, max=100))
    industry = fields.String(validate=validate.Length(min=1, max=100))
    employer_side = fields.String(required=True, validate=validate.Length(min=1, max=200))
    term_years = Integer(required=True, validate=validate.Range(min=1, max=10))
    clauses = fields.List(fields.Nested(ClauseSchema), required=True, validate=validate.Length(min=1, max=200))
    floors = fields.List(fields.Nested(FloorSchema), load_default=list, validate=validate.Length(max=50))


class NegotiationSchema(Schema):
    held_on = fields.Date(required=True)
    place = fields.String(validate=validate.Length(max=200))
    participants = fields.String(validate=validate.Length(max=1000))
    summary = fields.String(required=True, **_text)
    clauses = fields.List(fields.Nested(ClauseSchema), validate=validate.Length(min=1, max=200),
                          metadata={"description": "the revised text (default: unchanged)"})
    floors = fields.List(fields.Nested(FloorSchema), validate=validate.Length(max=50),
                         metadata={"description": "the revised floor clauses (default: unchanged)"})
    outcome = fields.String(required=True, validate=validate.OneOf(["continue", "congress", "members"]), metadata={
        "description": "continue negotiating; agreed: to the regional (industry) congress, or to each bound "
                       "member's congress"})


class ObjectionSchema(Schema):
    issued_on = fields.Date(required=True)
    document_no = fields.String(validate=validate.Length(max=100))
    clauses = fields.List(Integer(validate=validate.Range(min=1, max=999)), required=True,
                          validate=validate.Length(min=1, max=200), metadata={"description": "objected clauses"})
    opinion = fields.String(required=True, **_text)


class AdoptionSchema(Schema):
    body = fields.String(load_default="regional", validate=validate.OneOf(["regional", "industry"]),
                         metadata={"description": "the regional or the industry workers' congress"})
    held_on = fields.Date(required=True)
    representatives_total = Integer(required=True, validate=validate.Range(min=1, max=100000))
    present = Integer(required=True, validate=validate.Range(min=0, max=100000))
    in_favour = Integer(required=True, validate=validate.Range(min=0, max=100000))
    against = Integer(load_default=0, validate=validate.Range(min=0, max=100000))
    abstained = Integer(load_default=0, validate=validate.Range(min=0, max=100000))


class SignatureSchema(Schema):
    signed_on = fields.Date(required=True)


class FilingSchema(Schema):
    filed_on = fields.Date(required=True)


class ReceiptSchema(Schema):
    received_on = fields.Date(required=True)
    receipt_no = fields.String(validate=validate.Length(max=100))


class MemberVoteSchema(Schema):
    round = Integer()
    member_org_id = Integer()
    member_name = fields.String()
    outcome = fields.String(metadata={"description": "pending | adopted | rejected | cancelled"})
    held_on = fields.Date(allow_none=True)
    representatives_total = Integer(allow_none=True)
    present = Integer(allow_none=True)
    in_favour = Integer(allow_none=True)
    against = Integer(allow_none=True)
    abstained = Integer(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)


class RegionalContractSchema(Schema):
    id = Integer()
    org_id = Integer()
    instance_id = fields.String(allow_none=True, metadata={"description": "its regional_contract case"})
    adoption_path = fields.String(allow_none=True, metadata={"description": "congress | members"})
    member_round = Integer()
    draft_version = Integer()
    sessions = fields.List(fields.Dict(), metadata={"description": "negotiation sessions (officers only)"})
    objections = fields.List(fields.Dict(), metadata={"description": "the labour bureau's review opinions"})
    member_votes = fields.List(fields.Nested(MemberVoteSchema), metadata={"description": "officers only"})
    review_until = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    scope = fields.String()
    scope_name = fields.String()
    title = fields.String()
    region = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    employer_side = fields.String()
    term_years = Integer()
    stage = fields.String()
    clauses = fields.List(fields.Nested(ClauseSchema))
    floors = fields.List(fields.Nested(FloorSchema))
    adoption = fields.Dict(allow_none=True)
    signed_on = fields.Date(allow_none=True)
    filed_on = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True)
    receipt_no = fields.String(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    in_force = fields.Boolean()
    created_at = fields.DateTime()
    created_by = fields.String()
    updated_at = fields.DateTime()


class SessionRef(Schema):
    title = fields.String()
    held_on = fields.Date()


class PublishedContract(Schema):
    id = Integer()
    title = fields.String()
    kind_name = fields.String(allow_none=True)
    stage_name = fields.String()
    published_at = fields.DateTime()
    expires_on = fields.Date(allow_none=True)
    notice_html = fields.String(allow_none=True)


class PublishedDisclosure(Schema):
    id = Integer()
    title = fields.String()
    period = fields.String(allow_none=True)
    published_at = fields.DateTime()
    content = fields.String(allow_none=True)


class MemberRecordsSchema(MemberSchema):
    congress_sessions = fields.List(fields.Nested(SessionRef))
    contracts = fields.List(fields.Nested(PublishedContract))
    disclosures = fields.List(fields.Nested(PublishedDisclosure))
    regional_contracts = fields.List(fields.Nested(RegionalContractSchema))
