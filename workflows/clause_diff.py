"""Clause-by-clause comparison of two versions of a text made of numbered clauses (a collective contract's
drafts, a congress draft and its adopted text with amendments): ``[{number, title, text}]``."""

from __future__ import annotations

import difflib
import re
from typing import Any

_SENTENCE = re.compile(r"(?<=[。；;！？!?\n])")


def _sentences(text: str) -> list[str]:
    return [p for p in (s.strip() for s in _SENTENCE.split(text)) if p]


def clause_diff(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A clause-by-clause comparison: added, removed, changed (with sentence and character changes), unchanged."""
    before, after = {c["number"]: c for c in old}, {c["number"]: c for c in new}
    out = []
    for number in sorted(before.keys() | after.keys()):
        a, b = before.get(number), after.get(number)
        entry: dict[str, Any] = {"number": number, "title": (b or a)["title"]}
        if a is None:
            entry.update(status="added", text=b["text"])
        elif b is None:
            entry.update(status="removed", text=a["text"])
        elif (a["title"], a["text"]) == (b["title"], b["text"]):
            entry.update(status="unchanged")
        else:
            matcher = difflib.SequenceMatcher(a=a["text"], b=b["text"], autojunk=False)
            entry.update(status="changed", old_title=a["title"], old_text=a["text"], text=b["text"],
                         lines=[line for line in difflib.unified_diff(_sentences(a["text"]), _sentences(b["text"]),
                                                                      lineterm="", n=1)][2:],
                         changes=[{"op": op, "old": a["text"][i1:i2], "new": b["text"][j1:j2]}
                                  for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"])
        out.append(entry)
    return out


def render_diff(clauses: list[dict[str, Any]], old_label: str, new_label: str) -> str:
    """A unified-diff-like text of a ``clause_diff`` (``old_label``/``new_label``: e.g. 第1稿, 通过稿)."""
    lines = [f"--- {old_label}", f"+++ {new_label}"]
    marks = {"added": "新增", "removed": "删除", "changed": "修改"}
    for c in clauses:
        if c["status"] == "unchanged":
            continue
        lines.append(f"@@ 第{c['number']}条 {c['title']}（{marks[c['status']]}）")
        if c["status"] == "added":
            lines.append(f"+ {c['text']}")
        elif c["status"] == "removed":
            lines.append(f"- {c['text']}")
        else:
            lines += [f"{line[0]} {line[1:]}" if line[:1] in "+- " else line for line in c["lines"]]
    return "\n".join(lines)
