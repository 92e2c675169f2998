"""federations' regional and industry collective contracts (劳动合同法 第53条)

Revision ID: f001
Revises: y003
"""

import sqlalchemy as sa
from alembic import op

revision = "f001"
down_revision = "y003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "federation_regional_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("employer_side", sa.String(length=200), nullable=False),
        sa.Column("clauses_json", sa.Text(), nullable=False),
        sa.Column("floors_json", sa.Text(), nullable=False),
        sa.Column("term_years", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("adoption_json", sa.Text(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("receipt_no", sa.String(length=100), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("org_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_federation_regional_contracts_org_id_organisations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_regional_contracts")),
    )
    op.create_index(op.f("ix_federation_regional_contracts_org_id"), "federation_regional_contracts", ["org_id"])
    op.create_index(op.f("ix_federation_regional_contracts_stage"), "federation_regional_contracts", ["stage"])


def downgrade() -> None:
    op.drop_table("federation_regional_contracts")
