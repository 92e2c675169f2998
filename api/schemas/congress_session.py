"""Schemas of the congress's own organisation: session (preparatory meeting, closing, minutes), special committees,
joint meetings, drafts with amendments, speaker lists."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer
from workflows.congress.session import KINDS, PROPOSERS

from . import Schema


def Ids(**kw) -> fields.List:  # noqa: N802  (reads as a field type)
    return fields.List(Integer(), validate=validate.Length(max=2000), **kw)


class SessionStartSchema(Schema):
    kind = fields.String(load_default="ordinary", validate=validate.OneOf(KINDS),
                         metadata={"description": "ordinary (定期会议) or extraordinary (临时会议)"})
    proposed_by = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(PROPOSERS),
                                metadata={"description": "an extraordinary session's proposer: enterprise, union or "
                                                         "representatives (then at least 1/3 of them as supporters)"})
    supporters = Ids(load_default=list, metadata={"description": "representative ids proposing it"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class SessionPersonSchema(Schema):
    id = Integer()
    name = fields.String(allow_none=True)
    category = fields.String()
    delegation = fields.String()


class CongressSessionSchema(Schema):
    meeting_id = Integer()
    started = fields.Boolean()
    status = fields.String()
    kind = fields.String()
    proposed_by = fields.String(allow_none=True)
    supporters = fields.List(Integer())
    reason = fields.String(allow_none=True)
    instance_id = fields.String(allow_none=True)
    step = fields.String(allow_none=True, metadata={"description": "preparatory, plenary, approve_minutes or null"})
    step_name = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    preparatory_at = fields.DateTime(allow_none=True)
    presidium = fields.List(fields.Nested(SessionPersonSchema))
    scrutineers = fields.List(fields.Nested(SessionPersonSchema))


class PreparatorySchema(Schema):
    presidium = Ids(required=True, metadata={"description": "representative ids; frontline workers and technicians "
                                                            ">= 50% (民主管理规定 第19条)"})
    scrutineers = Ids(load_default=list, metadata={"description": "representative ids (监票人)"})
    agenda_approved = fields.Boolean(required=True)
    votes_for = Integer(required=True, validate=validate.Range(min=0))
    votes_against = Integer(required=True, validate=validate.Range(min=0))
    abstentions = Integer(required=True, validate=validate.Range(min=0))


class SessionMinutesSchema(Schema):
    meeting_id = Integer()
    status = fields.String(metadata={"description": "draft, approved or published"})
    text = fields.String()
    generated_at = fields.DateTime()
    updated_at = fields.DateTime()
    updated_by = fields.String()
    approved_at = fields.DateTime(allow_none=True)
    approved_by = fields.String(allow_none=True)
    document_id = Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)


class SessionMinutesEditSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=200_000))


class CongressCommitteeCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.Length(min=2, max=30),
                         metadata={"description": "proposal, collective_contract, labour_protection, welfare, "
                                                  "appraisal, or another identifier with a name"})
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))


class CongressCommitteeMemberSchema(Schema):
    id = Integer()
    name = fields.String()
    delegation = fields.String()
    is_head = fields.Boolean()
    approved_meeting_id = Integer()
    votes_for = Integer()
    approved_at = fields.DateTime()


class CongressCommitteeSchema(Schema):
    id = Integer()
    kind = fields.String()
    name = fields.String()
    group = fields.String(allow_none=True, metadata={"description": "the diagrams' group its members join"})
    members = fields.List(fields.Nested(CongressCommitteeMemberSchema))


class MembersApprovalSchema(Schema):
    meeting_id = Integer(required=True)
    members = Ids(required=True)
    head = Integer(required=True)
    votes_for = Integer(required=True, validate=validate.Range(min=0))
    votes_against = Integer(load_default=0, validate=validate.Range(min=0))
    abstentions = Integer(load_default=0, validate=validate.Range(min=0))


class DelegationHeadSetSchema(Schema):
    representative_id = Integer(required=True)


class JointMeetingHeadSchema(Schema):
    id = Integer()
    name = fields.String(allow_none=True)
    as_ = fields.List(fields.String(), data_key="as")


class JointDecisionSchema(Schema):
    id = Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    text = fields.String(load_default="", validate=validate.Length(max=20_000))
    confirm_matter_id = Integer(dump_only=True, allow_none=True,
                                metadata={"description": "the next session's matter that confirms it"})


class JointMeetingCreateSchema(Schema):
    held_on = fields.Date(required=True)
    attendees = Ids(required=True, metadata={"description": "delegation heads and committee heads"})
    decisions = fields.List(fields.Nested(JointDecisionSchema), required=True, validate=validate.Length(min=1, max=50))


class JointMeetingSchema(Schema):
    id = Integer()
    held_on = fields.Date()
    created_by = fields.String()
    attendees = fields.List(fields.Nested(SessionPersonSchema))
    decisions = fields.List(fields.Nested(JointDecisionSchema))


class MatterClauseSchema(Schema):
    number = Integer(required=True, validate=validate.Range(min=1, max=10_000))
    title = fields.String(load_default="", validate=validate.Length(max=200))
    text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))


class MatterDraftSetSchema(Schema):
    clauses = fields.List(fields.Nested(MatterClauseSchema), required=True, validate=validate.Length(min=1, max=500))


class AmendmentCreateSchema(Schema):
    clause_number = Integer(required=True)
    new_text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    on_behalf_of_delegation = fields.Boolean(load_default=False,
                                             metadata={"description": "proposed by the caller's delegation (its head)"})


class AmendmentSchema(Schema):
    id = Integer()
    clause_number = Integer()
    new_text = fields.String()
    reason = fields.String(allow_none=True)
    vote_matter_id = Integer()
    representative_id = Integer(allow_none=True)
    proposer = fields.String(allow_none=True)
    delegation = fields.String(allow_none=True)
    vote_status = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    votes_for = Integer(allow_none=True)
    votes_against = Integer(allow_none=True)
    abstentions = Integer(allow_none=True)
    created_at = fields.DateTime()


class MatterDraftSchema(Schema):
    matter_id = Integer()
    title = fields.String()
    meeting_id = Integer()
    clauses = fields.List(fields.Dict())
    amendments = fields.List(fields.Nested(AmendmentSchema))
    adopted_text = fields.List(fields.Dict(), metadata={"description": "the draft with the adopted amendments"})
    diff = fields.List(fields.Dict())
    diff_text = fields.String()
    pending = Integer()
    amendments_count = Integer()


class SpeakRequestSchema(Schema):
    topic = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class SpeakerSchema(Schema):
    id = Integer()
    representative_id = Integer()
    name = fields.String()
    delegation = fields.String()
    username = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "requested, called, spoken or withdrawn"})
    topic = fields.String(allow_none=True)
    position = Integer()
    requested_at = fields.DateTime()
    called_at = fields.DateTime(allow_none=True)
    spoken_at = fields.DateTime(allow_none=True)


class SpeakerOrderSchema(Schema):
    order = Ids(required=True)
