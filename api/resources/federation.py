"""A federation's API: the dashboard over its member enterprises (with CSV and Excel exports), a member's public
records, and regional and industry collective contracts (劳动合同法 第53–55条)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.federation import dashboard, regional, report

from ..auth import current_actor, require
from ..extension import services as _svc
from ..extension import uow as _uow
from ..schemas import federation as fs

blp = Blueprint("federation", __name__, url_prefix="/api/v1/federation",
                description="Federations of trade unions (区/县总工会, 行业工会联合会): member enterprises' status, "
                            "coverage rates, regional and industry collective contracts")
OFFICER = regional.FEDERATION_OFFICER


def _figures() -> dict:
    return dashboard.dashboard(_uow(readonly=True), require(OFFICER), rules=_svc().rules)


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(content, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={filename}; filename*=UTF-8''{filename}"})


@blp.route("/dashboard")
class Dashboard(MethodView):
    @blp.response(200, fs.DashboardSchema)
    def get(self):
        """Each member enterprise's congress, contract, disclosures and overdue steps, and the coverage rates
        (职代会建制率, 集体合同覆盖率, 厂务公开覆盖率). Federation officers only."""
        return _figures()


@blp.route("/report.csv")
class ReportCsv(MethodView):
    @blp.response(200, content_type="text/csv")
    def get(self):
        """The dashboard as the statistical table federations report (CSV, UTF-8 with BOM, Chinese headers)."""
        return _download(report.to_csv(_figures()), "text/csv", "federation-report.csv")


@blp.route("/report.xlsx")
class ReportXlsx(MethodView):
    @blp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    def get(self):
        """The same table as an Excel workbook (sheets 成员单位 and 覆盖率)."""
        return _download(report.to_xlsx(_figures()),
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "federation-report.xlsx")


@blp.route("/members/<int:org_id>")
class MemberRecords(MethodView):
    @blp.response(200, fs.MemberRecordsSchema)
    def get(self, org_id):
        """A member's public records: closed congress sessions, published contracts and disclosures, the regional
        contracts binding it (never ballots or casework). 404 for an organisation that is not a member."""
        return dashboard.member_records(_uow(readonly=True), require(OFFICER), org_id)


@blp.route("/regional-contracts")
class RegionalContracts(MethodView):
    @blp.response(200, fs.RegionalContractSchema(many=True))
    def get(self):
        """A federation officer: the federation's regional and industry contracts. Anyone else: those in force
        for their enterprise."""
        return regional.listing(_uow(readonly=True), current_actor())

    @blp.arguments(fs.RegionalCreateSchema)
    @blp.response(201, fs.RegionalContractSchema)
    def post(self, body):
        """The federation records the text negotiated with the employers' side of the region or trade, with the
        floor clauses members' own contracts may not fall below."""
        actor = require(OFFICER)
        row = regional.create(_uow(), body, actor=actor, rules=_svc().rules)
        return regional.read(_uow(readonly=True), row.id, actor)


@blp.route("/regional-contracts/<int:contract_id>")
class RegionalContract(MethodView):
    @blp.response(200, fs.RegionalContractSchema)
    def get(self, contract_id):
        """One contract, for its federation or a member enterprise it binds."""
        return regional.read(_uow(readonly=True), contract_id, current_actor())


def _step(path: str, schema, action, doc: str) -> None:
    class Step(MethodView):
        @blp.arguments(schema)
        @blp.response(200, fs.RegionalContractSchema)
        def post(self, body, contract_id):
            actor = require(OFFICER)
            action(_uow(), contract_id, body, actor=actor)
            return regional.read(_uow(readonly=True), contract_id, actor)

    Step.post.__doc__ = doc
    Step.__name__ = Step.__qualname__ = f"Regional{path.title()}"
    blp.route(f"/regional-contracts/<int:contract_id>/{path}")(Step)


_step("adoption", fs.AdoptionSchema, lambda uow, i, body, actor: regional.adopt(uow, i, body, actor=actor,
                                                                                   rules=_svc().rules),
      "The regional (or industry) congress's vote: two thirds present, the contract adoption majority of all "
      "representatives in favour (集体合同规定 第36条); 422 `regional_adoption` otherwise.")
_step("signature", fs.SignatureSchema, regional.sign, "Both sides signed the adopted text (第37条).")
_step("filing", fs.FilingSchema, regional.file,
      "Filed once with the labour bureau, on or after the signature (第42条).")
_step("receipt", fs.ReceiptSchema, lambda uow, i, body, actor: regional.register_receipt(uow, i, body, actor=actor,
                                                                                          rules=_svc().rules),
      "The bureau's receipt date (on or after the filing, 第47条); in force 15 days later for every matching "
      "member (劳动合同法 第54条).")
