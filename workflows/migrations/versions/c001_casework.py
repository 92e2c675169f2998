"""casework: labour-dispute mediation committee, cases and sessions

Revision ID: c001
Revises: w001
"""

import sqlalchemy as sa
from alembic import op

revision = "c001"
down_revision = "w001"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "mediation_cases",
        sa.Column("id", sa.Integer(), primary_key=True),
        _str("instance_id", 36, True), _str("status", 20), sa.Column("applicants_json", sa.Text(), nullable=False),
        sa.Column("oral", sa.Boolean(), nullable=False), _str("recorded_by", 100), _str("respondent", 200),
        sa.Column("claim", sa.Text(), nullable=False), _str("employer_rep", 100, True), _str("mediator", 100, True),
        _ts("conflict_declared_at", True), sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True), _ts("received_at"), _ts("due_at", True),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        _ts("closed_at", True), sa.Column("agreement_document_id", sa.Integer(), nullable=True),
        sa.Column("referral_document_id", sa.Integer(), nullable=True), _ts("updated_at"),
    )
    op.create_index("ix_mediation_cases_instance_id", "mediation_cases", ["instance_id"])
    op.create_table(
        "mediation_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("mediation_cases.id"), nullable=False),
        _ts("held_at"), sa.Column("record", sa.Text(), nullable=False), _str("recorded_by", 100), _ts("recorded_at"),
    )
    op.create_index("ix_mediation_sessions_case_id", "mediation_sessions", ["case_id"])
    op.create_table(
        "mediation_committee_members",
        _str("username", 100), _str("side", 20), sa.Column("union_member", sa.Boolean(), nullable=False),
        sa.Column("chair", sa.Boolean(), nullable=False), sa.Column("chair_agreed_by_both", sa.Boolean(), nullable=False),
        _str("updated_by", 100), _ts("updated_at"), sa.PrimaryKeyConstraint("username"),
    )


def downgrade() -> None:
    op.drop_table("mediation_committee_members")
    op.drop_index("ix_mediation_sessions_case_id", table_name="mediation_sessions")
    op.drop_table("mediation_sessions")
    op.drop_index("ix_mediation_cases_instance_id", table_name="mediation_cases")
    op.drop_table("mediation_cases")
