"""The demo of `dmflow demo seed` (users, congress, cases, disclosure catalogue) on a test database, every demo
user with the tests' password."""

from __future__ import annotations

from pathlib import Path

from engine.identity import SYSTEM
from engine.passwords import set_password
from workflows.catalog import deploy_bundled
from workflows.demo import DEMO_FEDERATION_USERS, DEMO_MEMBER_USERS, DEMO_USERS, seed_congress, seed_demo
from workflows.demo_cases import seed_cases
from workflows.disclosure.catalogue import seed_catalogue

from .web import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
USERNAMES = ({username for username, _, _ in DEMO_USERS + DEMO_FEDERATION_USERS} | {f"rep{i:02d}" for i in range(4, 31)}
             | {username for _, username, _, _ in DEMO_MEMBER_USERS})


def build_demo(services) -> dict:
    """Deploy every bundled diagram and seed the demo as `make run` does; returns nothing worth keeping."""
    deploy_bundled(services.uow(), str(ROOT / "bpmn"), actor=SYSTEM)
    seed_demo(services.uow(), Path(services.config["BALLOT_KEY_DIR"]).parent / "demo-tokens.txt")
    seed_congress(services.uow(), services.rules)
    seed_cases(services.uow())
    seed_catalogue(services.uow())
    for username in USERNAMES:
        set_password(services.uow(), username, PASSWORD, actor=SYSTEM)
    return {}
