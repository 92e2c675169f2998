"""The pages' texts as gettext catalogues, served through Flask-Babel.

The catalogues are `api/translations/<locale>/LC_MESSAGES/messages.po` (zh_Hans_CN for zh-CN first, en complete), edited
with the tools translators know (Poedit, Weblate, `pybabel`). msgids are stable keys (`nav.home`,
`role.admin`); each entry carries the other language as a comment. The `.mo` files are compiled from the
`.po` files when missing or older (next to them when the package directory is writable, else in a cache
directory), so a fresh checkout needs no build step.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

SOURCE = Path(__file__).resolve().parent.parent / "translations"
LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}
DOMAIN = "messages"


def _po(locale: str) -> Path:
    return SOURCE / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def _stale(po: Path, mo: Path) -> bool:
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def _compile_into(root: Path) -> None:
    for locale in LOCALES.values():
        po, mo = _po(locale), root / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not _stale(po, mo):
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo)  # atomic: processes compiling at once never read half a file


@functools.cache
def directory() -> Path:
    """Where the compiled catalogues are (compiled now when missing or older than the .po files)."""
    if os.access(SOURCE, os.W_OK):
        _compile_into(SOURCE)
        return SOURCE
    digest = hashlib.sha256(b"".join(_po(loc).read_bytes() for loc in LOCALES.values())).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"dmflow-translations-{os.getuid()}-{digest}"
    _compile_into(cache)
    return cache


@functools.cache
def translations(lang: str) -> Translations:
    """A language's catalogue, for texts rendered outside a request (a worker's notices, the CLI)."""
    return Translations.load(str(directory()), [LOCALES[lang]], DOMAIN)


@functools.cache
def msgids() -> frozenset[str]:
    """Every msgid of the catalogues (the zh_Hans_CN one, which is complete by the catalogue test)."""
    with _po("zh_Hans_CN").open("rb") as f:
        return frozenset(m.id for m in read_po(f) if m.id)


def init_app(app, current_lang) -> None:
    """Serve the catalogues through Flask-Babel; `current_lang()` is the session's language ("zh-CN", "en")."""
    from flask_babel import Babel

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(directory()))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "zh_Hans_CN")
    Babel(app, locale_selector=lambda: LOCALES[current_lang()])
