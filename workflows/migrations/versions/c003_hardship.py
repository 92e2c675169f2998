"""casework: hardship assistance files, objections and payments

Revision ID: c003
Revises: c002
"""

import sqlalchemy as sa
from alembic import op

revision = "c003"
down_revision = "c002"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _text(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _fk() -> sa.Column:
    return sa.Column("case_id", sa.Integer(), sa.ForeignKey("hardship_cases.id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "hardship_cases",
        sa.Column("id", sa.Integer(), primary_key=True), sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(20), nullable=False), sa.Column("applicant", sa.String(100), nullable=False),
        _text("household"), _text("circumstances"), sa.Column("monthly_income", sa.Integer(), nullable=False),
        sa.Column("verified_income", sa.Integer(), nullable=True), _text("visit_record", True),
        sa.Column("visited_by", sa.String(100), nullable=True), _text("decision_reason", True),
        sa.Column("assistance_kind", sa.String(40), nullable=True), sa.Column("amount", sa.Integer(), nullable=True),
        _ts("publicity_until", True), _ts("review_due", True), _ts("submitted_at"), _ts("closed_at", True),
        _ts("updated_at"),
    )
    op.create_index("ix_hardship_cases_instance_id", "hardship_cases", ["instance_id"])
    op.create_table(
        "hardship_objections",
        sa.Column("id", sa.Integer(), primary_key=True), _fk(), sa.Column("objector", sa.String(100), nullable=False),
        _text("body"), _ts("lodged_at"), sa.Column("upheld", sa.Boolean(), nullable=True), _text("resolution", True),
        sa.Column("resolved_by", sa.String(100), nullable=True), _ts("resolved_at", True),
    )
    op.create_index("ix_hardship_objections_case_id", "hardship_objections", ["case_id"])
    op.create_table(
        "hardship_payments",
        sa.Column("id", sa.Integer(), primary_key=True), _fk(), sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(100), nullable=True), _ts("paid_at"),
        sa.Column("recorded_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_hardship_payments_case_id", "hardship_payments", ["case_id"])


def downgrade() -> None:
    for table in ("hardship_payments", "hardship_objections"):
        op.drop_index(f"ix_{table}_case_id", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_hardship_cases_instance_id", table_name="hardship_cases")
    op.drop_table("hardship_cases")
