"""Recording a cluster's activity in one form and over the API: who may, the identifier given
by khooshe, the members ticked from the cluster's list, every problem by field with nothing
written."""

from __future__ import annotations

import re

from conftest import csrf, login  # noqa: I001 (tests/web/conftest.py)
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

FORM = "/clusters/CL06-01/activities/new"


def _stored(root):
    with Workspace.open(root) as ws:
        acts = read_kind(ws, "cluster_activities")
        parts = read_kind(ws, "activity_participants")
    return acts[acts["cluster_code"] == "CL06-01"], parts[parts["cluster_code"] == "CL06-01"]


def test_the_form_lists_the_cluster_s_members_and_countries_by_name(site):
    _, app = site
    page = login(app, "agent").get(FORM)
    assert page.status_code == 200
    members = re.findall(r'data-member="([^"]+)"', page.text)
    root = site[0]
    with Workspace.open(root) as ws:
        known = read_kind(ws, "cluster_members")
    mine = known.loc[known["cluster_code"] == "CL06-01", "member_id"]
    assert sorted(members) == sorted(mine)
    assert re.search(r'<option value="TUR"\s*>ترکیه</option>', page.text)
    assert 'value="IRN"' not in page.text  # at home is the empty choice
    assert 'name="activity_id"' not in page.text  # khooshe numbers the activity
    cluster_page = login(app, "agent").get("/clusters/CL06-01").text
    assert f'href="{FORM}" id="add-activity"' in cluster_page


def test_an_activity_is_recorded_from_the_form(site):
    root, app = site
    client = login(app, "agent")
    before, _ = _stored(root)
    sent = client.post(FORM, data={
        "csrf_token": csrf(client, FORM), "kind": "exhibition", "title": "نمایشگاه صنعت",
        "date": "۱۴۰۵/۰۷/۱۲", "country": "IRQ", "participants": "۸", "cost_rials": "۱۲۰٬۰۰۰",
        "took.M-E0007340": "1", "people.M-E0007340": "۳", "took.U-01": "1",
        "people.M-E0009849": "۵"},  # a number without its tick: not a participant
        follow_redirects=False)
    assert sent.status_code == 303, sent.text
    recorded = re.search(r"recorded=([^#&]+)", sent.headers["location"]).group(1)
    acts, parts = _stored(root)
    assert len(acts) == len(before) + 1
    new = acts.set_index("activity_id").loc[recorded]
    assert (new["kind"], new["country"], int(new["cost_rials"])) == ("exhibition", "IRQ",
                                                                     120_000)
    took = parts[parts["activity_id"] == recorded]
    assert dict(zip(took["member_id"], took["people"], strict=True)) == {
        "M-E0007340": 3, "U-01": 1}
    shown = client.get(sent.headers["location"]).text
    assert f"ثبت شد: اقدام {recorded}" in shown


def test_every_problem_is_shown_by_field_and_nothing_is_recorded(site):
    root, app = site
    client = login(app, "agent")
    before = _stored(root)
    sent = client.post(FORM, data={
        "csrf_token": csrf(client, FORM), "kind": "foreign_tour", "date": "۱۴۰۵/۱۳/۰۱",
        "cost_rials": "۱۰۰", "cofinance_rials": "۲۰۰", "took.M-E0007340": "1",
        "people.M-E0007340": "۰", "title": "<script>alert(1)</script>"})
    assert sent.status_code == 422
    assert "۴ خانه نیاز به اصلاح دارد" in sent.text
    assert "<script>alert(1)</script>" not in sent.text  # typed text is escaped
    for text in ("ماه ۱۳", "کشور مقصد", "سهم اعضا نمی‌تواند", "باید دست‌کم ۱ باشد"):
        assert text in sent.text
    assert re.search(r'name="took.M-E0007340" value="1"\s+checked', sent.text)  # ticks stay
    after = _stored(root)
    assert after[0].equals(before[0]) and after[1].equals(before[1])


def test_who_may_not_record_gets_no_form(site):
    _, app = site
    for user in ("viewer06", "governor", "gilan"):
        assert login(app, user).get(FORM).status_code == 403, user
    viewer = login(app, "viewer06")
    token = csrf(viewer, "/clusters/CL06-01")
    refused = viewer.post(FORM, data={"csrf_token": token, "kind": "other",
                                      "date": "1405/01/01"})
    assert refused.status_code == 403


def test_the_api_records_an_activity(site, api):
    root, _ = site
    path = "/api/v1/clusters/CL06-01/activities"
    ok = api("POST", path, user="agent", json={"kind": "joint_purchase", "date": "1405/06/01",
                                 "title": "خرید مشترک ورق", "cost_rials": 5_000_000,
                                 "members": {"M-E0007340": None, "M-E0009849": 2}})
    assert ok.status_code == 201, ok.text
    got = ok.json()["activity_id"]
    acts, parts = _stored(root)
    assert got in set(acts["activity_id"])
    assert set(parts.loc[parts["activity_id"] == got, "member_id"]) == {"M-E0007340",
                                                                         "M-E0009849"}
    bad = api("POST", path, user="agent", json={"kind": "foreign_tour",
                                                 "date": "1405/06/01"})
    assert bad.status_code == 422 and "country" in bad.text
    assert api("POST", path, user="gilan", json={"kind": "other",
                                                 "date": "1405/06/01"}).status_code == 403
