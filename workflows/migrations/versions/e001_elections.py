"""elections: posts, candidates, rounds with sealed ballots, scrutineers and their confirmations

Revision ID: e001
Revises: s001
"""

import sqlalchemy as sa
from alembic import op

revision = "e001"
down_revision = "s001"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"))


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    t = "congress_elections"
    op.create_table(
        t, sa.Column("id", sa.Integer(), nullable=False), sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False), sa.Column("competitive", sa.Boolean(), nullable=False),
        sa.Column("method", sa.String(10), nullable=False), sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("recall_of", sa.Integer(), nullable=True), sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False), sa.Column("created_by", sa.String(100), nullable=False),
        _fk(t, "matter_id", "congress_matters"), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("matter_id", name=op.f(f"uq_{t}_matter_id")))
    t = "congress_election_posts"
    op.create_table(
        t, sa.Column("id", sa.Integer(), nullable=False), sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False), sa.Column("title", sa.String(200), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False), sa.Column("max_choices", sa.Integer(), nullable=False),
        sa.Column("write_in", sa.Boolean(), nullable=False),
        _fk(t, "election_id", "congress_elections"), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")))
    _index(t, "election_id")
    t = "congress_candidates"
    op.create_table(
        t, sa.Column("id", sa.Integer(), nullable=False), sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False), sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False), sa.Column("employee_no", sa.String(50), nullable=True),
        sa.Column("representative_id", sa.Integer(), nullable=True),
        sa.Column("nominated_by", sa.String(20), nullable=False), sa.Column("nominator", sa.String(200), nullable=False),
        sa.Column("nominator_ids", sa.JSON(), nullable=True), sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False), sa.Column("elected_round", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk(t, "election_id", "congress_elections"), _fk(t, "post_id", "congress_election_posts"),
        _fk(t, "representative_id", "congress_representatives"), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")))
    _index(t, "election_id")
    t = "congress_election_rounds"
    op.create_table(
        t, sa.Column("id", sa.Integer(), nullable=False), sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False), sa.Column("status", sa.String(10), nullable=False),
        sa.Column("secret", sa.Boolean(), nullable=False), sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("seats", sa.JSON(), nullable=False), sa.Column("candidates", sa.JSON(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False), sa.Column("opened_by", sa.String(100), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True), sa.Column("closed_by", sa.String(100), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(100), nullable=True),
        sa.Column("seated", sa.Integer(), nullable=False), sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("quorum_required", sa.Integer(), nullable=False),
        sa.Column("votes_required", sa.Integer(), nullable=False), sa.Column("majority", sa.String(20), nullable=False),
        sa.Column("ballots_issued", sa.Integer(), nullable=True), sa.Column("ballots_cast", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True), sa.Column("seal_hash", sa.String(64), nullable=True),
        sa.Column("ballot_key", sa.String(44), nullable=True),
        _fk(t, "election_id", "congress_elections"), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")),
        sa.UniqueConstraint("election_id", "number", name=op.f(f"uq_{t}_election_id_number")))
    _index(t, "election_id")
    t = "congress_election_participation"
    op.create_table(
        t, sa.Column("round_id", sa.Integer(), nullable=False), sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(64), nullable=False), sa.Column("cast_by", sa.String(100), nullable=False),
        _fk(t, "round_id", "congress_election_rounds"), _fk(t, "representative_id", "congress_representatives"),
        sa.PrimaryKeyConstraint("round_id", "representative_id", name=op.f(f"pk_{t}")))
    # WITHOUT ROWID: a hidden rowid would record the order in which ballots were cast (see ballot_keys.py).
    t = "congress_election_sealed"
    op.create_table(
        t, sa.Column("id", sa.String(36), nullable=False), sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False), _fk(t, "round_id", "congress_election_rounds"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")), sqlite_with_rowid=False)
    _index(t, "round_id")
    t = "congress_election_ballots"
    op.create_table(
        t, sa.Column("id", sa.String(36), nullable=False), sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False), _fk(t, "round_id", "congress_election_rounds"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")), sqlite_with_rowid=False)
    _index(t, "round_id")
    t = "congress_election_named"
    op.create_table(
        t, sa.Column("round_id", sa.Integer(), nullable=False), sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False), sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cast_by", sa.String(100), nullable=False),
        _fk(t, "round_id", "congress_election_rounds"), _fk(t, "representative_id", "congress_representatives"),
        sa.PrimaryKeyConstraint("round_id", "representative_id", name=op.f(f"pk_{t}")))
    t = "congress_scrutineers"
    op.create_table(
        t, sa.Column("meeting_id", sa.Integer(), nullable=False), sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("chief", sa.Boolean(), nullable=False), sa.Column("status", sa.String(10), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False), sa.Column("proposed_by", sa.String(100), nullable=False),
        _fk(t, "meeting_id", "congress_meetings"), _fk(t, "representative_id", "congress_representatives"),
        sa.PrimaryKeyConstraint("meeting_id", "representative_id", name=op.f(f"pk_{t}")))
    t = "congress_scrutineer_approvals"
    op.create_table(
        t, sa.Column("id", sa.Integer(), nullable=False), sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("seated", sa.Integer(), nullable=False), sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("votes_required", sa.Integer(), nullable=False), sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False), sa.Column("abstentions", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False), sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False), sa.Column("recorded_by", sa.String(100), nullable=False),
        _fk(t, "meeting_id", "congress_meetings"), sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{t}")))
    _index(t, "meeting_id")
    t = "congress_scrutineer_confirmations"
    op.create_table(
        t, sa.Column("round_id", sa.Integer(), nullable=False), sa.Column("representative_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False), sa.Column("confirmed_by", sa.String(100), nullable=False),
        _fk(t, "round_id", "congress_election_rounds"), _fk(t, "representative_id", "congress_representatives"),
        sa.PrimaryKeyConstraint("round_id", "representative_id", name=op.f(f"pk_{t}")))


def downgrade() -> None:
    for table in ("congress_scrutineer_confirmations", "congress_scrutineer_approvals", "congress_scrutineers",
                  "congress_election_named", "congress_election_ballots", "congress_election_sealed",
                  "congress_election_participation", "congress_election_rounds", "congress_candidates",
                  "congress_election_posts", "congress_elections"):
        op.drop_table(table)
