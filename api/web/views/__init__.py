"""The pages, one module per area; each registers its routes on `core.blp` and its own menu entries."""

from __future__ import annotations

from . import (  # noqa: F401  (routes and menu entries)
    admin,
    cases,
    casework,
    casework_aid,
    casework_appraisal,
    casework_hardship,
    casework_home,
    congress,
    console,
    contract_disputes,
    contract_forms,
    contracts,
    departments,
    design,
    disclosure,
    disclosure_catalogue,
    disclosure_office,
    election_pages,
    elections,
    federation,
    home,
    inspection,
    notices,
    organisations,
    roster,
    session,
    sso,
    work,
)
