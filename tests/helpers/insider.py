"""What an insider with write access to the database does: raw SQL that keeps every chain self-consistent."""

from __future__ import annotations

from sqlalchemy import text

from engine.audit import GENESIS, SYSTEM_CHAIN, event_hash


def sql(services, statement: str, **params) -> int:
    with services.db.begin() as conn:
        return conn.execute(text(statement), params).rowcount


def rows(services, chain: str) -> list[dict]:
    with services.db.connect() as conn:
        found = conn.execute(text("SELECT id, chain, seq, event_type, instance_id, actor, occurred_at, payload, "
                                  "prev_hash, hash FROM audit_events WHERE chain = :c ORDER BY seq"), {"c": chain})
        return [dict(r) for r in found.mappings()]


def rewrite(services, chain: str, seq: int, **changes) -> None:
    """Change one event, re-hash it and every later event of its chain, and move the head along."""
    events = rows(services, chain)
    previous = events[seq - 2]["hash"] if seq > 1 else GENESIS
    with services.db.begin() as conn:
        for event in events[seq - 1:]:
            event = {**event, **(changes if event["seq"] == seq else {})}
            digest = event_hash(chain, event["seq"], event["event_type"], event["instance_id"], event["actor"],
                                event["occurred_at"], event["payload"], previous)
            conn.execute(text("UPDATE audit_events SET actor = :a, payload = :p, prev_hash = :prev, hash = :h "
                              "WHERE id = :id"), {"a": event["actor"], "p": event["payload"], "prev": previous,
                                                  "h": digest, "id": event["id"]})
            previous = digest
        conn.execute(text("UPDATE audit_chains SET last_hash = :h WHERE chain = :c"), {"h": previous, "c": chain})


def cut(services, chain: str, keep: int) -> None:
    """Remove a chain's events after `keep` and set its head back, as if they had never been appended."""
    events = rows(services, chain)
    last = events[keep - 1]["hash"] if keep else GENESIS
    sql(services, "DELETE FROM audit_events WHERE chain = :c AND seq > :k", c=chain, k=keep)
    sql(services, "UPDATE audit_chains SET last_seq = :k, last_hash = :h WHERE chain = :c", k=keep, h=last, c=chain)


def erase_checkpoints(services) -> None:
    """Remove every stored checkpoint and cut the system chain back to before the first one was appended."""
    system = rows(services, SYSTEM_CHAIN)
    first = min(e["seq"] for e in system if e["event_type"] in ("audit.checkpoint", "audit.countersigned"))
    sql(services, "DELETE FROM audit_countersignatures")
    sql(services, "DELETE FROM audit_checkpoints")
    cut(services, SYSTEM_CHAIN, first - 1)
