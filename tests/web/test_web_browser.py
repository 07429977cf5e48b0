"""The web app in Debian's chromium (Playwright): the flows of a province manager, offline,
with screenshots in the tests' output folder (issue 13)."""

from __future__ import annotations

import re
import socket
import threading
import time

import pytest

from _support import CHROMIUM, CHROMIUM_ARGS, OUTPUT, require_browser
from conftest import PASSWORD  # noqa: I001 (tests/web/conftest.py)
from khooshe.domain.schema import LOAD_ORDER
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


def _guard(context, base: str, problems: list[str]) -> None:
    """Every request of the browser session goes through this route: the server's own go on,
    any other host is blocked and reported."""
    def route(r):
        url = r.request.url
        if url.startswith((base + "/", "data:", "blob:")) or url == base:
            r.continue_()
        else:
            problems.append(f"outside request: {url}")
            r.abort()

    context.route("**/*", route)


def _session(browser, base: str, problems: list[str], user: str = "khuzestan",
             width: int = 1366):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fa-IR")
    _guard(context, base, problems)
    page = context.new_page()
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


#: What a page's text may hold in the other script: format and product names, the app's
#: identifiers. Values of records (in <bdi>), inputs, code and the language switch (marked
#: with its own lang) are not the interface and are not checked.
LATIN_ALLOWED = {"CSV", "XLSX", "HTML", "PDF", "API", "REST", "OpenAPI", "Leaflet", "ISIC",
                 "HS", "HS6", "Parquet", "khooshe"}

INTERFACE_TEXT = """(lang) => {
  const out = [];
  const skip = (el) => el.closest('bdi, code, pre, script, style, textarea, .leaflet-container,'
    + ' [lang]:not(html)') !== null;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (text && !skip(node.parentElement)) out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (skip(el)) continue;
    for (const a of ['placeholder', 'aria-label', 'title'])
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
  }
  out.push(document.title);
  return out;
}"""


def _check_page(page, lang: str, name: str, allow: frozenset[str] = frozenset()
                ) -> list[str]:
    """Sideways overflow; Latin letters or digits in the Persian interface (but the words of
    ``allow``: a record's key in the window's title); Persian in the English one."""
    found = []
    overflow = page.evaluate("() => document.scrollingElement.scrollWidth"
                             " - document.scrollingElement.clientWidth")
    if overflow > 1:
        found.append(f"{name} ({lang}): {overflow}px sideways overflow")
    for text in page.evaluate(INTERFACE_TEXT, lang):
        if lang == "fa":
            words = [w for w in re.findall(r"[A-Za-z0-9]+", text) if w not in LATIN_ALLOWED | allow]
            if words:
                found.append(f"{name} (fa): Latin {words} in {text[:80]!r}")
        elif re.search(r"[\u0600-\u06FF]", text):
            found.append(f"{name} (en): Persian in {text[:80]!r}")
    return found


def test_a_province_managers_day(server, browser):
    base, root = server
    problems: list[str] = []
    context, page = _session(browser, base, problems)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#county-map .leaflet-interactive").count() > 0  # the map is drawn
    # each county named beside its dot, in Persian (no tiles: the names are the map's context)
    labels = page.locator("#county-map .county-label")
    assert labels.count() == page.locator("#county-map .leaflet-interactive").count()
    assert all(re.fullmatch(r"[\u0600-\u06FF\u200c ]+", t) for t in labels.all_inner_texts())
    label, dot = (page.locator(f"#county-map {s}").first.bounding_box()
                  for s in (".county-label", ".leaflet-interactive"))
    assert abs((label["x"] + label["width"] / 2) - (dot["x"] + dot["width"] / 2)) < 20
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


def test_a_form_that_records_is_sent_once(server, browser):
    """A second submit of a form marked data-once (a double click, or a click while the
    answer is on its way) is stopped in the browser; back on a page the browser kept, the
    form may be sent again."""
    base, _ = server
    problems: list[str] = []
    context, page = _session(browser, base, problems)
    page.goto(base + "/clusters/CL06-01/activities/new")
    stopped = page.evaluate("""() => {
        const form = document.getElementById("activity-form");
        const seen = [];
        // after app.js's own listener: note whether it stopped the submit, then keep the
        // page here (no navigation) for the next one
        form.addEventListener("submit", e => {
            seen.push(e.defaultPrevented);
            e.preventDefault();
        });
        for (let i = 0; i < 3; i++) form.dispatchEvent(new Event("submit", {cancelable: true}));
        window.dispatchEvent(Object.assign(new Event("pageshow"), {persisted: true}));
        form.dispatchEvent(new Event("submit", {cancelable: true}));
        return seen;
    }""")
    assert stopped == [False, True, True, False]
    context.close()
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


def test_the_guard_catches_a_request_to_another_host(server, browser):
    base, _ = server
    problems: list[str] = []
    context = browser.new_context()
    _guard(context, base, problems)
    page = context.new_page()
    with pytest.raises(Exception):  # noqa: B017 (aborted by the guard: a network error)
        page.goto("http://outside.example/tracker.js")
    page = context.new_page()  # the aborted navigation's page shows chrome's error page
    page.goto(base + "/login")
    page.evaluate("() => fetch('http://outside.example/beacon', {mode: 'no-cors'})"
                  ".catch(() => null)")
    context.close()
    assert problems and all("outside.example" in p for p in problems)
    assert problems[0] == "outside request: http://outside.example/tracker.js"


TOUR = ["dashboard", *[f"list_{k}" for k in LOAD_ORDER],
        "detail", "period", "activity", "edit", "new_with_errors", "history", "import",
        "forbidden", "plan", "plan_job", "villages", "villages_county", "committee", "money",
        "units", "api_docs"]


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_a_tour_of_every_page(server, browser, lang):
    """Every page a province manager reaches, in Persian and English: screenshots under
    tests/output/web/, no request outside the server, no sideways overflow, no Latin in the
    Persian interface and no Persian in the English one."""
    base, _ = server
    problems: list[str] = []
    context, page = _session(browser, base, problems)
    page.goto(base + f"/?lang={lang}")
    page.wait_for_load_state("networkidle")
    seen = []

    def visit(name: str, path: str | None = None, status: int = 200, check: bool = True,
              allow: frozenset[str] = frozenset()):
        if path is not None:
            response = page.goto(base + path)
            assert response is not None and response.status == status, (name, path)
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == lang or name == "api_docs"
        _shot(page, f"tour_{lang}_{name}")
        if check:
            problems.extend(_check_page(page, lang, name, allow))
        seen.append(name)

    visit("dashboard")
    for name in TOUR:
        if name.startswith("list_"):
            visit(name, "/" + name.removeprefix("list_"))
    key = frozenset({"CL06", "01"})  # the record's key, in the window's title
    visit("detail", "/clusters/CL06-01", allow=key)
    # a quarter's code is written 1404-Q1, as it is stored and typed
    visit("period", "/clusters/CL06-01/indicators?period=1403", allow=frozenset({"Q1"}))
    visit("activity", "/clusters/CL06-01/activities/new")
    visit("edit", "/clusters/CL06-01/edit", allow=key)
    visit("history", "/clusters/CL06-01/history", allow=key)
    page.goto(base + "/clusters/new")
    page.fill("#f-code", "bad code")
    page.click("main button[type=submit]")
    page.wait_for_selector(".invalid-feedback")
    visit("new_with_errors")
    visit("import", "/establishments/import")
    page.goto(base + "/establishments")
    with page.expect_download() as download:
        page.click("main a[href$='export.csv']")
    assert download.value.suggested_filename == "establishments.csv"
    visit("forbidden", "/clusters/CL01-01", status=403)
    visit("villages", "/villages")
    visit("villages_county", "/villages/0601")
    visit("committee", "/committee")
    visit("money", "/money")
    visit("units", "/units")
    visit("plan", "/plan")
    page.select_option("select[name=plan_lang]", lang)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/plan/jobs/\w+"))
    visit("plan_job")
    visit("api_docs", "/api/v1/docs", check=False)  # Swagger UI speaks English only
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    context.close()
    assert sorted(seen) == sorted(TOUR)
    (OUTPUT / "web" / f"tour_{lang}_problems.txt").write_text("\n".join(problems) + "\n",
                                                             encoding="utf-8")
    assert problems == [], "\n".join(problems)
