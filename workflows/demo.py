"""A demo organisation: one user per role, created once, their tokens written to a file."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from engine.identity import SYSTEM, create_user
from engine.models import User
from engine.unit_of_work import UnitOfWork

# username, display name (zh-CN), roles
DEMO_USERS: list[tuple[str, str, list[str]]] = [
    ("admin", "系统管理员", ["admin"]),
    ("designer", "流程设计员", ["designer"]),
    ("auditor", "审计员", ["auditor"]),
    ("rep_wang", "王芳（职工代表）", ["representative"]),
    ("rep_li", "李强（职工代表）", ["representative"]),
    ("committee_zhang", "张伟（提案工作委员会）", ["proposal_committee"]),
    ("union_chair", "刘洋（工会主席）", ["union_chair", "presidium"]),
    ("hr_chen", "陈静（人力资源部）", ["hr"]),
]


def seed_demo(uow: UnitOfWork, tokens_file: str | Path) -> list[tuple[str, list[str], str]]:
    """Create the demo users that do not exist yet and write their new tokens to `tokens_file`.

    The file keeps one line per user: a line of an earlier run for a user created now (the
    database was reset) is replaced, since its token no longer works; other lines are kept.

    Returns:
        (username, roles, token) for each user created now; empty when all existed already.
    """
    with uow:
        existing = set(uow.session.scalars(select(User.username)))
    created = []
    for username, display, roles in DEMO_USERS:
        if username in existing:
            continue
        _, token = create_user(uow, username, roles, actor=SYSTEM, display_name=display, token_label="demo")
        created.append((username, roles, token))
    if created:
        path = Path(tokens_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)  # before any token is written
        now = {username for username, _, _ in created}
        kept = [line for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and line.split("\t", 1)[0] not in now]
        new = [f"{username}\t{','.join(roles)}\t{token}" for username, roles, token in created]
        path.write_text("".join(f"{line}\n" for line in kept + new), encoding="utf-8")
    return created
