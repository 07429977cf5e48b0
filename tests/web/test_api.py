"""The REST API: tokens, scoped lists, CRUD with validation, optimistic locking (issue 13)."""

from __future__ import annotations

import time
import warnings

import pytest
from fastapi.testclient import TestClient

from khooshe.services.users import new_token, set_active
from khooshe.store.workspace import Workspace
from khooshe.web.app import USER_SECONDS


@pytest.fixture(scope="module")
def api(site):
    root, app = site
    with Workspace.open(root) as ws:
        tokens = {name: new_token(ws, name, actor="test")
                  for name in ("admin", "khuzestan", "governor", "agent")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(app, raise_server_exceptions=False)

    def call(method: str, path: str, user: str | None = "khuzestan", **kw):
        headers = {"Authorization": f"Bearer {tokens[user]}"} if user else {}
        headers.update(kw.pop("headers", {}))
        return client.request(method, path, headers=headers, **kw)

    return call, tokens, root


def test_a_token_is_needed(api):
    call, _, _ = api
    assert call("GET", "/api/v1/clusters", user=None).status_code == 401
    assert call("GET", "/api/v1/me").json()["role"] == "province_manager"


def test_lists_are_scoped_paged_and_sorted(api):
    call, _, _ = api
    page = call("GET", "/api/v1/clusters", params={"per_page": 2, "sort": "code"}).json()
    assert page["total"] >= 4 and len(page["items"]) == 2 and page["per_page"] == 2
    assert {i["code"][:4] for i in page["items"]} == {"CL06"}
    everything = call("GET", "/api/v1/clusters", user="admin", params={"per_page": 200}).json()
    assert {i["province_code"] for i in everything["items"]} > {"06"}
    firms = call("GET", "/api/v1/establishments", params={"per_page": 200}).json()
    assert all(i["region_code"].startswith("06") for i in firms["items"])
    assert call("GET", "/api/v1/clusters", params={"sort": "nope"}).status_code == 422


def test_crud_with_validation_and_versions(api):
    call, _, _ = api
    body = {"code": "CL06-70", "name_fa": "خوشهٔ رابط", "province_code": "06",
            "isic": "1030", "stage": "identified", "start_date": "1403/02/10"}
    made = call("POST", "/api/v1/clusters", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["start_date"] == "2024-04-29" and made.json()["version"] == 1
    bad = call("POST", "/api/v1/clusters", json={**body, "code": "CL06-71", "isic": "10"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "isic"]
    assert call("POST", "/api/v1/clusters", json={**body, "extra": 1}).status_code == 422
    changed = call("PATCH", "/api/v1/clusters/CL06-70", json={"name_en": "API cluster",
                                                              "version": 1})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = call("PATCH", "/api/v1/clusters/CL06-70", json={"name_en": "Old", "version": 1})
    assert stale.status_code == 409 and stale.json()["current"]["name_en"] == "API cluster"
    moved = call("PATCH", "/api/v1/clusters/CL06-70", json={"stage": "feasibility"})
    assert moved.status_code in (400, 422) and "approval only" in moved.text
    assert call("GET", "/api/v1/clusters/CL01-01").status_code == 403
    assert call("GET", "/api/v1/clusters/NOPE").status_code == 404
    other = {**body, "code": "CL01-70", "province_code": "01"}
    assert call("POST", "/api/v1/clusters", json=other).status_code == 403
    assert call("DELETE", "/api/v1/clusters/CL06-70", params={"version": 1}).status_code == 409
    assert call("DELETE", "/api/v1/clusters/CL06-70").status_code == 200
    assert call("GET", "/api/v1/clusters/CL06-70").status_code == 404


def test_roles_are_enforced_through_the_api(api):
    call, _, _ = api
    member = {"cluster_code": "CL06-01", "member_id": "M-API", "name": "عضو",
              "kind": "firm", "role": "member"}
    assert call("POST", "/api/v1/cluster_members", user="agent", json=member).status_code == 201
    elsewhere = {**member, "cluster_code": "CL06-02", "member_id": "M-API2"}
    assert call("POST", "/api/v1/cluster_members", user="agent",
                json=elsewhere).status_code == 403
    assert call("DELETE", "/api/v1/clusters/CL06-01", user="governor").status_code == 403
    assert call("POST", "/api/v1/countries", json={"iso3": "ZZZ", "name_en": "x"}
                ).status_code == 403


def test_a_disabled_users_tokens_stop_working(api):
    call, _, root = api
    assert call("GET", "/api/v1/me", user="governor").status_code == 200
    with Workspace.open(root) as ws:
        set_active(ws, "governor", False, actor="test")
    time.sleep(USER_SECONDS + 0.1)  # a request's user is reused this long
    assert call("GET", "/api/v1/me", user="governor").status_code == 401


def test_openapi_lists_every_kind(api):
    call, _, _ = api
    spec = call("GET", "/api/v1/openapi.json", user=None).json()
    assert "/api/v1/cluster_members/{key}" in spec["paths"]
    assert "bearerAuth" in str(spec["components"]["securitySchemes"]) or \
        "HTTPBearer" in spec["components"]["securitySchemes"]


def test_a_body_that_is_not_json_gets_a_documented_400(api):
    call, _, _ = api
    spec = call("GET", "/api/v1/openapi.json", user=None).json()
    assert "400" in spec["paths"]["/api/v1/clusters"]["post"]["responses"]
    assert "400" in spec["paths"]["/api/v1/clusters/{key}"]["patch"]["responses"]
    for method, path in (("POST", "/api/v1/clusters"), ("PATCH", "/api/v1/clusters/CL06-01")):
        r = call(method, path, user="admin", content=b"\xff\x16\xfei",
                 headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and r.json() == {
            "detail": "There was an error parsing the body"}, (method, r.text)
