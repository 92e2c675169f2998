"""BPMN/DMN/form files -> validated, compiled process specs, or an InvalidDiagram naming file, line and element."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from .assignment import PROPERTIES as ASSIGNMENT_PROPERTIES
from .audit import canonical_json
from .errors import InvalidDiagram
from .jsonbounds import loads_bounded
from .sandbox import ScriptCompileError, check_expression, check_script

MAX_FILE_BYTES = 5 * 1024 * 1024
_HOSTILE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
FORM_PROPERTY = "formJsonSchemaFilename"
UI_FORM_PROPERTY = "formUiSchemaFilename"
# A property of the <bpmn:process> itself: "true" makes its business key unique among its live cases.
BUSINESS_KEY_UNIQUE = "businessKeyUnique"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_ELEMENT_REPR = re.compile(r"<Element (?:\{[^}]*\})?([\w.-]+) at 0x[0-9a-fA-F]+>")


@dataclass(frozen=True)
class SourceFile:
    filename: str
    content: bytes

    @property
    def kind(self) -> str:
        name = self.filename.lower()
        if name.endswith(".bpmn") or name.endswith(".bpmn20.xml"):
            return "bpmn"
        if name.endswith(".dmn"):
            return "dmn"
        if name.endswith(".json"):
            return "form"
        return "other"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class ParsedProcess:
    """One executable process ready to be stored as a version."""

    process_id: str
    name: str | None
    bpmn_filename: str
    spec: Any
    subprocess_specs: dict[str, Any]
    meta: dict[str, Any]
    content_hash: str = ""


@dataclass
class ParseResult:
    processes: list[ParsedProcess]
    warnings: list[dict[str, Any]] = field(default_factory=list)


def _safe_xml(source: SourceFile) -> etree._Element:
    if len(source.content) > MAX_FILE_BYTES:
        raise InvalidDiagram(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB", file=source.filename)
    if _HOSTILE.search(source.content):
        raise InvalidDiagram("DOCTYPE and ENTITY declarations are not allowed in BPMN/DMN files",
                             file=source.filename)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=False)
    try:
        root = etree.fromstring(source.content, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if hasattr(exc, "lineno") else None
        raise InvalidDiagram(f"not well-formed XML: {exc.msg}", file=source.filename, line=line) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise InvalidDiagram("DTDs are not allowed in BPMN/DMN files", file=source.filename)
    return root


def _load_form(source: SourceFile) -> dict[str, Any]:
    try:
        schema = loads_bounded(source.content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidDiagram(f"form file is not valid UTF-8 JSON: {exc}", file=source.filename) from exc
    if not isinstance(schema, dict):
        raise InvalidDiagram("form file must hold a JSON object", file=source.filename)
    return schema


class _Locator:
    """Finds the file and line of a BPMN element id across the uploaded files."""

    def __init__(self, trees: dict[str, etree._Element]):
        self._trees = trees

    def find(self, element_id: str, hint_file: str = "") -> tuple[str, int | None]:
        names = [hint_file] + [n for n in self._trees if n != hint_file] if hint_file else list(self._trees)
        for name in names:
            tree = self._trees.get(name)
            if tree is None or not element_id:
                continue
            for el in tree.iter():
                if isinstance(el.tag, str) and el.get("id") == element_id:
                    return name, el.sourceline
        return hint_file, None


def _iter_task_specs(spec, subprocess_specs: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            yield process, task_spec


def _expressions(task_spec) -> Iterable[tuple[str, str]]:
    """Every piece of designer code on a task spec, as (kind, source) with kind 'script' or 'expression'."""
    for attr in ("script", "prescript", "postscript"):
        value = getattr(task_spec, attr, None)
        if isinstance(value, str) and value.strip():
            yield "script", value
    for cond, _ in getattr(task_spec, "cond_task_specs", None) or []:
        if cond is not None and getattr(cond, "args", None) and isinstance(cond.args[0], str):
            yield "expression", cond.args[0]
    for attr in ("condition", "cardinality"):
        value = getattr(task_spec, attr, None)
        if isinstance(value, str) and value.strip():
            yield "expression", value
    definition = getattr(task_spec, "event_definition", None)
    for defn in [definition, *getattr(definition, "event_definitions", [])]:
        value = getattr(defn, "expression", None)
        if isinstance(value, str) and value.strip():
            yield "expression", value
    for param in (getattr(task_spec, "operation_params", None) or {}).values():
        if isinstance(param, dict) and isinstance(param.get("value"), str) and param["value"].strip():
            yield "expression", param["value"]


def _compile_all(spec, subprocess_specs, locator: _Locator, services: set[str] | None) -> None:
    for process, task_spec in _iter_task_specs(spec, subprocess_specs):
        operator = getattr(task_spec, "operation_name", None)
        if operator and services is not None and operator not in services:
            element = getattr(task_spec, "bpmn_id", None) or task_spec.name
            file, line = locator.find(element, getattr(process, "file", "") or "")
            raise InvalidDiagram(f"service task '{element}' calls unknown operator '{operator}' (known: "
                                 f"{', '.join(sorted(services)) or 'none'})", file=file, line=line,
                                 element_id=element)
        for kind, source in _expressions(task_spec):
            try:
                (check_script if kind == "script" else check_expression)(source)
            except ScriptCompileError as exc:
                element = getattr(task_spec, "bpmn_id", None) or task_spec.name
                file, line = locator.find(element, getattr(process, "file", "") or "")
                raise InvalidDiagram(f"{kind} of element '{element}' is refused: {exc}", file=file, line=line,
                                     element_id=element) from exc


def _process_meta(spec, subprocess_specs, forms: dict[str, dict], locator: _Locator,
                  warnings: list[dict[str, Any]]) -> dict[str, Any]:
    lanes: set[str] = set()
    user_tasks: dict[str, dict[str, Any]] = {}
    used_forms: dict[str, dict] = {}
    for process, task_spec in _iter_task_specs(spec, subprocess_specs):
        lane = getattr(task_spec, "lane", None)
        if lane:
            lanes.add(lane)
        if not getattr(task_spec, "manual", False) or getattr(task_spec, "bpmn_id", None) is None:
            continue
        props = (getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {}
        element = task_spec.bpmn_id
        form_name, ui_name = props.get(FORM_PROPERTY), props.get(UI_FORM_PROPERTY)
        if form_name:
            if form_name not in forms:
                file, line = locator.find(element, getattr(process, "file", "") or "")
                raise InvalidDiagram(f"user task '{element}' names form file '{form_name}', which was not "
                                     "uploaded with the diagram", file=file, line=line, element_id=element)
            used_forms[form_name] = forms[form_name]
        if ui_name:
            if ui_name in forms:
                used_forms[ui_name] = forms[ui_name]
            else:
                warnings.append({"element_id": element, "reason": f"UI schema '{ui_name}' not uploaded; "
                                 "the form renders with defaults"})
        user_tasks[element] = {
            "element_id": element, "name": task_spec.bpmn_name, "lane": lane, "process": process.name,
            "assignment": _assignment(props, element, process, locator),
            "form": form_name, "ui_form": ui_name if ui_name in forms else None,
            "documentation": getattr(task_spec, "documentation", None),
            "instructions": (task_spec.extensions or {}).get("instructionsForEndUser"),
        }
    return {"lanes": sorted(lanes), "user_tasks": user_tasks, "forms": used_forms,
            "called_processes": sorted(subprocess_specs)}


def _assignment(props: dict[str, Any], element: str, process, locator: _Locator) -> dict[str, str]:
    """The task's assignee / candidateUsers / candidateGroups expressions, checked like any diagram code."""
    found = {}
    for name in ASSIGNMENT_PROPERTIES:
        source = (props.get(name) or "").strip()
        if not source:
            continue
        try:
            check_expression(source)
        except ScriptCompileError as exc:
            file, line = locator.find(element, getattr(process, "file", "") or "")
            raise InvalidDiagram(f"{name} of user task '{element}' is refused: {exc}", file=file, line=line,
                                 element_id=element) from exc
        found[name] = source
    return found


def _reason(exc: Exception) -> str:
    # Whitespace is collapsed rather than cut at the first newline: names may span lines (MIWG B.1.0's
    # data store is named "Data&#10;Store Reference") and the rest of the message would be lost.
    # SpiffWorkflow puts lxml element reprs in some messages ("<Element {ns}sourceRef at 0x7f...>"):
    # keep the tag, drop the memory address, so that the same file always gets the same reason.
    return _ELEMENT_REPR.sub(r"\1", " ".join(str(exc).split())) or type(exc).__name__


def _from_validation(exc: ValidationException, locator: _Locator, current_file: str) -> InvalidDiagram:
    element = getattr(exc, "id", "") or ""
    # Some of SpiffWorkflow's checks (data stores, for one) give no file: it is the file being parsed.
    file = getattr(exc, "file_name", "") or current_file
    line = getattr(exc, "line_number", None) or None
    if element and not line:
        file, line = locator.find(element, file)
    return InvalidDiagram(_reason(exc), file=file, line=line if isinstance(line, int) else None,
                          element_id=element)


def parse(files: list[SourceFile], serializer, services: set[str] | None = None) -> ParseResult:
    """Parse, validate and compile the uploaded files.

    Args:
        files: BPMN, DMN and JSON form files of one deployment.
        serializer: the `BpmnWorkflowSerializer` used to compute each process's content hash.
        services: the service-task operators that exist; a diagram calling another one is refused
            (None: do not check).

    Returns:
        Every executable process found, with its subprocess specs and metadata.

    Raises:
        InvalidDiagram: naming the file, line and element id of the first problem found.
    """
    _check_file_names(files)
    trees, forms = _read_sources(files)
    if not any(f.kind == "bpmn" for f in files):
        raise InvalidDiagram("a deployment needs at least one .bpmn file")
    _check_form_schemas(forms)
    locator = _Locator(trees)
    warnings: list[dict[str, Any]] = []
    results = _parse_processes(files, trees, forms, locator, services, warnings)
    for proc in results:
        _hash_process(proc, serializer)
    return ParseResult(processes=results, warnings=warnings)


def _check_file_names(files: list[SourceFile]) -> None:
    if not files:
        raise InvalidDiagram("no files were given")
    names = [f.filename for f in files]
    if len(set(names)) != len(names):
        raise InvalidDiagram("the same file name was given twice", file=next(n for n in names
                                                                             if names.count(n) > 1))


def _read_sources(files: list[SourceFile]) -> tuple[dict[str, etree._Element], dict[str, dict]]:
    """The XML trees of the diagrams and decision tables (parsed safely) and the form schemas."""
    trees: dict[str, etree._Element] = {}
    forms: dict[str, dict] = {}
    for source in files:
        if source.kind == "other":
            raise InvalidDiagram("unsupported file type (expected .bpmn, .dmn or .json)", file=source.filename)
        if source.kind == "form":
            forms[source.filename] = _load_form(source)
        else:
            trees[source.filename] = _safe_xml(source)
    return trees, forms


def _check_form_schemas(forms: dict[str, dict]) -> None:
    for name, schema in forms.items():
        if name.endswith(".uischema.json") or "ui:" in json.dumps(schema)[:2000] and "type" not in schema:
            continue
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise InvalidDiagram(f"not a valid JSON Schema: {exc.message}", file=name) from exc


def _parse_processes(files: list[SourceFile], trees: dict[str, etree._Element], forms: dict[str, dict],
                     locator: _Locator, services: set[str] | None,
                     warnings: list[dict[str, Any]]) -> list[ParsedProcess]:
    """SpiffWorkflow's parse of every file, then each executable process compiled and described."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    current_file = ""
    try:
        for source in files:
            current_file = source.filename
            if source.kind == "bpmn":
                parser.add_bpmn_xml(trees[source.filename], filename=source.filename)
            elif source.kind == "dmn":
                parser.add_dmn_xml(trees[source.filename], filename=source.filename)
        process_ids = parser.get_process_ids()
        if not process_ids:
            raise InvalidDiagram("no executable process (isExecutable=\"true\") was found",
                                 file=next(f.filename for f in files if f.kind == "bpmn"))
        results = []
        for pid in process_ids:
            current_file = getattr(parser.get_process_parser(pid), "filename", "") or ""
            results.append(_compile_process(parser, pid, forms, locator, services, warnings))
        return results
    except ValidationException as exc:
        raise _from_validation(exc, locator, current_file) from exc
    except SpiffWorkflowException as exc:
        raise InvalidDiagram(_reason(exc), file=current_file) from exc
    except InvalidDiagram:
        raise
    except (KeyError, AttributeError, TypeError, ValueError, IndexError) as exc:
        # SpiffWorkflow's parser raises bare Python errors on some unsupported constructs.
        raise InvalidDiagram(f"the diagram uses a construct the engine cannot execute: "
                             f"{type(exc).__name__}: {exc}", file=current_file) from exc


def _compile_process(parser: SpiffBpmnParser, pid: str, forms: dict[str, dict], locator: _Locator,
                     services: set[str] | None, warnings: list[dict[str, Any]]) -> ParsedProcess:
    spec = parser.get_spec(pid)
    subprocess_specs = parser.get_subprocess_specs(pid)
    _compile_all(spec, subprocess_specs, locator, services)
    meta = _process_meta(spec, subprocess_specs, forms, locator, warnings)
    if _process_property(parser, pid, BUSINESS_KEY_UNIQUE) in ("true", "1", "yes"):
        meta["business_key_unique"] = True  # only when declared: other processes keep their content hashes
    return ParsedProcess(process_id=pid, name=spec.description, spec=spec, subprocess_specs=subprocess_specs,
                         meta=meta, bpmn_filename=getattr(spec, "file", "") or "")


def _process_property(parser: SpiffBpmnParser, pid: str, name: str) -> str | None:
    """A spiffworkflow:property of the process element (its extensionElements), lower-cased and stripped."""
    node = parser.get_process_parser(pid).node
    values = node.xpath("./bpmn:extensionElements/spiff:properties/spiff:property[@name=$name]/@value",
                        namespaces={"bpmn": node.nsmap.get(node.prefix) or node.nsmap.get(None) or "",
                                    "spiff": SPIFF_NS}, name=name)
    return str(values[0]).strip().lower() if values else None


def _hash_process(proc: ParsedProcess, serializer) -> None:
    """The content hash over the serialized specs and forms: identical content is not a new version."""
    spec_dict = serializer.to_dict(proc.spec)
    sub_dicts = {k: serializer.to_dict(v) for k, v in proc.subprocess_specs.items()}
    proc.content_hash = hashlib.sha256(canonical_json(
        [spec_dict, sub_dicts, proc.meta["forms"]]).encode()).hexdigest()
    proc.meta["_spec_dict"], proc.meta["_sub_dicts"] = spec_dict, sub_dicts
