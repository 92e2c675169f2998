"""Notifications: one function, `notify`, turns an event into in-app notices and outbox messages, in the
transaction of the change that causes it (so a rolled-back change notifies nobody).

Who gets what: every active recipient gets an in-app notice unless they turned it off, an e-mail when SMTP
is configured and they have an address and did not turn e-mail off; every configured webhook (a group robot
of WeCom, DingTalk or Feishu) gets one message per event. The outbox is sent by `dmflow worker`
(engine/outbox.py) after the commit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update

from .errors import NotFound
from .models import ANYONE, DEPT_PREFIX, DepartmentMember, HumanTask, TaskCandidate, User, UserRole
from .notification_tables import Notification, NotificationKey, OutboxMessage
from .unit_of_work import UnitOfWork

INAPP, EMAIL, WEBHOOK = "inapp", "email", "webhook"
ALL_CHANNELS = (INAPP, EMAIL, WEBHOOK)
DEFAULT_TEMPLATE = '{"msgtype": "text", "text": {"content": "{title}\\n{body}\\n{link}"}}'
_PLACEHOLDER = re.compile(r"\{(title|body|link|kind|mobiles)\}")


@dataclass(frozen=True)
class Role:
    """A recipient given as every active holder of a role."""

    name: str


@dataclass(frozen=True)
class Webhook:
    """A JSON webhook: ``template`` is JSON text with {title} {body} {link} {kind} placeholders (string
    contents, escaped for JSON) and {mobiles} (a JSON list of the recipients' mobile numbers)."""

    url: str
    template: str = DEFAULT_TEMPLATE
    kinds: frozenset[str] | None = None  # None: every kind

    def render(self, values: dict[str, Any]) -> str:
        def fill(match: re.Match) -> str:
            name = match.group(1)
            if name == "mobiles":
                return json.dumps(values.get("mobiles") or [])
            return json.dumps(str(values.get(name) or ""), ensure_ascii=False)[1:-1]

        text = _PLACEHOLDER.sub(fill, self.template)
        json.loads(text)  # a template that does not give JSON is a configuration error, found at start-up
        return text


@dataclass(frozen=True)
class NotificationSettings:
    """Channels and delivery policy, built by the app from its configuration (never read from the environment here)."""

    smtp_url: str | None = None
    mail_from: str = "dmflow@localhost"
    webhooks: tuple[Webhook, ...] = ()
    base_url: str = "http://127.0.0.1:5000"
    max_attempts: int = 8
    backoff_seconds: float = 30.0
    lease_seconds: float = 300.0
    max_recipients: int = 2000
    timeout_seconds: float = 10.0
    timezone: str = "Asia/Shanghai"  # times in notices are shown in it

    @classmethod
    def parse_webhooks(cls, raw: str | list | None) -> tuple[Webhook, ...]:
        """`DMFLOW_WEBHOOKS`: a JSON list of ``{"url", "template"?, "kinds"?}``. Raises: ValueError."""
        items = json.loads(raw) if isinstance(raw, str) else (raw or [])
        hooks = []
        for item in items:
            if not isinstance(item, dict) or not str(item.get("url", "")).startswith(("http://", "https://")):
                raise ValueError(f"each webhook needs an http(s) 'url': {item!r}")
            template = item.get("template") or DEFAULT_TEMPLATE
            if not isinstance(template, str):
                template = json.dumps(template, ensure_ascii=False)
            hook = Webhook(item["url"], template, frozenset(item["kinds"]) if item.get("kinds") else None)
            hook.render({"title": "t", "body": "b", "link": "l", "kind": "k", "mobiles": []})
            hooks.append(hook)
        return tuple(hooks)


def settings_of(uow: UnitOfWork) -> NotificationSettings:
    return getattr(uow.runtime, "notifications", None) or NotificationSettings()


def _users(uow: UnitOfWork, recipients: Iterable[str | Role], limit: int) -> list:
    names = {r for r in recipients if isinstance(r, str)}
    roles = {r.name for r in recipients if isinstance(r, Role)}
    if not names and not roles:
        return []
    by_role = select(UserRole.user_id).where(UserRole.role.in_(roles))
    query = (select(User.id, User.email, User.mobile, User.notify_inapp, User.notify_email)
             .where(User.active.is_(True), User.username.in_(names) | User.id.in_(by_role))
             .order_by(User.id).limit(limit))
    return list(uow.session.execute(query))


def notify(uow: UnitOfWork, recipients: str | Role | Iterable[str | Role], kind: str, title: str, body: str,
           link: str | None, key: str, *, channels: Iterable[str] = ALL_CHANNELS) -> int:
    """Notify users of an event, inside the caller's open unit of work; returns how many users were reached.

    Args:
        recipients: usernames and/or `Role`s (at most ``max_recipients`` users, the oldest accounts first).
        key: the event's idempotency key; an event whose key was emitted before is ignored, so callers may
            emit the same event again (a worker's daily scan, a retried request) without duplicates.
        channels: a subset of ``("inapp", "email", "webhook")`` (e.g. in-app only for mass notices).
    """
    if isinstance(recipients, (str, Role)):
        recipients = [recipients]
    s, now, cfg, channels = uow.session, uow.now(), settings_of(uow), set(channels)
    if s.get(NotificationKey, key) is not None:
        return 0
    s.add(NotificationKey(key=key, kind=kind, created_at=now))
    users = _users(uow, list(recipients), cfg.max_recipients)
    full_link = cfg.base_url.rstrip("/") + link if link and link.startswith("/") else link
    # Core bulk inserts: a role of hundreds of users costs one statement, not hundreds of ORM flushes.
    notices = [{"user_id": u.id, "kind": kind, "title": title[:300], "body": body, "link": link, "key": key,
                "created_at": now} for u in users if INAPP in channels and u.notify_inapp]
    text = body + (f"\n\n{full_link}" if full_link else "")
    messages = [_outbox(uow, EMAIL, u.email, title, text, f"{key}/email/{u.id}") for u in users
                if EMAIL in channels and cfg.smtp_url and u.email and u.notify_email]
    if WEBHOOK in channels:
        values = {"title": title, "body": body, "link": full_link, "kind": kind,
                  "mobiles": [u.mobile for u in users if u.mobile]}
        messages += [_outbox(uow, WEBHOOK, hook.url, title, hook.render(values), f"{key}/webhook/{index}")
                     for index, hook in enumerate(cfg.webhooks) if hook.kinds is None or kind in hook.kinds]
    if notices:
        s.execute(insert(Notification), notices)
    if messages:
        s.execute(insert(OutboxMessage), messages)
    return len(users)


def _outbox(uow: UnitOfWork, channel: str, recipient: str, subject: str, body: str, key: str) -> dict[str, Any]:
    return {"channel": channel, "recipient": recipient, "subject": subject[:300], "body": body,
            "idempotency_key": key[:300], "status": "pending", "attempts": 0, "next_attempt_at": uow.now(),
            "created_at": uow.now()}


def recipients_of_task(uow: UnitOfWork, task: HumanTask) -> list[str | Role]:
    """Who is told about a ready human task: its assignee, else its candidates (named users, the holders of
    its candidate roles, the members of its candidate departments). Nobody for a task open to anyone."""
    if task.assignee:
        return [task.assignee]
    users, roles, depts = [], [], []
    named = getattr(task, "_dmflow_candidates", None)  # set by assignment.assign_new in this step
    if named is None:
        named = uow.session.execute(select(TaskCandidate.kind, TaskCandidate.name)
                                    .where(TaskCandidate.task_id == task.id).order_by(TaskCandidate.id))
    for kind, name in named:
        if kind == "user":
            users.append(name)
        elif name.startswith(DEPT_PREFIX):
            depts.append(name[len(DEPT_PREFIX):])
        elif name != ANYONE:
            roles.append(Role(name))
    if depts:
        users += uow.session.scalars(select(DepartmentMember.username)
                                     .where(DepartmentMember.department_code.in_(depts)))
    return [*dict.fromkeys(users), *roles]


def task_assigned(uow: UnitOfWork, task: HumanTask, *, by: str) -> None:
    """Tell the new assignee of a delegated or reassigned task (转办/指派) that it is theirs now."""
    name = task.name or task.element_id
    notify(uow, [task.assignee], "task.assigned", f"转办给您的任务：{name}",
           f"{by} 把“{name}”交给您办理。(A task was handed to you.)", f"/tasks/{task.id}",
           f"task.assigned/{task.id}/{task.assignee}/{uow.now().isoformat()}")


def task_ready(uow: UnitOfWork, task: HumanTask, *, skip: str | None = None) -> None:
    """Tell a ready task's recipients that it waits for them (called in the step's transaction); ``skip``:
    the user whose own action made the task theirs needs no notice."""
    name = task.name or task.element_id
    recipients = [r for r in recipients_of_task(uow, task) if r != skip]
    if not recipients:
        return
    notify(uow, recipients, "task.ready", f"待办任务：{name}",
           f"“{name}”已就绪，等待您办理。(A task is waiting for you.)", f"/tasks/{task.id}", f"task.ready/{task.id}")


def _user_id(uow: UnitOfWork, username: str) -> int:
    user_id = uow.session.scalar(select(User.id).where(User.username == username))
    if user_id is None:
        raise NotFound(f"user '{username}' does not exist")
    return user_id


def view(n: Notification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "title": n.title, "body": n.body, "link": n.link,
            "created_at": n.created_at, "read_at": n.read_at, "read": n.read_at is not None}


def listing(uow: UnitOfWork, username: str, *, unread: bool = False, limit: int = 50,
            offset: int = 0) -> dict[str, Any]:
    """A user's notices, newest first, with the total and the unread count."""
    with uow:
        user_id = _user_id(uow, username)
        mine = select(Notification).where(Notification.user_id == user_id)
        if unread:
            mine = mine.where(Notification.read_at.is_(None))
        total = uow.session.scalar(select(func.count()).select_from(mine.subquery()))
        rows = uow.session.scalars(mine.order_by(Notification.id.desc()).limit(limit).offset(offset))
        return {"items": [view(n) for n in rows], "total": total, "unread": _unread(uow, user_id),
                "limit": limit, "offset": offset}


def _unread(uow: UnitOfWork, user_id: int) -> int:
    return uow.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user_id,
                                                                        Notification.read_at.is_(None)))


def unread_count(uow: UnitOfWork, username: str) -> int:
    with uow:
        return _unread(uow, _user_id(uow, username))


def mark_read(uow: UnitOfWork, username: str, notification_id: int) -> dict[str, Any]:
    """Mark one of the user's notices read. Raises: NotFound (also for another user's notice)."""
    with uow:
        row = uow.session.get(Notification, notification_id)
        if row is None or row.user_id != _user_id(uow, username):
            raise NotFound(f"notification {notification_id} does not exist")
        if row.read_at is None:
            row.read_at = uow.now()
        uow.commit()
        return view(row)


def mark_all_read(uow: UnitOfWork, username: str) -> int:
    """Mark every unread notice of the user read; returns how many."""
    with uow:
        result = uow.session.execute(update(Notification).where(
            Notification.user_id == _user_id(uow, username), Notification.read_at.is_(None))
            .values(read_at=uow.now()))
        uow.commit()
        return result.rowcount
