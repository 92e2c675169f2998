"""regional and industry contracts run as a procedure: their instance, sessions, objections, members' votes

Revision ID: r001
Revises: f001
"""

import sqlalchemy as sa
from alembic import op

revision = "r001"
down_revision = "f001"
branch_labels = None
depends_on = None

TABLE = "federation_regional_contracts"


def upgrade() -> None:
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(sa.Column("instance_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("adoption_path", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("member_round", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("sessions_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("objections_json", sa.Text(), nullable=True))
        batch.add_column(sa.Column("draft_version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("review_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_federation_regional_contracts_instance_id"), TABLE, ["instance_id"])
    op.create_table(
        "federation_regional_member_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regional_contract_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("member_org_id", sa.Integer(), nullable=False),
        sa.Column("member_name", sa.String(length=200), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("representatives_total", sa.Integer(), nullable=True),
        sa.Column("present", sa.Integer(), nullable=True),
        sa.Column("in_favour", sa.Integer(), nullable=True),
        sa.Column("against", sa.Integer(), nullable=True),
        sa.Column("abstained", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("org_id", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["org_id"], ["organisations.id"],
                                name=op.f("fk_federation_regional_member_votes_org_id_organisations")),
        sa.ForeignKeyConstraint(["regional_contract_id"], [f"{TABLE}.id"],
                                name=op.f("fk_federation_regional_member_votes_regional_contract_id_"
                                          "federation_regional_contracts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_regional_member_votes")),
    )
    op.create_index(op.f("ix_federation_regional_member_votes_org_id"), "federation_regional_member_votes",
                    ["org_id"])
    op.create_index(op.f("ix_federation_regional_member_votes_regional_contract_id"),
                    "federation_regional_member_votes", ["regional_contract_id"])


def downgrade() -> None:
    op.drop_table("federation_regional_member_votes")
    op.drop_index(op.f("ix_federation_regional_contracts_instance_id"), TABLE)
    with op.batch_alter_table(TABLE) as batch:
        for column in ("published_at", "review_until", "draft_version", "objections_json", "sessions_json",
                       "member_round", "adoption_path", "instance_id"):
            batch.drop_column(column)
