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
        """The federation records the draft negotiated with the employers' side of the region or trade, with the
        floor clauses members' own contracts may not fall below, and starts its procedure (``regional_contract``:
        the officers' first step is the negotiation)."""
        actor = require(OFFICER)
        row = regional.create(_uow(), body, actor=actor, rules=_svc().rules)
        return regional.read(_uow(readonly=True), row.id, actor)


@blp.route("/regional-contracts/<int:contract_id>")
class RegionalContract(MethodView):
    @blp.response(200, fs.RegionalContractSchema)
    def get(self, contract_id):
        """One contract, for its federation or a member enterprise it binds."""
        return regional.read(_uow(readonly=True), contract_id, current_actor())


def _iso(body: dict) -> dict:
    """The body as the step's form takes it (dates as ISO text, objected clause numbers as text)."""
    out = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in body.items()}
    if "clauses" in out and out["clauses"] and not isinstance(out["clauses"][0], dict):
        out["objected_clauses"] = [str(n) for n in out.pop("clauses")]
    return out


def _step(path: str, schema, element_id: str, doc: str, prepare=None) -> None:
    class Step(MethodView):
        @blp.arguments(schema)
        @blp.response(200, fs.RegionalContractSchema)
        def post(self, body, contract_id):
            actor = current_actor()
            data = _iso(body)
            if prepare is not None:
                data = prepare(contract_id, data)
            regional.drive(_uow(), contract_id, element_id, data, actor=actor)
            return regional.read(_uow(readonly=True), contract_id, actor)

    Step.post.__doc__ = doc + " 409 when the contract waits on another step."
    Step.__name__ = Step.__qualname__ = f"Regional{path.title().replace('-', '')}"
    blp.route(f"/regional-contracts/<int:contract_id>/{path}")(Step)


_step("negotiation", fs.NegotiationSchema, "negotiate",
      "A negotiation session (federation_officer): minutes, the revised text and floors if they changed, and the "
      "outcome: continue, or agreed and put to the regional (industry) congress (`congress`) or to each bound "
      "member's congress (`members`; each member's presidium then records its congress's vote from its inbox).",
      prepare=lambda contract_id, data: regional.negotiation_data(_uow(readonly=True), contract_id, data))
_step("adoption", fs.AdoptionSchema, "regional_congress_vote",
      "The regional (or industry) congress's vote (federation_officer): two thirds present, else 422 "
      "`regional_adoption` (集体合同规定 第36条); adopted with the contract adoption majority of all representatives, "
      "otherwise back to negotiation.")
_step("signature", fs.SignatureSchema, "sign", "Both sides signed the adopted text (第37条; federation_officer).")
_step("filing", fs.FilingSchema, "file",
      "Filed once with the labour bureau, on or after the signature (第42条; federation_officer).")
_step("receipt", fs.ReceiptSchema, "register_receipt",
      "The bureau's receipt date (liaison; on or after the filing, 第47条): in force when 15 days pass without "
      "objection (a timer, 劳动合同法 第54条), for every matching member.")
_step("objection", fs.ObjectionSchema, "review",
      "The bureau's review opinion objecting to clauses (liaison; 第45条): back to negotiation, then signature and "
      "filing again (第46条).")
