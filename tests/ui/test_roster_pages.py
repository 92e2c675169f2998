"""The congress office's roster page and the users page: search, paging, and the roster import that creates the
logins and shows the sheet of initial passwords once; a 用户名 without an account is a warning."""

from __future__ import annotations

import io
import re

from engine.identity import SYSTEM, create_user

from helpers.congress import make_congress, roster_csv
from helpers.web import csrf, login


def test_the_roster_pages_and_searches_by_name_number_or_delegation(client, services):
    make_congress(services, seats=60)
    login(client, "chair", "presidium")
    first = client.get("/congress/roster").text
    assert "共 60 名代表" in first and "第 1 / 2 页" in first and first.count('data-employee="') == 50
    second = client.get(re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")).text
    assert second.count('data-employee="') == 10
    found = client.get("/congress/roster", query_string={"q": "E0042"}).text
    assert "共 1 名代表" in found and 'data-employee="E0042"' in found
    assert "一线职工" in first and "frontline" not in first
    assert 'id="roster-import"' not in first  # importing is the admins' job
    login(client, "worker1", "worker")
    assert client.get("/congress/roster").status_code == 403


def test_an_import_creates_the_logins_and_shows_the_password_sheet_once(client, services):
    ids = make_congress(services, seats=30)
    create_user(services.uow(), "linked_rep", ["worker"], actor=SYSTEM)
    login(client, "office", "admin")
    sheet = roster_csv(3, managers=0, first=31).decode().splitlines()
    sheet[1] = sheet[1].rsplit(",", 1)[0] + ",new_rep31"
    sheet[2] = sheet[2].rsplit(",", 1)[0] + ",linked_rep"
    page = client.get("/congress/roster").text
    response = client.post("/congress/roster/import", data={
        "csrf_token": csrf(page), "term": ids["term_id"], "create_accounts": "1",
        "file": (io.BytesIO(("\n".join(sheet) + "\n").encode()), "roster.csv")}, content_type="multipart/form-data")
    assert response.status_code == 201
    assert "已导入 3 名代表。" in response.text and "新账号初始密码单" in response.text
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(E\d+)</td><td>[^<]+</td><td>([^<]+)</td><td><code>([^<]+)</code>",
                      response.text)
    assert [(no, user) for _, no, user, _ in rows] == [("E0031", "new_rep31"), ("E0033", "rep033")]  # not linked_rep
    again = client.get("/congress/roster", query_string={"q": "new_rep31"}).text
    assert "新账号初始密码单" not in again and "new_rep31" in again


def test_an_import_without_accounts_warns_of_a_username_that_is_no_account(client, services):
    ids = make_congress(services, seats=30)
    login(client, "office", "admin")
    sheet = roster_csv(1, managers=0, first=31).decode().splitlines()
    sheet[1] = sheet[1].rsplit(",", 1)[0] + ",nobody_here"
    response = client.post("/congress/roster/import", data={
        "csrf_token": csrf(client.get("/congress/roster").text), "term": ids["term_id"],
        "file": (io.BytesIO(("\n".join(sheet) + "\n").encode()), "roster.csv")}, content_type="multipart/form-data")
    assert response.status_code == 201
    assert "第 2 行“用户名”：没有这个用户名的账号" in response.text


def test_the_users_page_searches_and_pages(client, services):
    for i in range(55):
        create_user(services.uow(), f"staff{i:02d}", ["worker"], actor=SYSTEM, display_name=f"职工{i:02d}")
    login(client, "root", "admin")
    page = client.get("/admin/users").text
    assert "第 1 / 2 页" in page and page.count('data-user="') == 50
    found = client.get("/admin/users", query_string={"q": "职工07"}).text
    assert "共 1 个用户" in found and 'data-user="staff07"' in found
    assert 'name="role" value="representative"' in page  # roles are ticked by name


def _import(client, term_id, lines):
    return client.post("/congress/roster/import", data={
        "csrf_token": csrf(client.get("/congress/roster").text), "term": term_id,
        "file": (io.BytesIO(("\n".join(lines) + "\n").encode()), "roster.csv")}, content_type="multipart/form-data")


def test_a_refused_import_names_each_problem_in_the_readers_language(client, services):
    ids = make_congress(services, seats=30)
    login(client, "office", "admin")
    sheet = roster_csv(3, managers=0, first=31).decode().splitlines()
    cells = sheet[2].split(",")
    cells[4], cells[6] = "未知", "三月一日"  # a bad gender and a bad date
    bad_cells = [*sheet[:2], ",".join(cells), sheet[3]]
    response = _import(client, ids["term_id"], bad_cells)
    assert response.status_code == 422
    problems = re.findall(r"<li>([^<]+)</li>", response.text)
    assert problems == ["第 3 行“性别”：“未知”不是可选值（男、女）之一。",
                        "第 3 行“当选日期”：“三月一日”不是日期，请写成 2026-03-01 的形式。"]
    clashes = [*sheet[:2], sheet[2].replace("E0032", "E0031"), sheet[3].replace("E0033", "E0001")]
    problems = re.findall(r"<li>([^<]+)</li>", _import(client, ids["term_id"], clashes).text)
    assert problems[0] == "第 3 行“工号”：“E0031”与第 2 行重复。"
    assert problems[1].startswith("第 4 行“工号”：“E0001”已是本届代表（")
    assert not any(re.search(r"[a-z]+_[a-z]+|is not|duplicates", p) for p in problems)  # no engine wording
    client.post("/lang", data={"lang": "en", "csrf_token": csrf(client.get("/congress/roster").text)})
    english = re.findall(r"<li>([^<]+)</li>", _import(client, ids["term_id"], clashes).text)
    assert english[0].endswith("“E0031” repeats row 2.")
