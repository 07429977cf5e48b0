"""A demo workspace with one account per role, and signed-in test clients of the web app."""

from __future__ import annotations

import re
import warnings

import pytest

PASSWORD = "test-password-1"
ACCOUNTS = {  # user name: (role, place)
    "admin": ("national_admin", {}),
    "khuzestan": ("province_manager", {"province": "06"}),
    "gilan": ("province_manager", {"province": "01"}),
    "governor": ("county_governor", {}),
    "agent": ("cluster_agent", {}),
    "viewer06": ("viewer", {"province": "06"}),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(workspace root, the app) on a fresh demo with :data:`ACCOUNTS`."""
    from khooshe.services.demo import build_demo
    from khooshe.services.users import add_user
    from khooshe.store.repository import read_kind
    from khooshe.web import create_app

    root = tmp_path_factory.mktemp("web") / "ws"
    ws = build_demo(root, seed=0)
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code"])
    county = sorted(regions.loc[(regions["level"] == "county")
                                & (regions["parent_code"] == "06"), "code"])[0]
    for name, (role, place) in ACCOUNTS.items():
        if role == "county_governor":
            place = {"county": county}
        if role == "cluster_agent":
            place = {"clusters": ("CL06-01",)}
        add_user(ws, name, role, password=PASSWORD, actor="test", **place)
    ws.close()
    return root, create_app(root, secret="test-secret")


@pytest.fixture(scope="module")
def api(site):
    """``api(method, path, user="khuzestan", **kw)``: a request to the app's API with the
    bearer token of ``user`` (any of :data:`ACCOUNTS`)."""
    from fastapi.testclient import TestClient

    from khooshe.services.users import new_token
    from khooshe.store.workspace import Workspace

    root, app = site
    with Workspace.open(root) as ws:
        tokens = {name: new_token(ws, name, actor="test") for name in ACCOUNTS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(app, raise_server_exceptions=False)

    def call(method: str, path: str, user: str = "khuzestan", **kw):
        return client.request(method, path, headers={"Authorization": f"Bearer {tokens[user]}"},
                              **kw)

    return call


def login(app, username: str, password: str = PASSWORD):
    """A test client signed in as ``username``."""
    from fastapi.testclient import TestClient

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": username, "password": password,
                                    "login_token": token, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def csrf(client, path: str) -> str:
    """The CSRF token of the session, from a page's form."""
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
