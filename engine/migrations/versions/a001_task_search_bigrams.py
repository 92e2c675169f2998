"""index two-character task list searches: the ready tasks' texts cut into character pairs, an FTS5 table kept in
step by triggers on SQLite, GIN indexes on an immutable bigram function on PostgreSQL (see engine/task_bigrams.py)

Revision ID: a001
Revises: v001
"""

from alembic import op

from engine import task_bigrams, task_search

revision = "a001"
down_revision = "v001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite" or task_search.sqlite_supported():  # the same SQLite as v001's search
        task_bigrams.install(bind)  # fills the index from the tasks ready now


def downgrade() -> None:
    task_bigrams.uninstall(op.get_bind())
