"""casework: democratic appraisal and satisfaction ratings

Revision ID: c004
Revises: c003
"""

import sqlalchemy as sa
from alembic import op

revision = "c004"
down_revision = "c003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appraisals",
        sa.Column("id", sa.Integer(), primary_key=True), sa.Column("instance_id", sa.String(36), nullable=True),
        sa.Column("title", sa.String(200), nullable=False), sa.Column("scale", sa.String(10), nullable=False),
        sa.Column("electorate", sa.String(20), nullable=False),
        sa.Column("dissatisfied_share", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_appraisals_instance_id", "appraisals", ["instance_id"])
    op.create_table(
        "appraisal_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("appraisal_id", sa.Integer(), sa.ForeignKey("appraisals.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False), sa.Column("follow_up", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_appraisal_items_appraisal_id", "appraisal_items", ["appraisal_id"])
    op.create_table(
        "appraisal_counts",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("appraisal_items.id"), primary_key=True),
        sa.Column("grade", sa.String(20), primary_key=True), sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "appraisal_voters",
        sa.Column("appraisal_id", sa.Integer(), sa.ForeignKey("appraisals.id"), primary_key=True),
        sa.Column("username", sa.String(100), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("appraisal_voters")
    op.drop_table("appraisal_counts")
    op.drop_index("ix_appraisal_items_appraisal_id", table_name="appraisal_items")
    op.drop_table("appraisal_items")
    op.drop_index("ix_appraisals_instance_id", table_name="appraisals")
    op.drop_table("appraisals")
