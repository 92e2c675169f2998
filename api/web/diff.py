"""Element-level differences between two BPMN documents: added, removed and changed elements."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
# Diagram interchange (positions, sizes, waypoints) is layout, not behaviour: compared separately.
DI_NAMESPACES = {"http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
                 "http://www.omg.org/spec/DD/20100524/DI"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass
class Element:
    id: str
    type: str
    name: str
    signature: str


@dataclass
class Change:
    id: str
    type: str
    name: str
    what: list[str] = field(default_factory=list)
    old_name: str = ""


@dataclass
class Diff:
    added: list[Change]
    removed: list[Change]
    changed: list[Change]
    moved: list[str]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.moved)

    def markers(self) -> dict[str, dict[str, str]]:
        """Marker class per element id for the old ("a") and the new ("b") diagram."""
        a = {c.id: "dm-removed" for c in self.removed} | {c.id: "dm-changed" for c in self.changed}
        b = {c.id: "dm-added" for c in self.added} | {c.id: "dm-changed" for c in self.changed}
        return {"a": a, "b": b}


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _own_content(el: etree._Element) -> str:
    """The element's attributes and its children other than id-bearing elements (those are compared
    on their own), as one canonical text."""
    parts = [f"@{k}={v}" for k, v in sorted(el.attrib.items()) if k != "id"]
    if el.text and el.text.strip():
        parts.append(f"#text={el.text.strip()}")
    for child in el:
        if not isinstance(child.tag, str) or child.get("id") is not None and _is_semantic(child):
            continue
        parts.append(etree.tostring(child, method="c14n").decode())
    return "\n".join(parts)


def _is_semantic(el: etree._Element) -> bool:
    return etree.QName(el.tag).namespace not in DI_NAMESPACES


def _elements(xml: bytes) -> tuple[dict[str, Element], dict[str, str]]:
    root = etree.fromstring(xml, _PARSER)
    semantic: dict[str, Element] = {}
    layout: dict[str, str] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or el.get("id") is None:
            continue
        if _is_semantic(el):
            if el is root:
                continue
            semantic[el.get("id")] = Element(el.get("id"), _local(el.tag), el.get("name") or "", _own_content(el))
        elif el.get("bpmnElement") and _local(el.tag) in ("BPMNShape", "BPMNEdge"):
            layout[el.get("bpmnElement")] = etree.tostring(el, method="c14n").decode()
    return semantic, layout


def _what(old: Element, new: Element) -> list[str]:
    what = []
    if old.type != new.type:
        what.append("type")
    if old.name != new.name:
        what.append("name")
    if old.signature.replace(f"@name={old.name}", "") != new.signature.replace(f"@name={new.name}", ""):
        what.append("content")
    return what


def compare(old_xml: bytes, new_xml: bytes) -> Diff:
    """What changed from `old_xml` to `new_xml`, element by element (ids identify elements)."""
    old, old_layout = _elements(old_xml)
    new, new_layout = _elements(new_xml)
    added = [Change(e.id, e.type, e.name) for i, e in new.items() if i not in old]
    removed = [Change(e.id, e.type, e.name) for i, e in old.items() if i not in new]
    changed = []
    for i, e in new.items():
        if i in old and (what := _what(old[i], e)):
            changed.append(Change(i, e.type, e.name, what, old[i].name))
    moved = sorted(i for i in new_layout.keys() & old_layout.keys()
                   if new_layout[i] != old_layout[i] and i in new and i in old)
    return Diff(added, removed, changed, moved)
