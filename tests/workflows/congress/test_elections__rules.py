"""Elections: elected only with more than half of ALL seated representatives (民主管理规定 第20条, 1986 条例
第18条), by votes in descending order when more qualify than seats, competitive elections and their margin, a
tie and an unfilled seat going to a further round, recall, and the scrutineers."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text

import workflows.congress.tables  # noqa: F401  (registers the tables before PostgreSQL's create_all)
from engine.errors import Conflict, Forbidden, ValidationFailed
from workflows.congress import election_ballots, elections, meetings, scrutineers
from workflows.errors import RuleConflict, RuleViolation

from helpers.congress import CHAIR, rep
from helpers.elections import (
    SCRUTINEERS,
    cast_all,
    close,
    confirm_all,
    election,
    entries,
    meeting_with_scrutineers,
    open_round,
    plan_marks,
    publish,
)

VOTERS = list(range(1, 61))


def _status(services, election_id: int) -> dict[str, str]:
    return {c["name"]: c["status"] for c in elections.detail(services.uow(readonly=True), election_id)["candidates"]}


def test_elected_only_with_more_than_half_of_all_seated_representatives_art20(services):
    ids = meeting_with_scrutineers(services, present=45)  # 45 of 60 present: 31 votes needed, not 23
    made = election(services, ids, seats=2, candidates=3)
    rnd = open_round(services, made["election_id"])
    a, b, c = made["candidates"]
    cast_all(services, rnd.id, plan_marks({a: 31, b: 30, c: 10}, list(range(1, 46)), 2))
    counted = entries(close(services, rnd.id))
    assert rnd.votes_required == 31 and counted["代表1"]["elected"]
    # half of all 60 (a majority of those present) is not enough
    assert counted["代表2"]["for"] == 30 and not counted["代表2"]["elected"]
    assert counted["代表1"]["qualified"] and not counted["代表2"]["qualified"]


def test_competitive_election_elects_by_votes_in_descending_order_when_more_qualify_than_seats_art20(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=3, candidates=5)
    rnd = open_round(services, made["election_id"])
    c1, c2, c3, c4, c5 = made["candidates"]
    cast_all(services, rnd.id, plan_marks({c1: 50, c2: 45, c3: 40, c4: 35, c5: 10}, VOTERS, 3))
    closed = close(services, rnd.id)
    post = closed.result["posts"][0]
    assert [e["name"] for e in post["entries"]] == ["代表1", "代表2", "代表3", "代表4", "代表5"]
    assert post["elected"] == ["代表1", "代表2", "代表3"]
    assert entries(closed)["代表4"]["qualified"] and not entries(closed)["代表4"]["elected"]
    assert "超过全体职工代表（60人）的半数" in closed.result["rule"] and closed.result["further"] == []
    confirm_all(services, rnd.id)
    published = publish(services, rnd.id)
    assert published["next_round"] is None and published["document_id"]
    assert _status(services, made["election_id"]) == {"代表1": "elected", "代表2": "elected", "代表3": "elected",
                                                      "代表4": "not_elected", "代表5": "not_elected"}


def test_competitive_election_needs_more_candidates_than_seats_by_the_configured_margin(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=3, candidates=3)
    with pytest.raises(RuleViolation) as refused:
        open_round(services, made["election_id"])
    assert refused.value.rule == "election_competitive_min_extra"
    strict = dataclasses.replace(services.rules, election_competitive_min_extra=2)
    elections.nominate(services.uow(), made["election_id"], post_id=made["post_id"], name="", nominated_by="union",
                       nominator="", profile="工会推荐", rules=services.rules, actor=CHAIR,
                       representative_id=ids["representatives"][4])
    with pytest.raises(RuleViolation):
        election_ballots.open_round(services.uow(), made["election_id"], rules=strict, actor=CHAIR)
    assert open_round(services, made["election_id"]).number == 1  # 4 for 3 seats with the default margin of 1


def test_equal_election_has_as_many_candidates_as_seats(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=3, candidates=4, competitive=False)
    with pytest.raises(RuleViolation) as refused:
        open_round(services, made["election_id"])
    assert refused.value.rule == "equal_election"


def test_a_tie_for_the_last_seat_goes_to_a_further_round_among_the_tied(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=3, candidates=5)
    c1, c2, c3, c4, c5 = made["candidates"]
    first = open_round(services, made["election_id"])
    cast_all(services, first.id, plan_marks({c1: 50, c2: 45, c3: 40, c4: 40, c5: 5}, VOTERS, 3))
    closed = close(services, first.id)
    assert closed.result["posts"][0]["elected"] == ["代表1", "代表2"]
    assert closed.result["further"][0]["reason"] == "tie" and closed.result["further"][0]["candidates"] == [c3, c4]
    confirm_all(services, first.id)
    assert publish(services, first.id)["next_round"]["candidates"] == [c3, c4]
    second = open_round(services, made["election_id"])
    assert second.number == 2 and second.candidates == [c3, c4] and second.seats == {str(made["post_id"]): 1}
    with pytest.raises(ValidationFailed):  # one seat: one mark in favour
        election_ballots.cast(services.uow(), second.id, {c3: "for", c4: "for"}, actor=rep(1))
    cast_all(services, second.id, plan_marks({c3: 35, c4: 25}, VOTERS, 1))
    assert close(services, second.id).result["posts"][0]["elected"] == ["代表3"]
    confirm_all(services, second.id)
    publish(services, second.id)
    assert _status(services, made["election_id"])["代表3"] == "elected"
    assert _status(services, made["election_id"])["代表4"] == "not_elected"


def test_an_unfilled_seat_goes_to_a_further_round_among_the_candidates_not_elected(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=3, candidates=5)
    c1, c2, c3, c4, c5 = made["candidates"]
    first = open_round(services, made["election_id"])
    cast_all(services, first.id, plan_marks({c1: 50, c2: 40, c3: 30, c4: 28, c5: 20}, VOTERS, 3))
    closed = close(services, first.id)
    further = closed.result["further"][0]
    assert closed.result["posts"][0]["elected"] == ["代表1", "代表2"] and closed.result["posts"][0]["unfilled"] == 1
    assert further["reason"] == "unfilled" and further["seats"] == 1 and further["candidates"] == [c3, c4]
    assert "未当选的候选人中按得票多少" in further["text"]
    confirm_all(services, first.id)
    publish(services, first.id)
    assert _status(services, made["election_id"])["代表5"] == "not_elected"
    second = open_round(services, made["election_id"])
    assert second.candidates == [c3, c4]
    cast_all(services, second.id, plan_marks({c3: 20, c4: 25}, VOTERS, 1))  # nobody reaches 31
    assert close(services, second.id).result["further"][0]["candidates"] == [c4, c3]
    confirm_all(services, second.id)
    publish(services, second.id)
    from workflows.congress import election_publish

    assert election_publish.finish(services.uow(), made["election_id"], actor=CHAIR).status == "finished"
    with pytest.raises(Conflict):
        open_round(services, made["election_id"])


def test_recall_of_an_elected_person_needs_more_than_half_of_all_seated_art20(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=1, candidates=2)
    c1, c2 = made["candidates"]
    rnd = open_round(services, made["election_id"])
    cast_all(services, rnd.id, plan_marks({c1: 40, c2: 20}, VOTERS, 1))
    close(services, rnd.id)
    confirm_all(services, rnd.id)
    publish(services, rnd.id)
    for votes_for, outcome in ((30, "elected"), (31, "recalled")):
        matter = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="recall", title="罢免职工监事",
                                     actor=CHAIR)
        recall = elections.create_election(services.uow(), matter.id, posts=[], rules=services.rules, actor=CHAIR,
                                           recall_of=c1)
        person = elections.detail(services.uow(readonly=True), recall.id)["candidates"][0]["id"]
        vote = open_round(services, recall.id)
        marks = {i: {person: "for" if i <= votes_for else "against"} for i in VOTERS}
        cast_all(services, vote.id, marks)
        counted = close(services, vote.id)
        assert entries(counted)["代表1"]["for"] == votes_for
        assert "罢免须经全体职工代表（60人）过半数" in counted.result["rule"]
        confirm_all(services, vote.id)
        publish(services, vote.id)
        assert _status(services, made["election_id"])["代表1"] == outcome


def test_scrutineer_not_a_candidate(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=1, candidates=2)
    with pytest.raises(RuleViolation) as refused:  # a scrutineer nominated
        elections.nominate(services.uow(), made["election_id"], post_id=made["post_id"], name="",
                           nominated_by="union", nominator="", profile="", rules=services.rules, actor=CHAIR,
                           representative_id=ids["representatives"][SCRUTINEERS[0]])
    assert refused.value.rule == "scrutineer_not_candidate"
    reps = ids["representatives"]
    with pytest.raises(Conflict):  # approved lists are final
        scrutineers.propose(services.uow(), ids["meeting_id"], [reps[10], reps[11], reps[12]], reps[10],
                            rules=services.rules, actor=CHAIR)


def test_scrutineer_not_a_candidate_when_proposed_after_the_nomination(services):
    from helpers.congress import convened_meeting

    ids = convened_meeting(services, 60, present=60, headcount=1200, managers=6, women=20)
    reps = ids["representatives"]
    matter = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="election", title="选举",
                                 actor=CHAIR)
    made = elections.create_election(services.uow(), matter.id, posts=[{"title": "职工董事", "seats": 1}],
                                     rules=services.rules, actor=CHAIR)
    post = elections.detail(services.uow(readonly=True), made.id)["posts"][0]["id"]
    elections.nominate(services.uow(), made.id, post_id=post, name="", nominated_by="delegation",
                       nominator="第1代表团", profile="", rules=services.rules, actor=CHAIR, representative_id=reps[7])
    with pytest.raises(RuleViolation) as refused:
        scrutineers.propose(services.uow(), ids["meeting_id"], [reps[7], reps[8], reps[9]], reps[8],
                            rules=services.rules, actor=CHAIR)
    assert refused.value.rule == "scrutineer_not_candidate"
    with pytest.raises(RuleConflict) as no_scrutineers:
        election_ballots.open_round(services.uow(), made.id, rules=services.rules, actor=CHAIR)
    assert no_scrutineers.value.rule == "scrutineers_approved"
    scrutineers.propose(services.uow(), ids["meeting_id"], [reps[8], reps[9], reps[10]], reps[8],
                        rules=services.rules, actor=CHAIR)
    rejected = scrutineers.approve(services.uow(), ids["meeting_id"], votes_for=30, votes_against=20,
                                   abstentions=10, rules=services.rules, actor=CHAIR)
    assert rejected.outcome == "rejected" and rejected.votes_required == 31  # a show of hands: 过半数 of all seated


def test_scrutineers_must_confirm_before_publication(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=1, candidates=2)
    c1, c2 = made["candidates"]
    rnd = open_round(services, made["election_id"])
    with pytest.raises(Conflict):  # nothing to confirm while the round is open
        scrutineers.confirm(services.uow(), rnd.id, actor=rep(SCRUTINEERS[0]),
                            meeting_of_round=election_ballots.meeting_of_round)
    cast_all(services, rnd.id, plan_marks({c1: 40, c2: 20}, VOTERS, 1))
    close(services, rnd.id)
    with pytest.raises(RuleConflict) as refused:
        publish(services, rnd.id)
    assert refused.value.rule == "scrutineers_confirmed" and len(refused.value.errors["missing"]) == 3
    with pytest.raises(Forbidden):  # a representative who is not a scrutineer
        scrutineers.confirm(services.uow(), rnd.id, actor=rep(20), meeting_of_round=election_ballots.meeting_of_round)
    for seat_no in SCRUTINEERS[:2]:
        scrutineers.confirm(services.uow(), rnd.id, actor=rep(seat_no),
                            meeting_of_round=election_ballots.meeting_of_round)
    with pytest.raises(RuleConflict) as still:
        publish(services, rnd.id)
    assert still.value.errors["missing"] == ["代表60"]
    scrutineers.confirm(services.uow(), rnd.id, actor=rep(SCRUTINEERS[2]),
                        meeting_of_round=election_ballots.meeting_of_round)
    assert publish(services, rnd.id)["status"] == "published"


def test_ballot_marks_at_most_the_seats_write_ins_included_and_write_in_can_be_elected(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=1, candidates=2, method="approve")
    c1, c2 = made["candidates"]
    rnd = open_round(services, made["election_id"])
    with pytest.raises(ValidationFailed):
        election_ballots.cast(services.uow(), rnd.id, {c1: "for"}, actor=rep(1), write_ins={made["post_id"]: ["张三"]})
    with pytest.raises(ValidationFailed):  # a candidate on the ballot is not written in
        election_ballots.cast(services.uow(), rnd.id, {}, actor=rep(1), write_ins={made["post_id"]: ["代表1"]})
    marks = {i: {c1: "against", c2: "against"} for i in VOTERS}
    cast_all(services, rnd.id, marks, write_ins={i: {made["post_id"]: ["张三"]} for i in range(1, 41)})
    counted = entries(close(services, rnd.id))
    assert counted["张三"]["write_in"] and counted["张三"]["elected"] and counted["代表1"]["against"] == 60
    confirm_all(services, rnd.id)
    publish(services, rnd.id)
    assert _status(services, made["election_id"])["张三"] == "elected"


def test_one_final_ballot_per_representative_checked_in_before_the_round(services):
    ids = meeting_with_scrutineers(services, present=50)
    made = election(services, ids, seats=1, candidates=2)
    rnd = open_round(services, made["election_id"])
    election_ballots.cast(services.uow(), rnd.id, {made["candidates"][0]: "for"}, actor=rep(1))
    with pytest.raises(Conflict):
        election_ballots.cast(services.uow(), rnd.id, {made["candidates"][1]: "for"}, actor=rep(1))
    with pytest.raises(Forbidden):  # not checked in
        election_ballots.cast(services.uow(), rnd.id, {made["candidates"][1]: "for"}, actor=rep(55))
    with pytest.raises(Conflict):  # a plain vote is not opened on an election's matter
        from workflows.congress import ballots

        ballots.open_vote(services.uow(), made["matter_id"], rules=services.rules, actor=CHAIR)


def test_a_named_election_records_each_voter_with_their_marks_and_gives_no_receipt(services):
    ids = meeting_with_scrutineers(services)
    matter = meetings.add_matter(services.uow(), ids["meeting_id"], matter_type="election", title="选举职工董事",
                                 actor=CHAIR)
    with services.db.begin() as conn:  # as a matter_mode table that makes this election named would
        conn.execute(text("UPDATE congress_matters SET secret = :f WHERE id = :m"), {"f": False, "m": matter.id})
    made = elections.create_election(services.uow(), matter.id, posts=[{"title": "职工董事", "seats": 1}],
                                     rules=services.rules, actor=CHAIR, method="choose")
    post = elections.detail(services.uow(readonly=True), made.id)["posts"][0]["id"]
    people = [elections.nominate(services.uow(), made.id, post_id=post, name="", nominated_by="union",
                                 nominator="", profile="", rules=services.rules, actor=CHAIR,
                                 representative_id=ids["representatives"][i]).id for i in (1, 2)]
    rnd = open_round(services, made.id)
    assert not rnd.secret and rnd.ballot_key is None
    receipts = cast_all(services, rnd.id, plan_marks({people[0]: 40, people[1]: 20}, VOTERS, 1))
    assert set(receipts.values()) == {None}
    with services.db.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM congress_election_named")).scalar() == 60
        assert conn.execute(text("SELECT COUNT(*) FROM congress_election_participation")).scalar() == 0
    assert close(services, rnd.id).result["posts"][0]["elected"] == ["代表1"]


def test_one_ballot_fills_several_posts_each_with_its_own_seats(services):
    ids = meeting_with_scrutineers(services)
    made = election(services, ids, seats=2, candidates=3)
    director = elections.add_post(services.uow(), made["election_id"], {"title": "职工董事", "seats": 1},
                                  rules=services.rules, actor=CHAIR)
    people = [elections.nominate(services.uow(), made["election_id"], post_id=director.id, name="",
                                 nominated_by="union", nominator="", profile="", rules=services.rules, actor=CHAIR,
                                 representative_id=ids["representatives"][i]).id for i in (6, 7)]
    rnd = open_round(services, made["election_id"])
    c1, c2, c3 = made["candidates"]
    supervisors = plan_marks({c1: 50, c2: 40, c3: 30}, VOTERS, 2)
    directors = plan_marks({people[0]: 45, people[1]: 15}, VOTERS, 1)
    with pytest.raises(ValidationFailed):  # two in favour for the one director's seat
        election_ballots.cast(services.uow(), rnd.id, {people[0]: "for", people[1]: "for"}, actor=rep(1))
    cast_all(services, rnd.id, {i: {**supervisors[i], **directors[i]} for i in VOTERS})
    posts = {p["title"]: p for p in close(services, rnd.id).result["posts"]}
    assert posts["职工监事"]["elected"] == ["代表1", "代表2"] and posts["职工董事"]["elected"] == ["代表6"]
