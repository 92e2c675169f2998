"""Users, roles and tokens (admins), and who am I."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from engine import identity, organisations, passwords, tenancy, user_import
from engine.errors import Forbidden, ValidationFailed
from engine.identity import ADMIN

from ..auth import current_actor, require
from ..extension import uow as _uow
from ..schemas import Schema
from ..schemas import engine as es
from ..schemas.engine import MeSchema, RolesSchema, UserCreatedSchema, UserCreateSchema, UserSchema

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users and roles")


class HealthSchema(Schema):
    status = fields.String()


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.doc(security=[])
    def get(self):
        """Liveness check for load balancers (no authentication)."""
        return {"status": "ok"}


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """The authenticated caller and their roles."""
        actor = current_actor()
        return {"username": actor.username, "roles": sorted(actor.roles)}


@blp.route("/users")
class Users(MethodView):
    @blp.response(200, UserSchema(many=True))
    def get(self):
        """Every user with their roles (admins)."""
        require(ADMIN)
        return identity.list_users(_uow(readonly=True))

    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserCreatedSchema)
    def post(self, body):
        """Create a user; the response holds their first token, shown once (admins)."""
        actor = require(ADMIN)
        org = actor.org_id
        if body["org"] is not None:
            if not organisations.is_operator(actor):
                raise Forbidden("only the installation's administrators create users of another organisation")
            uow = _uow(readonly=True)
            with uow:
                found = tenancy.by_code(uow.session, body["org"])
            if found is None:
                raise ValidationFailed("no such organisation", {"org": [body["org"]]})
            org = found.id
        with tenancy.acting_for(org):
            user, token = identity.create_user(_uow(), body["username"], body["roles"], actor=actor,
                                               display_name=body["display_name"])
        return {"username": user.username, "display_name": user.display_name, "active": True,
                "roles": identity.normalise_roles(body["roles"]), "created_at": user.created_at,
                "token": token}


@blp.route("/users/<username>/roles")
class UserRoles(MethodView):
    @blp.arguments(RolesSchema)
    @blp.response(200, RolesSchema)
    def put(self, body, username):
        """Replace a user's roles (admins)."""
        actor = require(ADMIN)
        return {"roles": identity.set_roles(_uow(), username, body["roles"], actor=actor)}


@blp.route("/users/import")
class UsersImport(MethodView):
    @blp.arguments(es.UsersFileSchema, location="files")
    @blp.response(200, es.UsersImportedSchema)
    def post(self, files):
        """Create or update users from a CSV sheet, all rows or none (admins)."""
        return user_import.import_users(_uow(), files["file"].read(), actor=require(ADMIN))


@blp.route("/users/<username>/password")
class UserPassword(MethodView):
    @blp.arguments(es.PasswordSetSchema)
    @blp.response(200, es.PasswordIssuedSchema)
    def put(self, body, username):
        """Set a user's web password, or generate one when none is given (admins); every session of theirs ends."""
        actor = require(ADMIN)
        chosen = body.get("password")
        password = chosen or passwords.generate_password()
        passwords.set_password(_uow(), username, password, actor=actor)
        return {"username": username, "password": None if chosen else password}


@blp.route("/users/accounts")
class Accounts(MethodView):
    @blp.arguments(es.AccountsCreateSchema)
    @blp.response(201, es.AccountsIssuedSchema)
    def post(self, body):
        """Create many web accounts at once, each with a generated initial password shown once, all or none
        (admins); roles default to representative (职工代表)."""
        return {"accounts": user_import.create_accounts(_uow(), body["accounts"], actor=require(ADMIN))}
