"""Accounts for the roster: the import links the accounts its 用户名 column names (with the representative
role), warns of a 用户名 that is no account, or creates the missing ones with one-time initial passwords,
handed to the office as a printable CSV sheet."""

from __future__ import annotations

import csv
import io

from engine import passwords
from engine.identity import SYSTEM, create_user

from helpers.congress import API, HEADER, make_term, upload

ROWS = ("张伟,E0001,第1代表团,一线职工,男,否,2026-01-10,zhangwei\n"
        "李娜,E0002,第1代表团,技术人员,女,否,2026-01-10,lina\n"
        "王芳,E0003,第2代表团,一线职工,女,否,2026-01-10,wangfang\n"
        "赵强,E0004,第2代表团,一线职工,男,否,2026-01-10,\n")


def _import(client, admin, term_id, query=""):
    return client.post(f"{API}/terms/{term_id}/representatives/import{query}",
                       data=upload((HEADER + ROWS).encode()), headers=admin, content_type="multipart/form-data")


def test_a_username_matching_no_account_is_a_warning_and_an_existing_account_is_linked(client, services,
                                                                                        login_as):
    term = make_term(services)
    create_user(services.uow(), "lina", ["worker"], actor=SYSTEM)
    response = _import(client, login_as("admin"), term.id)
    assert response.status_code == 201
    body = response.get_json()
    assert body["imported"] == 4 and body["accounts"] == []
    assert [(w["row"], w["column"]) for w in body["warnings"]] == [(2, "用户名"), (4, "用户名")]
    assert "zhangwei" in body["warnings"][0]["message"]
    users = {u["username"]: u for u in client.get("/api/v1/users", headers=login_as("admin")).get_json()}
    assert "zhangwei" not in users and set(users["lina"]["roles"]) == {"worker", "representative"}


def test_create_gives_each_new_account_an_initial_password_on_a_printable_sheet(client, services, login_as):
    term = make_term(services)
    response = _import(client, login_as("admin"), term.id, "?accounts=create&format=csv")
    assert response.status_code == 201 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel opens it in Chinese
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["姓名", "工号", "代表团", "用户名", "初始密码"]
    assert [r[:4] for r in rows[1:]] == [["张伟", "E0001", "第1代表团", "zhangwei"],
                                         ["李娜", "E0002", "第1代表团", "lina"],
                                         ["王芳", "E0003", "第2代表团", "wangfang"]]
    login = passwords.check_password(services.uow(readonly=True), "wangfang", rows[3][4])
    assert login.actor.has("representative")
    users = {u["username"]: u for u in client.get("/api/v1/users", headers=login_as("admin")).get_json()}
    assert users["wangfang"]["display_name"] == "王芳"


def test_a_refused_import_creates_no_account(client, services, login_as):
    term = make_term(services)
    bad = HEADER + ROWS + "钱七,E0001,第3代表团,一线职工,男,否,2026-01-10,qianqi\n"  # E0001 twice
    response = client.post(f"{API}/terms/{term.id}/representatives/import?accounts=create",
                           data=upload(bad.encode()), headers=login_as("admin"), content_type="multipart/form-data")
    assert response.status_code == 422
    users = {u["username"] for u in client.get("/api/v1/users", headers=login_as("admin")).get_json()}
    assert not users & {"zhangwei", "lina", "wangfang", "qianqi"}
