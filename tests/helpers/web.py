"""Logging in to the pages with Flask's test client (no browser): a user with a password, then the login form."""

from __future__ import annotations

import contextlib
import re

from engine import passwords
from engine.errors import Conflict
from engine.identity import SYSTEM, create_user

PASSWORD = "correct-horse-42"


def csrf(html: str) -> str:
    """The CSRF token of a page's first form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username: str, *roles: str) -> None:
    """Log `username` in (created with `roles` unless it exists); whoever was logged in is logged out first."""
    services = client.application.extensions["dmflow"]
    with contextlib.suppress(Conflict):  # a driver may have created this user already
        create_user(services.uow(), username, list(roles), actor=SYSTEM)
    passwords.set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    page = client.get("/login")
    if page.status_code == 302:
        client.post("/logout", data={"csrf_token": csrf(client.get("/").text)})
        page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf(page.text)})
    assert response.status_code == 302
