"""Designer code (scripts, conditions, timers, services) runs sandboxed through real SpiffWorkflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.sandbox import (
    SandboxEnvironment,
    ScriptCompileError,
    check_expression,
    check_script,
    iso_literal,
    make_script_engine,
)

DEFINITIONS = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="test">
  <bpmn:process id="p" isExecutable="true">{body}</bpmn:process>
</bpmn:definitions>"""


def gateway_diagram(script: str, big: str, small: str) -> str:
    """start -> script task -> exclusive gateway -> end_big / end_small."""
    return DEFINITIONS.format(body=f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="calc"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="gw"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>to_big</bpmn:outgoing><bpmn:outgoing>to_small</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="end_big"><bpmn:incoming>to_big</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="end_small"><bpmn:incoming>to_small</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc" />
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="gw" />
    <bpmn:sequenceFlow id="to_big" sourceRef="gw" targetRef="end_big">
      <bpmn:conditionExpression>{escape(big)}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_small" sourceRef="gw" targetRef="end_small">
      <bpmn:conditionExpression>{escape(small)}</bpmn:conditionExpression></bpmn:sequenceFlow>""")


def single_task_diagram(task_xml: str) -> str:
    """start -> the given element (id "task") -> end."""
    return DEFINITIONS.format(body=f"""
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    {task_xml}
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />""")


def timer_diagram(kind: str, expression: str) -> str:
    return single_task_diagram(f"""<bpmn:intermediateCatchEvent id="task">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:{kind}>{escape(expression)}</bpmn:{kind}></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>""")


def service_diagram(operation: str, params: dict[str, str]) -> str:
    parameters = "".join(f'<spiffworkflow:parameter id="{name}" type="any" value={quoteattr(value)} />'
                         for name, value in params.items())
    return single_task_diagram(f"""<bpmn:serviceTask id="task">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="{operation}" resultVariable="out">
          <spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:serviceTask>""")


def start(xml: str, data: dict | None = None, helpers=None, services=None) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml)
    wf = BpmnWorkflow(parser.get_spec("p"), script_engine=make_script_engine(helpers, services))
    wf.get_next_task(state=TaskState.READY).data.update(data or {})
    return wf


def task(wf: BpmnWorkflow, spec_name: str):
    return wf.get_next_task(spec_name=spec_name, state=TaskState.ANY_MASK)


def reached(wf: BpmnWorkflow, spec_name: str) -> bool:
    return task(wf, spec_name).state == TaskState.COMPLETED


ORDINARY_SCRIPT = """
total = sum(amounts)
squares = [a * a for a in amounts]
lengths = {name: len(name) for name in names}
count = 0
for a in amounts:
    count += 1
ledger["seen"] = count
ledger["items"].append(max(amounts))
for name, size in sorted(lengths.items()):
    last = name
make_one = lambda: 1
"""


@pytest.mark.parametrize(("amounts", "branch"), [([5, 6, 7], "end_big"), ([1, 2], "end_small")])
def test_ordinary_script_leaves_its_variables_as_task_data_and_conditions_route(amounts, branch):
    wf = start(gateway_diagram(ORDINARY_SCRIPT, "total > 10", "total <= 10"),
               {"amounts": amounts, "names": ["ann", "bo"], "ledger": {"items": []}})
    wf.do_engine_steps()
    assert wf.is_completed() and reached(wf, branch)
    data = task(wf, branch).data
    assert data["total"] == sum(amounts)
    assert data["squares"] == [a * a for a in amounts]
    assert data["lengths"] == {"ann": 3, "bo": 2}
    assert data["count"] == len(amounts)
    assert data["ledger"] == {"items": [max(amounts)], "seen": len(amounts)}
    assert data["last"] == "bo"
    assert "make_one" not in data
    assert not [key for key in data if key.startswith("_")]


def test_helper_is_callable_from_a_script_and_from_a_condition():
    helpers = {"with_vat": lambda net: round(net * 1.13, 2), "is_large": lambda amount: amount > 100}
    wf = start(gateway_diagram("gross = with_vat(net)", "is_large(gross)", "not is_large(gross)"),
               {"net": 100}, helpers=helpers)
    wf.do_engine_steps()
    assert reached(wf, "end_big")
    assert task(wf, "end_big").data["gross"] == 113.0
    assert "with_vat" not in task(wf, "end_big").data


def test_task_data_shadowing_a_helper_is_refused():
    wf = start(gateway_diagram("y = 1", "True", "False"), {"with_vat": 3}, helpers={"with_vat": abs})
    with pytest.raises(WorkflowTaskException, match="overwrites a predefined function"):
        wf.do_engine_steps()


@pytest.mark.parametrize("source", [
    "import os",
    "from subprocess import run",
    "().__class__.__base__.__subclasses__()",
    "open('/etc/passwd')",
    "getattr(x, '__class__')",
    "x.__class__",
    "vars()",
    "exec('1')",
    "class Escape: pass",
    "(i for i in []).gi_frame.f_globals",
])
def test_escape_attempts_are_refused_at_compile_time(source):
    with pytest.raises(ScriptCompileError):
        check_script(source)


def test_import_builtin_is_refused_in_an_expression():
    with pytest.raises(ScriptCompileError, match="__import__"):
        check_expression("__import__('os')")


def test_format_string_attribute_walk_is_refused_at_run_time():
    with pytest.raises(NotImplementedError, match="format"):
        SandboxEnvironment().execute("leak = '{0.__class__}'.format(1)", {})


def test_syntax_error_gives_a_compile_error_with_its_line_not_a_syntax_error():
    with pytest.raises(ScriptCompileError) as caught:
        check_script("a = 1\nb = (")
    error = caught.value
    assert not isinstance(error, SyntaxError)
    assert error.lineno == 2 and error.source == "a = 1\nb = ("
    assert "line 2" in str(error) and "b = (" in str(error)


def test_refused_script_in_a_diagram_errors_the_task_with_its_line():
    wf = start(gateway_diagram("ok = 1\nbad = ok.__class__", "True", "False"))
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert task(wf, "calc").state == TaskState.ERROR
    assert caught.value.line_number == 2 and "__class__" in str(caught.value)


@pytest.mark.parametrize(("script", "error_type", "line"), [
    ("x = 1\ny = x / 0", "ZeroDivisionError", 2),
    ("y = no_such_name + 1", "NameError", 1),
    # Upstream turns KeyError(1) into a TypeError while formatting the message.
    ("d = {}\nv = d[1]", "KeyError", 2),
])
def test_script_that_raises_errors_the_task_with_a_workflow_task_exception(script, error_type, line):
    wf = start(gateway_diagram(script, "True", "False"), {"keep": 1})
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert task(wf, "calc").state == TaskState.ERROR
    assert caught.value.error_type == error_type and error_type in str(caught.value)
    assert caught.value.line_number == line
    assert set(task(wf, "calc").data) <= {"keep", "x", "d"}


def test_failing_condition_reports_its_cause():
    wf = start(gateway_diagram("n = 0", "1 / n > 1", "True"))
    with pytest.raises(WorkflowTaskException, match="ZeroDivisionError"):
        wf.do_engine_steps()
    assert task(wf, "gw").state == TaskState.ERROR


@pytest.mark.parametrize("literal", [
    "PT1H", "P3D", "P1Y2M", "P1W", "PT1H30M", "P1DT12H", "PT0.5S", "2027-01-01T09:00:00+08:00",
    "2027-01-01T01:00:00Z", "2027-01-01", "R3/P1D", "R/PT10M", "R3/2027-01-01T09:00:00Z/P1D", " PT1H\n",
])
def test_iso_literal_accepts_standard_timer_forms(literal):
    assert iso_literal(literal) == literal.strip()
    check_expression(literal)


@pytest.mark.parametrize("source", [
    "PT1H + 1", "deadline", '"PT1H"', "P", "PT", "P1DT", "2027-13-01", "2027-01-01T09:00:00", "R3/P1D/P2D",
])
def test_iso_literal_rejects_anything_else(source):
    assert iso_literal(source) is None


def test_quoted_and_variable_timer_expressions_still_evaluate_as_python():
    env = SandboxEnvironment()
    assert env.evaluate('"PT1H"', {}) == "PT1H"
    assert env.evaluate("deadline", {"deadline": "P2D"}) == "P2D"
    assert env.evaluate("PT1H", {}) == "PT1H"


def test_naive_date_time_is_refused_with_a_hint_about_offsets():
    with pytest.raises(ScriptCompileError, match="offset"):
        check_expression("2027-01-01T09:00:00")


@pytest.mark.parametrize(("kind", "expression", "due"), [
    ("timeDuration", "PT1H", lambda now: now + timedelta(hours=1)),
    ("timeDate", "2099-01-01T09:00:00+08:00", lambda now: datetime(2099, 1, 1, 1, tzinfo=UTC)),
])
def test_bare_iso_timer_waits_until_its_due_time_and_then_fires(kind, expression, due):
    wf = start(timer_diagram(kind, expression))
    now = datetime.now(UTC)
    wf.do_engine_steps()
    assert task(wf, "task").state == TaskState.WAITING
    [event] = wf.waiting_events()
    assert abs(datetime.fromisoformat(event.value) - due(now)) < timedelta(minutes=1)

    task(wf, "task").internal_data["event_value"] = (now - timedelta(seconds=1)).isoformat()
    wf.refresh_timers()
    wf.do_engine_steps()
    assert wf.is_completed()


def test_service_task_calls_the_registered_service_and_stores_its_result():
    calls = []

    def echo(params, data):
        calls.append((params, dict(data)))
        return {"echo": params["text"], "n": params["n"]}

    wf = start(service_diagram("demo.echo", {"text": "'hi ' + who", "n": "len(who)"}), {"who": "ann"},
               services={"demo.echo": echo})
    wf.do_engine_steps()
    assert wf.is_completed()
    assert task(wf, "end").data["out"] == {"echo": "hi ann", "n": 3}
    assert calls == [({"text": "hi ann", "n": 3}, {"who": "ann"})]


def test_failing_service_gives_a_clear_error_not_a_name_error():
    def broken(params, data):
        raise RuntimeError("backend down")

    wf = start(service_diagram("demo.echo", {"text": "'x'"}), services={"demo.echo": broken})
    with pytest.raises(WorkflowTaskException) as caught:
        wf.do_engine_steps()
    assert "demo.echo" in str(caught.value) and "backend down" in str(caught.value)
    assert caught.value.error_type == "RuntimeError"
    assert task(wf, "task").state == TaskState.ERROR


def test_unknown_service_operation_is_named_in_the_error():
    wf = start(service_diagram("demo.missing", {}), services={"demo.echo": lambda p, d: None})
    with pytest.raises(WorkflowTaskException, match="demo.missing.*registered: demo.echo"):
        wf.do_engine_steps()


def test_helper_names_must_be_public_identifiers():
    with pytest.raises(ValueError, match="_secret"):
        SandboxEnvironment(helpers={"_secret": abs})
