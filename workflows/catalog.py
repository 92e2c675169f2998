"""The bundled diagrams and the helper functions that diagrams may call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.deployments import DeployResult, deploy
from engine.identity import Actor
from engine.parsing import SourceFile
from engine.unit_of_work import UnitOfWork

from . import calendar, rules

DEPLOYABLE = (".bpmn", ".dmn", ".json")


def script_helpers(timezone: str = "Asia/Shanghai", rule_config: Mapping[str, Any] | None = None,
                   overrides: Mapping | None = None) -> dict[str, Callable[..., Any]]:
    """The allow-list of pure functions that BPMN scripts and conditions may call.

    Args:
        timezone: the enterprise's time zone (statutory days are counted in it).
        rule_config: ``RULE_*`` settings overriding the statutory defaults.
        overrides: admin-entered holidays/working days of the legal calendar.
    """
    cal = calendar.LegalCalendar(timezone, overrides)
    helpers = calendar.make_helpers(cal)
    helpers.update(rules.make_helpers(rules.Rules.from_config(dict(rule_config or {}))))
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

    Raises:
        InvalidDiagram: a bundled diagram cannot be deployed.
    """
    return [deploy(uow, read_folder(folder), actor=actor, name=f"bundled:{folder.name}")
            for folder in procedure_folders(bpmn_dir)]
