"""signed audit checkpoints and witnesses' countersignatures

Revision ID: t001
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "t001"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("heads", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_checkpoints")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_checkpoints_hash")),
    )
    op.create_table(
        "audit_countersignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_seq", sa.Integer(), nullable=False),
        sa.Column("witness", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.String(length=100), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["checkpoint_seq"], ["audit_checkpoints.seq"],
                                name=op.f("fk_audit_countersignatures_checkpoint_seq_audit_checkpoints")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_countersignatures")),
        sa.UniqueConstraint("checkpoint_seq", "witness", name=op.f("uq_audit_countersignatures_checkpoint_seq_witness")),
    )
    op.create_index(op.f("ix_audit_countersignatures_checkpoint_seq"), "audit_countersignatures",
                    ["checkpoint_seq"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_countersignatures_checkpoint_seq"), table_name="audit_countersignatures")
    op.drop_table("audit_countersignatures")
    op.drop_table("audit_checkpoints")
