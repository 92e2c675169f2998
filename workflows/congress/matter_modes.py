"""How each kind of matter is handled (hear, deliberate, adopt, elect; named or secret): the decision
table bpmn/congress/matter_mode.dmn, deployable on its own."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from lxml import etree
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import SYSTEM_CHAIN
from engine.errors import InvalidDiagram, NotFound, ValidationFailed
from engine.identity import Actor
from engine.models import Deployment, DeploymentFile
from engine.sandbox import make_script_engine
from engine.unit_of_work import UnitOfWork

MODES = ("hear", "deliberate", "adopt", "elect")
VOTING_MODES = frozenset({"adopt", "elect"})
DECISION_ID = "matter_mode"
DMN_FILE = "matter_mode.dmn"
BUNDLED_DMN = Path(__file__).resolve().parents[2] / "bpmn" / "congress" / DMN_FILE
_TABLES: OrderedDict[str, Any] = OrderedDict()  # sha256 -> parsed decision table (DMNEngine), LRU


class _DecisionTask:
    """The little of a SpiffWorkflow task that evaluating a decision table (and its errors) reads."""

    def __init__(self, data: dict[str, Any], script_engine: Any):
        self.data = data
        self.task_spec = SimpleNamespace(name=DECISION_ID, bpmn_name=DECISION_ID, bpmn_id=DECISION_ID)
        self.workflow = SimpleNamespace(script_engine=script_engine, spec=SimpleNamespace(file=DMN_FILE),
                                        parent_workflow=None)
        self.workflow.top_workflow = self.workflow


def _parse_table(content: bytes, filename: str = DMN_FILE):
    sha = hashlib.sha256(content).hexdigest()
    if sha in _TABLES:
        _TABLES.move_to_end(sha)
        return _TABLES[sha]
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise InvalidDiagram("DOCTYPE and ENTITY declarations are not allowed in DMN files", file=filename)
    try:
        root = etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
        parser = SpiffBpmnParser(validator=VALIDATOR)
        parser.add_dmn_xml(root, filename=filename)
        table = parser.get_engine(DECISION_ID, None)
    except etree.XMLSyntaxError as exc:
        raise InvalidDiagram(f"not well-formed XML: {exc.msg}", file=filename, line=exc.lineno) from exc
    except (SpiffWorkflowException, etree.LxmlError, KeyError, AttributeError, IndexError, TypeError,
            ValueError) as exc:  # LxmlError: an XPath over elements of an unknown namespace, say
        raise InvalidDiagram(" ".join(str(exc).split()) or type(exc).__name__, file=filename,
                             element_id=DECISION_ID) from exc
    _TABLES[sha] = table
    while len(_TABLES) > 16:
        _TABLES.popitem(last=False)
    return table


def _current_table(session: Session) -> tuple[bytes, int | None]:
    """The newest deployed matter_mode.dmn (with the congress diagrams or alone), else the bundled one."""
    row = session.execute(select(DeploymentFile.content, DeploymentFile.deployment_id)
                          .where(DeploymentFile.filename == DMN_FILE)
                          .order_by(DeploymentFile.deployment_id.desc()).limit(1)).first()
    if row is not None:
        return row.content, row.deployment_id
    if not BUNDLED_DMN.is_file():
        raise NotFound(f"no {DMN_FILE} is deployed; deploy bpmn/congress/{DMN_FILE}")
    return BUNDLED_DMN.read_bytes(), None


def _script_engine(uow: UnitOfWork) -> Any:
    runtime = getattr(uow, "runtime", None)
    return getattr(runtime, "script_engine", None) or make_script_engine()


def _outcome(table, matter_type: str, script_engine: Any) -> dict[str, Any]:
    try:
        result = table.result(_DecisionTask({"matter_type": matter_type}, script_engine))
    except SpiffWorkflowException as exc:
        raise InvalidDiagram(f"the {DECISION_ID} table failed: {' '.join(str(exc).split())}",
                             file=DMN_FILE, element_id=DECISION_ID) from exc
    return dict(result)


def _check_outcome(outcome: dict[str, Any], where: str) -> None:
    if outcome.get("mode") not in MODES or not isinstance(outcome.get("secret"), bool) \
            or not isinstance(outcome.get("at_least_half_allowed", False), bool):
        raise InvalidDiagram(f"{where}: outputs must be mode in {MODES}, secret and at_least_half_allowed "
                             f"booleans; got {outcome}", file=DMN_FILE, element_id=where)


def decide_mode(uow: UnitOfWork, matter_type: str) -> dict[str, Any]:
    """Evaluate the matter_mode decision table in force for one matter type (inside an open uow).

    Returns:
        {mode, secret, at_least_half_allowed, decision_sha256}.

    Raises:
        ValidationFailed: the type is not in the table. InvalidDiagram: the table is broken.
    """
    content, _ = _current_table(uow.session)
    outcome = _outcome(_parse_table(content), matter_type, _script_engine(uow))
    if not outcome:
        known = ", ".join(m["matter_type"] for m in _rows(_parse_table(content), _script_engine(uow)))
        raise ValidationFailed(f"matter type '{matter_type}' is not in the {DECISION_ID} decision table",
                               {"matter_type": [f"expected one of: {known}"]})
    _check_outcome(outcome, matter_type)
    return {"mode": outcome["mode"], "secret": outcome["secret"],
            "at_least_half_allowed": outcome.get("at_least_half_allowed", False),
            "decision_sha256": hashlib.sha256(content).hexdigest()}


def _rows(table, script_engine: Any) -> list[dict[str, Any]]:
    rows = []
    for rule in table.decision_table.rules:
        entry = rule.inputEntries[0].lhs[0] if rule.inputEntries else None
        try:
            outputs = dict(rule.output_as_dict(_DecisionTask({}, script_engine)))
        except SpiffWorkflowException as exc:
            raise InvalidDiagram(" ".join(str(exc).split()), file=DMN_FILE, element_id=rule.id) from exc
        _check_outcome(outputs, rule.id)
        rows.append({"matter_type": (entry or "-").strip().strip("\"'"), "description": rule.description or "",
                     **outputs})
    return rows


def matter_modes(uow: UnitOfWork) -> dict[str, Any]:
    """The decision table in force: its source, hash and one row per matter type. Raises: InvalidDiagram."""
    with uow:
        content, deployment_id = _current_table(uow.session)
        return {"decision_id": DECISION_ID, "sha256": hashlib.sha256(content).hexdigest(),
                "deployment_id": deployment_id, "rows": _rows(_parse_table(content), _script_engine(uow))}


def deploy_matter_modes(uow: UnitOfWork, content: bytes, *, actor: Actor) -> dict[str, Any]:
    """Deploy a new version of matter_mode.dmn on its own; identical content changes nothing.

    Raises:
        InvalidDiagram: not a valid DMN table with id ``matter_mode`` and the expected outputs.
    """
    sha = hashlib.sha256(content).hexdigest()
    with uow:
        _rows(_parse_table(content), _script_engine(uow))
        current, _ = _current_table(uow.session)
        if hashlib.sha256(current).hexdigest() == sha:
            return {"created": False, "sha256": sha, "deployment_id": None}
        deployment = Deployment(name=f"decision:{DECISION_ID}", created_at=uow.now(), created_by=actor.username)
        uow.session.add(deployment)
        uow.session.flush()
        uow.session.add(DeploymentFile(deployment_id=deployment.id, filename=DMN_FILE, kind="dmn", sha256=sha,
                                       content=content))
        uow.audit(SYSTEM_CHAIN, "decision.deployed", {"decision_id": DECISION_ID, "deployment_id": deployment.id,
                                                      "files": {DMN_FILE: sha}}, actor=actor.username)
        uow.commit()
    return {"created": True, "sha256": sha, "deployment_id": deployment.id}
