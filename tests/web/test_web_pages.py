"""The web pages: sign-in, scoped lists and records, forms, history, conflicts, uploads,
exports and the security of every response (issue 13)."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from conftest import PASSWORD, csrf, login  # noqa: I001 (tests/web/conftest.py)
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace


def _anonymous(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(app, raise_server_exceptions=False)


def test_pages_need_a_sign_in_and_carry_security_headers(site):
    _, app = site
    client = _anonymous(app)
    r = client.get("/clusters", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/clusters")
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text.replace('<script src=', '')  # no inline script


def test_wrong_passwords_are_throttled(site):
    _, app = site
    client = _anonymous(app)
    for i in range(6):
        page = client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"username": "gilan", "password": "nope",
                                        "login_token": token, "next": "/"})
        assert r.status_code == (401 if i < 5 else 429)
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": "gilan", "password": PASSWORD,
                                    "login_token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 429  # still blocked: the window has not passed


def test_a_login_from_a_foreign_form_is_refused(site):
    _, app = site
    client = _anonymous(app)
    r = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                    "login_token": "forged", "next": "/"})
    assert r.status_code == 400


def test_the_next_page_after_sign_in_stays_on_the_site(site):
    _, app = site
    client = _anonymous(app)
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                    "login_token": token, "next": "//evil.example/x"},
                    follow_redirects=False)
    assert r.headers["location"] == "/"


def test_a_province_manager_sees_only_its_province(site):
    root, app = site
    client = login(app, "khuzestan")
    page = client.get("/clusters")
    assert "CL06-01" in page.text and "CL01-" not in page.text
    assert client.get("/clusters/CL01-01").status_code == 403
    assert client.get("/clusters?province_code=01").text.count("CL01-") == 0
    export = client.get("/clusters/export.csv")
    codes = pd.read_csv(pd.io.common.StringIO(export.content.decode("utf-8-sig")))["code"]
    assert set(codes.str[:4]) == {"CL06"}
    est = client.get("/establishments/export.csv")
    frame = pd.read_csv(pd.io.common.StringIO(est.content.decode("utf-8-sig")),
                        dtype={"region_code": str})
    assert len(frame) and (frame["region_code"].str[:2] == "06").all()
    search = client.get("/establishments?q=فولاد")
    assert search.status_code == 200
    for kind in ("regions", "establishments", "cluster_members", "purchases"):
        assert client.get(f"/{kind}").status_code == 200


def test_the_county_map_names_counties_in_the_readers_digits(site):
    root, app = site
    client = login(app, "khuzestan")
    features = client.get("/map/06.geojson").json()["features"]
    assert len(features) and all(f["properties"]["code"].startswith("06") for f in features)
    first = features[0]["properties"]
    persian = first["code"].translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert first["label"] == f"{first['name']} ({persian})"
    assert client.get("/map/01.geojson").status_code == 403


def test_codes_are_shown_with_the_names_of_what_they_point_at(site):
    root, app = site
    client = login(app, "khuzestan")
    page = client.get("/clusters/CL06-01").text
    assert '<a href="/regions/06"><bdi>خوزستان · 06</bdi></a>' in page  # named and linked
    listing = client.get("/establishments").text
    assert re.search(r"<bdi>[\u0600-\u06FF\u200c ]+ · 06\d\d</bdi>", listing)  # a county
    # its activities and the counties it spans, named too
    from khooshe.io.reference import isic_names

    assert f"{isic_names().loc['2511', 'name_fa']} · 2511، " in page
    assert re.search(r"<bdi>[\u0600-\u06FF\u200c ]+ · 0601، ", page)
    english = client.get("/clusters/CL06-01?lang=en").text
    assert re.search(r'<a href="/regions/06"><bdi>Khuzestan[^<]* · 06</bdi></a>', english)


def test_create_edit_and_history_of_a_cluster(site):
    _, app = site
    client = login(app, "khuzestan")
    token = csrf(client, "/clusters/new")
    r = client.post("/clusters/new", data={
        "csrf_token": token, "code": "CL06-90", "name_fa": "خوشهٔ آزمایشی <script>x</script>",
        "province_code": "06", "isic": "1030", "stage": "identified",
        "start_date": "۱۴۰۳/۰۱/۱۵"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/clusters/CL06-90")
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text and "<script>x</script>" not in page.text
    assert "۱۴۰۳/۰۱/۱۵" in page.text
    token = csrf(client, "/clusters/CL06-90/edit")
    version = re.search(r'name="version" value="(\d+)"', client.get(
        "/clusters/CL06-90/edit").text).group(1)
    r = client.post("/clusters/CL06-90/edit", data={
        "csrf_token": token, "version": version, "name_fa": "خوشهٔ آزمایشی",
        "province_code": "06", "isic": "1030", "stage": "identified"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    history = client.get("/clusters/CL06-90/history")
    assert "khuzestan" in history.text and history.text.count("<tr>") >= 3


def test_problems_are_shown_beside_the_fields(site):
    _, app = site
    client = login(app, "khuzestan")
    token = csrf(client, "/clusters/new")
    r = client.post("/clusters/new", data={"csrf_token": token, "code": "CL06-91",
                                           "name_fa": "x", "province_code": "06",
                                           "isic": "10", "stage": "flying"})
    assert r.status_code == 422
    assert r.text.count("invalid-feedback") >= 2
    with Workspace.open(site[0]) as ws:
        assert "CL06-91" not in set(read_kind(ws, "clusters")["code"])


def test_a_form_without_its_csrf_token_is_refused(site):
    _, app = site
    client = login(app, "khuzestan")
    r = client.post("/clusters/new", data={"code": "CL06-92", "name_fa": "x"})
    assert r.status_code == 403


def test_another_province_cannot_be_written(site):
    _, app = site
    client = login(app, "khuzestan")
    token = csrf(client, "/clusters/new")
    r = client.post("/clusters/new", data={"csrf_token": token, "code": "CL01-99",
                                           "name_fa": "x", "province_code": "01",
                                           "isic": "1030", "stage": "identified"})
    assert r.status_code == 403


def test_a_stale_edit_gets_the_conflict_page(site):
    _, app = site
    first, second = login(app, "khuzestan"), login(app, "admin")
    form = first.get("/clusters/CL06-02/edit").text
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    for client, name in ((second, "نام تازهٔ دوم"), (first, "نام تازهٔ اول")):
        token = csrf(client, "/clusters/CL06-02/edit")
        r = client.post("/clusters/CL06-02/edit", data={
            "csrf_token": token, "version": version, "name_fa": name,
            "province_code": "06", "isic": "1030;0122", "stage": "action_plan"})
    assert r.status_code == 409 and "نام تازهٔ دوم" in r.text and "نام تازهٔ اول" in r.text


def test_a_broken_upload_lists_its_problems_and_changes_nothing(site):
    root, app = site
    client = login(app, "khuzestan")
    with Workspace.open(root) as ws:
        before = ws.counts()
    token = csrf(client, "/establishments/import")
    body = "id,isic,region_code,status,employees\nX1,2410,06,operating,abc\nX2,24,06,operating,5\n"
    r = client.post("/establishments/import", data={"csrf_token": token},
                    files={"file": ("firms.csv", body.encode(), "text/csv")})
    assert r.status_code == 422
    assert "employees" in r.text and "isic" in r.text
    with Workspace.open(root) as ws:
        assert ws.counts() == before
    other = "id,isic,region_code,status\nX3,2410,01,operating\n"
    r = client.post("/establishments/import", data={"csrf_token": token},
                    files={"file": ("gilan.csv", other.encode(), "text/csv")})
    assert r.status_code == 422 and "اجازهٔ نوشتن" in r.text  # the reason, in Persian
    client.cookies.set("khooshe_lang", "en")
    r = client.post("/establishments/import", data={"csrf_token": token},
                    files={"file": ("gilan.csv", other.encode(), "text/csv")})
    assert r.status_code == 422 and "may not write" in r.text


def test_the_plan_is_built_in_the_background(site):
    import time

    from khooshe.services.plan import SECTIONS
    from khooshe.text.messages import t

    _, app = site
    client = login(app, "khuzestan")
    token = csrf(client, "/plan")
    assert client.post("/plan", data={"csrf_token": token, "province": "01"}).status_code == 403
    r = client.post("/plan", data={"csrf_token": token, "province": "06", "plan_lang": "fa"},
                    follow_redirects=False)
    job = r.headers["location"]
    assert "خوزستان" in client.get(job).text  # the province by its name
    keys = re.compile("<bdi>(" + "|".join(SECTIONS) + ")</bdi>")
    titles = set()
    for _ in range(240):
        page = client.get(job, headers={"HX-Request": "true"})
        assert not keys.search(page.text), page.text  # sections by their titles
        titles |= set(re.findall(r"<bdi>([^<]+)</bdi>", page.text))
        if "plan.html" in page.text or "ناموفق" in page.text:
            break
        time.sleep(0.5)
    assert "plan.html" in page.text, page.text
    assert titles & {t(f"plan.section.{k}", "fa") for k in SECTIONS}, titles
    plan = client.get(job + "/plan.html")
    assert plan.status_code == 200 and "sandbox" in plan.headers["content-security-policy"]
    assert client.get(job + "/plan.xlsx").status_code == 200
    assert login(app, "admin").get(job).status_code == 404  # a job is its owner's


@pytest.mark.parametrize("user", ["governor", "agent", "viewer06"])
def test_every_role_reaches_its_dashboard(site, user):
    _, app = site
    client = login(app, user)
    assert client.get("/").status_code == 200
    assert client.get("/clusters").status_code == 200


def test_error_pages_speak_the_readers_language_and_keep_the_navigation(site):
    root, app = site
    client = login(app, "khuzestan")
    with Workspace.open(root) as ws:
        gilan = read_kind(ws, "clusters")
    other = gilan.loc[gilan["province_code"] == "01", "code"].iloc[0]
    page = client.get(f"/clusters/{other}?lang=fa")
    assert page.status_code == 403
    body = re.sub(r"<[^>]+>", " ", page.text.split("<main", 1)[1].split("</main>")[0])
    assert "اجازهٔ دیدن این رکورد از خوشه" in body or "اجازهٔ دیدن این رکورد" in body
    assert not re.search(r"may not|record|clusters", body), body
    assert 'action="/logout"' in page.text and 'href="/clusters"' in page.text
    english = client.get(f"/clusters/{other}?lang=en")
    assert "may not read this" in english.text and 'action="/logout"' in english.text
    missing = client.get("/clusters/NOPE-99?lang=fa")
    assert missing.status_code == 404 and "وجود ندارد" in missing.text
    nowhere = client.get("/no-such-kind?lang=fa")
    assert nowhere.status_code == 404 and "وجود ندارد" in nowhere.text
    with Workspace.open(root) as ws:
        from khooshe.services.users import new_token

        token = new_token(ws, "khuzestan", actor="test")
    api = client.get(f"/api/v1/clusters/{other}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403 and "may not read" in api.json()["detail"]
