"""Users from a CSV sheet: accounts with roles, display names and contact details; all rows or none."""

from __future__ import annotations

from io import BytesIO

from api.cli import main

SHEET = ("用户名,姓名,角色,邮箱,手机\n"
         "rep_new,新代表,representative、worker,new@example.com,13800138000\n"
         "clerk_old,老文员,,old@example.com,\n").encode()


def _upload(client, headers, content: bytes):
    return client.post("/api/v1/users/import", data={"file": (BytesIO(content), "users.csv")}, headers=headers,
                       content_type="multipart/form-data")


def test_a_staff_sheet_creates_new_users_and_gives_everyone_their_contact_details(client, users):
    admin = users.headers("root", "admin")
    old = users.headers("clerk_old", "clerk")
    r = _upload(client, admin, SHEET)
    assert r.status_code == 200 and r.get_json() == {"created": ["rep_new"], "updated": ["clerk_old"]}
    listed = {u["username"]: u for u in client.get("/api/v1/users", headers=admin).get_json()}
    assert listed["rep_new"]["roles"] == ["representative", "worker"]
    assert listed["rep_new"]["email"] == "new@example.com" and listed["rep_new"]["mobile"] == "13800138000"
    assert listed["clerk_old"]["roles"] == ["clerk"] and listed["clerk_old"]["email"] == "old@example.com"
    assert client.get("/api/v1/users/clerk_old/profile", headers=old).get_json()["email"] == "old@example.com"


def test_a_bad_row_imports_nothing_and_says_which(client, users):
    admin = users.headers("root", "admin")
    bad = SHEET + "rep_bad,坏行,representative,not-an-address,\n".encode()
    r = _upload(client, admin, bad)
    assert r.status_code == 422 and list(r.get_json()["errors"]) == ["row 4"]
    names = {u["username"] for u in client.get("/api/v1/users", headers=admin).get_json()}
    assert "rep_new" not in names
    assert _upload(client, users.headers("clerk", "clerk"), SHEET).status_code == 403
    assert _upload(client, admin, b"\xff\xfe\x00bad").status_code == 422


def test_the_cli_imports_the_same_sheet(runner, tmp_path):
    sheet = tmp_path / "users.csv"
    sheet.write_bytes(SHEET)
    result = runner.invoke(main, ["users", "import", str(sheet)])
    assert result.exit_code == 0 and "created 2, updated 0" in result.output
    again = runner.invoke(main, ["users", "import", str(sheet)])
    assert again.exit_code == 0 and "created 0, updated 2" in again.output


def test_a_sheet_the_csv_reader_cannot_split_is_refused_with_422_not_500(client, users):
    """A NUL byte between carriage returns (found by the fuzzer) made the csv module raise: now 422, naming the file."""
    admin = users.headers("root", "admin")
    for content in (b"\r\x00\r", "用户名\n\"rep_a\x00\"\n".encode()):
        r = _upload(client, admin, content)
        assert r.status_code == 422, r.get_data(as_text=True)
        assert "file" in r.get_json()["errors"]
    r = client.post("/api/v1/departments/import", headers=admin, content_type="multipart/form-data",
                    data={"file": (BytesIO(b"\r\x00\r"), "departments.csv")})
    assert r.status_code == 422 and "file" in r.get_json()["errors"]
