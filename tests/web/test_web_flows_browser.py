"""The programme's workflows in Debian's chromium (Playwright, issue 14): offline (every request
stays on the server), screenshots under tests/output/web/flows/."""

from __future__ import annotations

import re

import test_web_browser as tour

from _support import OUTPUT
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

# the server and the browser of the province manager's tests (tests/web/test_web_browser.py)
server = tour.server
browser = tour.browser
_session = tour._session
_check_page = tour._check_page
FOLDER = OUTPUT / "web" / "flows"


def _shot(page, name: str) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FOLDER / f"{name}.png"), full_page=True)


def _close_picker(page) -> None:
    """The Jalali date picker opens on focus: Escape and a click on the heading close it."""
    page.keyboard.press("Escape")
    page.click("main h1")


def test_gilan_fisheries_moves_from_tender_to_cda_contracted(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="gilan")
    with Workspace.open(root) as ws:
        assert read_kind(ws, "clusters").set_index("code").at["CL01-05", "stage"] == "tender"

    page.goto(base + "/clusters/CL01-05")
    assert page.locator("#stage-form").count() == 1
    _shot(page, "cluster_tender")

    page.goto(base + "/cluster_documents/new")
    page.fill("#f-cluster_code", "CL01-05")
    page.fill("#f-document_id", "D09")
    page.select_option("#f-kind", "cda_contract")
    page.fill("#f-title", "قرارداد عامل توسعهٔ خوشهٔ شیلات گیلان")
    page.fill("#f-dated", "۱۴۰۵/۰۹/۰۵")
    _close_picker(page)
    page.fill("#f-reference", "1405/5501")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/cluster_documents/CL01-05%7CD09")

    page.goto(base + "/clusters/CL01-05")
    page.select_option("#s-stage", "cda_contracted")
    page.fill("#s-on", "۱۴۰۵/۰۹/۱۰")
    _close_picker(page)
    page.fill("#s-decision", "1405/88")
    page.click("#stage-form button[type=submit]")
    page.wait_for_url(base + "/clusters/CL01-05?moved=next#timeline")
    success = page.locator(".alert-success").inner_text()
    assert "عقد قرارداد عامل توسعه" in success
    warning = page.locator("#missing-evidence").inner_text()
    assert "قرارداد ناظر فنی" in warning and "قرارداد عامل توسعه،" not in warning
    current = page.locator("tr.table-success[data-stage]")
    assert current.get_attribute("data-stage") == "cda_contracted"
    assert "۱۴۰۵/۰۹/۱۰" in current.inner_text()
    problems.extend(_check_page(page, "fa", "cluster_cda", frozenset({"CL01", "05"})))
    _shot(page, "cluster_cda_contracted")
    page.goto(base + "/clusters/CL01-05?lang=en")
    problems.extend(_check_page(page, "en", "cluster_cda_en"))
    _shot(page, "cluster_cda_contracted_en")
    context.close()
    with Workspace.open(root) as ws:
        assert read_kind(ws, "clusters").set_index("code").at["CL01-05",
                                                               "stage"] == "cda_contracted"
    assert problems == [], "\n".join(problems)


def test_a_khuzestan_governor_confirms_eight_villages_and_replaces_two(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="governor")
    page.click("nav a[href='/villages']")
    page.wait_for_url(re.compile(r".*/villages/06\d\d$"))
    county = page.url.rsplit("/", 1)[1]
    _shot(page, "villages_proposed")
    rows = page.locator("tr[data-status=proposed]")
    villages = [rows.nth(i).get_attribute("data-village") for i in range(rows.count())][:10]
    assert len(villages) == 10
    for village in villages[:8]:
        page.click(f"#v-{village} button[data-action=confirmed]")
        page.wait_for_url(re.compile(rf".*decided={village}.*"))
    for village, why in zip(villages[8:], ("دور از راه اصلی", "آب کافی ندارد"), strict=True):
        page.click(f"#v-{village} details summary")
        page.select_option(f"#st-{village}", "replaced")
        page.fill(f"#re-{village}", why)
        first = page.locator(f"#rp-{village} option").nth(1).get_attribute("value")
        page.select_option(f"#rp-{village}", first)
        page.click(f"#v-{village} .village-form button[type=submit]")
        page.wait_for_url(re.compile(rf".*decided={village}.*"))
    summary = page.locator("#county-summary").inner_text()
    assert "تأییدشده: ۱۰ از ۱۰" in summary, summary
    assert page.locator("tr[data-status=replaced]").count() == 2
    problems.extend(_check_page(page, "fa", "villages_county"))
    _shot(page, "villages_decided")
    context.close()
    with Workspace.open(root) as ws:
        props = read_kind(ws, "village_proposals")
    mine = props[props["county_code"] == county]
    assert (mine["status"] == "confirmed").sum() == 10
    assert (mine["status"] == "replaced").sum() == 2
    assert set(mine.loc[mine["replaces"].notna(), "replaces"]) == set(villages[8:])

    context, page = _session(browser, base, problems, user="khuzestan")
    page.goto(base + "/villages")
    row = page.locator(f"tr[data-county='{county}']")
    assert "۰ از ۱۰ آماده" in row.inner_text()
    problems.extend(_check_page(page, "fa", "villages_province"))
    _shot(page, "villages_province")
    row.locator("a").click()
    page.wait_for_url(base + f"/villages/{county}")
    page.goto(base + f"/villages/{county}?lang=en")
    problems.extend(_check_page(page, "en", "villages_county_en"))
    _shot(page, "villages_county_en")
    context.close()
    assert problems == [], "\n".join(problems)


def test_an_ardabil_committee_meeting_with_two_decisions_one_overdue(server, browser):
    from test_web_flows import ardabil

    base, root = server
    ardabil(root)
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="ardabil")
    page.click("nav a[href='/committee']")
    page.wait_for_url(base + "/committee")
    late_before = page.locator("#overdue tr[data-late]").count()
    page.fill("#m-id", "SC24-1405-03")
    page.fill("#m-held", "۱۴۰۵/۰۹/۰۱")
    _close_picker(page)
    page.fill("#m-chair", "معاون اقتصادی استاندار")
    page.fill("#m-attendees", "شرکت شهرک‌های صنعتی، سازمان صمت، جهاد کشاورزی")
    page.fill("#m-agenda", "بررسی پیشرفت خوشهٔ فرش دستباف")
    page.check("#m-c-CL24-01")
    page.fill("#d1-text", "تأمین زمین کارگاه مشترک رنگرزی")
    page.fill("#d1-resp", "شرکت شهرک‌های صنعتی")
    page.fill("#d1-due", "۱۴۰۵/۰۹/۰۵")
    _close_picker(page)
    page.select_option("#d1-cluster", "CL24-01")
    page.fill("#d2-text", "برگزاری دورهٔ آموزش صادرات")
    page.fill("#d2-resp", "سازمان صمت")
    page.fill("#d2-due", "۱۴۹۹/۱۲/۰۱")
    _close_picker(page)
    page.click("#meeting-form button[type=submit]")
    page.wait_for_url(re.compile(r".*held=SC24-1405-03.*"))
    assert page.locator("#overdue tr[data-late]").count() == late_before + 1
    assert page.locator("tr[data-late='SC24-1405-03-1']").count() == 1
    assert page.locator("tr[data-late='SC24-1405-03-2']").count() == 0
    assert page.locator("[data-meeting='SC24-1405-03'] li").count() == 2
    problems.extend(_check_page(page, "fa", "committee"))
    _shot(page, "committee_meeting_held")
    with page.expect_download() as download:
        page.click("[data-meeting='SC24-1405-03'] a[href$='report.pdf']")
    assert download.value.suggested_filename == "meeting-SC24-1405-03.pdf"
    download.value.save_as(str(FOLDER / "meeting-SC24-1405-03.pdf"))
    report = context.new_page()
    report.goto(base + "/committee/meetings/SC24-1405-03/report.html")
    assert "SC24-1405-03" in report.content()
    _shot(report, "committee_report_html")
    report.close()
    page.click("tr[data-late='SC24-1405-03-1'] button[data-done]")
    page.wait_for_url(re.compile(r".*followed=.*"))
    assert page.locator("tr[data-late='SC24-1405-03-1']").count() == 0
    page.goto(base + "/committee?lang=en")
    problems.extend(_check_page(page, "en", "committee_en"))
    _shot(page, "committee_en")
    context.close()
    assert problems == [], "\n".join(problems)


def test_gilan_pays_part_of_a_cluster_s_commitment(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="gilan")
    page.click("nav a[href='/money']")
    page.wait_for_url(base + "/money")
    form = page.locator("#c-CCL01-01-1403 form.pay-form")
    form.locator("input[name=amount]").fill("۱۰۰٬۰۰۰٬۰۰۰")
    form.locator("input[name=jobs_realised]").fill("۷")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*done=pay.*"))
    problems.extend(_check_page(page, "fa", "money"))
    _shot(page, "money_paid")
    context.close()
    with Workspace.open(root) as ws:
        row = read_kind(ws, "fund_commitments").set_index("commitment_id").loc["CCL01-01-1403"]
    assert int(row["disbursed_rials"]) == 2_500_000_000 and int(row["jobs_realised"]) == 7
    assert problems == [], "\n".join(problems)


def test_a_half_finished_unit_is_marked_operating(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="khuzestan")
    page.click("nav a[href='/units']")
    page.wait_for_url(base + "/units")
    row = page.locator("#units tr[data-status]:not([data-status=operating])").first
    unit = row.get_attribute("id").removeprefix("u-")
    row.locator("select[name=status]").select_option("operating")
    row.locator("input[name=progress]").fill("۱۰۰")
    row.locator("input[name=jobs_realised]").fill("۳۸")
    row.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*reported={unit}.*"))
    assert page.locator(f"#u-{unit}").get_attribute("data-status") == "operating"
    problems.extend(_check_page(page, "fa", "units"))
    _shot(page, "units_operating")
    context.close()
    with Workspace.open(root) as ws:
        est = read_kind(ws, "establishments").set_index("id")
    assert est.at[unit, "status"] == "operating"
    assert problems == [], "\n".join(problems)


def _new_record(page, base: str, kind: str, fields: dict[str, str], dates: tuple[str, ...] = (),
                selects: tuple[str, ...] = ()) -> None:
    """Fill the new-record form of ``kind`` (text fields, choices, Jalali dates) and send it;
    the server answers with the record's page."""
    for name, value in fields.items():
        if name in selects:
            page.select_option(f"#f-{name}", value)
        else:
            page.fill(f"#f-{name}", value)
            if name in dates:
                _close_picker(page)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/{kind}/[^/]+$"))


#: The cluster's code in its page's title (the tab's title cannot isolate it in <bdi>).
CODE = frozenset({"CL06", "02"})


def test_a_khuzestan_training_course_and_a_foreign_tour(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="khuzestan")
    with Workspace.open(root) as ws:
        acts = read_kind(ws, "cluster_activities")
        before = int((acts["cluster_code"] == "CL06-02").sum())
    page.goto(base + "/clusters/CL06-02")
    page.click("#add-activity")
    page.wait_for_url(base + "/clusters/CL06-02/activities/new")
    # a training, its two member firms ticked with two people each; khooshe numbers it
    page.select_option("#a-kind", "training")
    page.fill("#a-title", "دورهٔ آموزشی بسته‌بندی صادراتی خرما")
    page.fill("#a-date", "۱۴۰۵/۰۸/۲۰")
    _close_picker(page)
    for field, value in (("participants", "۲۴"), ("hours", "۳۲"), ("trainees", "۲۲"),
                         ("cost_rials", "۴۵۰٬۰۰۰٬۰۰۰"), ("cofinance_rials", "۹۰٬۰۰۰٬۰۰۰")):
        page.fill(f"#a-{field}", value)
    for member in ("M-E0008964", "M-E0009037"):
        page.check(f"#t-{member}")
        page.fill(f"input[name='people.{member}']", "۲")
    page.dblclick("#activity-form button[type=submit]")  # a double click records it once
    page.wait_for_url(re.compile(rf"{re.escape(base)}/clusters/CL06-02\?recorded=A\d+"))
    course_id = page.url.split("recorded=")[1].split("#")[0]
    assert course_id in page.locator("#recorded").inner_text()
    # a foreign tour: its country chosen by name; without it the form says so, keeping the rest
    page.goto(base + "/clusters/CL06-02/activities/new")
    page.select_option("#a-kind", "foreign_tour")
    page.fill("#a-title", "بازدید از نمایشگاه گلفود دبی")
    page.fill("#a-date", "۱۴۰۵/۰۹/۰۲")
    _close_picker(page)
    page.fill("#a-participants", "۶")
    page.fill("#a-cost_rials", "۲٬۸۰۰٬۰۰۰٬۰۰۰")
    page.fill("#a-cofinance_rials", "۱٬۴۰۰٬۰۰۰٬۰۰۰")
    page.click("#activity-form button[type=submit]")
    page.wait_for_selector("#problems")
    assert "کشور مقصد" in page.locator("#a-country ~ .invalid-feedback").inner_text()
    assert page.input_value("#a-title") == "بازدید از نمایشگاه گلفود دبی"
    problems.extend(_check_page(page, "fa", "activity_form_errors", frozenset()))
    _shot(page, "activity_form_errors")
    page.select_option("#a-country", label="امارات متحده عربی")
    page.click("#activity-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/clusters/CL06-02\?recorded=A\d+"))
    tour_id = page.url.split("recorded=")[1].split("#")[0]
    page.goto(base + "/clusters/CL06-02")
    page.click("#add-check")
    _new_record(page, base, "partner_verifications", {
        "verification_id": "V90", "company": "Al Noor Dates Trading LLC", "country": "ARE",
        "verified": "ثبت شرکت و سابقهٔ واردات خرما", "verified_by": "رایزن بازرگانی در دبی",
        "verified_on": "۱۴۰۵/۰۹/۰۴", "outcome": "confirmed"},
        dates=("verified_on",), selects=("outcome",))

    page.goto(base + "/clusters/CL06-02#activities")
    rows = page.locator("#activity-list tr[data-activity]")
    assert rows.nth(0).get_attribute("data-activity") == tour_id  # newest first
    assert rows.nth(1).get_attribute("data-activity") == course_id
    assert "امارات" in rows.nth(0).inner_text()  # the tour's country by its Persian name
    assert "۱۴۰۵/۰۸/۲۰" in rows.nth(1).inner_text()
    training = page.locator("#activity-kinds tr[data-kind=training]").inner_text()
    assert "۷۲" in training  # 40 hours before + 32 now
    assert "۲" in page.locator("#training-reach").inner_text()
    check = page.locator("#verification-list tr[data-outcome]").first
    assert check.get_attribute("data-outcome") == "confirmed"
    assert "Al Noor" in check.inner_text()
    problems.extend(_check_page(page, "fa", "cluster_activities_flow", CODE))
    _shot(page, "cluster_activities")
    page.goto(base + "/clusters/CL06-02?lang=en#activities")
    problems.extend(_check_page(page, "en", "cluster_activities_flow_en"))
    _shot(page, "cluster_activities_en")
    context.close()
    with Workspace.open(root) as ws:
        acts = read_kind(ws, "cluster_activities").set_index(["cluster_code", "activity_id"])
        parts = read_kind(ws, "activity_participants")
    assert len(acts.loc["CL06-02"]) == before + 2  # the double click recorded one course
    course = acts.loc[("CL06-02", course_id)]
    assert (course["kind"], float(course["hours"]), int(course["cofinance_rials"])) == (
        "training", 32.0, 90_000_000)
    assert str(course["date"])[:10] == "2026-11-11"  # 1405/08/20
    assert acts.loc[("CL06-02", tour_id), "country"] == "ARE"
    took = parts[(parts["cluster_code"] == "CL06-02") & (parts["activity_id"] == course_id)]
    assert dict(zip(took["member_id"], took["people"], strict=True)) == {
        "M-E0008964": 2, "M-E0009037": 2}
    assert problems == [], "\n".join(problems)


def test_a_period_s_indicators_turn_its_targets_green_and_red(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="khuzestan")
    for indicator, baseline, target in (("jobs", "۱۴۸", "۱۶۰"), ("members", "۲۲", "۳۰")):
        page.goto(base + "/cluster_targets/new?cluster_code=CL06-02")
        _new_record(page, base, "cluster_targets", {
            "indicator": indicator, "period": "1404", "baseline": baseline,
            "baseline_period": "1403", "target": target, "source": "برنامهٔ عمل ۱۴۰۴"},
            selects=("indicator",))
    page.goto(base + "/clusters/CL06-02#indicators")
    row = page.locator("#indicators tr[data-period='1404'][data-indicator='jobs'] [data-rag]")
    assert row.get_attribute("data-rag") == "no_data"  # nothing reported for 1404 yet
    _shot(page, "indicators_before")

    page.goto(base + "/cluster_indicators/new?cluster_code=CL06-02")
    _new_record(page, base, "cluster_indicators", {
        "period": "1404", "jobs": "۱۶۰", "members": "۲۴", "sales_rials": "۷٬۱۰۰٬۰۰۰٬۰۰۰٬۰۰۰",
        "exports_usd": "۳۶۰۰۰۰", "exports_t": "۳۰۰"})
    page.goto(base + "/clusters/CL06-02#indicators")

    def status(indicator: str) -> str:
        cell = page.locator(f"#indicators tr[data-period='1404'][data-indicator='{indicator}']"
                            " [data-rag]")
        return cell.get_attribute("data-rag")

    assert status("jobs") == "green"  # 160 of 148 → 160: the whole way
    assert status("members") == "red"  # 24 of 22 → 30: a quarter of the way
    jobs = page.locator("#indicators tr[data-period='1404'][data-indicator='jobs']").inner_text()
    assert "۱۰۰٪" in jobs and "سبز" in jobs
    problems.extend(_check_page(page, "fa", "indicators_after", CODE))
    _shot(page, "indicators_after")
    context.close()
    assert problems == [], "\n".join(problems)


def test_a_fund_allocated_to_khuzestan_is_committed_and_paid_to_a_cluster(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="admin")
    page.goto(base + "/funds/new")
    _new_record(page, base, "funds", {
        "programme": "cluster_dev", "year": "۱۴۰۴", "name_fa": "برنامهٔ توسعهٔ خوشه‌های کسب‌وکار",
        "total_rials": "۶٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰"})
    page.goto(base + "/money?province=06")
    page.click("#allocate")
    page.wait_for_url(base + "/fund_allocations/new?region_code=06")
    _new_record(page, base, "fund_allocations", {
        "programme": "cluster_dev", "year": "۱۴۰۴", "amount_rials": "۳۵۰٬۰۰۰٬۰۰۰٬۰۰۰"})
    context.close()

    context, page = _session(browser, base, problems, user="khuzestan")
    page.click("nav a[href='/money']")
    page.wait_for_url(base + "/money")
    page.fill("#k-id", "CCL06-02-1404")
    page.select_option("#k-programme", "cluster_dev")
    page.fill("#k-year", "۱۴۰۴")
    page.select_option("#k-kind", "cluster")
    page.fill("#k-recipient", "CL06-02")
    page.fill("#k-amount", "۱۲٬۰۰۰٬۰۰۰٬۰۰۰")
    page.fill("#k-jobs", "۳۰")
    page.fill("#k-on", "۱۴۰۵/۰۹/۰۶")
    _close_picker(page)
    page.click("#commit-form button[type=submit]")
    page.wait_for_url(re.compile(r".*done=commit.*"))
    form = page.locator("#c-CCL06-02-1404 form.pay-form")
    form.locator("input[name=amount]").fill("۵٬۰۰۰٬۰۰۰٬۰۰۰")
    form.locator("input[name=jobs_realised]").fill("۴")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*done=pay.*"))
    rows = page.locator("#balance tbody tr")
    year = [rows.nth(i).inner_text() for i in range(rows.count())
            if "۱۴۰۴" in rows.nth(i).inner_text()]
    assert len(year) == 1
    # 350 bn rials allocated, 12 bn committed: 338 bn rials (33.8 bn toman) left
    assert "۳۳٫۸" in year[0] or "۳۳٬۸۰۰" in year[0], year[0]
    problems.extend(_check_page(page, "fa", "money_allocated"))
    _shot(page, "money_allocated_committed_paid")
    context.close()
    with Workspace.open(root) as ws:
        alloc = read_kind(ws, "fund_allocations").set_index(["programme", "year",
                                                              "region_code"])
        row = read_kind(ws, "fund_commitments").set_index("commitment_id").loc["CCL06-02-1404"]
    assert int(alloc.loc[("cluster_dev", 1404, "06"), "amount_rials"]) == 350_000_000_000
    assert (int(row["committed_rials"]), int(row["disbursed_rials"]),
            int(row["jobs_realised"])) == (12_000_000_000, 5_000_000_000, 4)
    assert problems == [], "\n".join(problems)
