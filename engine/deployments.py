"""Deploying BPMN/DMN/form files as immutable process versions, and reading them back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select

from . import tenancy
from .audit import SYSTEM_CHAIN
from .errors import NotFound
from .identity import Actor
from .models import Deployment, DeploymentFile, ProcessVersion
from .parsing import SourceFile, parse
from .serialization import SERIALIZER
from .timers import register_schedules, timer_start_events
from .unit_of_work import UnitOfWork


@dataclass
class DeployResult:
    deployment_id: int | None
    versions: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def created(self) -> bool:
        return any(v["created"] for v in self.versions)


def deploy(uow: UnitOfWork, files: list[SourceFile], *, actor: Actor, name: str | None = None) -> DeployResult:
    """Parse, validate and store the files; each changed executable process gets a new version.

    A process whose content (spec, called processes and forms) is identical to a deployed version
    is reported with that version and `created: false`; nothing is stored when nothing changed.

    Raises:
        InvalidDiagram: the files cannot be deployed (nothing is stored).
        Conflict: another deployment of the same process committed first.
    """
    runtime = uow.runtime
    services = set(runtime.script_engine.environment.services) if runtime is not None else None
    parsed = parse(files, SERIALIZER, services)  # CPU work outside the transaction keeps the write lock short
    org = tenancy.current() or tenancy.DEFAULT_ORG  # a designer deploys for their own organisation
    with uow, tenancy.acting_for(org):
        s = uow.session
        result = DeployResult(deployment_id=None, warnings=parsed.warnings)
        deployment = None
        for proc in parsed.processes:
            existing = s.scalar(select(ProcessVersion).where(ProcessVersion.org_id == org,
                                                             ProcessVersion.process_id == proc.process_id,
                                                             ProcessVersion.content_hash == proc.content_hash))
            if existing is not None:
                result.versions.append(_summary(existing, created=False))
                continue
            if deployment is None:
                deployment = Deployment(name=name or ", ".join(f.filename for f in files)[:200],
                                        created_at=uow.now(), created_by=actor.username)
                s.add(deployment)
                s.flush()
                s.add_all(DeploymentFile(deployment_id=deployment.id, filename=f.filename, kind=f.kind,
                                         sha256=f.sha256, content=f.content) for f in files)
            latest = s.scalar(select(func.max(ProcessVersion.version))
                              .where(ProcessVersion.org_id == org, ProcessVersion.process_id == proc.process_id)) or 0
            meta = {k: v for k, v in proc.meta.items() if not k.startswith("_")}
            meta["message_starts"] = message_start_names(proc.spec)
            pv = ProcessVersion(
                process_id=proc.process_id, version=latest + 1, name=proc.name, content_hash=proc.content_hash,
                deployment_id=deployment.id, bpmn_filename=proc.bpmn_filename,
                spec_json=json.dumps(proc.meta["_spec_dict"], separators=(",", ":")),
                subprocess_specs_json=json.dumps(proc.meta["_sub_dicts"], separators=(",", ":")),
                meta_json=json.dumps(meta, ensure_ascii=False), created_at=uow.now())
            s.add(pv)
            s.flush()
            if timer_start_events(proc.spec):
                register_schedules(uow, pv, proc.spec, actor=actor.username)
            result.versions.append(_summary(pv, created=True))
            uow.audit(SYSTEM_CHAIN, "definition.deployed", {
                "process_id": pv.process_id, "version": pv.version, "content_hash": pv.content_hash,
                "deployment_id": deployment.id, "files": {f.filename: f.sha256 for f in files},
            }, actor=actor.username)
        result.deployment_id = deployment.id if deployment else None
        uow.commit()
    return result


def message_start_names(spec) -> list[str]:
    """Names of the messages that start a new instance of this process."""
    from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
    from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent

    return sorted({ts.event_definition.name for ts in spec.task_specs.values()
                   if isinstance(ts, StartEvent) and isinstance(ts.event_definition, MessageEventDefinition)})


def _summary(pv: ProcessVersion, *, created: bool) -> dict[str, Any]:
    return {"process_id": pv.process_id, "version": pv.version, "name": pv.name,
            "content_hash": pv.content_hash, "created": created, "deployed_at": pv.created_at}


def _lineage(session) -> tuple[int, ...]:
    return tenancy.lineage_of(session, tenancy.current() or tenancy.DEFAULT_ORG)


def in_force(session, process_ids: list[str] | None = None) -> dict[str, int]:
    """process id -> the organisation whose versions of it are in force for the current organisation: its own if
    it deployed the process, else its nearest federation's, else the installation's."""
    lineage = _lineage(session)
    query = select(ProcessVersion.process_id, ProcessVersion.org_id).where(
        ProcessVersion.org_id.in_(lineage)).distinct()
    if process_ids is not None:
        query = query.where(ProcessVersion.process_id.in_(process_ids))
    with tenancy.unscoped():
        owners: dict[str, set[int]] = {}
        for process_id, org in session.execute(query):
            owners.setdefault(process_id, set()).add(org)
    return {p: next(o for o in lineage if o in orgs) for p, orgs in owners.items()}


def list_processes(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every process in force with its versions, newest version first."""
    with uow:
        out: dict[str, dict[str, Any]] = {}
        force = in_force(uow.session)
        for pv in uow.session.scalars(select(ProcessVersion).order_by(ProcessVersion.process_id,
                                                                       ProcessVersion.version.desc())):
            if force.get(pv.process_id) != pv.org_id:
                continue
            entry = out.setdefault(pv.process_id, {"process_id": pv.process_id, "name": pv.name,
                                                   "latest_version": pv.version, "versions": []})
            entry["versions"].append(_summary(pv, created=False) | {"deployment_id": pv.deployment_id})
        return list(out.values())


_VERSIONS_IN_LINEAGE = select(ProcessVersion.id, ProcessVersion.org_id, ProcessVersion.version).where(
    ProcessVersion.process_id == bindparam("process_id"), ProcessVersion.org_id.in_(bindparam("orgs", expanding=True)))

_VERSION_BY_ID = select(ProcessVersion).where(ProcessVersion.id == bindparam("id"))


def find_version(session, process_id: str, version: int | None = None) -> ProcessVersion:
    """The given version of a process in force (its nearest organisation's), or its latest. Raises: NotFound."""
    lineage = _lineage(session)
    with tenancy.unscoped():  # filtered here by the lineage (one statement, built once)
        rows = session.execute(_VERSIONS_IN_LINEAGE, {"process_id": process_id, "orgs": list(lineage)}).all()
    owner = next((org for org in lineage if any(r.org_id == org for r in rows)), None)
    mine = [r for r in rows if r.org_id == owner and (version is None or r.version == version)]
    pv = session.scalar(_VERSION_BY_ID, {"id": max(mine, key=lambda r: r.version).id}) if mine else None
    if pv is None:
        what = f"version {version} of process '{process_id}'" if version else f"process '{process_id}'"
        raise NotFound(f"{what} is not deployed")
    return pv


def get_version(uow: UnitOfWork, process_id: str, version: int) -> dict[str, Any]:
    """Metadata of one version: lanes, user tasks with their forms, called processes. Raises: NotFound."""
    with uow:
        pv = find_version(uow.session, process_id, version)
        meta = json.loads(pv.meta_json)
        files = uow.session.scalars(select(DeploymentFile.filename)
                                    .where(DeploymentFile.deployment_id == pv.deployment_id)).all()
        return _summary(pv, created=False) | {
            "deployment_id": pv.deployment_id, "bpmn_filename": pv.bpmn_filename, "files": sorted(files),
            "lanes": meta["lanes"], "called_processes": meta["called_processes"],
            "user_tasks": [t | {"form_schema": meta["forms"].get(t["form"]) if t["form"] else None}
                           for t in meta["user_tasks"].values()],
        }


def get_file(uow: UnitOfWork, process_id: str, version: int, filename: str | None = None) -> tuple[str, bytes]:
    """A file of the deployment behind a version (default: the BPMN file defining it). Raises: NotFound."""
    with uow:
        pv = find_version(uow.session, process_id, version)
        wanted = filename or pv.bpmn_filename
        row = uow.session.scalar(select(DeploymentFile).where(DeploymentFile.deployment_id == pv.deployment_id,
                                                              DeploymentFile.filename == wanted))
        if row is None:
            raise NotFound(f"file '{wanted}' is not part of {process_id} version {version}")
        return row.filename, row.content
