"""The web UI: server-rendered pages under / beside the JSON API (session login, CSRF, zh-CN/en)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

SECRET_BYTES = 32


def ensure_secret_key(app: Flask) -> None:
    """Give the app a SECRET_KEY (it signs the session cookie) when none was configured.

    The key is generated once and kept in SECRET_KEY_FILE (default var/secret_key), so that sessions
    survive restarts and every process on the host signs alike; hosts sharing one database set
    DMFLOW_SECRET_KEY instead. Tests without a key get an ephemeral one and write no file.
    """
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("TESTING"):
        app.config["SECRET_KEY"] = secrets.token_hex(SECRET_BYTES)
        return
    path = Path(app.config.get("SECRET_KEY_FILE") or Path(os.getcwd()) / "var" / "secret_key")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several processes start at once, exactly one writes and the others read its key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if not key:
            raise RuntimeError(f"{path} is empty: delete it or set DMFLOW_SECRET_KEY") from None
    else:
        key = secrets.token_hex(SECRET_BYTES)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key + "\n")
    app.config["SECRET_KEY"] = key


def init_app(app: Flask) -> None:
    """Register the pages and the session settings (called by `create_app`)."""
    ensure_secret_key(app)
    if app.config["SESSION_COOKIE_NAME"] == "session":  # Flask's default name
        app.config["SESSION_COOKIE_NAME"] = "dmflow_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    from .. import directories

    directories.init_app(app)  # the OpenID Connect client, when OIDC_ISSUER is set
    from . import catalogue, i18n, views  # noqa: F401  (each view module adds its routes to blp and its menu entries)
    from .core import blp

    catalogue.init_app(app, i18n.current_lang)  # the .po catalogues through Flask-Babel

    app.register_blueprint(blp)
