"""proposals, co-signatures, documents

Revision ID: w011
Revises: w010
"""

import sqlalchemy as sa
from alembic import op

revision = "w011"
down_revision = "w010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "congress_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("decision", sa.String(length=30), nullable=True),
        sa.Column("satisfaction", sa.String(length=30), nullable=True),
        sa.Column("implementation_status", sa.String(length=30), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["proposer_id"], ["congress_representatives.id"],
                                name=op.f("fk_congress_proposals_proposer_id_congress_representatives")),
        sa.ForeignKeyConstraint(["term_id"], ["congress_terms.id"],
                                name=op.f("fk_congress_proposals_term_id_congress_terms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_proposals")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_congress_proposals_instance_id")),
    )
    op.create_index(op.f("ix_congress_proposals_term_id"), "congress_proposals", ["term_id"])
    op.create_index(op.f("ix_congress_proposals_status"), "congress_proposals", ["status"])
    op.create_table(
        "congress_cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["proposal_id"], ["congress_proposals.id"],
                                name=op.f("fk_congress_cosignatures_proposal_id_congress_proposals")),
        sa.ForeignKeyConstraint(["representative_id"], ["congress_representatives.id"],
                                name=op.f("fk_congress_cosignatures_representative_id_congress_representatives")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_cosignatures")),
        sa.UniqueConstraint("proposal_id", "representative_id",
                            name=op.f("uq_congress_cosignatures_proposal_id_representative_id")),
    )
    op.create_index(op.f("ix_congress_cosignatures_proposal_id"), "congress_cosignatures", ["proposal_id"])
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(op.f("ix_documents_instance_id"), "documents", ["instance_id"])


def downgrade() -> None:
    op.drop_table("documents")
    op.drop_table("congress_cosignatures")
    op.drop_table("congress_proposals")
