"""Verifying the audit trail."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from engine import audit
from engine.identity import ADMIN, AUDITOR

from ..auth import require
from ..schemas import VerifySchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Audit trail")


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerifySchema)
    def get(self):
        """Recompute every hash chain; if `ok` is false, `problems` names each chain's first bad event."""
        require(AUDITOR, ADMIN)
        uow = current_app.extensions["dmflow"].uow(readonly=True)
        with uow:
            return audit.verify(uow.session).as_dict()
