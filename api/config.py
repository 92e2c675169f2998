"""Configuration defaults; overridden by DMFLOW_* environment variables, then by a mapping given to create_app."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Config:
    # The database; SQLite by default (zero set-up), PostgreSQL for production:
    # DMFLOW_DATABASE_URL=postgresql+psycopg://user@host:5432/dmflow
    DATABASE_URL = "sqlite:///" + str(Path(os.getcwd()) / "var" / "dmflow.db")
    # The enterprise's time zone: statutory days are counted in it, and the UI shows times in it.
    TIMEZONE = "Asia/Shanghai"
    # Folder of the bundled diagrams deployed by `dmflow deploy --bundled` / `make run`.
    BPMN_DIR = str(ROOT / "bpmn")
    # Front-end packages installed by `npm ci` (swagger-ui, bpmn-js); served locally, never from a CDN.
    NODE_MODULES = str(ROOT / "node_modules")
    # Largest upload accepted (a deployment of several diagrams and forms).
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    # Instances whose task tree grows deeper than this get an incident (SpiffWorkflow misbehaves past 1000).
    MAX_TREE_DEPTH = 800
    # How often each process re-reads the admin-entered legal calendar (holidays, adjusted working days).
    CALENDAR_REFRESH_SECONDS = 60
    SPEC_CACHE_SIZE = 256
    # How long the worker keeps the first answer of a create sent with an Idempotency-Key (for its retries).
    IDEMPOTENCY_RETENTION_HOURS = 24
    # The budget of each diagram script, condition and timer expression (engine/budget.py): past it the
    # instance gets an incident naming the element and line, and the step's transaction ends.
    SCRIPT_TIME_MS = 500
    SCRIPT_OPERATIONS = 5_000_000  # loop iterations, plus the size of each string/list/number built
    SCRIPT_MAX_ITEMS = 1_000_000  # the longest string/list/range one operation may build
    SCRIPT_MAX_INT_BITS = 100_000  # the largest integer (about 30,000 digits)
    # Registers /api/v1/_bench (the floor and naive baselines of bench/); never set in production.
    BENCH_ENDPOINTS = False
    # Signs the web pages' session cookie. Unset: generated once into SECRET_KEY_FILE (var/secret_key).
    # Several hosts behind one load balancer must share it: set DMFLOW_SECRET_KEY on each.
    SECRET_KEY = None
    SECRET_KEY_FILE = str(Path(os.getcwd()) / "var" / "secret_key")
    # The Ed25519 key (PKCS#8 PEM) that signs audit checkpoints, created by `dmflow audit keygen`. Keep it out of
    # the database and its backups: whoever holds it could sign a rewritten history.
    SIGNING_KEY_FILE = str(Path(os.getcwd()) / "var" / "signing_key.pem")
    # The private keys of open secret votes, one file per vote, removed at the close (README, "Ballot secrecy").
    # Keep it out of the database's backups; a tmpfs (e.g. /run/dmflow/ballot-keys) keeps it off disks too.
    BALLOT_KEY_DIR = str(Path(os.getcwd()) / "var" / "ballot_keys")
    # The worker takes a checkpoint when the latest is older than this (0: never on its own).
    CHECKPOINT_INTERVAL_SECONDS = 86400
    # Witnesses who countersign checkpoints: {"name": "public key (base64 of 32 bytes, or PEM)"}, e.g.
    # DMFLOW_WITNESS_KEYS='{"工会": "...", "劳动保障部门": "..."}'.
    WITNESS_KEYS: dict = {}

    # Notifications (README, "Notifications"). E-mail is off until SMTP_URL is set (smtp://host:25,
    # smtp://user:password@host:587, smtps://host:465); WEBHOOKS is a JSON list of {"url", "template", "kinds"}.
    SMTP_URL = None
    MAIL_FROM = "dmflow@localhost"
    WEBHOOKS = "[]"
    # The address of the web UI, for links in e-mails and webhook messages.
    BASE_URL = "http://127.0.0.1:5000"
    # Failed sends are retried after 30 s, 1 min, 2 min, ... (at most 6 h apart) and given up after this many.
    NOTIFY_MAX_ATTEMPTS = 8
    NOTIFY_BACKOFF_SECONDS = 30
    # A worker that claimed a message and died lets another send it after this many seconds.
    NOTIFY_LEASE_SECONDS = 300
    # A notice to a role reaches at most this many users (a disclosure to every worker, in-app only).
    NOTIFY_MAX_RECIPIENTS = 2000
    # Sign-in lockout (engine/signin.py): this many failures within the window lock the user (or the
    # address) for LOGIN_LOCKOUT_SECONDS; counted in the database, so every process sees the same lock.
    LOGIN_MAX_FAILURES_PER_USER = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_WINDOW_SECONDS = 900
    LOGIN_LOCKOUT_SECONDS = 900

    # Enterprise directories (README, "Hostile input, sign-in and retries"), both off until configured.
    # LDAP / Active Directory: the login form's name and password are checked by binding to the directory.
    LDAP_URL = None  # ldap://dc1.example.com:389 or ldaps://dc1.example.com:636
    LDAP_START_TLS = False
    LDAP_BIND_DN = None  # a service account that may search users and groups (None: anonymous search)
    LDAP_BIND_PASSWORD = None
    LDAP_USER_BASE = None  # ou=people,dc=example,dc=com
    LDAP_USER_FILTER = "(uid={username})"  # Active Directory: (sAMAccountName={username})
    LDAP_USERNAME_ATTRIBUTE = "uid"  # Active Directory: sAMAccountName
    LDAP_NAME_ATTRIBUTE = "cn"  # Active Directory: displayName
    LDAP_MAIL_ATTRIBUTE = "mail"
    LDAP_GROUP_BASE = None  # ou=groups,dc=example,dc=com (None: only the entry's memberOf)
    LDAP_GROUP_FILTER = "(|(member={dn})(uniqueMember={dn}))"
    LDAP_TIMEOUT_SECONDS = 5
    # OpenID Connect: the login page offers 使用企业账号登录 (discovery at ISSUER/.well-known/openid-configuration;
    # register {BASE_URL}/login/sso/callback as the client's redirect URI).
    OIDC_ISSUER = None  # https://sso.example.com/realms/corp
    OIDC_CLIENT_ID = None
    OIDC_CLIENT_SECRET = None
    OIDC_SCOPE = "openid profile email"
    OIDC_USERNAME_CLAIM = "preferred_username"
    OIDC_GROUPS_CLAIM = "groups"
    OIDC_REDIRECT_URI = None  # None: {BASE_URL}/login/sso/callback
    # Directory groups (a group's name or DN, or an OIDC groups claim value) -> dmflow roles, e.g.
    # DMFLOW_DIRECTORY_GROUP_ROLES='{"工会委员会": ["union_chair"], "cn=hr,ou=groups,dc=example,dc=com": ["hr"]}';
    # roles every directory user gets besides: DMFLOW_DIRECTORY_DEFAULT_ROLES='["representative"]'.
    DIRECTORY_GROUP_ROLES: dict = {}
    DIRECTORY_DEFAULT_ROLES: list = []
    # The document number (文号) of resolution notices: {org_short} (ORG_SHORT_NAME, or the organisation's name
    # without its company-form suffix, four characters at most), {year} (the notice's year) and {seq} (its
    # number among that year's resolution notices).
    # Who renders notice PDFs after the commit of the change that publishes them (engine.jobs): "background" (a
    # thread of the serving process; `dmflow worker` retries what it could not finish), "worker" (only the worker),
    # "inline" (after the commit, before the answer). Empty: background, or inline when TESTING.
    DEFERRED_JOBS = ""
    NOTICE_REFERENCE_PATTERN = "{org_short}职代〔{year}〕{seq}号"
    ORG_SHORT_NAME = ""

    # Rehearsal (演练): DMFLOW_REHEARSAL=true lets an admin move the installation's clock forward
    # (`dmflow clock advance P16D`, POST /api/v1/admin/clock); every page then shows a banner. Never in production.
    REHEARSAL = False

    API_TITLE = "dmflow"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/vendor/swagger-ui-dist/"
    JSON_SORT_KEYS = False


class TestingConfig(Config):
    TESTING = True
