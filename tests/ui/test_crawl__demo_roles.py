"""Every page as every demo role: log in as each user of `dmflow demo seed` (with its cases), follow every link
from the home page and the menus (and open the known routes), in Chinese and in English, and fail on a server
error, a JSON object on the page, a snake_case code, a label key that was never translated, a time zone key
instead of 北京时间, an internal research mark such as (U) or (V~), a record's internal key (regional:1), a
login where a person's name belongs, a department's code where its name belongs, or a field or column labelled
with a variable's bare name."""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from flask import Flask

from api.web import catalogue
from workflows.demo import DEMO_DEPARTMENTS

from helpers.demo import USERNAMES, build_demo
from helpers.web import PASSWORD, csrf

# Links not to follow: leaving, switching language, files and the API (JSON by design), the designer's canvas.
SKIP = ("/logout", "/lang", "/static/", "/api/", "/favicon.ico", "/documents/", "/designer/", "/instances/export",
        "/congress/people")
MAX_PAGES = 160
SNAKE = re.compile(r"(?<![\w./:@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/@-])")
JSON_OBJECT = re.compile(r"\{\s*\"[^\"]+\"\s*:")
KEY_PREFIXES = sorted({key.split(".")[0] for key in catalogue.msgids()})
UNTRANSLATED = re.compile(r"(?<![\w/.-])(?:" + "|".join(map(re.escape, KEY_PREFIXES)) + r")\.[a-z_]+(?:\.[a-z0-9_]+)*")
MARKS = re.compile(r"\((?:U|V~?|V, [^)]*)\)")
INTERNAL_KEY = re.compile(r"(?<![\w/.:-])[a-z][a-z_]*(?::\d+)+(?![\w/:])")
# logins (not the words admin, designer, auditor) and department codes: pages name people and departments
LOGINS = re.compile(r"(?<![\w@.-])(?:" + "|".join(sorted(u for u in USERNAMES if re.search(r"[_\d]", u))) +
                    r")(?![\w@-])")
DEPARTMENT_CODES = re.compile(r"(?<![\w@./-])(?:" + "|".join(code for code, *_ in DEMO_DEPARTMENTS) + r")(?![\w@/-])")
ACCOUNT_PAGES = ("/admin/users", "/congress/roster", "/admin/departments")  # where logins and codes are the point
LABELS = re.compile(r"(?s)<(dt|th|label|legend)\b[^>]*>(.*?)</\1>")
_build = build_demo


def visible_text(page: str) -> str:
    """What a reader sees: no scripts, styles, templates, tags or attribute values."""
    page = re.sub(r"(?is)<(script|style|template|head)\b.*?</\1>", " ", page)
    page = re.sub(r"(?is)<textarea\b[^>]*>.*?</textarea>", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def problems_of(text: str) -> list[str]:
    found = []
    for match in JSON_OBJECT.finditer(text):
        found.append(f"JSON object: …{text[max(0, match.start() - 40):match.end() + 40]}…")
    for match in SNAKE.finditer(text):
        if match.group(0) not in USERNAMES:
            found.append(f"code {match.group(0)!r}: …{text[max(0, match.start() - 40):match.end() + 40]}…")
    for match in UNTRANSLATED.finditer(text):
        found.append(f"label key {match.group(0)!r}")
    if "Asia/Shanghai" in text:
        found.append("a time zone key instead of 北京时间")
    for match in MARKS.finditer(text):
        found.append(f"internal mark {match.group(0)!r}: …{text[max(0, match.start() - 40):match.end()]}")
    return found


def page_problems(url: str, page: str) -> list[str]:
    """`problems_of` the visible text, and what only this page's place and markup tell."""
    text = visible_text(page)
    found = problems_of(text)
    for match in INTERNAL_KEY.finditer(text):
        found.append(f"internal key {match.group(0)!r}: …{text[max(0, match.start() - 40):match.end() + 20]}…")
    if not urlsplit(url).path.startswith(ACCOUNT_PAGES):
        for pattern, what in ((LOGINS, "login"), (DEPARTMENT_CODES, "department code")):
            for match in pattern.finditer(text):
                found.append(f"{what} {match.group(0)!r}: …{text[max(0, match.start() - 40):match.end() + 20]}…")
    for tag, inner in LABELS.findall(page):
        label = visible_text(inner).rstrip(" *")  # a required field's mark
        if re.fullmatch(r"[a-z][a-z0-9_]*", label):
            found.append(f"<{tag}> labelled with a bare name {label!r}")
    return found


def _links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a\b[^>]*\bhref="([^"#]+)"', page)]


def _known_routes(app: Flask) -> list[str]:
    """The pages' GET routes that need no argument."""
    return sorted(str(rule) for rule in app.url_map.iter_rules()
                  if rule.endpoint.startswith("web.") and "GET" in rule.methods and not rule.arguments)


def crawl(client, app: Flask) -> tuple[dict[str, int], dict[str, list[str]]]:
    seen: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    queue = deque(["/", *_known_routes(app)])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url)
        if path.netloc or url in seen or path.path.startswith(SKIP):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if response.status_code >= 500:
            problems.setdefault(url, []).append(f"status {response.status_code}")
            continue
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = response.get_data(as_text=True)
        found = page_problems(url, page)
        if found:
            problems[url] = found
        for link in _links(page):
            if link.startswith("/") and link not in seen and not re.search(r"[?&]page=\d{2,}", link):
                queue.append(link)
    return seen, problems


def _login(client, username: str, lang: str) -> None:
    page = client.get("/login")
    if lang == "en":
        client.post("/lang", data={"lang": "en", "next": "/login", "csrf_token": csrf(page.text)})
        page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf(page.text)})
    assert response.status_code == 302


ROLES = ["admin", "designer", "auditor", "rep_wang", "rep_li", "committee_zhang", "union_chair", "hr_chen",
         "worker_ma", "drafting_zhou", "delegation_wu", "dept_logistics", "liaison_sun", "federation_gu",
         "bureau_pd", "presidium_pde"]


# Every role in Chinese; in English the roles whose pages differ most (the others share their templates).
CASES = [(username, "zh-CN") for username in ROLES] + \
    [(username, "en") for username in ("admin", "rep_wang", "union_chair", "committee_zhang", "hr_chen",
                                       "federation_gu")]


@pytest.mark.prebuilt.with_args(_build)
@pytest.mark.parametrize(("username", "lang"), CASES)
def test_every_page_of_every_demo_role_reads_in_words_not_codes(app, prebuilt, username, lang):
    client = app.test_client()
    _login(client, username, lang)
    seen, problems = crawl(client, app)
    assert len(seen) >= 8, seen
    assert problems == {}, "\n".join(f"{url}: {p}" for url, found in problems.items() for p in found)


@pytest.mark.prebuilt.with_args(_build)
def test_the_demo_gives_every_working_role_its_next_step_on_the_home_page(app, prebuilt):
    expected = {
        "hr_chen": ["你有 1 项待办", "办理答复", "关于建立技能等级与薪酬挂钩机制的提案"],
        "committee_zhang": ["你有 2 项待办", "审查提案", "交办"],
        "rep_wang": ["请为李强的《关于增设夜班职工通勤班车的提案》附议", "评价答复",
                     "第二次会议", "届时请签到", "已答复待评价", "办理中", "已立案", "已公布", "征集附议"],
        "union_chair": ["待召开：进入主席团控制台"],
        "drafting_zhou": ["你有 1 项待办", "起草"],
        "delegation_wu": ["代表团审议", "关于职工食堂扩建及午餐补贴调整方案的决议（草案）"],
        "worker_ma": ["目前没有需要你办理的事项。"],
        "federation_gu": ["你有 1 项待办", "集体协商", "浦东新区中小企业区域性集体合同"],
    }
    for username, texts in expected.items():
        client = app.test_client()
        _login(client, username, "zh-CN")
        text = visible_text(client.get("/").get_data(as_text=True))
        for wanted in texts:
            assert wanted in text, f"{username}: {wanted!r} not on the home page: {text}"
