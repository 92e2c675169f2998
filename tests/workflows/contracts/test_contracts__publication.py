"""Collective contracts: publication, renewal and expiry (第48条, 第38条)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from workflows.contracts import request
from workflows.errors import RuleViolation

from helpers.contracts import EMPLOYER, SHANGHAI, UNION, check, local

# ---------------------------------------------------------------- publication and term (第48条, 第38条)

def effective(deal, clock, kind: str = "comprehensive") -> None:
    """Received on Wed 2026-05-06: the review's last day is 05-21, effective at 00:00 on 05-22."""
    deal.signed_and_filed(kind)
    clock.set(local("2026-05-06", "09:00"))
    deal.receive()
    deal.at(local("2026-05-22", "00:10"))
    assert deal.contract.stage == "effective"


def test_publication_within_10_days_of_effect_art48(deal, clock):
    effective(deal, clock)
    due = deal.detail()["deadlines"]["publication"]
    assert due["last_day"] == "2026-06-01"  # effective 05-22, + 10 days
    deal.at(local("2026-06-02", "01:00"))
    assert deal.events().count("contract.reminder") == 1  # the missed publication
    assert deal.ready() == ["publish"]  # the reminder does not replace the publication
    deal.complete("publish", {"channels": ["notice_board"], "published_on": "2026-06-02"}, UNION)
    contract = deal.contract
    assert contract.stage == "published" and "职工代表大会" in contract.notice_html
    with (uow := deal.s.uow(readonly=True)):
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "contract.notice_published"))
        assert json.loads(event.payload)["sha256"] == contract.notice_sha256


def publish(deal) -> None:
    today = deal.clock.now().astimezone(SHANGHAI).date().isoformat()
    deal.complete("publish", {"channels": ["intranet"], "published_on": today}, UNION)


def test_renewal_window_opens_three_months_before_expiry_art38(deal, clock):
    effective(deal, clock)
    publish(deal)
    assert deal.contract.expires_on == dt.date(2029, 5, 21)
    with pytest.raises(RuleViolation) as exc:
        request.request_renewal(deal.s.uow(), deal.id, {"topics": ["续订"], "text": "要求续订"}, actor=EMPLOYER,
                                  rules=deal.s.rules)
    check(exc, "renewal_window", "第38条")
    assert deal.at(local("2029-02-20", "12:00")) == []
    deal.at(local("2029-02-21", "00:10"))
    assert deal.contract.stage == "renewal_window"
    new = request.request_renewal(deal.s.uow(), deal.id, {"topics": ["续订"], "text": "要求续订"}, actor=EMPLOYER,
                                    rules=deal.s.rules)
    assert new.previous_contract_id == deal.id and new.requesting_side == "employer"
    assert new.instance_id != deal.contract.instance_id and deal.instance()["status"] == "completed"
    assert deal.contract.stage == "renewed"


def test_wage_agreement_renewal_window_is_60_days_art38(deal, clock):
    effective(deal, clock, "wage")
    publish(deal)
    expires = deal.contract.expires_on
    deal.at(dt.datetime.combine(expires - dt.timedelta(days=61), dt.time(12), SHANGHAI))
    assert deal.contract.stage == "published"
    deal.at(dt.datetime.combine(expires - dt.timedelta(days=60), dt.time(0, 10), SHANGHAI))
    assert deal.contract.stage == "renewal_window"


def test_contract_expires_without_renewal_art38(deal, clock):
    effective(deal, clock)
    publish(deal)
    deal.at(local("2029-02-21", "00:10"))
    assert deal.at(local("2029-05-21", "23:59")) == []
    deal.at(local("2029-05-22", "00:10"))
    assert deal.contract.stage == "expired" and deal.instance()["status"] == "completed"


def test_publication_before_effect_is_refused_art48(deal, clock):
    effective(deal, clock)  # effective on 2026-05-22
    with pytest.raises(RuleViolation) as exc:
        deal.complete("publish", {"channels": ["notice_board"], "published_on": "2026-05-21"}, UNION)
    check(exc, "publication_after_effect", "第48条")
    assert deal.ready() == ["publish"]


def test_wage_agreement_published_within_5_days_of_effect_wage_measures(deal, clock):
    """工资集体协商试行办法: a wage agreement is published to the workers within 5 days of its effect."""
    effective(deal, clock, "wage")
    due = deal.detail()["deadlines"]["publication"]
    assert due["last_day"] == "2026-05-27"  # effective 05-22, + 5 days (not the 10 of other contracts)
    deal.at(local("2026-05-28", "01:00"))
    assert deal.events().count("contract.reminder") == 1
    deal.complete("publish", {"channels": ["notice_board"], "published_on": "2026-05-28"}, UNION)
    assert deal.contract.stage == "published" and "工资专项集体合同" in deal.contract.notice_html
