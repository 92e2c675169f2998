"""The notification outbox against real local servers: an SMTP server (aiosmtpd) and an HTTP webhook receiver.

Written in the step's transaction, sent by the worker after commit: delivered once, retried with back-off
after a receiver failure, never sent for a rolled-back step, and not lost (nor sent twice as far as the
receiver can tell) when a worker dies between claiming and marking a message sent.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from api import create_app
from engine import outbox
from engine.identity import SYSTEM, create_user, set_profile
from engine.notification_tables import Notification, OutboxMessage
from engine.notifications import Role, notify
from engine.runtime import start_instance
from engine.worker import run_once

from helpers.api import deploy_files
from helpers.bpmn import diagram
from helpers.receivers import HttpReceiver, SmtpReceiver

LANE = "union_chair"
DINGTALK = ('{"msgtype": "text", "text": {"content": "{title}\\n{body}\\n{link}"}, '
            '"at": {"atMobiles": {mobiles}}}')


def clerk_task(pid: str = "clerk_task") -> bytes:
    """start -> user task 'reply' in lane union_chair -> end."""
    return diagram(pid, """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reply"/>
      <bpmn:userTask id="reply" name="书面回应"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="reply" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""",
                   lanes=f'<bpmn:lane id="lane_{LANE}" name="{LANE}"><bpmn:flowNodeRef>reply</bpmn:flowNodeRef>'
                         '</bpmn:lane>')


@pytest.fixture
def smtp():
    with SmtpReceiver() as server:
        yield server


@pytest.fixture
def robot():
    with HttpReceiver() as server:
        yield server


@pytest.fixture
def channels_app(db_url, clock, smtp, robot):
    app = create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock, "SMTP_URL": smtp.url,
                      "MAIL_FROM": "dmflow@example.cn", "BASE_URL": "https://dm.example.cn",
                      "WEBHOOKS": json.dumps([{"url": robot.url, "template": DINGTALK}])})
    yield app
    app.extensions["dmflow"].db.dispose()


@pytest.fixture
def svc(channels_app):
    services = channels_app.extensions["dmflow"]
    user, _ = create_user(services.uow(), "chair_li", [LANE], actor=SYSTEM)
    set_profile(services.uow(), "chair_li", {"email": "li@example.cn", "mobile": "13800000001"}, actor=SYSTEM)
    return services


def _emit(uow, key="test.event/1"):
    return notify(uow, Role(LANE), "test.event", "待办任务：书面回应", "请在期限内回应。", "/tasks/x", key)


def _outbox(services):
    uow = services.uow(readonly=True)
    with uow:
        return list(uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_committed_notice_is_delivered_once_by_mail_and_webhook(svc, smtp, robot):
    uow = svc.uow()
    with uow:
        assert _emit(uow) == 1
        uow.commit()
    assert smtp.messages == [] and robot.requests == []  # nothing leaves before the worker runs
    done = run_once(svc.uow)
    assert done.messages_sent == 2
    (mail,) = smtp.messages
    assert mail["To"] == "li@example.cn" and mail["Subject"] == "待办任务：书面回应"
    assert "https://dm.example.cn/tasks/x" in mail.get_content()
    assert mail["X-Dmflow-Idempotency-Key"] == "test.event/1/email/1"
    (post,) = robot.requests
    assert post["json"]["text"]["content"] == "待办任务：书面回应\n请在期限内回应。\nhttps://dm.example.cn/tasks/x"
    assert post["json"]["at"]["atMobiles"] == ["13800000001"]
    assert run_once(svc.uow).messages_sent == 0
    assert len(smtp.messages) == 1 and len(robot.requests) == 1
    assert {m.status for m in _outbox(svc)} == {"sent"}


def test_the_same_event_emitted_twice_is_one_notice(svc, smtp, robot):
    for _ in range(2):
        uow = svc.uow()
        with uow:
            _emit(uow)
            uow.commit()
    run_once(svc.uow)
    assert len(smtp.messages) == 1 and len(robot.requests) == 1
    uow = svc.uow(readonly=True)
    with uow:
        assert uow.session.scalar(select(func.count(Notification.id))) == 1


def test_a_failed_webhook_is_retried_with_back_off(svc, robot, clock):
    robot.statuses = [500]
    uow = svc.uow()
    with uow:
        _emit(uow)
        uow.commit()
    first = outbox.deliver(svc.uow)
    assert len(first.sent) == 1 and len(first.retrying) == 1  # the mail went; the webhook answered 500
    hook = [m for m in _outbox(svc) if m.channel == "webhook"][0]
    assert hook.status == "pending" and hook.attempts == 1 and "500" in hook.last_error
    assert outbox.deliver(svc.uow).sent == []  # not due before the back-off (30 s)
    clock.advance(seconds=31)
    assert outbox.deliver(svc.uow).sent == [hook.id]
    assert len(robot.requests) == 2 and len(robot.logical()) == 1
    clock.advance(seconds=3600)
    assert outbox.deliver(svc.uow).sent == []


def test_back_off_doubles_and_gives_up_after_the_last_attempt(svc, robot, clock):
    robot.statuses = [500] * 20
    uow = svc.uow()
    with uow:
        _emit(uow)
        uow.commit()
    waits = []
    for _ in range(8):
        before = clock.now()
        outbox.deliver(svc.uow)
        hook = [m for m in _outbox(svc) if m.channel == "webhook"][0]
        if hook.status == "failed":
            break
        waits.append((hook.next_attempt_at - before).total_seconds())
        clock.set(hook.next_attempt_at)
    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    assert hook.status == "failed" and hook.attempts == 8 and len(robot.requests) == 8


def test_nothing_is_sent_for_a_rolled_back_step(svc, smtp, robot, channels_app, users_headers):
    assert deploy_files(channels_app.test_client(), users_headers("designer_wu", "designer"),
                        {"t.bpmn": clerk_task()}).status_code == 201
    outer = svc.uow()
    with outer:  # the step runs inside an outer transaction that then fails before committing
        start_instance(outer, "clerk_task", actor=SYSTEM)
        assert outer.session.scalar(select(func.count(OutboxMessage.id))) == 2  # written in the step
    assert _outbox(svc) == []
    assert run_once(svc.uow).messages_sent == 0
    assert smtp.messages == [] and robot.requests == []
    start_instance(svc.uow(), "clerk_task", actor=SYSTEM)  # the same step committed is announced
    assert run_once(svc.uow).messages_sent == 2
    assert smtp.messages[0]["Subject"] == "待办任务：书面回应"


def test_a_worker_killed_after_claiming_loses_nothing(svc, smtp, robot, clock):
    uow = svc.uow()
    with uow:
        _emit(uow)
        uow.commit()
    claimed = outbox.claim(svc.uow())  # the worker claims both messages ... and dies before sending
    assert len(claimed) == 2
    assert run_once(svc.uow).messages_sent == 0  # another worker leaves them alone while the lease runs
    clock.advance(seconds=301)
    assert run_once(svc.uow).messages_sent == 2
    assert len(smtp.messages) == 1 and len(robot.requests) == 1


def test_a_worker_killed_after_sending_repeats_the_message_with_its_key(svc, smtp, robot, clock):
    uow = svc.uow()
    with uow:
        _emit(uow)
        uow.commit()
    for message in outbox.claim(svc.uow()):  # sent, then the worker dies before marking them sent
        outbox.default_transports(svc.runtime.notifications)[message.channel](message)
    clock.advance(seconds=301)
    assert run_once(svc.uow).messages_sent == 2
    assert len(robot.requests) == 2 and len(robot.logical()) == 1  # at least once, one logical message
    assert len(smtp.messages) == 2 and len({m["Message-ID"] for m in smtp.messages}) == 1


def test_a_robot_refusal_in_the_body_is_a_failure(svc, clock):
    with HttpReceiver(reply={"errcode": 310000, "errmsg": "keywords not in content"}) as refusing:
        cfg = svc.runtime.notifications
        message = outbox.Claimed(1, "webhook", refusing.url, "t", "{}", "k", 1)
        with pytest.raises(RuntimeError, match="keywords not in content"):
            outbox.send_webhook(message, cfg)


def test_users_who_turned_email_off_get_in_app_notices_only(svc, smtp):
    set_profile(svc.uow(), "chair_li", {"notify_email": False}, actor=SYSTEM)
    uow = svc.uow()
    with uow:
        _emit(uow)
        uow.commit()
    run_once(svc.uow)
    assert smtp.messages == []
    assert [m.channel for m in _outbox(svc)] == ["webhook"]


def test_a_webhook_template_that_is_not_json_stops_the_start(db_url, clock):
    with pytest.raises(ValueError):
        create_app({"DATABASE_URL": db_url, "TESTING": True, "CLOCK": clock,
                    "WEBHOOKS": '[{"url": "http://127.0.0.1:9/x", "template": "{title"}]'})


@pytest.fixture
def users_headers(channels_app):
    tokens = {}

    def headers(username, *roles):
        if username not in tokens:
            _, tokens[username] = create_user(channels_app.extensions["dmflow"].uow(), username, list(roles),
                                              actor=SYSTEM)
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


def test_two_workers_never_claim_the_same_message_on_postgresql(svc, backend):
    if backend != "postgres":
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises the workers with BEGIN IMMEDIATE")
    uow = svc.uow()
    with uow:
        _emit(uow)
        uow.commit()
    first = svc.uow()
    with first:  # a worker in the middle of its claim holds both rows ...
        held = list(first.session.scalars(select(OutboxMessage).with_for_update()))
        assert len(held) == 2
        assert outbox.claim(svc.uow()) == []  # ... and the other skips them instead of waiting or taking them
    assert len(outbox.claim(svc.uow())) == 2
