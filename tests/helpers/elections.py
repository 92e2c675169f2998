"""The election driver: a convened 60-seat meeting with approved scrutineers, an election on its agenda, and
ballots planned so that each candidate gets the votes a test names (through the domain services)."""

from __future__ import annotations

from engine.identity import Actor
from workflows.congress import (
    election_ballots,
    election_publish,
    election_tally,
    elections,
    meetings,
    scrutineers,
)

from helpers.congress import CHAIR, convened_meeting, rep

SCRUTINEERS = (58, 59, 60)  # seats of the scrutineers (58 is the chief)


def plan_marks(targets: dict[int, int], voters: list[int], per_ballot: int) -> dict[int, dict[int, str]]:
    """Each voter's marks so that candidate c gets targets[c] votes for, no ballot more than ``per_ballot``."""
    load = {v: 0 for v in voters}
    marks: dict[int, dict[int, str]] = {v: {} for v in voters}
    for cid, n in sorted(targets.items(), key=lambda kv: -kv[1]):
        chosen = sorted(voters, key=lambda v: (load[v], v))[:n]
        assert len(chosen) == n and all(load[v] < per_ballot for v in chosen), "infeasible plan"
        for v in chosen:
            marks[v][cid] = "for"
            load[v] += 1
    return marks


def meeting_with_scrutineers(services, seats: int = 60, present: int = 60) -> dict:
    ids = convened_meeting(services, seats, present=present, headcount=20 * seats, managers=6, women=20)
    reps = ids["representatives"]
    scrutineers.propose(services.uow(), ids["meeting_id"], [reps[i] for i in SCRUTINEERS], reps[SCRUTINEERS[0]],
                        rules=services.rules, actor=CHAIR)
    scrutineers.approve(services.uow(), ids["meeting_id"], votes_for=present, votes_against=0, abstentions=0,
                        rules=services.rules, actor=CHAIR)
    return ids


def election(services, ids: dict, *, seats: int = 3, candidates: int = 5, competitive: bool = True,
             method: str = "choose", title: str = "选举职工监事", write_in: bool = True) -> dict:
    """An election of ``seats`` 职工监事 among ``candidates`` representatives (seats 1..candidates)."""
    matter = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="election", title=title, actor=CHAIR)
    made = elections.create_election(services.uow(), matter.id, rules=services.rules, actor=CHAIR,
                                     competitive=competitive, method=method,
                                     posts=[{"title": "职工监事", "seats": seats, "write_in": write_in}])
    post_id = elections.detail(services.uow(readonly=True), made.id)["posts"][0]["id"]
    people = []
    for i in range(1, candidates + 1):
        people.append(elections.nominate(
            services.uow(), made.id, post_id=post_id, name="", nominated_by="delegation",
            nominator=f"第{(i - 1) % 4 + 1}代表团", profile=f"候选人{i}：从事生产一线工作多年。", rules=services.rules,
            actor=CHAIR, representative_id=ids["representatives"][i]).id)
    return {"election_id": made.id, "post_id": post_id, "candidates": people, "matter_id": matter.id}


def open_round(services, election_id: int):
    return election_ballots.open_round(services.uow(), election_id, rules=services.rules, actor=CHAIR)


def cast_all(services, round_id: int, marks: dict[int, dict[int, str]], write_ins=None) -> dict[int, str | None]:
    receipts = {}
    for seat_no, mine in marks.items():
        receipts[seat_no] = election_ballots.cast(services.uow(), round_id, mine, actor=rep(seat_no),
                                                  write_ins=(write_ins or {}).get(seat_no))["receipt"]
    return receipts


def close(services, round_id: int):
    return election_tally.close_round(services.uow(), round_id, rules=services.rules, actor=CHAIR)


def confirm_all(services, round_id: int) -> None:
    for seat_no in SCRUTINEERS:
        scrutineers.confirm(services.uow(), round_id, actor=rep(seat_no),
                            meeting_of_round=election_ballots.meeting_of_round)


def publish(services, round_id: int) -> dict:
    return election_publish.publish(services.uow(), round_id, actor=CHAIR)


def entries(rnd) -> dict[str, dict]:
    return {e["name"]: e for post in rnd.result["posts"] for e in post["entries"]}


def representative(i: int) -> Actor:
    return rep(i)
