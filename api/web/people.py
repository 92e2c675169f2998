"""People pickers on the forms: who a person picked (a login the script filled in) or typed (a login, or a
colleague's display name), with a refusal in the page's language for a name that means nobody or several."""

from __future__ import annotations

import re
from typing import Any

from engine import people
from engine.errors import ValidationFailed

from ..extension import uow
from . import i18n

USERS_URL = "/people/users"  # the organisation's active users matching ?q= (api/web/views/people.py)


class PickRefused(ValidationFailed):
    """A typed name that means nobody, or several people; ``message`` is already in the page's language."""


def _candidate(user: dict[str, Any]) -> str:
    where = "、".join(user["departments"])
    return i18n.t("people.candidate", name=user["name"], departments=where or i18n.t("people.no_department"),
                  username=user["username"])


def _resolve(typed: str, field: str) -> str:
    found = people.named(uow(readonly=True), typed)
    if not found:
        raise PickRefused(i18n.t("people.unknown", name=typed), {field: [typed]})
    if len(found) > 1:
        listed = i18n.t("people.list_separator").join(_candidate(u) for u in found)
        raise PickRefused(i18n.t("people.ambiguous", name=typed, candidates=listed), {field: [typed]})
    return found[0]["username"]


def one(login: str | None, typed: str | None, field: str = "to") -> str | None:
    """The login picked (when the script filled it in), else the one ``typed`` names; None when both are empty.

    Raises: PickRefused."""
    login, typed = (login or "").strip(), (typed or "").strip()
    if login:
        return login
    return _resolve(typed, field) if typed else None


def split(typed: str | None) -> list[str]:
    """Names typed into one box, separated by commas (either width), 、 or semicolons."""
    return [n.strip() for n in re.split(r"[,，、;；]", typed or "") if n.strip()]


def many(logins: list[str], typed: str | None, field: str) -> list[str]:
    """The logins picked plus those the typed names mean, each once, in order. Raises: PickRefused (every
    refused name in one message)."""
    chosen = [login.strip() for login in logins if login.strip()]
    refusals: list[str] = []
    for name in split(typed):
        try:
            chosen.append(_resolve(name, field))
        except PickRefused as refused:
            refusals.append(refused.message)
    if refusals:
        raise PickRefused(" ".join(refusals), {field: split(typed)})
    return list(dict.fromkeys(chosen))


def shown(logins: list[str]) -> list[dict[str, Any]]:
    """The picked people as a form shows them again (name, departments, login)."""
    return people.names_of(uow(readonly=True), logins)
