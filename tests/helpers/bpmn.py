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


def revise_loop(pid: str) -> bytes:
    """start -> user task 'revise' -> gateway: again == True loops back to 'revise', else end."""
    return diagram(pid, """
      <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="join"/>
      <bpmn:exclusiveGateway id="join"><bpmn:incoming>f1</bpmn:incoming><bpmn:incoming>back</bpmn:incoming>
        <bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>
      <bpmn:sequenceFlow id="f2" sourceRef="join" targetRef="revise"/>
      <bpmn:userTask id="revise" name="修改"><bpmn:incoming>f2</bpmn:incoming>
        <bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
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
    tasks = client.get(f"/api/v1/tasks?all=true&instance={instance_id}", headers=headers).get_json()
    assert len(tasks) == 1, tasks
    return tasks[0]
