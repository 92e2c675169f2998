"""Deployments and deployed process versions."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from engine import deployments
from engine.errors import BadRequest
from engine.identity import ADMIN, AUDITOR, DESIGNER
from engine.parsing import SourceFile

from ..auth import current_actor, require
from ..extension import uow as _uow
from ..schemas.engine import DeployFilesSchema, DeployFormSchema, DeployResultSchema, ProcessSchema, VersionDetailSchema

blp = Blueprint("deployments", __name__, url_prefix="/api/v1", description="Deploy and read process definitions")


class _MultipartParser(FlaskParser):
    """Reads the form fields of a multipart body together with its files.

    OpenAPI 3 has one requestBody per operation: two `arguments` with body locations (files, form) document
    only one of them and leave the other as an invalid `in: formData` parameter (flask-smorest issue #46).
    """

    # Unknown fields are refused, as they were when the form fields had their own (form) location.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "files": None}

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


blp.ARGUMENTS_PARSER = _MultipartParser()


class DeployUploadSchema(DeployFilesSchema, DeployFormSchema):
    """The multipart body of a deployment: the files and an optional label."""


@blp.route("/deployments")
class Deployments(MethodView):
    @blp.arguments(DeployUploadSchema, location="files")
    @blp.response(201, DeployResultSchema)
    @blp.alt_response(200, schema=DeployResultSchema, description="Nothing changed: identical content")
    def post(self, upload):
        """Deploy BPMN/DMN files with their forms; each changed process gets a new version."""
        actor = require(DESIGNER, ADMIN)
        sources = []
        for file in upload["files"]:
            if not file.filename:
                raise BadRequest("every uploaded file needs a file name")
            sources.append(SourceFile(file.filename.rsplit("/", 1)[-1], file.read()))
        result = deployments.deploy(_uow(), sources, actor=actor, name=upload.get("name"))
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
