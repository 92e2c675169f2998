"""The bundled diagrams and the helper functions that diagrams may call."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.deployments import DeployResult, deploy
from engine.identity import Actor
from engine.parsing import SourceFile
from engine.unit_of_work import UnitOfWork
from workflows import calendar, deadlines, hooks, rules
from workflows.casework import handlers as casework_handlers
from workflows.congress import handlers as congress_handlers
from workflows.congress import matter_modes
from workflows.congress import session_handlers as congress_session_handlers
from workflows.contracts import change_handlers as contract_change_handlers
from workflows.contracts import handlers as contract_handlers
from workflows.disclosure import handlers as disclosure_handlers
from workflows.federation import handlers as federation_handlers
from workflows.federation import regional as federation_regional
from workflows.inspection import handlers as inspection_handlers

DEPLOYABLE = (".bpmn", ".dmn", ".json")
# each registers on import
PROCEDURE_HANDLERS = (congress_handlers, congress_session_handlers, contract_handlers, contract_change_handlers,
                      disclosure_handlers, inspection_handlers, casework_handlers,
                      federation_handlers,  # regional and industry contracts (劳动合同法 第53–54条)
                      federation_regional)  # the floor of regional contracts over local texts (劳动合同法 第55条)


def handlers() -> dict[str, hooks.Handler]:
    """Every service-task handler the bundled procedures register (``area.action`` -> function)."""
    return dict(hooks.HANDLERS)


def script_helpers(cal: calendar.LegalCalendar | Callable[[], calendar.LegalCalendar],
                   rule_set: rules.Rules | Callable[[], rules.Rules]) -> dict[str, Callable[..., Any]]:
    """The allow-list of pure functions that BPMN scripts and conditions may call.

    Args:
        cal: the legal calendar (time zone, official data, admin overrides), or a callable returning the current
            organisation's at each call.
        rule_set: the statutory thresholds and day counts in force (or a callable, likewise).
    """
    helpers = calendar.make_helpers(cal)
    helpers.update(deadlines.tracking_helpers(cal))  # the same values, kept for recomputation
    helpers.update(rules.make_helpers(rule_set))
    return helpers


def procedure_folders(bpmn_dir: str | Path) -> list[Path]:
    """Each folder under `bpmn_dir` holding diagrams is one procedure, deployed together."""
    root = Path(bpmn_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.bpmn")))


def read_folder(folder: Path) -> list[SourceFile]:
    """The deployable files of one procedure folder."""
    return [SourceFile(p.name, p.read_bytes()) for p in sorted(folder.iterdir())
            if p.is_file() and p.suffix.lower() in DEPLOYABLE]


def deploy_bundled(uow: UnitOfWork, bpmn_dir: str | Path, *, actor: Actor) -> list[DeployResult]:
    """Deploy every procedure folder; unchanged diagrams keep their version (safe to run repeatedly).

    The congress's matter-mode decision table is put in force too (it is read by the domain, not by a
    process, so a change to it alone is no new process version).

    Raises:
        InvalidDiagram: a bundled diagram or decision table cannot be deployed.
    """
    results = [deploy(uow, read_folder(folder), actor=actor, name=f"bundled:{folder.name}")
               for folder in procedure_folders(bpmn_dir)]
    table = Path(bpmn_dir) / "congress" / matter_modes.DMN_FILE
    if table.is_file():
        matter_modes.deploy_matter_modes(uow, table.read_bytes(), actor=actor)
    return results
