"""The Flask application factory: configuration, database, API blueprints, error handling, CLI."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import flask_smorest
from flask import Flask
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.routing import BaseConverter, ValidationError

from engine import tenancy
from engine.clock import SystemClock

from . import assets, auth, bounds, errors, headers, idempotency, web
from .config import Config
from .extension import Services


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


def create_app(config: Mapping[str, Any] | None = None, *, routes: bool = True) -> Flask:
    """Build the app: class defaults, then DMFLOW_* environment variables, then `config` (tests).

    `config` may hold ``CLOCK`` (an `engine.clock.Clock`) to pin the time. ``routes=False`` builds the app
    without the API and the web pages (the CLI's commands need only the services; they start faster).
    """
    app = Flask(__name__)
    app.config.from_object(Config)
    app.config.from_prefixed_env("DMFLOW")
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["dmflow"] = Services(app, app.config.get("CLOCK") or SystemClock())
    if not routes:
        return app

    api = Api(app, spec_kwargs={"info": {"description": "dmflow: BPMN workflows for enterprise democratic "
                                                        "management (职工代表大会, 集体合同, 厂务公开)."}})
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearerAuth": []}]
    from .resources import BLUEPRINTS

    # Each request starts with no organisation and is limited to its caller's once authenticated (engine.tenancy);
    # the teardown clears it, so a thread serving the next request (or a test calling services) starts clean.
    app.before_request(lambda: tenancy.set_current(None))
    app.teardown_request(lambda _exc: tenancy.set_current(None))
    app.before_request(auth.authenticate_first)  # 401 before 422: the token is checked before the body
    idempotency.install(app, api)  # an Idempotency-Key on any POST: a retry answers the first result
    bounds.install(app, api)  # ids beyond the database's INTEGER range are 404s; deep JSON a 422
    app.url_map.converters["isodate"] = IsoDateConverter
    api.register_converter(IsoDateConverter, lambda _: {"type": "string", "format": "date"})
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
    from .resources import clock as rehearsal_clock

    api.register_blueprint(rehearsal_clock.blp)  # GET/POST /api/v1/admin/clock (演练)
    if app.config.get("BENCH_ENDPOINTS"):  # the floor and naive baselines of bench/; never in production
        from .resources import bench

        api.register_blueprint(bench.blp)
    app.register_blueprint(assets.blp)
    web.init_app(app)  # the pages under /: session login, CSRF; SECRET_KEY generated into var/ if unset
    errors.register(app)
    headers.init_app(app)  # CSP, nosniff and friends on every response, API and docs included
    return app
