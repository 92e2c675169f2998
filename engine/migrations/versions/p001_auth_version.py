"""auth_state: a version that triggers raise on every change to users, roles and tokens (per-process auth cache)

Revision ID: p001
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "p001"
down_revision = "0004"
branch_labels = None
# A migration that rebuilds a watched table in SQLite's batch mode drops its triggers: engine.db.upgrade
# creates the missing ones after every upgrade (engine.auth_cache.ensure_triggers).
depends_on = None

TABLES = ("users", "user_roles", "api_tokens")
BUMP = "UPDATE auth_state SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "auth_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_state")),
    )
    op.execute("INSERT INTO auth_state (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER auth_bump_{table}_{event.lower()} AFTER {event} ON {table} "
                           f"BEGIN {BUMP}; END")
        return
    op.execute(f"CREATE OR REPLACE FUNCTION auth_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
               f"BEGIN {BUMP}; RETURN NULL; END $$")
    for table in TABLES:
        op.execute(f"CREATE TRIGGER auth_bump_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION auth_bump()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS auth_bump_{table}_{event}")
    else:
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS auth_bump_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS auth_bump()")
    op.drop_table("auth_state")
