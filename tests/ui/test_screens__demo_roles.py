"""Screenshots of each demo role's main pages at desktop and phone sizes (tests/artifacts/screen-*.png), on the
demo of `dmflow demo seed` served by its own server: each page is checked for its main text before the shot."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from api import create_app
from engine.clock import FixedClock
from workflows.demo import DEMO_USERS

from helpers.demo import build_demo
from helpers.web import PASSWORD

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing, as the other browser tests

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# user -> (name of the shot, path, texts the page must show); paths with {meeting} are filled in.
SCREENS = {
    "rep_wang": [("home", "/", ["下一步", "请为李强的《关于增设夜班职工通勤班车的提案》附议", "我提出或附议的提案"]),
                 ("proposals", "/congress/proposals", ["提交新提案", "关于食堂增加夜班供餐的提案"]),
                 ("meeting", "/congress/meetings/{meeting}", ["第五届职工代表大会第二次会议"])],
    "committee_zhang": [("home", "/", ["你有 2 项待办", "审查提案"]), ("tasks", "/tasks", ["审查提案", "交办"])],
    "hr_chen": [("home", "/", ["你有 1 项待办", "办理答复"])],
    "union_chair": [("home", "/", ["进入主席团控制台"]),
                    ("console", "/congress/meetings/{meeting}/console", ["主席团控制台", "宣布开会"]),
                    ("roster", "/congress/roster", ["职工代表名册", "共 30 名代表"])],
    "delegation_wu": [("home", "/", ["代表团审议"])],
    "worker_ma": [("home", "/", ["目前没有需要你办理的事项。"]), ("disclosures", "/disclosures", ["厂务公开"])],
    "admin": [("users", "/admin/users", ["用户管理", f"共 {len(DEMO_USERS) + 27} 个用户"])],  # + rep04…rep30
}


@pytest.fixture(scope="module")
def demo_server(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "TESTING": True, "CLOCK": FixedClock(NOW),
                      "BALLOT_KEY_DIR": str(path.parent / "ballot_keys")})
    build_demo(app.extensions["dmflow"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(5)
    app.extensions["dmflow"].db.dispose()


@pytest.mark.parametrize("username", sorted(SCREENS))
def test_each_demo_role_s_main_pages_at_desktop_and_phone_sizes(page, demo_server, username):
    page.set_default_timeout(15_000)
    page.goto(demo_server.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#who")
    meeting = None
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for name, path, texts in SCREENS[username]:
            if "{meeting}" in path:
                meeting = meeting or _meeting_id(page, demo_server.url)
                path = path.format(meeting=meeting)
            page.goto(demo_server.url + path)
            body = page.inner_text("body")
            for text in texts:
                assert text in body, f"{text!r} not on {path} ({username}, {size})"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = ARTIFACTS / f"screen-{username}-{name}-{size}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000, f"{shot.name} looks blank"


def _meeting_id(page, url: str) -> str:
    page.goto(url + "/congress/meetings")
    href = page.locator("a[href^='/congress/meetings/']").first.get_attribute("href")
    return href.rstrip("/").split("/")[-1]
