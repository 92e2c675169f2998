"""Verifying the audit trail; signed checkpoints and their witnesses."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import checkpoints
from engine.identity import ADMIN, AUDITOR
from engine.verification import verify_organisation

from ..auth import require
from ..extension import services, uow
from ..schemas.audit import CheckpointQuerySchema, CheckpointSchema, CountersignSchema, WitnessSignatureSchema
from ..schemas.engine import VerifySchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit trail")


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerifySchema)
    def get(self):
        """Recompute every hash chain and compare stored state with it; `problems` names each disagreement. The
        installation's first organisation verifies every organisation's chains; any other, its own only."""
        actor = require(AUDITOR, ADMIN)
        work = uow(readonly=True)
        with work:
            return verify_organisation(work.session, actor.org_id, public_key=services().public_key()).as_dict()


@blp.route("/checkpoints")
class Checkpoints(MethodView):
    @blp.arguments(CheckpointQuerySchema, location="query")
    @blp.response(200, CheckpointSchema(many=True))
    def get(self, args):
        """Signed checkpoints, newest first, with the witnesses who countersigned them."""
        require(AUDITOR, ADMIN)
        return checkpoints.list_checkpoints(uow(readonly=True), limit=args["limit"])


@blp.route("/checkpoints/<int:seq>/countersignatures")
class Countersignatures(MethodView):
    @blp.arguments(CountersignSchema)
    @blp.response(201, WitnessSignatureSchema)
    def post(self, body, seq):
        """Store a witness's signature of a checkpoint; it must verify with a configured witness key."""
        actor = require(AUDITOR, ADMIN)
        return checkpoints.add_countersignature(uow(), seq, body["signature"], services().witness_keys(),
                                                actor=actor.username, witness=body["witness"])
