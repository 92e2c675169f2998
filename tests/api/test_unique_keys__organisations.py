"""Keys unique per organisation, not across the installation (issue #21): two enterprises may each have the same
key, and one enterprise still cannot have it twice. One test per kind of key, through the API, and a guard over
the schema: every unique key of a table whose rows belong to an organisation names the organisation (org_id) or a
row that does (a foreign key), so that no new installation-wide key slips in unnoticed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Index, UniqueConstraint
from sqlalchemy.exc import IntegrityError

from engine import tenancy
from engine.models import Base
from workflows.casework import home
from workflows.casework.tables import HomeAssessment

from helpers.api import deploy_files
from helpers.bpmn import script_then_task
from helpers.tenancy import headers, organisation

UNIQUE = ('<bpmn:extensionElements><spiffworkflow:properties>'
          '<spiffworkflow:property name="businessKeyUnique" value="true"/>'
          '</spiffworkflow:properties></bpmn:extensionElements>')
# Unique keys over ids the installation hands out once (instances' UUIDs): unique everywhere by construction.
GLOBAL_IDS = {"instance_id"}


@pytest.fixture
def two(client, users, services):
    """Enterprise A (the installation's first organisation) and enterprise B, each with a user of every role
    these tests use."""
    roles = ("admin", "designer", "hr", "union_committee")
    b = organisation(services, "ent_b")
    return {"a": users.headers("a_all", *roles), "b": headers(services, b, "b_all", *roles), "b_id": b}


def _status(response, expected: int) -> dict:
    assert response.status_code == expected, response.get_json()
    return response.get_json()


def test_a_home_assessment_year_is_once_per_organisation(client, services, two):
    home.seed_criteria(services.uow())
    with tenancy.acting_for(two["b_id"]):
        home.seed_criteria(services.uow())
    for who in ("a", "b"):
        criteria = _status(client.get("/api/v1/casework/home-criteria", headers=two[who]), 200)
        scores = {str(c["id"]): c["max_score"] for c in criteria}
        done = _status(client.post("/api/v1/casework/home-assessments", headers=two[who],
                                   json={"year": 2025, "scores": scores}), 201)
        assert done["year"] == 2025 and done["result"] == "excellent"
    again = _status(client.post("/api/v1/casework/home-assessments", headers=two["a"],
                                json={"year": 2025, "scores": scores}), 409)
    assert again["errors"]["rule"] == ["home_assessment_once_a_year"]
    # The database holds the line too, should two assessments of one year race past the check.
    uow = services.uow()
    with uow, pytest.raises(IntegrityError):
        uow.session.add(HomeAssessment(year=2025, total=1, max_total=1, result="failed", assessed_by="x",
                                       assessed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
        uow.session.flush()


def test_a_disclosure_catalogue_code_is_once_per_organisation(client, two):
    item = {"code": "canteen_prices", "title": "食堂价格", "category": "vital_interests", "legal_basis": "厂务公开规定",
            "frequency": "yearly", "channels": ["notice_board"], "owner_role": "hr", "congress_first": False,
            "confidentiality_check": False}
    for who in ("a", "b"):
        _status(client.post("/api/v1/disclosures/catalogue", headers=two[who], json=item), 201)
    _status(client.post("/api/v1/disclosures/catalogue", headers=two["a"], json=item), 409)


def test_a_department_code_is_once_per_organisation(client, two):
    for who, name in (("a", "后勤保障部"), ("b", "后勤部")):
        _status(client.put("/api/v1/departments/logistics", headers=two[who], json={"name": name}), 200)
    _status(client.put("/api/v1/departments/logistics", headers=two["a"], json={"name": "后勤服务部"}), 200)
    for who, name in (("a", "后勤服务部"), ("b", "后勤部")):  # saving A's again changed A's one department
        listed = _status(client.get("/api/v1/departments", headers=two[who]), 200)
        assert [(d["code"], d["name"]) for d in listed] == [("logistics", name)]


def test_a_congress_enterprise_name_is_once_per_organisation(client, two):
    body = {"name": "华东机械制造有限公司", "headcount": 600, "women_count": 200}
    for who in ("a", "b"):
        _status(client.post("/api/v1/congress/organisations", headers=two[who], json=body), 201)
    _status(client.post("/api/v1/congress/organisations", headers=two["a"], json=body), 409)


def test_process_versions_are_numbered_per_organisation(client, two):
    first, changed = script_then_task("leave", "y = 1"), script_then_task("leave", "y = 2")
    for who in ("a", "b"):
        deployed = _status(deploy_files(client, two[who], {"leave.bpmn": first}), 201)
        assert [v["version"] for v in deployed["versions"]] == [1]
    deployed = _status(deploy_files(client, two["a"], {"leave.bpmn": changed}), 201)
    assert [v["version"] for v in deployed["versions"]] == [2]


def test_a_unique_business_key_is_once_per_organisation(client, two):
    source = script_then_task("contract_case", "y = 1").decode()
    source = source.replace('<bpmn:process id="contract_case" isExecutable="true">',
                            f'<bpmn:process id="contract_case" isExecutable="true">{UNIQUE}').encode()
    for who in ("a", "b"):
        _status(deploy_files(client, two[who], {"case.bpmn": source}), 201)
    start = {"process": "contract_case", "business_key": "2026-集体合同-001"}
    for who in ("a", "b"):
        _status(client.post("/api/v1/instances", headers=two[who], json=start), 201)
    _status(client.post("/api/v1/instances", headers=two["a"], json=start), 409)


# Keys of an organisation's rows that are unique across the installation on purpose.
INSTALLATION_WIDE = {
    ("users", "username"): "people sign in by their username",
    ("api_tokens", "token_hash"): "a random secret",
    ("mediation_committee_members", "username"): "a user belongs to one organisation",
    ("calendar_overrides", "day"): "the legal calendar is the installation's (organisation 1's)",
    # Built from ids handed out once (a task's, a case's, a vote's); the one yearly key without such an id, the
    # inspection reminder's, names its organisation.
    ("notification_keys", "key"): "event keys name a record",
    ("outbox_messages", "idempotency_key"): "event keys name a record",
}


def _unique_keys(table):
    if table.primary_key.columns:
        yield "primary key", list(table.primary_key.columns)
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            yield constraint.name, list(constraint.columns)
    for index in table.indexes:
        if isinstance(index, Index) and index.unique:
            yield index.name, list(index.columns)


def test_every_unique_key_of_an_organisations_rows_names_the_organisation_or_a_row_of_it():
    wrong = []
    for table in Base.metadata.sorted_tables:
        if "org_id" not in table.c:
            continue
        for name, columns in _unique_keys(table):
            names = {c.name for c in columns}
            surrogate = name == "primary key" and names == {"id"}
            if surrogate or "org_id" in names or names & GLOBAL_IDS or any(c.foreign_keys for c in columns):
                continue
            if len(names) == 1 and (table.name, *names) in INSTALLATION_WIDE:
                continue
            wrong.append(f"{table.name}: {name} {sorted(names)}")
    assert not wrong, wrong
