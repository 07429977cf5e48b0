"""The web app in Debian's chromium (Playwright): the flows of a province manager, offline,
with screenshots in the tests' output folder (issue 13)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from _support import CHROMIUM, CHROMIUM_ARGS, OUTPUT, require_browser
from conftest import PASSWORD  # noqa: I001 (tests/web/conftest.py)
from khooshe.store.workspace import Workspace


@pytest.fixture(scope="module")
def server(site):
    import uvicorn

    root, app = site
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", root
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(server):
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _session(browser, base: str, problems: list[str], user: str = "khuzestan"):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
    page = context.new_page()
    page.on("request", lambda r: problems.append(f"outside request: {r.url}")
            if not r.url.startswith((base, "data:", "blob:")) else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}")
            if m.type == "error" and "403" not in m.text and "409" not in m.text
            and "422" not in m.text and "favicon" not in m.text else None)
    page.goto(base + "/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    try:
        page.wait_for_url(base + "/")
    except Exception:
        _shot(page, f"login_failed_{user}")
        raise AssertionError(page.content()[:3000]) from None
    return context, page


def _shot(page, name: str) -> None:
    folder = OUTPUT / "web"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_province_managers_day(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#county-map .leaflet-interactive").count() > 0  # the map is drawn
    _shot(page, "dashboard")

    page.goto(base + "/clusters/new")
    page.fill("#f-code", "CL06-77")
    page.fill("#f-name_fa", "خوشهٔ مرورگر")
    page.fill("#f-province_code", "06")
    page.fill("#f-isic", "1030")
    page.select_option("#f-stage", "identified")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/clusters/CL06-77")
    _shot(page, "cluster_created")
    page.click("main a:has-text('ویرایش')")
    page.fill("#f-name_en", "Browser cluster")
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/clusters/CL06-77")
    assert "Browser cluster" in page.content()
    page.goto(base + "/clusters/CL06-77/history")
    assert page.locator("tbody tr").count() >= 2
    _shot(page, "history")

    response = page.goto(base + "/clusters/CL01-01")
    assert response.status == 403
    _shot(page, "forbidden")

    with Workspace.open(root) as ws:
        before = ws.counts()
    broken = OUTPUT / "web" / "broken.csv"
    broken.write_text("id,isic,region_code,status,employees\nB1,2410,06,operating,abc\n",
                      encoding="utf-8")
    page.goto(base + "/establishments/import")
    page.set_input_files("input[type=file]", str(broken))
    page.click("main button[type=submit]")
    page.wait_for_selector("table.issues")
    assert "employees" in page.content()
    _shot(page, "import_refused")
    with Workspace.open(root) as ws:
        assert ws.counts() == before
    context.close()
    assert problems == []


def test_two_people_editing_the_same_record(server, browser):
    base, _ = server
    problems: list[str] = []
    first, p1 = _session(browser, base, problems)
    second, p2 = _session(browser, base, problems, user="admin")
    for page in (p1, p2):
        page.goto(base + "/clusters/CL06-03/edit")
    p1.fill("#f-name_en", "first edit")
    p1.click("main button[type=submit]")
    p1.wait_for_url(base + "/clusters/CL06-03")
    p2.fill("#f-name_en", "second edit")
    p2.click("main button[type=submit]")
    p2.wait_for_selector("table.conflict")
    assert "first edit" in p2.content() and "second edit" in p2.content()
    _shot(p2, "conflict")
    first.close()
    second.close()
    assert problems == []


def test_english_pages_and_the_api_documentation(server, browser):
    base, _ = server
    problems: list[str] = []
    context, page = _session(browser, base, problems, user="viewer06")
    page.goto(base + "/clusters?lang=en")
    assert page.locator("html").get_attribute("dir") == "ltr"
    _shot(page, "clusters_en")
    page.goto(base + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    _shot(page, "api_docs")
    context.close()
    assert problems == []
