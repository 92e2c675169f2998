"""The app's extension: what every request needs (`Services`), and one unit of work per request.

Resources and pages reach the database engine, clock, rules and calendar through `services()` and run a
state change and its response view in one transaction (one BEGIN, one COMMIT) through `act_then_view`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app, g, has_request_context
from sqlalchemy.exc import DBAPIError

from engine import signin, tenancy
from engine.budget import Limits
from engine.clock import Clock
from engine.db import make_engine
from engine.errors import DmflowError
from engine.messages import route_thrown
from engine.notifications import NotificationSettings
from engine.rehearsal import RehearsalClock
from engine.sandbox import make_script_engine
from engine.serialization import SpecCache
from engine.signing import load_private_key, public_b64
from engine.steps import RuntimeConfig
from engine.unit_of_work import UnitOfWork
from workflows import calendar_admin
from workflows.calendar import LegalCalendar
from workflows.catalog import handlers, script_helpers
from workflows.congress.ballot_keys import BallotKeys
from workflows.disclosure.catalogue import DisclosureSettings
from workflows.hooks import task_event, validate_task
from workflows.rules import Rules


def notification_settings(cfg: Mapping[str, Any]) -> NotificationSettings:
    """The notification channels of the configuration (a bad DMFLOW_WEBHOOKS stops the start with its reason)."""
    return NotificationSettings(
        smtp_url=cfg.get("SMTP_URL") or None, mail_from=cfg["MAIL_FROM"],
        webhooks=NotificationSettings.parse_webhooks(cfg.get("WEBHOOKS")), base_url=cfg["BASE_URL"],
        max_attempts=int(cfg["NOTIFY_MAX_ATTEMPTS"]), backoff_seconds=float(cfg["NOTIFY_BACKOFF_SECONDS"]),
        lease_seconds=float(cfg["NOTIFY_LEASE_SECONDS"]), max_recipients=int(cfg["NOTIFY_MAX_RECIPIENTS"]),
        timezone=cfg["TIMEZONE"])


CALENDAR_RETRY_SECONDS = 5.0  # how soon a failed calendar refresh is tried again


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("1", "true", "yes", "on")


class OrganisationContext(dict):
    """The runtime context of the layers above: ``rules``, ``calendar`` and ``notice_reference`` are the current
    organisation's (read at each use) unless a value is set for them explicitly; the rest is the installation's."""

    DYNAMIC = ("rules", "calendar", "notice_reference")

    def __init__(self, services: Services, values: dict[str, Any]):
        super().__init__(values)
        self._services = services

    def _dynamic(self, key: str) -> Any:
        if key == "rules":
            return self._services.rules
        return self._services.calendar if key == "calendar" else self._services.notice_reference()

    def _is_dynamic(self, key: object) -> bool:
        return key in self.DYNAMIC and not super().__contains__(key)

    def __getitem__(self, key: str) -> Any:
        return self._dynamic(key) if self._is_dynamic(key) else super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self._dynamic(key) if self._is_dynamic(key) else super().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.DYNAMIC or super().__contains__(key)


class Services:
    """What every request needs: the database engine, the clock and the runtime configuration."""

    def __init__(self, app: Flask, clock: Clock):
        cfg = self.config = app.config
        self.db = make_engine(cfg["DATABASE_URL"])
        self.rehearsal = _flag(cfg.get("REHEARSAL"))
        # In rehearsal every process reads the offset an admin set from the database, so all agree on the time.
        self.clock = RehearsalClock(clock, self.db) if self.rehearsal else clock
        self._rule_config = {k[len("RULE_"):].lower(): v for k, v in cfg.items() if k.startswith("RULE_")}
        self.installation_rules = Rules.from_mapping(self._rule_config, prefix="")
        self._org_rules: dict[int, tuple[dict, Rules]] = {}
        self.calendars = calendar_admin.Calendars(cfg["TIMEZONE"])
        self._calendar_loaded, self._calendar_ttl = 0.0, float(cfg["CALENDAR_REFRESH_SECONDS"])
        helpers = script_helpers(lambda: self.calendar, lambda: self.rules)
        limits = Limits(seconds=float(cfg["SCRIPT_TIME_MS"]) / 1000, operations=int(cfg["SCRIPT_OPERATIONS"]),
                        max_items=int(cfg["SCRIPT_MAX_ITEMS"]), max_int_bits=int(cfg["SCRIPT_MAX_INT_BITS"]))
        engine = make_script_engine(helpers=helpers, services=handlers(), limits=limits)
        self.runtime = RuntimeConfig(script_engine=engine,
                                     router=route_thrown, task_validator=validate_task, task_listener=task_event,
                                     context=OrganisationContext(self, {
                                         "calendars": self.calendars,
                                         "disclosure": DisclosureSettings.from_config(cfg),
                                         "ballot_keys": BallotKeys(cfg["BALLOT_KEY_DIR"])}),
                                     spec_cache=SpecCache(int(cfg["SPEC_CACHE_SIZE"])),
                                     max_tree_depth=int(cfg["MAX_TREE_DEPTH"]),
                                     notifications=notification_settings(cfg),
                                     deferred_jobs=str(cfg.get("DEFERRED_JOBS") or
                                                       ("inline" if cfg.get("TESTING") else "background")))
        self.signin_policy = signin.Policy(
            per_user=int(cfg["LOGIN_MAX_FAILURES_PER_USER"]), per_address=int(cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
            window_seconds=int(cfg["LOGIN_WINDOW_SECONDS"]), lockout_seconds=int(cfg["LOGIN_LOCKOUT_SECONDS"]))

    def settings(self) -> dict[str, Any]:
        """The current organisation's own settings over its federations' (engine.tenancy); empty outside one."""
        return tenancy.effective_settings(self.db, tenancy.current())

    @property
    def rules(self) -> Rules:
        """The rules in force for the current organisation: its rule_<name> settings (or its federation's) over
        the installation's DMFLOW_RULE_* configuration (built once per change of its settings)."""
        org = tenancy.current()
        overrides = {k[len("rule_"):]: v for k, v in self.settings().items() if k.startswith("rule_")}
        if org is None or not overrides:
            return self.installation_rules
        cached = self._org_rules.get(org)
        if cached is None or cached[0] != overrides:
            cached = self._org_rules[org] = (overrides, Rules.from_mapping({**self._rule_config, **overrides},
                                                                            prefix=""))
        return cached[1]

    @property
    def calendar(self) -> LegalCalendar:
        """The legal calendar of the current organisation: its time zone and its, its federations' and the
        installation's override days (the installation's first organisation's outside any organisation)."""
        return self.calendar_of(tenancy.current())

    def calendar_of(self, org_id: int | None) -> LegalCalendar:
        """An organisation's legal calendar (see `calendar`)."""
        return self.calendars.of(self.db, org_id)

    def zone(self) -> str:
        """The current organisation's time zone (IANA key): its setting, its federations', DMFLOW_TIMEZONE."""
        return self.calendar.tz.key

    def notice_reference(self) -> tuple[str, str]:
        """(document-number pattern, short name) of the current organisation's resolution notices."""
        own = self.settings()
        return (str(own.get("notice_reference_pattern") or self.config["NOTICE_REFERENCE_PATTERN"]),
                str(own.get("org_short_name") or self.config.get("ORG_SHORT_NAME") or ""))

    def signing_key(self):
        """The checkpoint signing key from SIGNING_KEY_FILE. Raises: ValidationFailed (no key: run keygen)."""
        return load_private_key(self.config["SIGNING_KEY_FILE"])

    def public_key(self) -> str | None:
        """The signing key's public half (base64), or None while no key file exists."""
        try:
            return public_b64(self.signing_key())
        except DmflowError:
            return None

    def witness_keys(self) -> dict[str, str]:
        """Configured witnesses: name -> public key (WITNESS_KEYS, a mapping or its JSON text)."""
        keys = self.config.get("WITNESS_KEYS") or {}
        return json.loads(keys) if isinstance(keys, str) else dict(keys)

    def uow(self, *, readonly: bool = False) -> UnitOfWork:
        self.refresh_calendar()
        work = UnitOfWork(self.db, self.clock, readonly=readonly, runtime=self.runtime)
        if has_request_context() and g.get("idempotency") is not None:
            from .idempotency import mark_committed

            work.before_commit.append(mark_committed)
        return work

    def refresh_calendar(self, force: bool = False) -> None:
        """Apply the admin-entered calendar table; other processes pick up a change within a minute."""
        now = time.monotonic()
        if not force and now - self._calendar_loaded < self._calendar_ttl:
            return
        self._calendar_loaded = now
        try:
            calendar_admin.refresh(UnitOfWork(self.db, self.clock, readonly=True), self.calendars)
        except DBAPIError:
            # Schema not migrated yet (e.g. during `dmflow db upgrade`): the failure is cached too, for a few
            # seconds, so that no unit of work pays for a failing query on every request.
            self._calendar_loaded = now - self._calendar_ttl + min(self._calendar_ttl, CALENDAR_RETRY_SECONDS)


def services():
    """The app's `api.Services` (database engine, clock, runtime configuration, rules, calendar)."""
    return current_app.extensions["dmflow"]


def uow(readonly: bool = False) -> UnitOfWork:
    """A new unit of work of the current app (``readonly`` begins a deferred transaction on SQLite)."""
    return services().uow(readonly=readonly)


def act_then_view(action: Callable[[UnitOfWork], Any], view: Callable[[UnitOfWork, Any], Any]) -> Any:
    """Run `action(uow)`, commit, and build the answer with `view(uow, result)` from what it produced.

    The engine's services open the unit of work themselves; inside an outer block they join it (their own
    commit waits for the outer one). The view runs after the commit (the write lock is already released), from
    the step's own objects (`UnitOfWork.last_step`), and reads, if it must, in a read-only transaction; a keyed
    request (Idempotency-Key) builds its answer before the commit instead, since the answer is stored with the
    change, in the same transaction.
    """
    from . import idempotency

    work = uow()
    with work:
        result = action(work)
        if g.get("idempotency") is None:
            work.commit()
            work.read_after_commit()
            return view(work, result)
        shown = view(work, result)
        idempotency.record(work, shown)  # a keyed create's first answer commits with the create
        work.commit()
    return shown
