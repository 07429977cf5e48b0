"""The programme's workflows in Debian's chromium (Playwright, issue 14): offline (every request
stays on the server), screenshots under tests/output/web/flows/."""

from __future__ import annotations

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
