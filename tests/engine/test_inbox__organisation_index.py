"""A member's inbox in a federation of many enterprises reads its own organisation's ready tasks along the index
led by the organisation (``ix_human_tasks_org_state_created``), not every organisation's ready tasks."""

from __future__ import annotations

from sqlalchemy import select, text

from engine.models import HumanTask, Instance

INDEX = "ix_human_tasks_org_state_created"


def inbox_plan(services, backend: str, org: int = 2) -> str:
    """The plan of the inbox's page query (engine.inbox.list_tasks: ready tasks of the acting organisation, oldest
    first, one page), as the database would run it."""
    query = (select(HumanTask.id, Instance.business_key).join(Instance, Instance.id == HumanTask.instance_id)
             .where(HumanTask.state == "ready", HumanTask.org_id == org)
             .order_by(HumanTask.created_at, HumanTask.id).limit(51))
    with services.db.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        if backend == "postgres":
            conn.execute(text("SET enable_seqscan = off"))  # an empty table is read whole otherwise
            rows = conn.execute(text("EXPLAIN " + sql)).all()
        else:
            rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
        conn.rollback()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def test_the_inbox_of_one_organisation_walks_the_index_led_by_the_organisation(services, backend):
    plan = inbox_plan(services, backend)
    assert INDEX in plan, plan
