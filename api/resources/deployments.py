"""Deployments and deployed process versions."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from engine import deployments
from engine.errors import BadRequest
from engine.identity import ADMIN, AUDITOR, DESIGNER
from engine.parsing import SourceFile

from ..auth import current_actor, require
from ..schemas import DeployFilesSchema, DeployFormSchema, DeployResultSchema, ProcessSchema, VersionDetailSchema

blp = Blueprint("deployments", __name__, url_prefix="/api/v1", description="Deploy and read process definitions")


def _uow(readonly=False):
    return current_app.extensions["dmflow"].uow(readonly=readonly)


@blp.route("/deployments")
class Deployments(MethodView):
    @blp.arguments(DeployFilesSchema, location="files")
    @blp.arguments(DeployFormSchema, location="form")
    @blp.response(201, DeployResultSchema)
    @blp.alt_response(200, schema=DeployResultSchema, description="Nothing changed: identical content")
    def post(self, files, form):
        """Deploy BPMN/DMN files with their forms; each changed process gets a new version."""
        actor = require(DESIGNER, ADMIN)
        sources = []
        for upload in files["files"]:
            if not upload.filename:
                raise BadRequest("every uploaded file needs a file name")
            sources.append(SourceFile(upload.filename.rsplit("/", 1)[-1], upload.read()))
        result = deployments.deploy(_uow(), sources, actor=actor, name=form.get("name"))
        body = {"deployment_id": result.deployment_id, "created": result.created, "versions": result.versions,
                "warnings": result.warnings}
        return body, 201 if result.created else 200


@blp.route("/processes")
class Processes(MethodView):
    @blp.response(200, ProcessSchema(many=True))
    def get(self):
        """Every deployed process with its versions."""
        current_actor()
        return deployments.list_processes(_uow(readonly=True))


@blp.route("/processes/<process_id>/versions/<int:version>")
class ProcessVersion(MethodView):
    @blp.response(200, VersionDetailSchema)
    def get(self, process_id, version):
        """One version: lanes, user tasks and their forms."""
        current_actor()
        return deployments.get_version(_uow(readonly=True), process_id, version)


@blp.route("/processes/<process_id>/versions/<int:version>/bpmn")
class ProcessVersionXml(MethodView):
    @blp.response(200, content_type="application/xml")
    def get(self, process_id, version):
        """The BPMN XML of a version, as deployed."""
        actor = current_actor()
        if not actor.roles:
            require(DESIGNER, ADMIN, AUDITOR)
        _, content = deployments.get_file(_uow(readonly=True), process_id, version)
        return Response(content, mimetype="application/xml")
