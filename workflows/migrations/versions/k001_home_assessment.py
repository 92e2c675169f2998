"""casework: the yearly "职工之家" assessment (criteria with their sources, scores per year); the default criteria
are seeded by `dmflow deploy --bundled` and `dmflow demo seed` (workflows.casework.home.seed_criteria)

Revision ID: k001
Revises: c004
"""

import sqlalchemy as sa
from alembic import op

revision = "k001"
down_revision = "c004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_criteria",
        sa.Column("id", sa.Integer(), primary_key=True), sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False), sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False), sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "home_assessments",
        sa.Column("id", sa.Integer(), primary_key=True), sa.Column("year", sa.Integer(), nullable=False, unique=True),
        sa.Column("total", sa.Integer(), nullable=False), sa.Column("max_total", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(20), nullable=False), sa.Column("note", sa.Text(), nullable=True),
        sa.Column("assessed_by", sa.String(100), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "home_scores",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("assessment_id", sa.Integer(), sa.ForeignKey("home_assessments.id"), nullable=False),
        sa.Column("criterion_id", sa.Integer(), sa.ForeignKey("home_criteria.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False), sa.Column("source", sa.String(300), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False), sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_home_scores_assessment_id", "home_scores", ["assessment_id"])


def downgrade() -> None:
    op.drop_index("ix_home_scores_assessment_id", table_name="home_scores")
    op.drop_table("home_scores")
    op.drop_table("home_assessments")
    op.drop_table("home_criteria")
