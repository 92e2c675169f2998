"""Browser-test fixtures: the app served in a thread on 127.0.0.1 (one per xdist worker, fresh SQLite DB),
Debian's Chromium driven by Playwright, users per role, screenshots, and a check that nothing is loaded
from anywhere but the server."""

from __future__ import annotations

import re
import secrets
import shutil
import threading
import zlib
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from api import create_app
from engine.clock import FixedClock
from engine.deployments import deploy
from engine.identity import SYSTEM, create_user
from engine.passwords import set_password
from workflows.catalog import read_folder

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "correct-horse-42"
# username -> roles; one user per role the pages distinguish.
USERS = {
    "admin": ["admin"],
    "designer": ["designer"],
    "auditor": ["auditor"],
    "rep": ["representative"],
    "committee": ["proposal_committee"],
}
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


def pytest_collection_modifyitems(config, items):
    # The pages' tests run on SQLite only: what a page reads and writes goes through the workflows and the
    # engine, whose tests (tests/api, tests/workflows, tests/engine) run on both databases; this keeps `make
    # test` on two cores within its time.
    here = Path(__file__).resolve().parent
    on_postgres = [item for item in items if item.path.is_relative_to(here)
                   and getattr(item, "callspec", None) is not None and item.callspec.params.get("db_url") == "postgres"]
    if on_postgres:
        config.hook.pytest_deselected(items=on_postgres)
        dropped = set(on_postgres)
        items[:] = [item for item in items if item not in dropped]
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (`make test` installs it with apt)")
    for item in items:
        if "page" in getattr(item, "fixturenames", ()):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a browser downloaded by `playwright install`."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "zh-CN",
            "accept_downloads": True}


def seed(app) -> None:
    services = app.extensions["dmflow"]
    # Only the congress procedures: the pages are generic, and other folders may be half-built.
    deploy(services.uow(), read_folder(Path(app.config["BPMN_DIR"]) / "congress"), actor=SYSTEM)
    for username, roles in USERS.items():
        create_user(services.uow(), username, roles, actor=SYSTEM)
        set_password(services.uow(), username, PASSWORD, actor=SYSTEM)


@pytest.fixture(scope="session")
def live_server(sqlite_template, tmp_path_factory):
    """The whole app (pages, API, assets) on a free 127.0.0.1 port; one per xdist worker."""
    path = tmp_path_factory.mktemp("ui") / "ui.db"
    shutil.copy(sqlite_template, path)
    clock = FixedClock(NOW)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "TESTING": True, "CLOCK": clock,
                      "SECRET_KEY": secrets.token_hex(32), "BALLOT_KEY_DIR": str(path.parent / "ballot_keys")})
    seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app, clock=clock,
                          services=app.extensions["dmflow"])
    server.shutdown()
    thread.join(5)
    app.extensions["dmflow"].db.dispose()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Replaces pytest-playwright's (pytest-base-url's instance-method fixture warns under pytest 9)."""
    return live_server.url


@pytest.fixture(autouse=True)
def _only_this_server(request):
    """Every request a browser test makes goes to 127.0.0.1, and no page logs an error."""
    if "page" not in request.fixturenames:
        yield
        return
    page = request.getfixturevalue("page")
    urls: list[str] = []
    problems: list[str] = []
    page.context.on("request", lambda r: urls.append(r.url))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    yield
    foreign = [u for u in urls if not u.startswith(("data:", "blob:")) and urlsplit(u).hostname != "127.0.0.1"]
    assert foreign == [], "pages loaded something from outside the server"
    assert urls, "the test made no request at all"
    # A form the server refuses on purpose (422, 401) is logged by Chromium as a failed resource load.
    unexpected = [p for p in problems if "status of 4" not in p]
    assert unexpected == []


MENU_JS = """() => Array.from(document.querySelector('nav.menu').children).map(el => el.tagName === 'DETAILS'
    ? [el.dataset.navGroup, Array.from(el.querySelectorAll('a')).map(a => a.dataset.nav)] : el.dataset.nav)"""


class Ui:
    """What a person does in the browser: log in, switch language, take screenshots."""

    def __init__(self, page, server):
        self.page, self.server = page, server

    def url(self, path: str) -> str:
        return self.server.url + path

    def go(self, path: str):
        self.page.goto(self.url(path))
        return self.page

    def login(self, username: str, lang: str = "zh-CN", password: str = PASSWORD):
        page = self.go("/login")
        if lang != "zh-CN":
            self.switch_language(lang)
        page.fill("#username", username)
        page.fill("#password", password)
        page.click("#login-submit")
        page.wait_for_selector("#who")
        return page

    def switch_language(self, lang: str) -> None:
        current = self.page.locator("html").get_attribute("lang")
        if current != lang:
            self.page.click("#lang-toggle")
            self.page.wait_for_selector(f"html[lang='{lang}']")

    def menu(self) -> list:
        """The menu as shown: an entry's id, or [group id, [its entries' ids]] for a group."""
        return self.page.evaluate(MENU_JS)

    def nav(self, ident: str) -> None:
        """Go to a menu entry as a person does: unfold the menu on a phone, open the entry's group, click."""
        page = self.page
        toggle = page.locator("#menu-toggle")
        if toggle.is_visible() and not toggle.evaluate("d => d.open"):
            toggle.locator("summary").click()
        group = page.locator(f"details.menu-group:has([data-nav='{ident}'])")
        if group.count() and not group.evaluate("g => g.open"):
            group.locator("summary").click()
        page.click(f"nav.menu [data-nav='{ident}']")

    def shot(self, name: str, *expected: str) -> Path:
        """Save a full-page screenshot to tests/artifacts/ after checking the page shows `expected`."""
        for text in expected:
            assert text in self.page.inner_text("body"), f"{text!r} not on the page ({name})"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        assert distinct_bytes(path.read_bytes()) > 64, f"{name}.png looks blank"
        return path


def distinct_bytes(png: bytes) -> int:
    """How many different byte values the decompressed image holds: a blank page has only a few."""
    chunks, pos = [], 8
    while pos < len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        kind = png[pos + 4:pos + 8]
        if kind == b"IDAT":
            chunks.append(png[pos + 8:pos + 8 + length])
        pos += 12 + length
    return len(set(zlib.decompress(b"".join(chunks))))


@pytest.fixture
def ui(page, live_server) -> Ui:
    page.set_default_timeout(15_000)
    return Ui(page, live_server)


def text_of(page, selector: str) -> str:
    return re.sub(r"\s+", " ", page.inner_text(selector)).strip()
