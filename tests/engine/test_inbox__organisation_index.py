"""A member's inbox in a federation of many enterprises reads its own organisation's ready tasks along the index
led by the organisation (``ix_human_tasks_org_state_created``), not every organisation's ready tasks."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from sqlalchemy import insert, select, text

from bench.p8_federation import INDEX, inbox_plan
from engine import tenancy
from engine.models import HumanTask, Instance, ProcessVersion

from helpers.bpmn import deadline_escalation

NOW = dt.datetime(2026, 3, 2, 1, tzinfo=dt.UTC)


def _federation_of(services, members: int, cases: int) -> list[int]:
    """`members` organisations with `cases` ready tasks each, written in bulk; the planner's statistics fresh."""
    uow = services.uow()
    with uow:
        s = uow.session
        orgs = [tenancy.create(s, f"m{i}", f"成员企业{i}", now=NOW).id for i in range(members)]
        pv = s.scalar(select(ProcessVersion.id).limit(1))
        instances, tasks = [], []
        for org in orgs:
            for k in range(cases):
                iid = str(uuid.uuid4())
                instances.append({"org_id": org, "id": iid, "process_version_id": pv, "process_id": "inbox_case",
                                  "status": "running", "business_key": f"C-{org}-{k}", "state_json": "{}",
                                  "data_json": "{}", "serializer_version": "1", "library_version": "test",
                                  "version": 1, "started_by": "test", "created_at": NOW, "updated_at": NOW})
                tasks.append({"org_id": org, "id": str(uuid.uuid4()), "instance_id": iid, "process_id": "inbox_case",
                              "element_id": "reply", "name": "答复", "state": "ready", "case_title": f"事项{k}",
                              "created_at": NOW + dt.timedelta(seconds=k)})
        s.execute(insert(Instance), instances)
        s.execute(insert(HumanTask), tasks)
        uow.commit()
    with services.db.connect() as conn:
        for table in ("human_tasks", "instances"):
            conn.execute(text(f"ANALYZE {table}"))
        conn.commit()
    return orgs


def test_the_inbox_of_one_organisation_reads_only_its_rows_along_an_index_led_by_the_organisation(
        services, deploy, backend):
    assert deploy({"d.bpmn": deadline_escalation("inbox_case", "deadline(requested_at, 10)")}).status_code == 201
    orgs = _federation_of(services, members=25, cases=80)  # more than a page (50) each
    plan = inbox_plan(services.db, orgs[7])
    assert "ix_human_tasks_state_created" not in plan, plan  # never every organisation's ready tasks
    if backend == "sqlite":
        assert INDEX in plan, plan  # in page order, no sort
    else:  # PostgreSQL at this size reads the organisation's 80 rows by ix_human_tasks_org_id and sorts them
        assert re.search(r"Index Scan using ix_human_tasks_org_\w+ on human_tasks", plan), plan
