"""Organisations (enterprises and federations): the installation's operator (an admin of its first organisation)
creates and edits them; every other caller sees only their own."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import organisations
from engine.errors import Forbidden, ValidationFailed
from engine.identity import ADMIN
from workflows import calendar_admin

from ..auth import current_actor, require
from ..extension import uow as _uow
from ..org_settings import invalid_settings
from ..schemas import organisations as os_

blp = Blueprint("organisations", __name__, url_prefix="/api/v1/organisations",
                description="Organisations: enterprises and federations")


def _operator():
    actor = require(ADMIN)
    if not organisations.is_operator(actor):
        raise Forbidden("only the installation's administrators manage organisations")
    return actor


def _check_rules(settings: dict | None) -> None:
    wrong = invalid_settings(settings)
    if wrong:
        raise ValidationFailed("a rule value is not valid" if any(k.startswith("rule_") for k in wrong)
                               else "a setting is not valid", {"settings": list(wrong.values())})


@blp.route("")
class Organisations(MethodView):
    @blp.response(200, os_.TenantOrganisationSchema(many=True))
    def get(self):
        """Every organisation (the installation's administrators); one's own organisation for everyone else."""
        return organisations.list_organisations(_uow(readonly=True), current_actor())

    @blp.arguments(os_.TenantOrganisationCreateSchema)
    @blp.response(201, os_.TenantOrganisationSchema)
    def post(self, body):
        """Add an enterprise or a federation (the installation's administrators)."""
        actor = _operator()
        _check_rules(body.get("settings"))
        return organisations.create_organisation(_uow(), actor, body.pop("code"), **body)


@blp.route("/<int:org_id>")
class Organisation(MethodView):
    @blp.response(200, os_.TenantOrganisationSchema)
    def get(self, org_id):
        """One organisation (one's own, or any for the installation's administrators)."""
        return organisations.get_organisation(_uow(readonly=True), current_actor(), org_id)

    @blp.arguments(os_.TenantOrganisationPatchSchema)
    @blp.response(200, os_.TenantOrganisationChangedSchema)
    def patch(self, body, org_id):
        """Change an organisation's name, kind, federation, region, industry, headcount or settings (the
        installation's administrators; anyone else is answered as if it did not exist). A change of the time zone
        it works in (or that the organisations below it inherit) recomputes their waiting deadlines in the same
        transaction; the answer's `deadlines_moved` says how many moved."""
        actor = current_actor()
        if not organisations.is_operator(actor):
            organisations.get_organisation(_uow(readonly=True), actor, org_id)  # 404 for another's
            _operator()
        _check_rules(body.get("settings"))
        return organisations.update_organisation(_uow(), actor, org_id, follow_zone=calendar_admin.follow_zone,
                                                 **body)
