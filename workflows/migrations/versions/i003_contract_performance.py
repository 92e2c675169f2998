"""collective contracts: the union's yearly performance reports to the congress (集体合同规定 第25条, 第55条)

Revision ID: i003
Revises: w020
"""

import sqlalchemy as sa
from alembic import op

revision = "i003"
down_revision = "w020"
branch_labels = None
depends_on = None
TABLE = "contract_performance_reports"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False), sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False), sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("obligations_json", sa.Text(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False), sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"], name=op.f(f"fk_{TABLE}_contract_id_contracts")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("contract_id", "year", name=op.f(f"uq_{TABLE}_contract_id_year")),
    )
    op.create_index(op.f(f"ix_{TABLE}_contract_id"), TABLE, ["contract_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_contract_id"), table_name=TABLE)
    op.drop_table(TABLE)
