"""The OpenAPI document, the locally served Swagger UI, and the JSON error shape of 404 and 405."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from conftest import ROOT

# Served by flask-smorest itself or outside the documented API.
UNDOCUMENTED = {"/api/v1/openapi.json", "/api/v1/docs"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def api_routes(app) -> dict[str, set[str]]:
    """Every /api/v1 route of the app as an OpenAPI path, with its methods in lower case."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule not in UNDOCUMENTED:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    return routes


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_openapi_document_is_openapi_3(spec):
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"]["title"] == "dmflow" and spec["info"]["version"]
    for path, operations in spec["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in operations.items():
            if method in HTTP_METHODS:
                assert operation["responses"], f"{method.upper()} {path} documents no response"


def test_openapi_document_lists_every_api_route_and_method(app, spec):
    routes = {path: methods for path, methods in api_routes(app).items() if path != "/api/v1/health"}
    assert "/api/v1/deployments" in routes  # the app's routes were found at all
    for path, methods in routes.items():
        assert path in spec["paths"], f"{path} is not documented"
        missing = methods - set(spec["paths"][path])
        assert not missing, f"{path}: {missing} undocumented"


def test_health_route_is_documented(spec):
    assert "/api/v1/health" in spec["paths"]


def test_every_schema_reference_resolves(spec):
    schemas = spec["components"]["schemas"]
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(spec))
    assert refs
    assert {r for r in refs if r not in schemas} == set()


def test_bearer_auth_is_the_security_scheme(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert {"bearerAuth": []} in spec["security"]


def test_parameters_are_in_openapi_3_locations(spec):
    for path, item in spec["paths"].items():
        params = item.get("parameters", []) + [
            p for method, operation in item.items() if method in HTTP_METHODS
            for p in operation.get("parameters", [])]
        assert params or "{" not in path, f"{path} documents no path parameter"
        for param in params:
            assert param["in"] in {"path", "query", "header", "cookie"}, f"{path}: {param}"


def test_deployment_upload_is_documented_as_one_multipart_body(spec):
    operation = spec["paths"]["/api/v1/deployments"]["post"]
    assert [p["name"] for p in operation.get("parameters", [])] == ["Idempotency-Key"]  # no form fields
    [(content_type, media)] = operation["requestBody"]["content"].items()
    assert content_type == "multipart/form-data"
    schema = spec["components"]["schemas"][media["schema"]["$ref"].rsplit("/", 1)[-1]]
    assert schema["required"] == ["files"]
    assert schema["properties"]["files"]["items"] == {"type": "string", "format": "binary"}
    assert schema["properties"]["name"]["type"] == "string"
    assert {"200", "201", "422"} <= set(operation["responses"])


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_swagger_ui_page_loads_its_assets_locally(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    parser = _Assets()
    parser.feed(page)
    assert parser.urls
    assert all(url.startswith("/vendor/swagger-ui-dist/") for url in parser.urls), parser.urls
    assert not re.search(r"https?://", page)
    assert "/api/v1/openapi.json" in page


@pytest.mark.skipif(not (ROOT / "node_modules" / "swagger-ui-dist").is_dir(),
                    reason="node_modules/swagger-ui-dist is absent: run `make install`")
def test_swagger_ui_assets_are_served(client):
    parser = _Assets()
    parser.feed(client.get("/api/v1/docs").get_data(as_text=True))
    for url in parser.urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.get_data()
        asset.close()


def test_vendor_route_serves_only_the_listed_packages(client):
    response = client.get("/vendor/flask/__init__.py")
    assert response.status_code == 404


@pytest.mark.parametrize(("method", "url", "allowed"), [
    ("delete", "/api/v1/processes", {"GET"}),
    ("put", "/api/v1/deployments", {"POST"}),
])
def test_wrong_method_is_405_with_allow_header(client, login_as, method, url, allowed):
    response = getattr(client, method)(url, headers=login_as("admin"))
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert method.upper() not in response.headers["Allow"]
    body = response.get_json()
    assert body["code"] == 405 and body["status"] == "Method Not Allowed" and body["message"]


def test_unknown_url_is_404_json_with_a_message(client):
    response = client.get("/api/v1/no-such-resource")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == 404 and body["status"] == "Not Found" and body["message"]
