"""Departments: the organisational units whose people a task may name as its candidates (admins manage them)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import departments

from ..auth import current_actor, require
from ..extension import uow as _uow
from ..schemas import departments as ds

blp = Blueprint("departments", __name__, url_prefix="/api/v1/departments", description="Departments and members")


@blp.route("")
class Departments(MethodView):
    @blp.response(200, ds.DepartmentSchema(many=True))
    def get(self):
        """Every department with its members and heads (for pickers and the admin page)."""
        current_actor()
        return departments.list_departments(_uow(readonly=True))


@blp.route("/<code>")
class Department(MethodView):
    @blp.arguments(ds.DepartmentSaveSchema)
    @blp.response(200, ds.DepartmentSavedSchema)
    def put(self, body, code):
        """Create or replace a department and its members (admins). Every member must be a user."""
        return departments.save_department(_uow(), code[:50], actor=require("admin"), **body)


@blp.route("/import")
class DepartmentImport(MethodView):
    @blp.arguments(ds.DepartmentFileSchema, location="files")
    @blp.response(200, ds.DepartmentSavedSchema(many=True))
    def post(self, files):
        """Import departments from a CSV sheet, all or nothing (admins)."""
        return departments.import_csv(_uow(), files["file"].read(), actor=require("admin"))
