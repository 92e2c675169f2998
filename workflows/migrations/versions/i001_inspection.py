"""representatives' inspection (职工代表巡视): inspections and their findings

Revision ID: i001
Revises: w001
"""

import sqlalchemy as sa
from alembic import op

revision = "i001"
down_revision = "w001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def _int(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _date(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Date(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "inspections",
        _int("id"), _str("instance_id", 36, True), _str("title", 300), _str("subject_kind", 30),
        _int("subject_ref", True), _text("scope"), _str("department", 100), _text("team_json"), _date("starts_on"),
        _date("ends_on"), _int("notice_days"), _int("answer_days"), _str("status", 20), _ts("notified_at", True),
        _ts("answer_due", True), _ts("escalated_at", True), _int("meeting_id", True), _int("matter_id", True),
        _int("report_document_id", True), _str("created_by", 100), _ts("created_at"), _ts("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index(op.f("ix_inspections_instance_id"), "inspections", ["instance_id"], unique=False)
    op.create_table(
        "inspection_findings",
        _int("id"), _int("inspection_id"), _int("position"), _text("text"), _str("owner", 100, True),
        _date("due_on", True), _text("answer", True), _str("answered_by", 100, True), _ts("answered_at", True),
        _str("recorded_by", 100), _ts("recorded_at"),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"],
                                name=op.f("fk_inspection_findings_inspection_id_inspections")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_findings")),
    )
    op.create_index(op.f("ix_inspection_findings_inspection_id"), "inspection_findings", ["inspection_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inspection_findings_inspection_id"), table_name="inspection_findings")
    op.drop_table("inspection_findings")
    op.drop_index(op.f("ix_inspections_instance_id"), table_name="inspections")
    op.drop_table("inspections")
