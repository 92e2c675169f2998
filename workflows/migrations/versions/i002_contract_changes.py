"""collective contracts: changes and early terminations (集体合同规定 第39–41条)

Revision ID: i002
Revises: w020
"""

import sqlalchemy as sa
from alembic import op

revision = "i002"
down_revision = "w020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    ts = lambda name, nullable=False: sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)  # noqa: E731
    op.create_table(
        "contract_changes",
        sa.Column("id", sa.Integer(), nullable=False), sa.Column("contract_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("ground", sa.String(length=30), nullable=False), sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("proposal_text", sa.Text(), nullable=False),
        sa.Column("requesting_side", sa.String(length=10), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("agreement_text", sa.Text(), nullable=True), sa.Column("vote_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True), sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("receipt_no", sa.String(length=100), nullable=True), ts("review_until", True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False), ts("created_at"), ts("updated_at"),
        sa.ForeignKeyConstraint(["contract_id"], ["contracts.id"],
                                name=op.f("fk_contract_changes_contract_id_contracts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_changes")),
    )
    for column in ("contract_id", "instance_id", "stage"):
        op.create_index(op.f(f"ix_contract_changes_{column}"), "contract_changes", [column], unique=False)


def downgrade() -> None:
    for column in ("contract_id", "instance_id", "stage"):
        op.drop_index(op.f(f"ix_contract_changes_{column}"), table_name="contract_changes")
    op.drop_table("contract_changes")
