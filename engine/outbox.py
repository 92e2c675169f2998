"""Sending the outbox after commit: claim due rows under a lease, send, then mark each sent or due again.

Guarantees (see the README, "Notifications"): a message exists only if the change that caused it committed;
it is sent at least once, because a row leaves the outbox only when marked sent after a successful send, and a
worker that dies after claiming lets the lease run out so another worker sends it; and each message carries
its idempotency key (the ``Idempotency-Key`` header of a webhook, the ``Message-ID`` of an e-mail) so that a
receiver that saw it already can drop the repeat. On PostgreSQL several workers claim with
``FOR UPDATE SKIP LOCKED`` and never take the same row; SQLite serialises them with BEGIN IMMEDIATE.
"""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from hashlib import sha256
from urllib.parse import unquote, urlsplit

from sqlalchemy import select

from .notification_tables import OutboxMessage
from .notifications import EMAIL, WEBHOOK, NotificationSettings, settings_of
from .unit_of_work import UnitOfWork

log = logging.getLogger("dmflow.outbox")
PENDING, SENT, FAILED = "pending", "sent", "failed"
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class Claimed:
    """What a worker needs to send one message, read while the row was claimed."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    key: str
    attempts: int
    org_id: int | None = None  # the organisation whose change asked for it (a job runs for it)


@dataclass
class Delivery:
    """What one pass over the outbox did."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def claim(uow: UnitOfWork, limit: int = 50) -> list[Claimed]:
    """Take up to `limit` due messages for this worker: count the attempt and move their lease into the future."""
    cfg = settings_of(uow)
    with uow:
        now = uow.now()
        query = (select(OutboxMessage).where(OutboxMessage.status == PENDING, OutboxMessage.next_attempt_at <= now)
                 .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
        if uow.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        taken = []
        for row in uow.session.scalars(query):
            row.attempts += 1
            row.next_attempt_at = now + timedelta(seconds=cfg.lease_seconds)
            taken.append(Claimed(row.id, row.channel, row.recipient, row.subject, row.body, row.idempotency_key,
                                 row.attempts, row.org_id))
        uow.commit()
    return taken


def backoff(cfg: NotificationSettings, attempts: int) -> timedelta:
    """Exponential back-off: base, 2 x base, 4 x base, ... capped at six hours."""
    return min(timedelta(seconds=cfg.backoff_seconds * 2 ** (attempts - 1)), MAX_BACKOFF)


def finish(uow: UnitOfWork, message: Claimed, error: str | None) -> str:
    """Record a send's outcome: sent, due again after the back-off, or failed after the last attempt."""
    cfg = settings_of(uow)
    with uow:
        row = uow.session.get(OutboxMessage, message.id)
        now = uow.now()
        if error is None:
            row.status, row.sent_at, row.last_error = SENT, now, None
        elif message.attempts >= cfg.max_attempts:
            row.status, row.last_error = FAILED, error[:2000]
        else:
            row.next_attempt_at, row.last_error = now + backoff(cfg, message.attempts), error[:2000]
        uow.commit()
        return row.status if row.status != PENDING else "retrying"


def deliver(uow_factory: Callable[[], UnitOfWork], *, limit: int = 50,
            transports: dict[str, Callable[[Claimed], None]] | None = None) -> Delivery:
    """Send the due messages once each (one claim, then one transaction per outcome)."""
    first = uow_factory()
    transports = transports or default_transports(settings_of(first))
    result = Delivery()
    for message in claim(first, limit):
        try:
            send = transports.get(message.channel)
            if send is None:
                raise RuntimeError(f"channel '{message.channel}' is not configured")
            send(message)
            error = None
        except Exception as exc:  # a failing receiver is retried later; the message stays in the outbox
            log.warning("sending outbox message %s failed: %s", message.id, exc)
            error = f"{type(exc).__name__}: {exc}"
        outcome = finish(uow_factory(), message, error)
        {"sent": result.sent, "retrying": result.retrying, "failed": result.failed}[outcome].append(message.id)
    return result


def default_transports(cfg: NotificationSettings) -> dict[str, Callable[[Claimed], None]]:
    found: dict[str, Callable[[Claimed], None]] = {WEBHOOK: lambda m: send_webhook(m, cfg)}
    if cfg.smtp_url:
        found[EMAIL] = lambda m: send_email(m, cfg)
    return found


def send_webhook(message: Claimed, cfg: NotificationSettings) -> None:
    """POST the rendered JSON; any status other than 2xx is a failure (retried)."""
    request = urllib.request.Request(message.recipient, data=message.body.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "Idempotency-Key": message.key, "User-Agent": "dmflow"})
    with urllib.request.urlopen(request, timeout=cfg.timeout_seconds) as response:  # noqa: S310 (admin's URL)
        if not 200 <= response.status < 300:
            raise RuntimeError(f"webhook answered {response.status}")
        reply = response.read(4096)
    try:  # WeCom, DingTalk and Feishu answer 200 with an error code in the body
        answer = json.loads(reply or b"{}")
        code = answer.get("errcode", answer.get("code", 0)) if isinstance(answer, dict) else 0
    except ValueError:
        code = 0
    if code not in (0, None):
        raise RuntimeError(f"webhook refused the message: {reply[:300].decode('utf-8', 'replace')}")


def send_email(message: Claimed, cfg: NotificationSettings) -> None:
    """Send over SMTP (`smtp://[user:password@]host[:port]`, or `smtps://` for TLS from the start)."""
    url = urlsplit(cfg.smtp_url)
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = cfg.mail_from, message.recipient, message.subject
    mail["Date"] = formatdate(localtime=False)
    # The same message always has the same Message-ID, so a repeat after a crash is recognisable as one.
    mail["Message-ID"] = f"<{sha256(message.key.encode()).hexdigest()[:32]}@dmflow>"
    mail["X-Dmflow-Idempotency-Key"] = message.key
    mail.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    with smtp_class(url.hostname, url.port or (465 if url.scheme == "smtps" else 25),
                    timeout=cfg.timeout_seconds) as smtp:
        if url.username:
            smtp.login(unquote(url.username), unquote(url.password or ""))
        smtp.send_message(mail)
