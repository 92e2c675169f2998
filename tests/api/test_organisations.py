"""Administering organisations: the installation's operator adds and edits enterprises and federations; an
administrator of an enterprise sees and manages only their own organisation and its users."""

from __future__ import annotations

from api.cli import main
from engine import tenancy

from helpers.bpmn import script_then_task
from helpers.tenancy import headers, organisation


def organisation_id(services, code: str) -> int:
    uow = services.uow(readonly=True)
    with uow:
        return tenancy.by_code(uow.session, code).id


def test_the_operator_adds_a_federation_and_an_enterprise_below_it(client, users):
    operator = users.headers("operator", "admin")
    fed = client.post("/api/v1/organisations", json={"code": "pudong", "name": "浦东新区总工会",
                                                     "kind": "federation", "region": "浦东新区"}, headers=operator)
    assert fed.status_code == 201, fed.get_json()
    ent = client.post("/api/v1/organisations", json={"code": "hdjx", "name": "华东机械制造有限公司",
                                                     "parent": "pudong", "industry": "机械制造", "headcount": 820,
                                                     "settings": {"org_short_name": "华机",
                                                                  "time_zone": "Asia/Shanghai"}},
                      headers=operator)
    assert ent.status_code == 201, ent.get_json()
    body = ent.get_json()
    assert (body["kind"], body["parent"], body["settings"]["org_short_name"]) == ("enterprise", "pudong", "华机")
    codes = [o["code"] for o in client.get("/api/v1/organisations", headers=operator).get_json()]
    assert codes == ["default", "pudong", "hdjx"]
    changed = client.patch(f"/api/v1/organisations/{body['id']}", json={"headcount": 900, "region": "浦东新区"},
                           headers=operator)
    assert changed.status_code == 200 and changed.get_json()["headcount"] == 900
    assert client.post("/api/v1/organisations", json={"code": "hdjx", "name": "重复"},
                       headers=operator).status_code == 409


def test_refused_organisation_changes_say_what_is_wrong(client, users):
    operator = users.headers("operator", "admin")
    created = client.post("/api/v1/organisations", json={"code": "ent", "name": "企业"}, headers=operator)
    org_id = created.get_json()["id"]
    for patch, field in (({"parent": "ent"}, "parent"), ({"parent": "nowhere"}, "parent"),
                         ({"settings": {"time_zone": "Mars/Olympus"}}, "settings"),
                         ({"settings": {"colour": "red"}}, "settings"),
                         ({"settings": {"rule_filing_days": "many"}}, "settings"),
                         ({"kind": "club"}, "kind")):
        response = client.patch(f"/api/v1/organisations/{org_id}", json=patch, headers=operator)
        assert response.status_code == 422, (patch, response.get_json())
        assert field in str(response.get_json()), (patch, response.get_json())
    assert client.post("/api/v1/organisations", json={"code": "Bad Code", "name": "x"},
                       headers=operator).status_code == 422


def test_an_enterprise_administrator_sees_only_their_organisation_and_creates_users_in_it(client, users, services):
    b = organisation(services, "ent_b")
    admin_b = headers(services, b, "b_admin", "admin")
    assert [o["code"] for o in client.get("/api/v1/organisations", headers=admin_b).get_json()] == ["ent_b"]
    assert client.get(f"/api/v1/organisations/{b}", headers=admin_b).status_code == 200
    assert client.get("/api/v1/organisations/1", headers=admin_b).status_code == 404
    assert client.patch("/api/v1/organisations/1", json={"name": "x"}, headers=admin_b).status_code == 404
    assert client.patch(f"/api/v1/organisations/{b}", json={"name": "x"}, headers=admin_b).status_code == 403
    assert client.post("/api/v1/organisations", json={"code": "c", "name": "c"}, headers=admin_b).status_code == 403
    made = client.post("/api/v1/users", json={"username": "b_clerk", "roles": ["clerk"]}, headers=admin_b)
    assert made.status_code == 201, made.get_json()
    assert {u["username"] for u in client.get("/api/v1/users", headers=admin_b).get_json()} == {"b_admin", "b_clerk"}
    assert client.post("/api/v1/users", json={"username": "x", "roles": ["clerk"], "org": "default"},
                       headers=admin_b).status_code == 403
    operator = users.headers("operator", "admin")
    assert client.put("/api/v1/users/operator/roles", json={"roles": ["clerk"]}, headers=admin_b).status_code == 404
    placed = client.post("/api/v1/users", json={"username": "b_chair", "roles": ["union_chair"], "org": "ent_b"},
                         headers=operator)
    assert placed.status_code == 201, placed.get_json()
    assert "b_chair" in {u["username"] for u in client.get("/api/v1/users", headers=admin_b).get_json()}
    assert "b_chair" not in {u["username"] for u in client.get("/api/v1/users", headers=operator).get_json()}
    taken = client.post("/api/v1/users", json={"username": "operator", "roles": ["clerk"]}, headers=admin_b)
    assert taken.status_code == 409


def test_the_cli_adds_organisations_and_places_users_and_deployments_in_them(app, services, tmp_path):
    runner = app.test_cli_runner()

    def run(*args):
        return runner.invoke(main, list(args))

    assert run(*["org", "create", "district", "区总工会", "--kind", "federation",
                               "--region", "浦东新区"]).exit_code == 0
    made = run(*["org", "create", "acme", "华东机械", "--parent", "district", "--industry", "机械"])
    assert made.exit_code == 0, made.output
    listed = run(*["org", "list"]).output
    assert "acme\tenterprise in district\t华东机械" in listed
    assert run(*["users", "create", "acme_admin", "--role", "admin", "--org", "acme"]).exit_code == 0
    wrong = run(*["users", "create", "x", "--role", "admin", "--org", "nowhere"])
    assert wrong.exit_code != 0 and "nowhere" in wrong.output
    refused = run(*["org", "create", "acme", "again"])
    assert refused.exit_code == 1 and "already exists" in refused.output
    (tmp_path / "p.bpmn").write_bytes(script_then_task("acme_only", "x = 1"))
    deployed = run("deploy", "--org", "acme", str(tmp_path / "p.bpmn"))
    assert deployed.exit_code == 0, deployed.output
    acme_admin = headers(services, organisation_id(services, "acme"), "acme_designer", "designer")
    client = app.test_client()
    assert "acme_only" in {p["process_id"] for p in client.get("/api/v1/processes", headers=acme_admin).get_json()}
    default = headers(services, 1, "default_designer", "designer")
    assert "acme_only" not in {p["process_id"] for p in client.get("/api/v1/processes", headers=default).get_json()}
