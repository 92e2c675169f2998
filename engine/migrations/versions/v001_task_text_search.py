"""index the task lists' text search: an FTS5 trigram table of the ready tasks' texts on SQLite (kept in step by
triggers), pg_trgm GIN indexes on PostgreSQL (see engine/task_search.py)

Revision ID: v001
Revises: y006
"""

from alembic import op

from engine import task_search

revision = "v001"
down_revision = "y006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        task_search.install_sqlite(bind)  # nothing on a SQLite older than 3.34: the search stays a LIKE
    elif bind.dialect.name == "postgresql":
        try:
            with bind.begin_nested():  # a refused CREATE EXTENSION must not abort the migration's transaction
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # no privilege, or the contrib package is not installed
            print(f"v001: pg_trgm is not available ({exc.__class__.__name__}); the task search stays unindexed")
            return
        schema = bind.exec_driver_sql(task_search.PG_EXTENSION_SCHEMA).scalar()
        ops = f'"{schema}".gin_trgm_ops'
        for statement in task_search.PG_INDEXES:
            bind.exec_driver_sql(statement.format(ops=ops))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        task_search.uninstall_sqlite(bind)
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_human_tasks_title_trgm")
        bind.exec_driver_sql("DROP INDEX IF EXISTS ix_instances_business_key_trgm")
