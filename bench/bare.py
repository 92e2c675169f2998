"""The independent floor: a bare WSGI endpoint that shares none of dmflow's code.

``POST /floor`` with ``Authorization: Bearer <token>`` looks the token up (SHA-256 of the token against
``api_tokens.token_hash``, joined to an active user, with the database driver: ``sqlite3`` or ``psycopg``),
parses the JSON body, then in one write transaction (``BEGIN IMMEDIATE`` on SQLite) inserts one row into a
table of its own and commits. No Flask, no SQLAlchemy, no dmflow module: making dmflow's shared code faster
cannot make this floor faster, so dmflow ÷ this floor cannot be flattered by it. `make_flask_app` is the same
floor as a plain Flask view, to show what the framework alone costs.

Served by gunicorn as ``bench.bare:app`` (the database from ``DMFLOW_DATABASE_URL``, a SQLAlchemy URL), or
called in-process through any WSGI test client (``make_app(url)``).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from typing import Any

_TABLE = "CREATE TABLE IF NOT EXISTS bench_bare (id {pk}, user_id INTEGER NOT NULL, body TEXT NOT NULL, at REAL)"
_LOOKUP = ("SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id "
           "WHERE t.token_hash = {p} AND t.revoked_at IS NULL AND u.active")
_INSERT = "INSERT INTO bench_bare (user_id, body, at) VALUES ({p}, {p}, {p})"


class _Sqlite:
    def __init__(self, path: str):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute(_TABLE.format(pk="INTEGER PRIMARY KEY AUTOINCREMENT"))
        self.lookup, self.insert = _LOOKUP.format(p="?"), _INSERT.format(p="?")

    def user(self, token_hash: str) -> int | None:
        row = self.conn.execute(self.lookup, (token_hash,)).fetchone()
        return row[0] if row else None

    def write(self, user_id: int, body: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute(self.insert, (user_id, body, time.time()))
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise


class _Postgres:
    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(_TABLE.format(pk="BIGSERIAL PRIMARY KEY"))
        self.lookup, self.insert = _LOOKUP.format(p="%s"), _INSERT.format(p="%s")

    def user(self, token_hash: str) -> int | None:
        row = self.conn.execute(self.lookup, (token_hash,)).fetchone()
        return row[0] if row else None

    def write(self, user_id: int, body: str) -> None:
        with self.conn.transaction():
            self.conn.execute(self.insert, (user_id, body, time.time()))


def _connect(url: str):
    if url.startswith("sqlite:///"):
        return _Sqlite(url.removeprefix("sqlite:///"))
    if url.startswith("postgresql"):
        return _Postgres("postgresql://" + url.split("://", 1)[1])
    raise ValueError(f"unsupported database URL {url!r}")


def make_app(url: str):
    """The WSGI callable over the database at `url` (one connection per process, opened on first use)."""
    box: dict[str, Any] = {}

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/api/v1/health":  # what bench.server.Server polls while it starts
            return _answer(start_response, "200 OK", {"status": "ok"})
        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/floor":
            return _answer(start_response, "404 Not Found", {"message": "not found"})
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        db = box.get("db") or box.setdefault("db", _connect(url))
        user = db.user(hashlib.sha256(token.strip().encode()).hexdigest()) if scheme.lower() == "bearer" else None
        if user is None:
            return _answer(start_response, "401 Unauthorized", {"message": "invalid token"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            body = json.loads(environ["wsgi.input"].read(length) or b"{}")
        except ValueError:
            return _answer(start_response, "400 Bad Request", {"message": "not JSON"})
        db.write(user, json.dumps(body))
        return _answer(start_response, "201 Created", {"ok": True})

    return app


def make_flask_app(url: str):
    """The same floor as a plain Flask view (Flask's own request handling, still none of dmflow's code): what
    the framework alone adds to the bare floor."""
    from flask import Flask, jsonify, request

    app = Flask("bench_bare")
    box: dict[str, Any] = {}

    @app.post("/floor")
    def floor():
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        db = box.get("db") or box.setdefault("db", _connect(url))
        user = db.user(hashlib.sha256(token.strip().encode()).hexdigest()) if scheme.lower() == "bearer" else None
        if user is None:
            return jsonify(message="invalid token"), 401
        db.write(user, json.dumps(request.get_json(silent=True) or {}))
        return jsonify(ok=True), 201

    return app


def _answer(start_response, status: str, body: dict) -> list[bytes]:
    raw = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))])
    return [raw]


def __getattr__(name: str):  # `bench.bare:app` for gunicorn, built from the environment on first access
    if name == "app":
        return make_app(os.environ["DMFLOW_DATABASE_URL"])
    raise AttributeError(name)
