"""The rehearsal clock (演练): read it, and move the installation's time forward when rehearsal is on."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from engine import organisations, rehearsal
from engine.errors import Conflict, Forbidden
from engine.identity import ADMIN, AUDITOR

from ..auth import require
from ..extension import services
from ..extension import uow as _uow
from ..schemas import Schema

blp = Blueprint("clock", __name__, url_prefix="/api/v1/admin", description="Rehearsal clock (演练)")


class ClockSchema(Schema):
    rehearsal = fields.Boolean(metadata={"description": "DMFLOW_REHEARSAL is on"})
    now = fields.DateTime(metadata={"description": "the installation's time (UTC)"})
    offset_seconds = fields.Float(metadata={"description": "how far the clock is ahead of real time"})


class AdvanceSchema(Schema):
    advance = fields.String(required=True, validate=validate.Length(min=2, max=40),
                            metadata={"description": "an ISO-8601 duration: P16D, PT36H, P1W2D"})


def _state() -> dict:
    clock = services().clock
    offset = clock.offset().total_seconds() if isinstance(clock, rehearsal.RehearsalClock) else 0.0
    return {"rehearsal": services().rehearsal, "now": clock.now(), "offset_seconds": offset}


@blp.route("/clock")
class Clock(MethodView):
    @blp.response(200, ClockSchema)
    def get(self):
        """The installation's time and, in rehearsal, how far it was moved forward."""
        require(ADMIN, AUDITOR)
        return _state()

    @blp.arguments(AdvanceSchema)
    @blp.response(200, ClockSchema)
    def post(self, body):
        """Move the installation's clock forward (rehearsal only; audited); due timers fire at the next worker
        pass, oldest first."""
        actor = require(ADMIN)
        if not organisations.is_operator(actor):  # the clock is the whole installation's, not one enterprise's
            raise Forbidden("只有系统运维管理员（第一个组织的管理员）可以调整时钟 / only the installation's operator "
                            "(an admin of its first organisation) moves the clock")
        delta = rehearsal.parse_duration(body["advance"])
        if not services().rehearsal:
            raise Conflict("只有演练环境可以调整时钟 / the clock can be moved only in rehearsal "
                           "(DMFLOW_REHEARSAL=true)", {"advance": ["rehearsal mode is off"]})
        rehearsal.advance(_uow(), delta, actor=actor.username)
        return _state()
