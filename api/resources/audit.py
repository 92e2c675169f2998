"""Verifying the audit trail."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import audit
from engine.identity import ADMIN, AUDITOR

from ..auth import require
from ..extension import uow
from ..schemas.engine import VerifySchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit trail")


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerifySchema)
    def get(self):
        """Recompute every hash chain; if `ok` is false, `problems` names each chain's first bad event."""
        require(AUDITOR, ADMIN)
        work = uow(readonly=True)
        with work:
            return audit.verify(work.session).as_dict()
