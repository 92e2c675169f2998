"""secret ballots encrypted to a per-vote public key until the close

Revision ID: s001
Revises: w011
"""

import sqlalchemy as sa
from alembic import op

revision = "s001"
down_revision = "w011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("congress_votes", sa.Column("ballot_key", sa.String(length=44), nullable=True))
    # WITHOUT ROWID: a hidden rowid would record the order in which ballots were cast (see ballot_keys.py).
    op.create_table(
        "congress_sealed_ballots",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["vote_id"], ["congress_votes.id"],
                                name=op.f("fk_congress_sealed_ballots_vote_id_congress_votes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_congress_sealed_ballots")),
        sqlite_with_rowid=False,
    )
    op.create_index(op.f("ix_congress_sealed_ballots_vote_id"), "congress_sealed_ballots", ["vote_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_congress_sealed_ballots_vote_id"), table_name="congress_sealed_ballots")
    op.drop_table("congress_sealed_ballots")
    with op.batch_alter_table("congress_votes") as batch:
        batch.drop_column("ballot_key")
