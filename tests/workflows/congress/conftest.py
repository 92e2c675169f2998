"""Fixtures of the congress's secrecy tests (secret votes and secret election rounds)."""

from __future__ import annotations

import pytest
from sqlalchemy import event


@pytest.fixture
def keep_the_wal(services, backend):
    """No automatic checkpoint: the WAL keeps every commit of the vote, as an unlucky backup would find it."""
    if backend != "sqlite":
        pytest.skip("SQLite's write-ahead log (PostgreSQL: test_postgres_tuple_versions_hold_only_ciphertext)")
    services.db.dispose()
    event.listen(services.db, "connect", lambda conn, _: conn.execute("PRAGMA wal_autocheckpoint=0"))
