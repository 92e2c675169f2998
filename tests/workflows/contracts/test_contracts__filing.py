"""Collective contracts: filing with the labour administration and its review (第42–47条)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from engine.errors import Forbidden
from engine.models import AuditEvent
from workflows.contracts import filing as contract_filing
from workflows.errors import RuleViolation

from helpers.contracts import UNION, check, local

# ---------------------------------------------------------------- filing and review (第42–47条)

def test_filing_before_signature_is_refused_art42(deal):
    deal.adopt()
    with pytest.raises(RuleViolation) as exc:
        deal.file()
    check(exc, "signature_before_filing", "第42条")
    deal.sign()
    with pytest.raises(Forbidden, match="第42条"):  # the employer files
        contract_filing.file_contract(deal.s.uow(), deal.id, deal.filing_body(), actor=UNION)
    assert deal.file().number == 1


def test_filing_within_10_days_reminds_then_escalates_art42(deal, clock):
    deal.adopt()
    clock.set(local("2026-03-23"))
    deal.sign()
    deadline = deal.detail()["deadlines"]["filing"]
    assert deadline["last_day"] == "2026-04-02"
    deal.at(local("2026-03-30", "23:00"))
    assert "contract.reminder" not in deal.events()
    deal.at(local("2026-03-31", "00:30"))  # three days before the deadline
    assert "contract.reminder" in deal.events() and "contract.filing_overdue" not in deal.events()
    deal.at(local("2026-04-03", "00:30"))
    assert "contract.filing_overdue" in deal.events()
    assert deal.ready() == ["supervise_filing"]
    deal.file()  # a late filing is still accepted; the overdue stays on record
    assert sorted(deal.ready()) == ["register_receipt", "supervise_filing"]


def test_wage_agreement_filed_within_7_days_art42(deal, clock):
    deal.adopt("wage")
    clock.set(local("2026-03-23"))
    deal.sign()
    assert deal.detail()["deadlines"]["filing"]["last_day"] == "2026-03-30"


def test_filing_package_holds_what_art42_and_local_rules_ask_for(deal):
    deal.adopt("wage")
    deal.sign()
    with pytest.raises(RuleViolation) as exc:
        deal.file(wage_information=None, legal_status=[])
    check(exc, "filing_package_complete", "第42条")
    assert set(exc.value.errors["missing"]) == {"wage_information", "legal_status_of_parties"}
    filing = deal.file()
    package = json.loads(filing.package_json)
    assert package["copies"] == 3 and all(package["checklist"].values())
    assert package["contract"]["clauses"][0]["text"] == "工资每年增长5%。"
    assert package["congress_resolution"]["result"]["present"] == 10
    assert package["congress_resolution"]["result"]["for"] == 8
    assert {r["side"] for r in package["representatives"]} == {"union", "employer"}
    assert {c["credential"] for c in package["chief_credentials"]} == {"union_chair", "legal_representative"}
    assert package["negotiation"]["meetings"][0]["union_signed_by"] == "chief_u"
    assert package["wage_information"]["adjustment_ratio"] == 5.0
    assert contract_filing.package_sha256(package) == filing.sha256
    with (uow := deal.s.uow(readonly=True)):
        event = uow.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "contract.filing_package"))
        assert json.loads(event.payload)["sha256"] == filing.sha256
    assert filing.sha256 in filing.package_html and "职工代表大会决议" in filing.package_html


def test_contract_effective_when_no_objection_in_15_days_art47(deal, clock):
    deal.signed_and_filed()
    clock.set(local("2026-04-01"))
    deal.receive("2026-04-01")
    assert deal.detail()["deadlines"]["review"]["last_day"] == "2026-04-16"
    assert deal.at(local("2026-04-16", "23:00")) == []
    assert deal.contract.stage == "under_review"
    assert deal.at(local("2026-04-17", "00:10")) == [deal.contract.instance_id]
    contract = deal.contract
    assert contract.stage == "effective" and contract.effective_at == local("2026-04-17", "00:00")
    assert contract.expires_on == dt.date(2029, 4, 16) and deal.ready() == ["publish"]


def test_objection_sends_clauses_back_to_negotiation_and_refiling_art46(deal, clock):
    deal.signed_and_filed()
    deal.receive()
    deal.object([1])
    contract = deal.detail()
    assert contract["stage"] == "negotiating" and contract["objections"][0]["clauses"] == [1]
    deal.meeting(held_on="2026-03-25")
    deal.agree(deal.draft("工资每年增长不低于当地最低工资调整幅度。"))
    assert deal.contract.stage == "signing"  # renegotiated objections are signed again, not re-adopted (第46条)
    deal.sign()
    refiled = deal.file()
    package = json.loads(refiled.package_json)
    assert refiled.number == 2 and package["review_objections"][0]["clauses"] == [1]
    assert package["changes_since_previous_filing"][0]["status"] == "changed"
    deal.clock.set(local("2026-03-26"))
    deal.receive()
    assert deal.at(local("2026-04-10", "23:00")) == []
    assert deal.at(local("2026-04-11", "01:00")) == [deal.contract.instance_id]
    assert deal.contract.stage == "effective"


def test_receipt_before_filing_or_signature_is_refused_art42_art47(deal, clock):
    """The bureau cannot receive the text before it was filed (after signature): 422 naming 第42条、第47条."""
    clock.set(local("2026-03-23"))
    deal.signed_and_filed()
    with pytest.raises(RuleViolation) as exc:
        deal.receive("2026-03-22")  # signed and filed on 03-23
    check(exc, "receipt_after_filing", "第47条")
    assert "第42条" in exc.value.message and deal.contract.stage == "filed"
    assert deal.ready() == ["register_receipt"]
    deal.receive("2026-03-23")
    assert deal.contract.stage == "under_review"
