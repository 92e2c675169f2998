"""Settings per organisation: rule values, the document-number pattern and short name come from the organisation,
else its federation, else the installation's configuration (DMFLOW_RULE_*, DMFLOW_NOTICE_REFERENCE_PATTERN,
DMFLOW_ORG_SHORT_NAME)."""

from __future__ import annotations

from engine import tenancy

from helpers.tenancy import organisation


def test_rules_and_document_numbers_follow_the_organisation_then_its_federation_then_the_installation(
        client, users, services):
    operator = users.headers("operator", "admin")
    fed = organisation(services, "district", kind=tenancy.FEDERATION)
    member = organisation(services, "member", parent=fed)
    own = organisation(services, "own", parent=fed)
    lone = organisation(services, "lone")
    installed = services.rules.proposal_cosigners_min
    for org, settings in ((fed, {"rule_proposal_cosigners_min": installed + 2, "org_short_name": "区总"}),
                          (own, {"rule_proposal_cosigners_min": installed + 4,
                                 "notice_reference_pattern": "{org_short}职代字〔{year}〕第{seq}号",
                                 "org_short_name": "自有"})):
        response = client.patch(f"/api/v1/organisations/{org}", json={"settings": settings}, headers=operator)
        assert response.status_code == 200, response.get_json()
    context = services.runtime.context
    pattern = services.config["NOTICE_REFERENCE_PATTERN"]
    expected = {member: (installed + 2, (pattern, "区总")),
                own: (installed + 4, ("{org_short}职代字〔{year}〕第{seq}号", "自有")),
                lone: (installed, (pattern, services.config["ORG_SHORT_NAME"])),
                None: (installed, (pattern, services.config["ORG_SHORT_NAME"]))}
    for org, (cosigners, reference) in expected.items():
        with tenancy.acting_for(org):
            assert services.rules.proposal_cosigners_min == cosigners, org
            assert context["rules"].proposal_cosigners_min == cosigners, org
            assert context.get("notice_reference") == reference, org
            helpers = services.runtime.script_engine.environment.globals
            assert helpers["rule"]("proposal_cosigners_min") == cosigners, org
