"""The programme's workflow pages and endpoints (issue 14 over the web app of issue 13): a
cluster's stage timeline and approvals, indicators and members; who may do what."""

from __future__ import annotations

import re
import warnings

import pytest
from fastapi.testclient import TestClient

from conftest import csrf, login  # noqa: I001 (tests/web/conftest.py)
from khooshe.services.users import new_token
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace


@pytest.fixture(scope="module")
def api(site):
    root, app = site
    with Workspace.open(root) as ws:
        tokens = {name: new_token(ws, name, actor="test")
                  for name in ("admin", "khuzestan", "gilan", "governor", "agent")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(app, raise_server_exceptions=False)

    def call(method: str, path: str, user: str = "khuzestan", **kw):
        return client.request(method, path, headers={"Authorization": f"Bearer {tokens[user]}"},
                              **kw)

    return call


def _alerts(html: str, kind: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", m) for m in
            re.findall(rf'class="alert alert-{kind}"[^>]*>(.*?)</div>', html, re.S)]


# --- The cluster's page -----------------------------------------------------------------------
def test_the_cluster_page_shows_its_timeline_indicators_and_members(site):
    _, app = site
    page = login(app, "khuzestan").get("/clusters/CL06-01")
    assert page.status_code == 200
    html = page.text
    assert 'id="timeline"' in html and 'id="indicators"' in html and 'id="members"' in html
    assert html.count("data-stage=") == 10  # every stage of the procedure, in order
    assert "مرحلهٔ کنونی" in html  # the current stage is marked
    assert 'id="stage-form"' in html  # a province manager approves
    assert re.search(r'data-rag="(green|amber|red|no_data)"', html)
    assert "مارپیچ سه‌گانه" in html
    english = login(app, "khuzestan").get("/clusters/CL06-01?lang=en").text
    assert "Stages of the cluster" in english and "Triple helix" in english


def test_a_cluster_agent_reads_its_cluster_but_cannot_approve_a_stage(site):
    _, app = site
    agent = login(app, "agent")
    page = agent.get("/clusters/CL06-01")
    assert page.status_code == 200 and 'id="stage-form"' not in page.text
    stage = read_kind(Workspace.open(site[0]), "clusters").set_index("code").at["CL06-01",
                                                                                 "stage"]
    r = agent.post("/clusters/CL06-01/stage",
                   data={"csrf_token": csrf(agent, "/clusters/CL06-01"), "stage": "evaluation"},
                   follow_redirects=False)
    assert r.status_code == 403
    after = read_kind(Workspace.open(site[0]), "clusters").set_index("code").at["CL06-01",
                                                                                "stage"]
    assert after == stage


def test_the_approval_form_needs_its_csrf_token(site):
    _, app = site
    r = login(app, "gilan").post("/clusters/CL01-05/stage", data={"stage": "cda_contracted"},
                                 follow_redirects=False)
    assert r.status_code == 403


def test_approving_the_next_stage_warns_of_missing_evidence(site):
    root, app = site
    gilan = login(app, "gilan")
    token = csrf(gilan, "/clusters/CL01-05")
    r = gilan.post("/clusters/CL01-05/stage",
                   data={"csrf_token": token, "stage": "cda_contracted",
                         "approved_on": "۱۴۰۵/۰۹/۱۰", "decision": "1405/77"},
                   follow_redirects=False)
    assert r.status_code == 303
    page = gilan.get(r.headers["location"]).text
    assert any("عقد قرارداد" in a for a in _alerts(page, "success"))
    warning = _alerts(page, "warning")
    assert warning and "قرارداد ناظر فنی" in warning[0]
    assert "۱۴۰۵/۰۹/۱۰" in page  # the approval's Jalali date on the timeline
    stages = read_kind(Workspace.open(root), "cluster_stages")
    row = stages[(stages["cluster_code"] == "CL01-05")
                 & (stages["stage"] == "cda_contracted")].iloc[0]
    assert row["approved_by"] == "gilan" and row["decision"] == "1405/77"
    assert str(row["approved_on"])[:10] == "2026-12-01"


def test_a_correction_back_needs_a_note_and_a_skip_is_refused(site):
    _, app = site
    gilan = login(app, "gilan")
    token = csrf(gilan, "/clusters/CL01-04")
    current = read_kind(Workspace.open(site[0]), "clusters").set_index("code").at["CL01-04",
                                                                                  "stage"]
    from khooshe.domain.vocab import CLUSTER_STAGES

    i = CLUSTER_STAGES.index(current)
    if i == 0:
        pytest.skip("the cluster is at the first stage")
    r = gilan.post("/clusters/CL01-04/stage",
                   data={"csrf_token": token, "stage": CLUSTER_STAGES[i - 1]})
    assert r.status_code == 422
    assert _alerts(r.text, "danger") and "یادداشت" in _alerts(r.text, "danger")[0]
    assert 'id="stage-form"' in r.text  # the page again, the form beside the reason
    r = gilan.post("/clusters/CL01-04/stage",
                   data={"csrf_token": token, "stage": "self_managed"})
    assert r.status_code == 422
    r = gilan.post("/clusters/CL01-04/stage",
                   data={"csrf_token": token, "stage": CLUSTER_STAGES[i - 1],
                         "note": "اشتباه ثبت شده بود"}, follow_redirects=False)
    assert r.status_code == 303 and "moved=back" in r.headers["location"]


def test_another_province_s_manager_cannot_open_or_approve_the_cluster(site):
    _, app = site
    khuzestan = login(app, "khuzestan")
    assert khuzestan.get("/clusters/CL01-05").status_code == 403
    r = khuzestan.post("/clusters/CL01-05/stage",
                       data={"csrf_token": csrf(khuzestan, "/"), "stage": "diagnostic"})
    assert r.status_code == 403


# --- The API ----------------------------------------------------------------------------------
def test_the_stage_api_approves_and_the_timeline_shows_it(api):
    timeline = api("GET", "/api/v1/clusters/CL06-02/timeline")
    assert timeline.status_code == 200
    rows = timeline.json()
    assert len(rows) == 10 and sum(r["current"] for r in rows) == 1
    here = next(i for i, r in enumerate(rows) if r["current"])
    if here + 1 == len(rows):
        pytest.skip("the cluster is at the last stage")
    nxt = rows[here + 1]["stage"]
    r = api("POST", "/api/v1/clusters/CL06-02/stage",
            json={"stage": nxt, "approved_on": "1405/09/12", "decision": "API-1"})
    assert r.status_code == 200, r.text
    step = r.json()
    assert step["stage"] == nxt and step["previous"] == rows[here]["stage"]
    assert step["approved_on"] == "2026-12-03" and not step["correction"]
    after = api("GET", "/api/v1/clusters/CL06-02/timeline").json()
    assert after[here + 1]["current"] and after[here + 1]["decision"] == "API-1"
    assert after[here + 1]["approved_by"] == "khuzestan"


def test_the_stage_api_refuses_what_the_rules_and_the_roles_refuse(api):
    assert api("POST", "/api/v1/clusters/CL06-01/stage", user="agent",
               json={"stage": "evaluation"}).status_code == 403
    assert api("POST", "/api/v1/clusters/CL01-05/stage",
               json={"stage": "diagnostic"}).status_code == 403
    assert api("GET", "/api/v1/clusters/CL01-05/timeline").status_code == 403
    assert api("GET", "/api/v1/clusters/NOPE/timeline").status_code == 404
    r = api("POST", "/api/v1/clusters/CL06-03/stage", json={"stage": "no_such_stage"})
    assert r.status_code == 422
    r = api("POST", "/api/v1/clusters/CL06-03/stage", json={"stage": "self_managed"})
    assert r.status_code == 422


def test_the_workflow_endpoints_are_in_the_openapi_document(api):
    spec = api("GET", "/api/v1/openapi.json").json()
    assert "post" in spec["paths"]["/api/v1/clusters/{code}/stage"]
    assert "get" in spec["paths"]["/api/v1/clusters/{code}/timeline"]
