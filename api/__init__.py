"""The Flask application factory: configuration, database, API blueprints, error handling, CLI."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date
from typing import Any

import flask_smorest
from flask import Flask
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import BaseConverter, ValidationError

from engine.clock import Clock, SystemClock
from engine.db import make_engine
from engine.messages import route_thrown
from engine.sandbox import make_script_engine
from engine.serialization import SpecCache
from engine.steps import RuntimeConfig
from engine.unit_of_work import UnitOfWork
from workflows import calendar_admin
from workflows.calendar import LegalCalendar
from workflows.catalog import handlers, script_helpers
from workflows.disclosure.catalogue import DisclosureSettings
from workflows.hooks import validate_task
from workflows.rules import Rules

from . import assets, errors, web
from .config import Config


class Api(flask_smorest.Api):
    """flask-smorest's Api, with a message on every error and the `Allow` header on 405 (RFC 9110)."""

    def handle_http_exception(self, error):
        body, code, headers = super().handle_http_exception(error)
        body.setdefault("message", error.description)  # one shape for every error: code, status, message
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return body, code, headers


class IsoDateConverter(BaseConverter):
    """`<isodate:day>` URL segments: ISO dates (2027-01-01); anything else is a 404."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError() from exc

    def to_url(self, value: date) -> str:
        return value.isoformat()


class Services:
    """What every request needs: the database engine, the clock and the runtime configuration."""

    def __init__(self, app: Flask, clock: Clock):
        cfg = app.config
        self.db = make_engine(cfg["DATABASE_URL"])
        self.clock = clock
        rule_config = {k: v for k, v in cfg.items() if k.startswith("RULE_")}
        self.rules = Rules.from_config(rule_config)
        self.calendar = LegalCalendar(cfg["TIMEZONE"])
        self._calendar_loaded, self._calendar_ttl = 0.0, float(cfg["CALENDAR_REFRESH_SECONDS"])
        helpers = script_helpers(self.calendar, self.rules)
        self.runtime = RuntimeConfig(script_engine=make_script_engine(helpers=helpers, services=handlers()),
                                     router=route_thrown, task_validator=validate_task,
                                     context={"rules": self.rules, "calendar": self.calendar,
                                              "disclosure": DisclosureSettings.from_config(cfg)},
                                     spec_cache=SpecCache(int(cfg["SPEC_CACHE_SIZE"])),
                                     max_tree_depth=int(cfg["MAX_TREE_DEPTH"]))

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        self.refresh_calendar()
        return UnitOfWork(self.db, self.clock, readonly=readonly, runtime=self.runtime)

    def refresh_calendar(self, force: bool = False) -> None:
        """Apply the admin-entered calendar table; other processes pick up a change within a minute."""
        now = time.monotonic()
        if not force and now - self._calendar_loaded < self._calendar_ttl:
            return
        self._calendar_loaded = now
        try:
            calendar_admin.refresh(UnitOfWork(self.db, self.clock, readonly=True), self.calendar)
        except DBAPIError:
            self._calendar_loaded = 0.0  # schema not migrated yet (e.g. during `dmflow db upgrade`)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: class defaults, then DMFLOW_* environment variables, then `config` (tests).

    `config` may hold ``CLOCK`` (an `engine.clock.Clock`) to pin the time.
    """
    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.from_prefixed_env("DMFLOW")
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["dmflow"] = Services(app, app.config.get("CLOCK") or SystemClock())

    api = Api(app, spec_kwargs={"info": {"description": "dmflow: BPMN workflows for enterprise democratic "
                                                        "management (职工代表大会, 集体合同, 厂务公开)."}})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    from .resources import BLUEPRINTS

    app.url_map.converters["isodate"] = IsoDateConverter
    api.register_converter(IsoDateConverter, lambda _: {"type": "string", "format": "date"})
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    if app.config.get("BENCH_ENDPOINTS"):  # the floor and naive baselines of bench/; never in production
        from .resources import bench

        api.register_blueprint(bench.blp)
    app.register_blueprint(assets.blp)
    web.init_app(app)  # the pages under /: session login, CSRF; SECRET_KEY generated into var/ if unset
    errors.register(app)
    return app
