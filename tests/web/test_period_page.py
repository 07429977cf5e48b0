"""A cluster's period page (figures reached and targets in one form) and its API: who gets
which inputs, values shown exactly (saving the page unchanged changes nothing), every problem
by field with nothing written, a form opened before someone else's change refused."""

from __future__ import annotations

import html as html_lib
import re

from conftest import csrf, login  # noqa: I001 (tests/web/conftest.py)
from khooshe.services.cluster_targets import FIGURES, period_records
from khooshe.store.workspace import Workspace

PAGE = "/clusters/CL06-01/indicators"


def _inputs(page: str) -> dict[str, str]:
    """Every input of the period's form, by name, with the value it shows."""
    form = page[page.index('id="period-form"'):]
    form = form[:form.index("</form>")]
    out = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        if name:
            out[html_lib.unescape(name.group(1))] = html_lib.unescape(
                value.group(1) if value else "")
    return out


def _stored(root, period: str) -> dict:
    with Workspace.open(root) as ws:
        return period_records(ws, "CL06-01", period)


def test_the_cluster_page_leads_to_its_periods(site):
    _, app = site
    page = login(app, "khuzestan").get("/clusters/CL06-01").text
    assert f'href="{PAGE}" id="record-period"' in page
    assert "ثبت ارقام و اهداف یک دوره" in page
    viewer = login(app, "viewer06").get("/clusters/CL06-01").text
    assert "ارقام و اهداف هر دوره" in viewer  # readers see the periods, without "record"


def test_the_province_manager_gets_every_input_shown_exactly(site):
    root, app = site
    client = login(app, "khuzestan")
    page = client.get(PAGE + "?period=1403")
    assert page.status_code == 200
    fields = _inputs(page.text)
    stored = _stored(root, "1403")
    for name in ("jobs", "sales_rials", "exports_usd", "exports_t", "members"):
        assert name in fields
    for indicator in ("jobs", "members", "joint_actions"):
        for part in ("baseline", "baseline_period", "target"):
            assert f"{indicator}.{part}" in fields
    assert "joint_actions" not in fields  # counted from the activities, not typed
    # grouped, in Persian digits, and exact: no rounding of a figure of tonnes or of rials
    figures = stored[FIGURES]
    assert fields["sales_rials"] == f"{figures['sales_rials']:,}".translate(
        str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬"))
    assert fields["exports_t"].replace("٫", ".").translate(
        str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")).replace("٬", "") == repr(
        figures["exports_t"]).removesuffix(".0")
    assert fields[f"seen.{FIGURES}"] == str(figures["version"])
    # saving the page as it is changes nothing: no record, no version moves
    fields["csrf_token"] = csrf(client, PAGE)
    sent = client.post(PAGE, data=fields, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].endswith("saved=0,0,0")
    assert _stored(root, "1403") == stored


def test_a_period_is_saved_from_the_form(site):
    root, app = site
    client = login(app, "khuzestan")
    fields = _inputs(client.get(PAGE + "?period=1409").text)
    assert fields["period"] == "1409" and not fields["jobs"]  # a new period: all blank
    fields.update({"csrf_token": csrf(client, PAGE), "jobs": "۲۱۰",
                   "sales_rials": "۴٬۵۰۰٬۰۰۰٬۰۰۰", "jobs.baseline": "۱۵۷",
                   "jobs.baseline_period": "۱۴۰۳", "jobs.target": "۲۵۰",
                   "source": "برنامهٔ عمل ۱۴۰۹"})
    sent = client.post(PAGE, data=fields)
    assert sent.status_code == 200 and 'id="saved"' in sent.text
    assert "۲ رکورد افزوده" in sent.text
    stored = _stored(root, "1409")
    assert stored[FIGURES]["jobs"] == 210 and stored[FIGURES]["sales_rials"] == 4_500_000_000
    assert (stored["jobs"]["baseline"], stored["jobs"]["target"]) == (157, 250)
    assert stored["jobs"]["source"] == "برنامهٔ عمل ۱۴۰۹"
    assert 'data-rag="red"' in sent.text  # 53 of 93 on the way: under 60 %
    periods = re.findall(r'data-period="([^"]+)"', sent.text)
    assert periods == sorted(periods) and "1409" in periods


def test_every_problem_is_shown_by_field_and_nothing_is_saved(site):
    root, app = site
    client = login(app, "khuzestan")
    before = _stored(root, "1403")
    fields = _inputs(client.get(PAGE + "?period=1403").text)
    fields.update({"csrf_token": csrf(client, PAGE), "jobs": "-۵", "members": "دوازده",
                   "members.target": "", "members.baseline": "۱۲", "jobs.target": "abc"})
    sent = client.post(PAGE, data=fields)
    assert sent.status_code == 422
    assert "۴ خانه نیاز به اصلاح دارد" in sent.text
    invalid = set(re.findall(r'class="[^"]*is-invalid[^"]*" name="([^"]+)"', sent.text))
    assert invalid == {"jobs", "members", "members.target", "jobs.target"}
    assert "باید دست‌کم ۰ باشد" in sent.text  # the reason, in the reader's digits
    assert _inputs(sent.text)["jobs.target"] == "abc"  # what was typed stays
    assert _stored(root, "1403") == before


def test_a_form_opened_before_another_change_is_refused(site):
    root, app = site
    first, second = login(app, "khuzestan"), login(app, "admin")
    old = _inputs(first.get(PAGE + "?period=1403").text)
    mine = _inputs(second.get(PAGE + "?period=1403").text)
    mine.update({"csrf_token": csrf(second, PAGE), "members": "۱۶"})
    assert second.post(PAGE, data=mine, follow_redirects=False).status_code == 303
    now = _stored(root, "1403")
    old.update({"csrf_token": csrf(first, PAGE), "jobs": "۱۷۷"})
    late = first.post(PAGE, data=old)
    assert late.status_code == 409 and 'id="conflict"' in late.text
    assert "ارقام تحقق‌یافته" in late.text  # what changed is named
    assert _stored(root, "1403") == now  # nothing written
    again = _inputs(late.text)
    assert again["jobs"] == "۱۷۷"  # the entry stays; the versions are today's
    assert again[f"seen.{FIGURES}"] == str(now[FIGURES]["version"])
    again["csrf_token"] = csrf(first, PAGE)
    assert first.post(PAGE, data=again, follow_redirects=False).status_code == 303
    assert _stored(root, "1403")[FIGURES]["jobs"] == 177


def test_the_agent_reports_figures_and_reads_the_targets(site):
    root, app = site
    client = login(app, "agent")
    page = client.get(PAGE + "?period=1403&lang=en").text
    fields = _inputs(page)
    assert "jobs" in fields and "jobs.target" not in fields
    assert "Targets are set by the province." in page
    before = _stored(root, "1403")
    # a forged target in the post is not the agent's to write: ignored, the figures saved
    fields.update({"csrf_token": csrf(client, PAGE), "exports_usd": "7,000,000",
                   "jobs.target": "1"})
    sent = client.post(PAGE, data=fields, follow_redirects=False)
    assert sent.status_code == 303
    after = _stored(root, "1403")
    assert after[FIGURES]["exports_usd"] == 7_000_000
    assert after["jobs"] == before["jobs"]


def test_who_may_not_write_gets_no_form(site):
    _, app = site
    viewer = login(app, "viewer06")
    page = viewer.get(PAGE + "?period=1403").text
    assert "period-table" in page and 'name="jobs"' not in page
    assert 'type="submit">ذخیرهٔ دوره' not in page
    token = csrf(viewer, PAGE)
    refused = viewer.post(PAGE, data={"csrf_token": token, "period": "1403", "jobs": "1"})
    assert refused.status_code == 403
    assert login(app, "gilan").get(PAGE).status_code == 403  # another province's cluster


def test_the_api_records_a_period(site, api):
    root, _ = site
    path = "/api/v1/clusters/CL06-01/periods/1410"
    ok = api("PUT", path, json={"figures": {"jobs": 220, "members": 18},
                                "targets": {"jobs": {"baseline": 200, "target": 260}},
                                "source": "API"})
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"created": 2, "changed": 0, "removed": 0}
    stored = _stored(root, "1410")
    assert stored[FIGURES]["jobs"] == 220 and stored["jobs"]["source"] == "API"
    # the agent writes figures, not targets
    assert api("PUT", path, user="agent", json={"figures": {"jobs": 221}}).status_code == 200
    denied = api("PUT", path, user="agent", json={"targets": {"jobs": {"target": 1}}})
    assert denied.status_code == 403
    assert api("PUT", path, user="gilan", json={"figures": {"jobs": 1}}).status_code == 403
    bad = api("PUT", path, json={"targets": {"members": {"baseline": 3}}})
    assert bad.status_code == 422 and "members.target" in bad.text
    stale = api("PUT", path, json={"figures": {"jobs": 1}, "seen": {"figures": 1}})
    assert stale.status_code == 409
    assert _stored(root, "1410")[FIGURES]["jobs"] == 221


def test_a_period_is_read_as_typed_or_refused(site):
    _, app = site
    client = login(app, "khuzestan")
    quarter = client.get(PAGE + "?period=۱۴۰۵-q2")
    assert quarter.status_code == 200
    assert _inputs(quarter.text)["period"] == "1405-Q2"
    wrong = client.get(PAGE + "?period=1405-Q5")
    assert wrong.status_code == 422 and "دوره نیست" in wrong.text


def test_the_dashboard_lists_the_figures_awaited(site):
    """Last in the module: it clears CL06-02's figures of 1403, an ended period with targets."""
    from khooshe.services.cluster_targets import record_period

    root, app = site
    page = login(app, "khuzestan").get("/").text
    assert 'id="figures-due"' in page and "ارقام دوره‌های پایان‌یافتهٔ دارای هدف را ثبت کرده‌اند" \
        in page  # the demo's clusters have all reported
    with Workspace.open(root) as ws:
        record_period(ws, "CL06-02", "1403", actor="test", figures={
            m: "" for m in ("jobs", "sales_rials", "exports_usd", "exports_t", "members")})
    page = login(app, "khuzestan").get("/").text
    due = page[page.index('id="figures-due"'):page.index("</section>", page.index(
        'id="figures-due"'))]
    assert re.findall(r'data-cluster="([^"]+)" data-period="([^"]+)"', due) == [
        ("CL06-02", "1403")]
    assert 'href="/clusters/CL06-02/indicators?period=1403"' in due
    assert "۱۴۰۳/۱۲/۳۰" in due  # when the period ended
    gilan = login(app, "gilan").get("/").text
    assert 'data-cluster="CL06-02"' not in gilan  # another province's cluster is not listed
