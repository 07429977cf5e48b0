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
