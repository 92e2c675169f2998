"""A one-lane process of letters (来信) for the task lists' text search tests: each case started through the API
with a business key and a title, its first task ready."""

from __future__ import annotations

DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://dmflow">
  <bpmn:process id="letters" name="\xe6\x9d\xa5\xe4\xbf\xa1" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:userTask id="reply" /><bpmn:userTask id="check" /><bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reply" />
    <bpmn:sequenceFlow id="f2" sourceRef="reply" targetRef="check" />
    <bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""

# The same letters in a lane of clerks: a task that waits in the clerks' pool until one of them claims it.
CLERK_DIAGRAM = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://dmflow">
  <bpmn:process id="letters" name="\xe6\x9d\xa5\xe4\xbf\xa1\xe5\x8a\x9e\xe7\x90\x86" isExecutable="true">
    <bpmn:laneSet id="ls"><bpmn:lane id="l" name="clerk"><bpmn:flowNodeRef>reply</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="reply" name="\xe5\x9b\x9e\xe5\xa4\x8d"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reply" />
    <bpmn:sequenceFlow id="f2" sourceRef="reply" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def start_letters(client, headers: dict[str, str], cases) -> dict[str, str]:
    """Start one letter per (business key, title) of `cases`; the id of each title's ready task."""
    ids = {}
    for key, title in cases:
        answer = client.post("/api/v1/instances", headers=headers,
                             json={"process": "letters", "business_key": key, "data": {"title": title}})
        assert answer.status_code == 201, answer.get_json()
        ids[title] = answer.get_json()["ready_tasks"][0]["id"]
    return ids


def titles(client, headers: dict[str, str], query: str, scope: str = "open") -> list[str]:
    """The case titles a task list search for `query` finds, sorted."""
    answer = client.get("/api/v1/tasks", query_string={"q": query, "per_page": 100, "scope": scope},
                        headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return sorted(row["case_title"] for row in answer.get_json()["items"])
