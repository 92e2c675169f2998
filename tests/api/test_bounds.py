"""Hostile inputs answer 404 or 422, never 500: huge ids, text where a file belongs, JSON nested too deep."""

from __future__ import annotations

import json
from io import BytesIO

import pytest

from .test_deployments import user_task_diagram
from conftest import deploy_files

BEYOND_64_BITS = 9223372036854775808


@pytest.mark.parametrize("path", [f"/api/v1/congress/votes/{BEYOND_64_BITS}",
                                  f"/api/v1/congress/meetings/{2**31}",
                                  f"/api/v1/processes/p/versions/{10**30}"])
def test_an_id_beyond_the_database_range_in_a_path_is_a_404(client, login_as, path):
    r = client.get(path, headers=login_as("auditor"))
    assert r.status_code == 404, r.get_data(as_text=True)


def test_a_page_beyond_the_database_range_in_a_query_is_a_422(client, login_as):
    r = client.get(f"/api/v1/instances?page={BEYOND_64_BITS}", headers=login_as("auditor"))
    assert r.status_code == 422 and "page" in r.get_json()["errors"]["query"]


def test_an_id_beyond_the_database_range_in_a_body_is_a_422(client, login_as):
    r = client.post("/api/v1/congress/terms", headers=login_as("admin"),
                    json={"organisation_id": BEYOND_64_BITS, "number": 1, "starts_on": "2026-01-01",
                          "ends_on": "2029-01-01"})
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "organisation_id" in r.get_json()["errors"]["json"]


def test_the_bounds_are_documented_so_clients_and_fuzzers_know_them(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    vote = spec["paths"]["/api/v1/congress/votes/{vote_id}"]["parameters"]
    assert [p["schema"]["maximum"] for p in vote if p["name"] == "vote_id"] == [2**31 - 1]


def test_a_text_field_in_place_of_a_file_is_a_422(client, login_as):
    r = client.post("/api/v1/deployments", data={"files": "not a file"}, headers=login_as("designer"),
                    content_type="multipart/form-data")
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "must be an uploaded file" in json.dumps(r.get_json()["errors"])


def test_a_form_schema_nested_100000_levels_is_a_422_naming_the_file(client, login_as):
    deep = ('{"a":' + "[" * 99_999 + "]" * 99_999 + "}").encode()  # small enough to stay in memory
    r = deploy_files(client, login_as("designer"), {"leave.bpmn": user_task_diagram(form="leave.json"),
                                                     "leave.json": deep})
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "leave.json" in json.dumps(r.get_json(), ensure_ascii=False)
    assert "nested deeper than 64 levels" in json.dumps(r.get_json(), ensure_ascii=False)


@pytest.mark.parametrize("levels", [65, 100_000])
def test_a_request_body_nested_too_deep_is_a_422(client, login_as, levels):
    body = '{"process": "p", "data": ' + '{"a":' * levels + "1" + "}" * levels + "}"
    r = client.post("/api/v1/instances", data=body, content_type="application/json", headers=login_as("hr"))
    assert r.status_code == 422 and "nested deeper than 64" in r.get_json()["message"]


def test_json_of_ordinary_depth_is_accepted(client, login_as):
    r = client.post("/api/v1/instances", json={"process": "nope", "data": {"a": [{"b": [1, 2]}]}},
                    headers=login_as("hr"))
    assert r.status_code == 404  # it got past the body to the unknown process


def test_a_deadline_longer_than_ten_years_is_a_422_not_a_500(client, login_as):
    r = client.get("/api/v1/calendar/deadline?start=2026-01-01&days=100000", headers=login_as("hr"))
    assert r.status_code == 422, r.get_data(as_text=True)


def test_an_upload_of_a_real_file_still_deploys(client, login_as):
    r = client.post("/api/v1/deployments", headers=login_as("designer"), content_type="multipart/form-data",
                    data={"files": [(BytesIO(user_task_diagram()), "leave.bpmn")]})
    assert r.status_code == 201


def test_a_matter_mode_table_in_an_unknown_namespace_is_a_422(client, login_as):
    xml = b'<definitions xmlns="urn:not-dmn"><decision id="matter_mode"/></definitions>'
    r = client.post("/api/v1/congress/matter-modes", headers=login_as("designer"),
                    content_type="multipart/form-data", data={"file": (BytesIO(xml), "matter_mode.dmn")})
    assert r.status_code == 422, r.get_data(as_text=True)


@pytest.mark.parametrize("content", [
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU",
    b"\xff\xfe\xff\x00binary"])
def test_a_file_that_is_no_csv_sent_as_the_department_sheet_is_a_422(client, login_as, content):
    r = client.post("/api/v1/departments/import", headers=login_as("admin"), content_type="multipart/form-data",
                    data={"file": (BytesIO(content), "sheet.csv")})
    assert r.status_code == 422, r.get_data(as_text=True)
