"""Workers' feedback records: answer deadlines on the legal calendar, late answers escalated, ratings (§3.2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import Conflict, Forbidden, NotFound, TooManyRequests
from engine.identity import Actor
from workflows.disclosure import feedback
from workflows.disclosure.catalogue import DisclosureSettings, seed_catalogue
from workflows.disclosure.tables import Disclosure, DisclosureItem, DisclosureQuestion
from workflows.errors import RuleConflict

WORKER, OTHER = Actor("worker1", frozenset()), Actor("worker2", frozenset({"dept_finance"}))
HR, SUPERVISION = Actor("hr1", frozenset({"dept_hr"})), Actor("sup1", frozenset({"supervision_group"}))


def _disclosure(services, status: str = "feedback_open", until: datetime | None = None) -> int:
    """A published disclosure record without a diagram (the feedback records do not need one)."""
    seed_catalogue(services.uow())
    uow = services.uow()
    with uow:
        item = uow.session.query(DisclosureItem).filter_by(code="social_insurance").one()
        now = uow.now()
        record = Disclosure(item_id=item.id, period=None, title="测试公开", status=status, owner_role="dept_hr",
                            congress_first=False, confidentiality_check=False, feedback_days=7, content="内容",
                            channels_json="[]", draft_version=1, publish_due=now, published_at=now,
                            feedback_until=until or now + timedelta(days=7), rating_until=now + timedelta(days=7),
                            created_at=now, created_by="test", updated_at=now)
        uow.session.add(record)
        uow.commit()
        return record.id


def test_answer_is_due_by_the_legal_calendar_past_public_holidays(services, clock):
    clock.set(datetime(2026, 9, 29, 2, 0, tzinfo=UTC))  # 29 September, 10:00 Beijing time
    did = _disclosure(services)
    question = feedback.ask(services.uow(), did, body="国庆期间谁来答复？", actor=WORKER)
    # 5 days end on 4 October, inside the National Day holiday: the period ends on the next working day.
    assert question.answer_due == datetime(2026, 10, 8, 16, 0, tzinfo=UTC)
    services.runtime.context["disclosure"] = DisclosureSettings(answer_days=1)
    assert feedback.ask(services.uow(), did, body="明天？", actor=WORKER).answer_due == \
        datetime(2026, 9, 30, 16, 0, tzinfo=UTC)


def test_escalation_marks_each_overdue_question_once_across_disclosures(services, clock):
    first, second = _disclosure(services), _disclosure(services)
    ids = [feedback.ask(services.uow(), did, body=f"问题{n}", actor=WORKER).id
           for n, did in enumerate((first, first, second))]
    feedback.answer(services.uow(), first, ids[1], "已答复", actor=HR)
    uow = services.uow()
    with uow:
        assert feedback.escalate_late_answers(uow, clock.now()) == []  # nothing is due yet
        later = clock.now() + timedelta(days=30)
        assert feedback.escalate_late_answers(uow, later, first) == [ids[0]]
        assert feedback.escalate_late_answers(uow, later) == [ids[2]]
        assert feedback.escalate_late_answers(uow, later + timedelta(days=1)) == []
        uow.commit()
    uow = services.uow(readonly=True)
    with uow:
        marked = {q.id: q.escalated_at for q in uow.session.query(DisclosureQuestion)}
    assert marked[ids[1]] is None and marked[ids[0]] and marked[ids[2]]


def test_questions_are_taken_only_while_the_window_is_open__s3_2_feedback(services, clock):
    did = _disclosure(services, until=clock.now() + timedelta(hours=1))
    feedback.ask(services.uow(), did, body="窗口内", actor=WORKER)
    clock.advance(hours=1)
    with pytest.raises(RuleConflict) as err:
        feedback.ask(services.uow(), did, body="窗口外", actor=WORKER)
    assert err.value.rule == "feedback_window"
    with pytest.raises(Forbidden):
        feedback.ask(services.uow(), did, body="审计", actor=Actor("aud", frozenset({"auditor"})))
    drafting = _disclosure(services, status="drafting")
    with pytest.raises(NotFound):  # a draft does not exist for a worker
        feedback.ask(services.uow(), drafting, body="草稿？", actor=WORKER)


def test_ratings_are_counted_per_level_and_one_per_worker(services):
    did = _disclosure(services, status="closed")
    feedback.rate(services.uow(), did, satisfaction="basically_satisfied", comment=None, actor=WORKER)
    feedback.rate(services.uow(), did, satisfaction="satisfied", comment="好", actor=OTHER)
    with pytest.raises(Conflict):
        feedback.rate(services.uow(), did, satisfaction="unsatisfied", comment=None, actor=WORKER)
    seen = feedback.ratings(services.uow(readonly=True), did, SUPERVISION)
    assert seen["summary"] == {"satisfied": 1, "basically_satisfied": 1, "unsatisfied": 0}
    with pytest.raises(Forbidden):
        feedback.ratings(services.uow(readonly=True), did, HR)


def test_questions_per_worker_are_limited_per_disclosure_and_per_hour(services, clock):
    """DMFLOW_DISCLOSURE_QUESTIONS_PER_DISCLOSURE / _PER_HOUR: one worker cannot flood the queue (429)."""
    assert DisclosureSettings.from_config({"DISCLOSURE_QUESTIONS_PER_HOUR": "4"}).questions_per_hour == 4
    services.runtime.context["disclosure"] = DisclosureSettings(questions_per_disclosure=3, questions_per_hour=4)
    first, second = _disclosure(services), _disclosure(services)
    for n in range(3):
        feedback.ask(services.uow(), first, body=f"问题{n}", actor=WORKER)
        clock.advance(minutes=1)
    with pytest.raises(TooManyRequests, match="最多提出 3 条") as err:
        feedback.ask(services.uow(), first, body="第四个", actor=WORKER)
    assert err.value.errors["limit"] == [3]
    feedback.ask(services.uow(), first, body="别人的问题", actor=OTHER)  # the limit is per worker
    feedback.ask(services.uow(), second, body="另一事项", actor=WORKER)  # 4 in the hour
    with pytest.raises(TooManyRequests, match="一小时内最多提出 4 条") as err:
        feedback.ask(services.uow(), second, body="太快", actor=WORKER)
    assert err.value.retry_after == 57 * 60  # the first question leaves the hour 57 minutes from now
    clock.advance(minutes=57)
    assert feedback.ask(services.uow(), second, body="一小时后", actor=WORKER).id
