"""Congress elections: set up posts and candidates, scrutineers approved by a show of hands, rounds opened,
cast, closed, confirmed by every scrutineer and published with the election notice; recall; receipts."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine.identity import ADMIN, AUDITOR
from workflows.congress import (
    election_ballots,
    election_publish,
    election_tally,
    elections,
    scrutineers,
)
from workflows.congress.meetings import PRESIDIUM, REPRESENTATIVE

from ..auth import current_actor, require
from ..extension import services as _svc
from ..extension import uow as _uow
from ..schemas import elections as es
from ..schemas.congress import ReceiptCheckedSchema, ReceiptCheckSchema

blp = Blueprint("elections", __name__, url_prefix="/api/v1/congress",
                description="Workers' congress elections (选举、罢免): posts, candidates, rounds, scrutineers")


def _round(round_id: int) -> dict:
    return election_publish.round_view(_uow(readonly=True), round_id, current_actor())


@blp.route("/matters/<int:matter_id>/election")
class CreateElection(MethodView):
    @blp.arguments(es.ElectionCreateSchema)
    @blp.response(201, es.ElectionSchema)
    def post(self, body, matter_id):
        """Set up the election (or, on a recall matter, the recall of `recall_of`) held on a matter (presidium)."""
        actor = require(PRESIDIUM)
        made = elections.create_election(_uow(), matter_id, **body, rules=_svc().rules, actor=actor)
        return elections.detail(_uow(readonly=True), made.id)


@blp.route("/meetings/<int:meeting_id>/elections")
class MeetingElections(MethodView):
    @blp.response(200, es.ElectionListSchema(many=True))
    def get(self, meeting_id):
        """The elections and recalls of a meeting."""
        current_actor()
        return elections.list_elections(_uow(readonly=True), meeting_id)


@blp.route("/elections/<int:election_id>")
class ElectionDetail(MethodView):
    @blp.response(200, es.ElectionSchema)
    def get(self, election_id):
        """An election: posts, candidates with their profiles, rounds, and the further round the rule calls for."""
        current_actor()
        return elections.detail(_uow(readonly=True), election_id)


@blp.route("/elections/<int:election_id>/candidates")
class Candidates(MethodView):
    @blp.arguments(es.CandidateCreateSchema)
    @blp.response(201, es.CandidateSchema)
    def post(self, body, election_id):
        """Nominate a candidate (delegation, union or representatives jointly); refused for a scrutineer (presidium)."""
        actor = require(PRESIDIUM)
        made = elections.nominate(_uow(), election_id, **body, rules=_svc().rules, actor=actor)
        return next(c for c in elections.detail(_uow(readonly=True), election_id)["candidates"] if c["id"] == made.id)


@blp.route("/elections/<int:election_id>/posts")
class Posts(MethodView):
    @blp.arguments(es.PostCreateSchema)
    @blp.response(201, es.PostSchema)
    def post(self, body, election_id):
        """Add another post before the first round (presidium)."""
        return elections.add_post(_uow(), election_id, body, rules=_svc().rules, actor=require(PRESIDIUM))


@blp.route("/candidates/<int:candidate_id>/withdraw")
class Withdraw(MethodView):
    @blp.response(200, es.CandidateSchema)
    def post(self, candidate_id):
        """Take a candidate off the list before the first round (presidium)."""
        return elections.withdraw(_uow(), candidate_id, actor=require(PRESIDIUM))


@blp.route("/elections/<int:election_id>/rounds")
class Rounds(MethodView):
    @blp.response(201, es.RoundSchema)
    def post(self, election_id):
        """Open the next round: the first, or the further round the rule names (presidium; quorum and approved
        scrutineers needed)."""
        actor = require(PRESIDIUM)
        rnd = election_ballots.open_round(_uow(), election_id, rules=_svc().rules, actor=actor)
        return _round(rnd.id)


@blp.route("/elections/<int:election_id>/finish")
class Finish(MethodView):
    @blp.response(200, es.ElectionSchema)
    def post(self, election_id):
        """End the election without a further round; seats still open stay unfilled (presidium)."""
        election_publish.finish(_uow(), election_id, actor=require(PRESIDIUM))
        return elections.detail(_uow(readonly=True), election_id)


@blp.route("/election-rounds/<int:round_id>")
class RoundDetail(MethodView):
    @blp.response(200, es.RoundSchema)
    def get(self, round_id):
        """A round; its count for the presidium and the scrutineers once closed, for everyone once published."""
        return _round(round_id)


@blp.route("/election-rounds/<int:round_id>/ballots")
class RoundBallots(MethodView):
    @blp.arguments(es.ElectionBallotCreateSchema)
    @blp.response(201, es.ElectionBallotCastSchema)
    def post(self, body, round_id):
        """Cast your own ballot, once: marks per candidate and names written in; a secret round returns a
        receipt code, shown only now."""
        actor = require(REPRESENTATIVE)
        return election_ballots.cast(_uow(), round_id, body["marks"], write_ins=body["write_ins"], actor=actor)


@blp.route("/election-rounds/<int:round_id>/close")
class CloseRound(MethodView):
    @blp.response(200, es.RoundSchema)
    def post(self, round_id):
        """Close and count the round; the result waits for the scrutineers' confirmation (presidium)."""
        election_tally.close_round(_uow(), round_id, rules=_svc().rules, actor=require(PRESIDIUM))
        return _round(round_id)


@blp.route("/election-rounds/<int:round_id>/confirmations")
class Confirmations(MethodView):
    @blp.response(201, es.ConfirmationSchema)
    def post(self, round_id):
        """Confirm the count as one of the meeting's approved scrutineers."""
        actor = require(REPRESENTATIVE)
        return scrutineers.confirm(_uow(), round_id, actor=actor, meeting_of_round=election_ballots.meeting_of_round)


@blp.route("/election-rounds/<int:round_id>/publish")
class Publish(MethodView):
    @blp.response(200, es.PublishedSchema)
    def post(self, round_id):
        """Publish the result and the election notice; refused (409) until every scrutineer has confirmed."""
        return election_publish.publish(_uow(), round_id, actor=require(PRESIDIUM))


@blp.route("/election-rounds/<int:round_id>/receipts")
class Receipts(MethodView):
    @blp.response(200, es.RoundReceiptsSchema)
    def get(self, round_id):
        """The published hashes of the receipts counted in a closed secret round."""
        current_actor()
        return {"round_id": round_id, "receipts": election_tally.published_receipts(_uow(readonly=True), round_id)}


@blp.route("/election-rounds/<int:round_id>/receipts/check")
class ReceiptCheck(MethodView):
    @blp.arguments(ReceiptCheckSchema)
    @blp.response(200, ReceiptCheckedSchema)
    def post(self, body, round_id):
        """Was the ballot behind this receipt code counted? (It never says how it was marked.)"""
        current_actor()
        return {"counted": election_tally.receipt_counted(_uow(readonly=True), round_id, body["code"])}


@blp.route("/election-rounds/<int:round_id>/verification")
class Verification(MethodView):
    @blp.response(200, es.RoundVerificationSchema)
    def get(self, round_id):
        """Ballots = participants, stored ballots = seal, receipts match, audit chain intact (auditors, presidium)."""
        require(AUDITOR, ADMIN, PRESIDIUM)
        return election_tally.verify(_uow(readonly=True), round_id)


@blp.route("/meetings/<int:meeting_id>/scrutineers")
class Scrutineers(MethodView):
    @blp.response(200, es.ScrutineersSchema)
    def get(self, meeting_id):
        """The meeting's scrutineers (总监票人 first) and the show-of-hands records."""
        current_actor()
        return scrutineers.listing(_uow(readonly=True), meeting_id)

    @blp.arguments(es.ScrutineersProposeSchema)
    @blp.response(200, es.ScrutineersSchema)
    def put(self, body, meeting_id):
        """Propose the scrutineers among representatives who are not candidates (presidium)."""
        scrutineers.propose(_uow(), meeting_id, body["representative_ids"], body["chief_id"], rules=_svc().rules,
                            actor=require(PRESIDIUM))
        return scrutineers.listing(_uow(readonly=True), meeting_id)


@blp.route("/meetings/<int:meeting_id>/scrutineers/approval")
class ScrutineerApproval(MethodView):
    @blp.arguments(es.ShowOfHandsSchema)
    @blp.response(201, es.ScrutineersSchema)
    def post(self, body, meeting_id):
        """Enter the show of hands on the proposed scrutineers; approved with more than half of all seated
        (presidium)."""
        scrutineers.approve(_uow(), meeting_id, **body, rules=_svc().rules, actor=require(PRESIDIUM))
        return scrutineers.listing(_uow(readonly=True), meeting_id)
