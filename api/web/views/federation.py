"""A federation's pages: the dashboard over its member enterprises (charts, a row per member, exports), a member's
public records, and the regional and industry contracts (a member's workers see those binding their enterprise)."""

from __future__ import annotations

from flask import Response

from engine.models import Organisation
from workflows.federation import dashboard, regional, report

from ...extension import services, uow
from ..core import blp, menu, page, render, web_actor

OFFICER = regional.FEDERATION_OFFICER
CHART = (("congress", "fed.rate_congress"), ("contract_members", "fed.rate_contract_members"),
         ("contract_workers", "fed.rate_contract_workers"), ("disclosure", "fed.rate_disclosure"))

menu(76, "web.federation_dashboard", "nav.federation", "federation", lambda actor: actor.has(OFFICER))


def _in_a_federation(actor) -> bool:
    """Officers, and the workers of an enterprise that belongs to a federation (one primary-key read)."""
    if actor.has(OFFICER):
        return True
    with (work := uow(readonly=True)):
        org = work.session.get(Organisation, actor.org_id)
        return org is not None and org.parent_id is not None


menu(77, "web.regional_contracts", "nav.regional_contracts", "regional-contracts", _in_a_federation)


def _figures() -> dict:
    return dashboard.dashboard(uow(readonly=True), web_actor(), rules=services().rules)


@blp.route("/federation")
@page(OFFICER)
def federation_dashboard():
    return render("federation.html", figures=_figures(), chart=CHART)


@blp.route("/federation/report.csv")
@page(OFFICER)
def federation_report_csv():
    return Response(report.to_csv(_figures()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=federation-report.csv"})


@blp.route("/federation/report.xlsx")
@page(OFFICER)
def federation_report_xlsx():
    return Response(report.to_xlsx(_figures()),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=federation-report.xlsx"})


@blp.route("/federation/members/<int:org_id>")
@page(OFFICER)
def federation_member(org_id: int):
    return render("federation_member.html", member=dashboard.member_records(uow(readonly=True), web_actor(), org_id))


@blp.route("/federation/regional-contracts")
@page()
def regional_contracts():
    return render("federation_regional.html", contracts=regional.listing(uow(readonly=True), web_actor()),
                  officer=web_actor().has(OFFICER))
