"""collective contracts: performance disputes (履行争议) and their negotiation sessions (第55条, 工会法 第20条)

Revision ID: l002
Revises: i003
"""

import sqlalchemy as sa
from alembic import op

revision = "l002"
down_revision = "i003"
branch_labels = None
depends_on = None
DISPUTES, SESSIONS = "contract_performance_disputes", "contract_dispute_sessions"


def upgrade() -> None:
    op.create_table(
        DISPUTES,
        sa.Column("id", sa.Integer(), nullable=False), sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_side", sa.String(length=10), nullable=False),
        sa.Column("clauses", sa.Text(), nullable=False), sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("demand", sa.Text(), nullable=False), sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agreement_text", sa.Text(), nullable=True),
        sa.Column("tribunal", sa.String(length=200), nullable=True), sa.Column("claims", sa.Text(), nullable=True),
        sa.Column("referred_by", sa.String(length=100), nullable=True),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("package_document_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"], name=op.f(f"fk_{DISPUTES}_contract_id_contracts")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{DISPUTES}")),
    )
    op.create_index(op.f(f"ix_{DISPUTES}_contract_id"), DISPUTES, ["contract_id"], unique=False)
    op.create_index(op.f(f"ix_{DISPUTES}_status"), DISPUTES, ["status"], unique=False)
    op.create_table(
        SESSIONS,
        sa.Column("id", sa.Integer(), nullable=False), sa.Column("dispute_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False), sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False), sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["dispute_id"], [f"{DISPUTES}.id"], name=op.f(f"fk_{SESSIONS}_dispute_id_{DISPUTES}")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{SESSIONS}")),
        sa.UniqueConstraint("dispute_id", "number", name=op.f(f"uq_{SESSIONS}_dispute_id_number")),
    )
    op.create_index(op.f(f"ix_{SESSIONS}_dispute_id"), SESSIONS, ["dispute_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{SESSIONS}_dispute_id"), table_name=SESSIONS)
    op.drop_table(SESSIONS)
    op.drop_index(op.f(f"ix_{DISPUTES}_status"), table_name=DISPUTES)
    op.drop_index(op.f(f"ix_{DISPUTES}_contract_id"), table_name=DISPUTES)
    op.drop_table(DISPUTES)
