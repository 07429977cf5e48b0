"""The programme's workflow pages and endpoints (issue 14 over the web app of issue 13): a
cluster's stage timeline and approvals, indicators and members; who may do what."""

from __future__ import annotations

import re

import pytest

from conftest import csrf, login  # noqa: I001 (tests/web/conftest.py)
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace


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
    growth = html[html.index('id="member-growth"'):html.index('id="triple-helix"')]
    totals = re.findall(r'<td class="num fw-bold">([^<]+)</td>', growth)
    assert totals and totals[-1] == re.search(r"<p>(\S+) عضو؛", html).group(1)  # all by now
    english = login(app, "khuzestan").get("/clusters/CL06-01?lang=en").text
    assert "Stages of the cluster" in english and "Triple helix" in english


def test_the_cluster_page_shows_its_activities_and_partner_checks(site):
    _, app = site
    root, _ = site
    with Workspace.open(root) as ws:
        acts = read_kind(ws, "cluster_activities")
    acts = acts[acts["cluster_code"] == "CL06-01"]
    assert len(acts)  # the demo's cluster has activities
    html = login(app, "khuzestan").get("/clusters/CL06-01").text
    section = html[html.index('id="activities"'):]
    assert 'id="activity-kinds"' in section and 'id="training-reach"' in section
    listed = re.findall(r'data-activity="([^"]+)"', section)
    newest = acts.sort_values(["date", "activity_id"], ascending=False)["activity_id"]
    assert listed == list(newest.head(10))  # the latest ten, newest first
    assert 'id="add-activity"' in section  # the province manager may record one
    english = login(app, "khuzestan").get("/clusters/CL06-01?lang=en").text
    assert "Latest activities" in english and "Foreign partners checked" in english


def test_a_link_fills_in_the_new_record_form(site):
    _, app = site
    html = login(app, "khuzestan").get(
        "/cluster_activities/new?cluster_code=CL06-01&nonsense=x").text
    assert re.search(r'id="f-cluster_code"[^>]*value="CL06-01"', html)
    assert "nonsense" not in html


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


# --- The governors' ten villages --------------------------------------------------------------
def _county_villages(root, county: str) -> list[str]:
    props = read_kind(Workspace.open(root), "village_proposals")
    return sorted(props.loc[props["county_code"] == county, "village_code"])


def _governor_county(root) -> str:
    """The county of the account ``governor`` (tests/web/conftest.py: Khuzestan's first)."""
    regions = read_kind(Workspace.open(root), "regions", columns=["code", "level",
                                                                  "parent_code"])
    return sorted(regions.loc[(regions["level"] == "county")
                              & (regions["parent_code"] == "06"), "code"])[0]


def test_a_governor_is_taken_to_their_county_and_refused_another(site):
    root, app = site
    county = _governor_county(root)
    governor = login(app, "governor")
    r = governor.get("/villages", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/villages/{county}"
    page = governor.get(f"/villages/{county}")
    assert page.status_code == 200
    assert page.text.count("data-village=") >= 10
    assert "دلیل پیشنهاد خوشه" in page.text
    others = sorted({c for c in read_kind(Workspace.open(root), "village_proposals")
                     ["county_code"] if c != county})
    assert governor.get(f"/villages/{others[0]}").status_code == 403
    r = governor.post(f"/villages/{others[0]}/decide",
                      data={"csrf_token": csrf(governor, f"/villages/{county}"),
                            "village": _county_villages(root, others[0])[0],
                            "status": "confirmed"})
    assert r.status_code == 403
    assert governor.get("/villages?province=06").status_code == 403


def test_a_governor_confirms_rejects_and_replaces_with_a_reason(site):
    root, app = site
    county = _governor_county(root)
    villages = _county_villages(root, county)
    governor = login(app, "governor")
    token = csrf(governor, f"/villages/{county}")

    def decide(**data):
        return governor.post(f"/villages/{county}/decide",
                             data={"csrf_token": token, **data}, follow_redirects=False)

    assert decide(village=villages[0], status="confirmed").status_code == 303
    r = decide(village=villages[1], status="rejected")
    assert r.status_code == 422 and _alerts(r.text, "danger")  # a reason is needed
    assert decide(village=villages[1], status="rejected",
                  reason="آب کافی ندارد").status_code == 303
    page = governor.get(f"/villages/{county}").text
    spare = re.findall(r'<option value="(\d+)">', page)
    assert spare and not set(spare) & {villages[0], villages[2]}
    assert decide(village=villages[2], status="replaced", reason="دور از جاده",
                  replacement=spare[0]).status_code == 303
    props = read_kind(Workspace.open(root), "village_proposals").set_index("village_code")
    assert props.at[villages[0], "status"] == "confirmed"
    assert props.at[villages[1], "status"] == "rejected"
    assert props.at[villages[2], "status"] == "replaced"
    assert props.at[spare[0], "status"] == "confirmed"
    assert props.at[spare[0], "replaces"] == villages[2]
    assert props.at[villages[0], "decided_by"] == "governor"
    # a village of another county cannot replace one
    other = sorted(set(props["county_code"]) - {county})[0]
    r = decide(village=villages[3], status="replaced", reason="x",
               replacement=_county_villages(root, other)[5])
    assert r.status_code == 422


def test_the_province_manager_sees_every_county_s_progress(site):
    root, app = site
    khuzestan = login(app, "khuzestan")
    page = khuzestan.get("/villages")
    assert page.status_code == 200
    counties = set(read_kind(Workspace.open(root), "village_proposals")["county_code"])
    assert page.text.count("data-county=") >= len(counties)
    assert "از ۱۰ آماده" in page.text
    county = sorted(counties)[1]
    assert khuzestan.get(f"/villages/{county}").status_code == 200
    assert login(app, "gilan").get(f"/villages/{county}").status_code == 403
    assert login(app, "gilan").get("/villages?province=06").status_code == 403


def test_the_village_api_decides_and_reports_progress(api, site):
    root, _ = site
    county = _governor_county(root)
    props = read_kind(Workspace.open(root), "village_proposals")
    waiting = sorted(props.loc[(props["county_code"] == county)
                               & (props["status"] == "proposed"), "village_code"])
    r = api("POST", f"/api/v1/village_proposals/{waiting[0]}/decision", user="governor",
            json={"status": "confirmed", "on": "1405/09/12"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "confirmed" and r.json()["decided_on"] == "2026-12-03"
    r = api("POST", f"/api/v1/village_proposals/{waiting[1]}/decision", user="governor",
            json={"status": "prepared"})
    assert r.status_code == 422  # a proposed village is confirmed first
    other = sorted(set(props["county_code"]) - {county})[0]
    r = api("POST", f"/api/v1/village_proposals/{_county_villages(root, other)[0]}/decision",
            user="governor", json={"status": "confirmed"})
    assert r.status_code == 403
    progress = api("GET", "/api/v1/villages/progress?province=06")
    assert progress.status_code == 200
    mine = next(r for r in progress.json() if r["county_code"] == county)
    assert mine["confirmed"] >= 1 and mine["of"] == 10
    assert api("GET", "/api/v1/villages/progress?province=06",
               user="gilan").status_code == 403


# --- The steering committee -------------------------------------------------------------------
def ardabil(root) -> None:
    """An account of Ardabil's province manager (province 24), once per workspace."""
    from conftest import PASSWORD
    from khooshe.services.users import add_user

    with Workspace.open(root) as ws:
        try:
            add_user(ws, "ardabil", "province_manager", password=PASSWORD, actor="test",
                     province="24")
        except Exception:  # noqa: BLE001 - there already
            pass


MEETING = {"meeting_id": "SC24-1405-07", "held_on": "۱۴۰۵/۰۹/۰۱", "chair": "استاندار اردبیل",
           "cluster_CL24-01": "CL24-01",
           "d1_text": "تأمین زمین کارگاه مشترک", "d1_responsible": "شرکت شهرک‌های صنعتی",
           "d1_due_on": "۱۴۰۵/۰۹/۰۵", "d1_cluster": "CL24-01",
           "d2_text": "دورهٔ آموزش صادرات", "d2_responsible": "سازمان صمت",
           "d2_due_on": "1499/12/01"}


def test_a_meeting_with_two_decisions_one_of_them_overdue(site):
    root, app = site
    ardabil(root)
    manager = login(app, "ardabil")
    page = manager.get("/committee")
    assert page.status_code == 200 and 'id="meeting-form"' in page.text
    token = csrf(manager, "/committee")
    r = manager.post("/committee/24/meetings", data={"csrf_token": token, **MEETING},
                     follow_redirects=False)
    assert r.status_code == 303, r.text
    page = manager.get(r.headers["location"]).text
    assert 'data-late="SC24-1405-07-1"' in page and 'data-late="SC24-1405-07-2"' not in page
    assert 'data-meeting="SC24-1405-07"' in page
    decisions = read_kind(Workspace.open(root), "committee_decisions")
    mine = decisions[decisions["meeting_id"] == "SC24-1405-07"]
    assert len(mine) == 2 and set(mine["status"]) == {"open"}
    # marking it done takes it off the overdue list
    r = manager.post("/committee/decisions/SC24-1405-07/1", data={"csrf_token": token},
                     follow_redirects=False)
    assert r.status_code == 303
    assert 'data-late="SC24-1405-07-1"' not in manager.get("/committee").text
    # a meeting reviewing another province's cluster is refused, nothing written
    r = manager.post("/committee/24/meetings",
                     data={"csrf_token": token, **MEETING, "meeting_id": "SC24-1405-08",
                           "cluster_CL01-05": "CL01-05"})
    assert r.status_code == 422 and _alerts(r.text, "danger")
    meetings = read_kind(Workspace.open(root), "committee_meetings")
    assert "SC24-1405-08" not in set(meetings["meeting_id"])


def test_the_meeting_report_is_made_on_request(site):
    root, app = site
    ardabil(root)
    manager = login(app, "ardabil")
    html = manager.get("/committee/meetings/SC24-1403-02/report.html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "sandbox" in html.headers["content-security-policy"]
    assert "کارگروه" in html.text
    pdf = manager.get("/committee/meetings/SC24-1403-02/report.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    assert manager.get("/committee/meetings/SC24-1403-02/report.xlsx").status_code == 404
    assert manager.get("/committee/meetings/NOPE/report.html").status_code == 404


def test_an_organisation_s_problem_is_recorded_and_joins_the_board(site):
    root, app = site
    ardabil(root)
    manager = login(app, "ardabil")
    page = manager.get("/committee").text
    assert 'id="problems"' in page and 'id="report-problem"' in page
    form = manager.get("/support_problems/new?province_code=24").text
    assert re.search(r'id="f-province_code"[^>]*value="24"', form)
    token = csrf(manager, "/support_problems/new")
    r = manager.post("/support_problems/new", data={
        "csrf_token": token, "problem_id": "PR24-50", "province_code": "24",
        "organisation": "دانشگاه محقق اردبیلی", "cluster_code": "CL24-01",
        "reported_on": "۱۴۰۵/۰۹/۰۱", "problem": "آزمایشگاه رنگ‌سنجی برای اعضای خوشه نیست",
        "support_needed": "تجهیز آزمایشگاه", "asked_of": "سازمان مدیریت و برنامه‌ریزی",
        "status": "open"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = manager.get("/committee").text
    assert 'data-problem="PR24-50" data-status="open"' in page
    board = page[page.index('id="board"'):page.index('id="overdue"')]
    row = re.search(r"<tr[^>]*><td><bdi>دانشگاه محقق اردبیلی</bdi></td>(.*?)</tr>", board, re.S)
    assert row and re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[-1] == "۱"
    # another province's manager can neither read nor record Ardabil's problems
    gilan = login(app, "gilan")
    assert gilan.get("/support_problems/PR24-50").status_code == 403
    r = gilan.post("/support_problems/new", data={
        "csrf_token": csrf(gilan, "/"), "problem_id": "PR24-51", "province_code": "24",
        "organisation": "x", "reported_on": "1405/09/01", "problem": "y", "status": "open"})
    assert r.status_code == 403


def test_another_province_s_manager_cannot_see_the_committee(site):
    _, app = site
    gilan = login(app, "gilan")
    assert gilan.get("/committee?province=06").status_code == 403
    assert gilan.get("/committee/meetings/SC06-1403-01/report.pdf").status_code == 403
    r = gilan.post("/committee/06/meetings",
                   data={"csrf_token": csrf(gilan, "/committee"), **MEETING,
                         "meeting_id": "SC06-1405-09"})
    assert r.status_code == 403
    r = gilan.post("/committee/decisions/SC06-1403-01/1",
                   data={"csrf_token": csrf(gilan, "/committee")})
    assert r.status_code == 403
    assert gilan.get("/committee").status_code == 200  # its own province
    assert 'id="meeting-form"' not in login(app, "viewer06").get("/committee").text


def test_the_committee_api(api):
    r = api("POST", "/api/v1/committee/meetings", json={
        "meeting_id": "SC06-1405-01", "province_code": "06", "held_on": "1405/09/01",
        "clusters": ["CL06-01"], "decisions": [
            {"text": "a", "responsible": "org A", "due_on": "1405/09/02"},
            {"text": "b", "responsible": "org B", "due_on": "2099-01-01",
             "cluster_code": "CL06-01"}]})
    assert r.status_code == 201, r.text
    assert r.json()["decisions"] == 2
    board = api("GET", "/api/v1/committee/board?province=06")
    assert board.status_code == 200
    org_a = next(b for b in board.json() if b["responsible"] == "org A")
    assert org_a["overdue"] == 1 and org_a["problems_open"] == 0
    assert any(b["problems_open"] > 0 for b in board.json())  # the demo's reported problems
    r = api("POST", "/api/v1/committee/decisions/SC06-1405-01/1",
            json={"status": "done", "on": "1405/09/10"})
    assert r.status_code == 200 and r.json()["done_on"] == "2026-12-01"
    assert api("GET", "/api/v1/committee/board?province=06", user="gilan").status_code == 403
    assert api("POST", "/api/v1/committee/meetings", user="gilan", json={
        "meeting_id": "SC06-1405-02", "province_code": "06",
        "held_on": "1405/09/01"}).status_code == 403
    assert api("POST", "/api/v1/committee/decisions/SC06-1405-01/2", user="agent",
               json={"status": "done"}).status_code == 403


# --- Funds ------------------------------------------------------------------------------------
def test_the_funds_page_commits_and_pays_within_the_ceilings(site):
    root, app = site
    gilan = login(app, "gilan")
    page = gilan.get("/money")
    assert page.status_code == 200 and 'id="balance"' in page.text
    assert "تومان" in page.text and 'id="commit-form"' in page.text
    token = csrf(gilan, "/money")
    alloc = read_kind(Workspace.open(root), "fund_allocations")
    mine = alloc[alloc["region_code"] == "01"].iloc[0]
    r = gilan.post("/money/01/commit", data={
        "csrf_token": token, "commitment_id": "CW-01", "programme": mine["programme"],
        "year": str(mine["year"]), "recipient_kind": "cluster", "recipient": "CL01-05",
        "committed_rials": "۱۰۰۰۰۰۰۰۰۰", "jobs_expected": "12", "committed_on": "1405/09/01"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    r = gilan.post("/money/01/commit", data={
        "csrf_token": token, "commitment_id": "CW-02", "programme": mine["programme"],
        "year": str(mine["year"]), "recipient_kind": "cluster", "recipient": "CL06-01",
        "committed_rials": "1000"})
    assert r.status_code == 422  # another province's cluster
    r = gilan.post("/money/pay/CW-01", data={"csrf_token": token, "amount": "۴۰۰٬۰۰۰٬۰۰۰",
                                             "jobs_realised": "۵"}, follow_redirects=False)
    assert r.status_code == 303
    r = gilan.post("/money/pay/CW-01", data={"csrf_token": token, "amount": "700000000"})
    assert r.status_code == 422 and _alerts(r.text, "danger")  # beyond the commitment
    row = read_kind(Workspace.open(root), "fund_commitments").set_index("commitment_id").loc[
        "CW-01"]
    assert int(row["disbursed_rials"]) == 400_000_000 and int(row["jobs_realised"]) == 5
    khuzestan = login(app, "khuzestan")
    assert khuzestan.get("/money?province=01").status_code == 403
    r = khuzestan.post("/money/pay/CW-01", data={"csrf_token": csrf(khuzestan, "/"),
                                                 "amount": "1"})
    assert r.status_code == 403


def test_the_funds_api(api, site):
    balance = api("GET", "/api/v1/funds/balance?province=06")
    assert balance.status_code == 200 and balance.json()
    assert api("GET", "/api/v1/funds/balance?province=01").status_code == 403
    commits = read_kind(Workspace.open(site[0]), "fund_commitments")
    open_ = commits[(commits["region_code"] == "06")
                    & (commits["committed_rials"] > commits["disbursed_rials"].fillna(0))]
    key = str(open_["commitment_id"].iloc[0])
    r = api("POST", f"/api/v1/funds/commitments/{key}/disbursements",
            json={"amount_rials": 1, "jobs_realised": 3})
    assert r.status_code == 200, r.text
    assert r.json()["jobs_realised"] == 3
    r = api("POST", f"/api/v1/funds/commitments/{key}/disbursements",
            json={"amount_rials": 10**17})
    assert r.status_code == 422
    assert api("POST", f"/api/v1/funds/commitments/{key}/disbursements", user="gilan",
               json={"amount_rials": 1}).status_code == 403


# --- Units and park projects ------------------------------------------------------------------
def test_a_unit_is_marked_operating_with_its_jobs(site, api):
    root, app = site
    khuzestan = login(app, "khuzestan")
    page = khuzestan.get("/units")
    assert page.status_code == 200 and 'id="projects"' in page.text
    units = re.findall(r'id="u-([^"]+)" data-status="(?!operating)', page.text)
    if not units:
        pytest.skip("no tracked unit of Khuzestan to report on")
    token = csrf(khuzestan, "/units")
    r = khuzestan.post(f"/units/{units[0]}/report",
                       data={"csrf_token": token, "status": "operating"})
    assert r.status_code == 422 and _alerts(r.text, "danger")  # the jobs are needed
    r = khuzestan.post(f"/units/{units[0]}/report",
                       data={"csrf_token": token, "status": "operating", "progress": "۱۰۰",
                             "jobs_realised": "۴۲"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = khuzestan.get(r.headers["location"]).text
    assert f'id="u-{units[0]}" data-status="operating"' in page
    assert login(app, "gilan").get("/units?province=06").status_code == 403
    if len(units) > 1:
        r = api("POST", f"/api/v1/units/{units[1]}/reports",
                json={"status": "completing", "progress": 55})
        assert r.status_code == 201, r.text
        assert api("POST", f"/api/v1/units/{units[1]}/reports", user="gilan",
                   json={"status": "completing"}).status_code == 403
