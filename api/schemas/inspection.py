"""Schemas of the representatives' inspection (职工代表巡视)."""

from __future__ import annotations

from marshmallow import fields, validate

from api.bounds import Integer
from workflows.inspection.plan import SUBJECTS

from . import Schema


class PlanSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    subject_kind = fields.String(required=True, validate=validate.OneOf(SUBJECTS), metadata={
        "description": "resolution (a congress resolution's matter), proposal (a proposal's handling), disclosure, "
                       "contract (the collective contract's performance), safety, other"})
    subject_ref = Integer(load_default=None, metadata={"description": "the matter, proposal, disclosure or "
                                                                             "contract id"})
    scope = fields.String(load_default="", validate=validate.Length(max=4000))
    department = fields.String(required=True, metadata={"description": "the inspected department (code or name)"})
    team = fields.List(fields.String(), required=True, validate=validate.Length(min=2, max=50),
                       metadata={"description": "usernames; representatives must be the majority"})
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    notice_days = Integer(load_default=None, validate=validate.Range(min=1, max=90),
                                 metadata={"description": "days of notice to the unit (default 10)"})
    answer_days = Integer(load_default=None, validate=validate.Range(min=1, max=180),
                                 metadata={"description": "days for the unit's written answer (default 30)"})


class FindingSchema(Schema):
    id = Integer()
    position = Integer()
    text = fields.String()
    owner = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    answer = fields.String(allow_none=True)
    answered_by = fields.String(allow_none=True)
    answered_at = fields.DateTime(allow_none=True)
    rectification = fields.String(allow_none=True, metadata={"description": "what the unit did (整改情况)"})
    rectified_by = fields.String(allow_none=True)
    rectified_at = fields.DateTime(allow_none=True)


class InspectionSchema(Schema):
    id = Integer()
    instance_id = fields.String(allow_none=True)
    title = fields.String()
    subject_kind = fields.String()
    subject_ref = Integer(allow_none=True)
    scope = fields.String()
    department = fields.String()
    team = fields.List(fields.String())
    starts_on = fields.Date()
    ends_on = fields.Date()
    notice_days = Integer()
    answer_days = Integer()
    status = fields.String(metadata={"description": "planned, notified, findings_recorded, answering, answered, "
                                                    "rectifying, rectified, "
                                                    "reported"})
    notified_at = fields.DateTime(allow_none=True)
    answer_due = fields.DateTime(allow_none=True)
    escalated_at = fields.DateTime(allow_none=True)
    rectification_due = fields.DateTime(allow_none=True)
    rectification_escalated_at = fields.DateTime(allow_none=True)
    meeting_id = Integer(allow_none=True)
    matter_id = Integer(allow_none=True)
    report_document_id = Integer(allow_none=True)
    created_by = fields.String()
    created_at = fields.DateTime()
    findings = fields.List(fields.Nested(FindingSchema))


class InspectionQuerySchema(Schema):
    status = fields.String()
