"""Diagram-driven test helpers: tiny inline diagrams, and driving an instance through the API."""

from __future__ import annotations

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="defs_{pid}" targetNamespace="http://dmflow.test">
"""


def diagram(pid: str, body: str, lanes: str = "") -> bytes:
    """A one-process BPMN document around `body` (flow nodes and flows)."""
    laneset = f"<bpmn:laneSet id=\"ls_{pid}\">{lanes}</bpmn:laneSet>" if lanes else ""
    return (HEADER.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">{laneset}{body}'
            "</bpmn:process></bpmn:definitions>").encode()


def script_then_task(pid: str, script: str) -> bytes:
    """start -> script task 'compute' -> user task 'review' -> end."""
    return diagram(pid, f"""
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute"/>
      <bpmn:scriptTask id="compute" name="计算"><bpmn:incoming>f1</bpmn:incoming>
        <bpmn:outgoing>f2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
      <bpmn:sequenceFlow id="f2" sourceRef="compute" targetRef="review"/>
      <bpmn:userTask id="review" name="复核"><bpmn:incoming>f2</bpmn:incoming>
        <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


REVISE = """<bpmn:userTask id="revise" name="修改"><bpmn:incoming>f2</bpmn:incoming>
        <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>"""


def revise_loop(pid: str, revise: str = REVISE) -> bytes:
    """start -> user task 'revise' -> gateway: again == True loops back to 'revise', else end. `revise`: another
    element with that id (entered by flow f2, left by f3), e.g. a subprocess."""
    return diagram(pid, """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="join"/>
      <bpmn:exclusiveGateway id="join"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>back</bpmn:incoming>
        <bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
      <bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="revise"/>""" + revise + """
      <bpmn:sequenceFlow id="f3" sourceRef="revise" targetRef="again"/>
      <bpmn:exclusiveGateway id="again" default="done"><bpmn:incoming>f3</bpmn:incoming>
        <bpmn:outgoing>back</bpmn:outgoing><bpmn:outgoing>done</bpmn:outgoing></bpmn:exclusiveGateway>
      <bpmn:sequenceFlow id="back" sourceRef="again" targetRef="join">
        <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">again == True</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="done" sourceRef="again" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>done</bpmn:incoming></bpmn:endEvent>""")


# Data that completes each user task of each bundled diagram, for drivers that walk them end to end.
SCENARIOS: dict[str, list[tuple[str, str, dict]]] = {
    "proposal_intake": [
        ("submit_proposal", "representative", {"title": "食堂扩建", "reason": "午餐排队太久", "measures": "增加窗口"}),
        ("screen_proposal", "proposal_committee", {"decision": "accept", "handling_department": "后勤部"}),
    ],
}


def only_ready(client, headers, instance_id: str) -> dict:
    """The single ready task of an instance (fails the test if there is not exactly one)."""
    tasks = client.get(f"/api/v1/tasks?all=true&instance={instance_id}", headers=headers).get_json()["items"]
    assert len(tasks) == 1, tasks
    return tasks[0]


def _timer(kind: str, expr: str) -> str:
    return f"<bpmn:timerEventDefinition><bpmn:{kind}>{expr}</bpmn:{kind}></bpmn:timerEventDefinition>"


def _reply_until(before: str, timer: str, overdue: str) -> str:
    """User task 'reply' (书面回应), reached from `before` and ending at 'done', interrupted by the boundary timer
    'overdue' whose flow leads to `overdue`."""
    return f"""
      <bpmn:sequenceFlow id="to_reply" sourceRef="{before}" targetRef="reply"/>
      <bpmn:userTask id="reply" name="书面回应"><bpmn:incoming>to_reply</bpmn:incoming>
        <bpmn:outgoing>replied</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="replied" sourceRef="reply" targetRef="done"/>
      <bpmn:endEvent id="done"><bpmn:incoming>replied</bpmn:incoming></bpmn:endEvent>
      <bpmn:boundaryEvent id="overdue" name="逾期未回应" attachedToRef="reply" cancelActivity="true">
        <bpmn:outgoing>late</bpmn:outgoing>{timer}</bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="late" sourceRef="overdue" targetRef="{overdue}"/>"""


def deadline_escalation(pid: str, expr: str, kind: str = "timeDate") -> bytes:
    """start -> user task 'reply' (lane union) with an interrupting boundary timer -> user task 'escalate'."""
    return diagram(pid, f"""
      <bpmn:startEvent id="start"><bpmn:outgoing>to_reply</bpmn:outgoing></bpmn:startEvent>
      {_reply_until("start", _timer(kind, expr), "escalate")}
      <bpmn:userTask id="escalate" name="提请上级工会协调"><bpmn:incoming>late</bpmn:incoming>
        <bpmn:outgoing>escalated_flow</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="escalated_flow" sourceRef="escalate" targetRef="escalated"/>
      <bpmn:endEvent id="escalated"><bpmn:incoming>escalated_flow</bpmn:incoming></bpmn:endEvent>""")


CHAIR_LANE = '<bpmn:lane id="lane_chair" name="union_chair"><bpmn:flowNodeRef>reply</bpmn:flowNodeRef></bpmn:lane>'


def computed_then_waiting(pid: str, days: int) -> bytes:
    """start -> script (due = deadline(requested_at, days)) -> task 'reply' (lane union_chair), interrupted at due."""
    return diagram(pid, f"""
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="compute"/>
      <bpmn:scriptTask id="compute" name="计算期限"><bpmn:incoming>f1</bpmn:incoming>
        <bpmn:outgoing>to_reply</bpmn:outgoing><bpmn:script>due = deadline(requested_at, {days})</bpmn:script>
      </bpmn:scriptTask>
      {_reply_until("compute", _timer("timeDate", "due"), "late_end")}
      <bpmn:endEvent id="late_end"><bpmn:incoming>late</bpmn:incoming></bpmn:endEvent>""", lanes=CHAIR_LANE)


def reminder_cycle(pid: str, cycle: str) -> bytes:
    """A user task 'file' with a non-interrupting cycle boundary timer whose path runs a script reminder."""
    return diagram(pid, f"""
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="file"/>
      <bpmn:userTask id="file" name="报送备案"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="file" targetRef="done"/>
      <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
      <bpmn:boundaryEvent id="remind" name="提醒" attachedToRef="file" cancelActivity="false">
        <bpmn:outgoing>f3</bpmn:outgoing>{_timer("timeCycle", cycle)}</bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="note"/>
      <bpmn:scriptTask id="note" name="记录提醒"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
        <bpmn:script>reminded = True</bpmn:script></bpmn:scriptTask>
      <bpmn:sequenceFlow id="f4" sourceRef="note" targetRef="noted"/>
      <bpmn:endEvent id="noted"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>""")


def intermediate_timer(pid: str, expr: str, kind: str = "timeDuration") -> bytes:
    """start -> timer catch 'wait' -> user task 'after' -> end."""
    return diagram(pid, f"""
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
      <bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:incoming>f1</bpmn:incoming>
        <bpmn:outgoing>f2</bpmn:outgoing>{_timer(kind, expr)}</bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after"/>
      <bpmn:userTask id="after" name="后续"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


def timer_start(pid: str, expr: str, kind: str = "timeCycle") -> bytes:
    """A timer start event -> user task 'publish' -> end."""
    return diagram(pid, f"""
      <bpmn:startEvent id="start" name="定期公开"><bpmn:outgoing>f1</bpmn:outgoing>{_timer(kind, expr)}
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="publish"/>
      <bpmn:userTask id="publish" name="公开"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="publish" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>""")


MESSAGE_DEFS = """
  <bpmn:collaboration id="collab_{pid}">
    <bpmn:participant id="part_{pid}" processRef="{pid}"/>
    <bpmn:correlationKey name="contract_key" id="ck_{pid}">
      <bpmn:correlationPropertyRef>contract_id</bpmn:correlationPropertyRef>
    </bpmn:correlationKey>
  </bpmn:collaboration>
  <bpmn:message id="msg_objection" name="contract.objection"/>
  <bpmn:correlationProperty id="contract_id" name="contract_id">
    <bpmn:correlationPropertyRetrievalExpression messageRef="msg_objection">
      <bpmn:messagePath>contract_id</bpmn:messagePath>
    </bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
"""


def correlated_wait(pid: str) -> bytes:
    """Waits for message 'contract.objection' correlated by the instance's `contract_id`, then a user task."""
    body = """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_objection"/>
      <bpmn:intermediateCatchEvent id="wait_objection" name="等待审查意见"><bpmn:incoming>f1</bpmn:incoming>
        <bpmn:outgoing>f2</bpmn:outgoing>
        <bpmn:messageEventDefinition messageRef="msg_objection"><bpmn:extensionElements>
          <spiffworkflow:messageVariable>objection</spiffworkflow:messageVariable>
          <spiffworkflow:processVariableCorrelation><spiffworkflow:propertyId>contract_id</spiffworkflow:propertyId>
            <spiffworkflow:expression>contract_id</spiffworkflow:expression></spiffworkflow:processVariableCorrelation>
        </bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="wait_objection" targetRef="renegotiate"/>
      <bpmn:userTask id="renegotiate" name="重新协商"><bpmn:incoming>f2</bpmn:incoming>
        <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f3" sourceRef="renegotiate" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>"""
    return (HEADER.format(pid=pid) + MESSAGE_DEFS.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">'
            + body + "</bpmn:process></bpmn:definitions>").encode()


def signal_wait(pid: str, signal: str) -> bytes:
    """Waits for a signal, then a user task."""
    body = """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_signal"/>
      <bpmn:intermediateCatchEvent id="wait_signal"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
        <bpmn:signalEventDefinition signalRef="sig"/></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="wait_signal" targetRef="after"/>
      <bpmn:userTask id="after"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>"""
    return (HEADER.format(pid=pid) + f'<bpmn:signal id="sig" name="{signal}"/>'
            + f'<bpmn:process id="{pid}" isExecutable="true">' + body + "</bpmn:process></bpmn:definitions>").encode()


def message_start(pid: str, message: str) -> bytes:
    """A process started by a message; the payload lands in `request`."""
    body = """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing>
        <bpmn:messageEventDefinition messageRef="m_start"><bpmn:extensionElements>
          <spiffworkflow:messageVariable>request</spiffworkflow:messageVariable>
        </bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reply"/>
      <bpmn:userTask id="reply"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="reply" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>"""
    return (HEADER.format(pid=pid) + f'<bpmn:message id="m_start" name="{message}"/>'
            + f'<bpmn:process id="{pid}" isExecutable="true">' + body + "</bpmn:process></bpmn:definitions>").encode()


def message_thrower(pid: str) -> bytes:
    """A user task, then an intermediate throw of 'contract.objection' carrying contract_id and clauses."""
    body = """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
      <bpmn:userTask id="review" name="审查"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="object"/>
      <bpmn:intermediateThrowEvent id="object" name="送达审查意见书"><bpmn:incoming>f2</bpmn:incoming>
        <bpmn:outgoing>f3</bpmn:outgoing>
        <bpmn:messageEventDefinition messageRef="msg_objection"><bpmn:extensionElements>
          <spiffworkflow:messagePayload>{"contract_id": contract_id, "clauses": clauses}</spiffworkflow:messagePayload>
        </bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="object" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>"""
    return (HEADER.format(pid=pid) + MESSAGE_DEFS.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">'
            + body + "</bpmn:process></bpmn:definitions>").encode()


def service_call(pid: str, operator: str, params: str = "") -> bytes:
    """start -> service task 'call' (operator, result in `result`) -> user task 'check' -> end."""
    return diagram(pid, f"""
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
      <bpmn:serviceTask id="call" name="调用服务"><bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="result">
          <spiffworkflow:parameters>{params}</spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator></bpmn:extensionElements>
        <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
      <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="check"/>
      <bpmn:userTask id="check"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>""")


def correlated_wait_in_subprocess(pid: str) -> bytes:
    """Like `correlated_wait`, but the message catch sits inside an embedded subprocess."""
    body = """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review_stage"/>
      <bpmn:subProcess id="review_stage" name="审查阶段">
        <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
        <bpmn:startEvent id="sub_start"><bpmn:outgoing>s1</bpmn:outgoing></bpmn:startEvent>
        <bpmn:sequenceFlow id="s1" sourceRef="sub_start" targetRef="wait_objection"/>
        <bpmn:intermediateCatchEvent id="wait_objection">
          <bpmn:incoming>s1</bpmn:incoming><bpmn:outgoing>s2</bpmn:outgoing>
          <bpmn:messageEventDefinition messageRef="msg_objection"><bpmn:extensionElements>
            <spiffworkflow:messageVariable>objection</spiffworkflow:messageVariable>
            <spiffworkflow:processVariableCorrelation><spiffworkflow:propertyId>contract_id</spiffworkflow:propertyId>
              <spiffworkflow:expression>contract_id</spiffworkflow:expression></spiffworkflow:processVariableCorrelation>
          </bpmn:extensionElements></bpmn:messageEventDefinition></bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="s2" sourceRef="wait_objection" targetRef="sub_end"/>
        <bpmn:endEvent id="sub_end"><bpmn:incoming>s2</bpmn:incoming></bpmn:endEvent>
      </bpmn:subProcess>
      <bpmn:sequenceFlow id="f2" sourceRef="review_stage" targetRef="renegotiate"/>
      <bpmn:userTask id="renegotiate"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
      <bpmn:sequenceFlow id="f3" sourceRef="renegotiate" targetRef="end"/>
      <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>"""
    return (HEADER.format(pid=pid) + MESSAGE_DEFS.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">'
            + body + "</bpmn:process></bpmn:definitions>").encode()
