"""The workers' congress: roster, meetings, agenda, check-in, votes, ballots, receipts and results."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from engine.identity import ADMIN, AUDITOR, DESIGNER
from workflows.congress import accounts, ballots, composition, matter_modes, meetings, roster, roster_import, tally
from workflows.congress.meetings import PRESIDIUM, REPRESENTATIVE

from ..auth import current_actor, require
from ..extension import services as _svc
from ..extension import uow as _uow
from ..schemas import congress as cs

blp = Blueprint("congress", __name__, url_prefix="/api/v1/congress",
                description="Workers' congress (职工代表大会): roster, meetings, votes")
ROSTER_READERS = (ADMIN, PRESIDIUM, AUDITOR)
MEETING_MANAGERS = (PRESIDIUM, ADMIN)


def _columns(row) -> dict:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}


def _vote_out(vote) -> dict:
    return _columns(vote) | {"result": tally.result_of(vote)}


@blp.route("/organisations")
class Organisations(MethodView):
    @blp.response(200, cs.OrganisationSchema(many=True))
    def get(self):
        """Every organisation with its workforce figures."""
        require(*ROSTER_READERS)
        return roster.list_organisations(_uow(readonly=True))

    @blp.arguments(cs.OrganisationCreateSchema)
    @blp.response(201, cs.OrganisationSchema)
    def post(self, body):
        """Register an organisation (admins)."""
        return roster.create_organisation(_uow(), **body, actor=require(ADMIN))


@blp.route("/organisations/<int:organisation_id>")
class OrganisationDetail(MethodView):
    @blp.arguments(cs.OrganisationUpdateSchema)
    @blp.response(200, cs.OrganisationSchema)
    def patch(self, body, organisation_id):
        """Change the workforce figures (admins)."""
        return roster.update_organisation(_uow(), organisation_id, body, actor=require(ADMIN))


@blp.route("/terms")
class Terms(MethodView):
    @blp.arguments(cs.TermQuerySchema, location="query")
    @blp.response(200, cs.TermSchema(many=True))
    def get(self, args):
        """Congress terms (届), optionally of one organisation."""
        require(*ROSTER_READERS)
        return roster.list_terms(_uow(readonly=True), args.get("organisation_id"))

    @blp.arguments(cs.TermCreateSchema)
    @blp.response(201, cs.TermSchema)
    def post(self, body):
        """Open a term of 3 to 5 years (admins)."""
        return roster.create_term(_uow(), body.pop("organisation_id"), **body, actor=require(ADMIN))


@blp.route("/terms/<int:term_id>")
class TermDetail(MethodView):
    @blp.response(200, cs.TermSchema)
    def get(self, term_id):
        """One term."""
        require(*ROSTER_READERS)
        return roster.get_term(_uow(readonly=True), term_id)


@blp.route("/terms/<int:term_id>/representatives")
class Representatives(MethodView):
    @blp.arguments(cs.SeatedOnQuerySchema, location="query")
    @blp.response(200, cs.RepresentativeSchema(many=True))
    def get(self, args, term_id):
        """The term's representatives, or those seated on `on`."""
        require(*ROSTER_READERS)
        return roster.list_representatives(_uow(readonly=True), term_id, args.get("on"))

    @blp.arguments(cs.RepresentativeCreateSchema)
    @blp.response(201, cs.RepresentativeSchema)
    def post(self, body, term_id):
        """Seat one representative (admins)."""
        return roster_import.add_representative(_uow(), term_id, body, actor=require(ADMIN))


@blp.route("/terms/<int:term_id>/representatives/import")
class RosterImport(MethodView):
    @blp.arguments(cs.RosterImportArgsSchema, location="query")
    @blp.arguments(cs.RosterFileSchema, location="files")
    @blp.response(201, cs.RosterImportedSchema)
    @blp.alt_response(201, description="with format=csv: the sheet of new accounts (text/csv)")
    def post(self, args, files, term_id):
        """Import a CSV roster: all rows or none; a refusal lists every bad row in `errors.rows` (admins).

        Accounts named in 用户名 are linked (representative role); with accounts=create the missing ones are
        created with initial passwords, returned once (format=csv: as a printable sheet)."""
        actor = require(ADMIN)
        done = roster_import.import_roster(_uow(), term_id, files["file"].read(), actor=actor,
                                           create_accounts=args["accounts"] == "create")
        if args["format"] == "csv":
            return Response(accounts.sheet_csv(done["accounts"]), 201, mimetype="text/csv", headers={
                "Content-Disposition": f'attachment; filename="accounts-term-{term_id}.csv"',
                "Cache-Control": "no-store"})
        return {"imported": len(done["representatives"]), **done}


@blp.route("/terms/<int:term_id>/composition")
class Composition(MethodView):
    @blp.arguments(cs.SeatedOnQuerySchema, location="query")
    @blp.response(200, cs.CompositionSchema)
    def get(self, args, term_id):
        """The seated congress against the composition rules: hard violations and soft warnings."""
        require(*ROSTER_READERS)
        return composition.composition(_uow(readonly=True), term_id, _svc().rules, args.get("on"))


@blp.route("/representatives/<int:representative_id>/account")
class RepresentativeAccount(MethodView):
    @blp.arguments(cs.RepresentativeAccountSchema)
    @blp.response(200, cs.RepresentativeSchema)
    def put(self, body, representative_id):
        """Link the user account the representative votes with (admins)."""
        return roster.link_account(_uow(), representative_id, body["username"], actor=require(ADMIN))


@blp.route("/representatives/<int:representative_id>/end")
class RepresentativeEnd(MethodView):
    @blp.arguments(cs.RepresentativeEndSchema)
    @blp.response(200, cs.RepresentativeSchema)
    def post(self, body, representative_id):
        """Record a recall or a vacancy from a day on (admins)."""
        return roster.end_representative(_uow(), representative_id, **body, actor=require(ADMIN))


@blp.route("/matter-modes")
class MatterModes(MethodView):
    @blp.response(200, cs.MatterModesSchema)
    def get(self):
        """The matter_mode decision table in force: mode and secrecy per matter type."""
        current_actor()
        return matter_modes.matter_modes(_uow(readonly=True))

    @blp.arguments(cs.DmnFileSchema, location="files")
    @blp.response(201, cs.DecisionDeployedSchema)
    @blp.alt_response(200, schema=cs.DecisionDeployedSchema, description="Nothing changed: identical content")
    def post(self, files):
        """Deploy a new matter_mode.dmn; it applies to matters added from now on (designers)."""
        result = matter_modes.deploy_matter_modes(_uow(), files["file"].read(), actor=require(DESIGNER, ADMIN))
        return result, 201 if result["created"] else 200


@blp.route("/terms/<int:term_id>/meetings")
class Meetings(MethodView):
    @blp.response(200, cs.MeetingSchema(many=True))
    def get(self, term_id):
        """The term's meetings."""
        current_actor()
        return meetings.list_meetings(_uow(readonly=True), term_id)

    @blp.arguments(cs.MeetingCreateSchema)
    @blp.response(201, cs.MeetingSchema)
    def post(self, body, term_id):
        """Plan a meeting; refused (422) when the congress seated that day breaks a hard composition rule."""
        actor = require(*MEETING_MANAGERS)
        return meetings.create_meeting(_uow(), term_id, **body, rules=_svc().rules, actor=actor)


@blp.route("/meetings/<int:meeting_id>")
class MeetingDetail(MethodView):
    @blp.response(200, cs.MeetingDetailSchema)
    def get(self, meeting_id):
        """A meeting with the representatives seated and present."""
        current_actor()
        return meetings.meeting_summary(_uow(readonly=True), meeting_id)


@blp.route("/meetings/<int:meeting_id>/convene")
class Convene(MethodView):
    @blp.response(200, cs.MeetingSchema)
    def post(self, meeting_id):
        """Open the session (composition checked again)."""
        return meetings.convene(_uow(), meeting_id, rules=_svc().rules, actor=require(*MEETING_MANAGERS))


@blp.route("/meetings/<int:meeting_id>/close")
class CloseMeeting(MethodView):
    @blp.response(200, cs.MeetingSchema)
    def post(self, meeting_id):
        """Close the session once no vote is open."""
        return meetings.close_meeting(_uow(), meeting_id, actor=require(*MEETING_MANAGERS))


@blp.route("/meetings/<int:meeting_id>/matters")
class Matters(MethodView):
    @blp.response(200, cs.MatterSchema(many=True))
    def get(self, meeting_id):
        """The agenda in order, each matter with its mode."""
        current_actor()
        return meetings.list_matters(_uow(readonly=True), meeting_id)

    @blp.arguments(cs.MatterCreateSchema)
    @blp.response(201, cs.MatterSchema)
    def post(self, body, meeting_id):
        """Add a matter; mode and secrecy come from the matter_mode decision table."""
        return meetings.add_matter(_uow(), meeting_id, **body, actor=require(*MEETING_MANAGERS))


@blp.route("/meetings/<int:meeting_id>/check-ins")
class CheckIns(MethodView):
    @blp.response(200, cs.CheckInSchema(many=True))
    def get(self, meeting_id):
        """Who has checked in."""
        current_actor()
        return meetings.list_check_ins(_uow(readonly=True), meeting_id)

    @blp.arguments(cs.CheckInCreateSchema)
    @blp.response(201, cs.CheckInSchema)
    def post(self, body, meeting_id):
        """Check in: a representative themselves, or anyone seated by the presidium."""
        actor = require(REPRESENTATIVE, *MEETING_MANAGERS)
        return meetings.check_in(_uow(), meeting_id, actor=actor, representative_id=body["representative_id"])


@blp.route("/meetings/<int:meeting_id>/votes")
class MeetingVotes(MethodView):
    @blp.response(200, cs.VoteSchema(many=True))
    def get(self, meeting_id):
        """The meeting's votes with their results."""
        current_actor()
        return [_vote_out(v) for v in ballots.list_votes(_uow(readonly=True), meeting_id)]


@blp.route("/matters/<int:matter_id>/opinions")
class Opinions(MethodView):
    @blp.response(200, cs.OpinionSchema(many=True))
    def get(self, matter_id):
        """Opinions collected on a matter under deliberation."""
        current_actor()
        return meetings.list_opinions(_uow(readonly=True), matter_id)

    @blp.arguments(cs.OpinionCreateSchema)
    @blp.response(201, cs.OpinionSchema)
    def post(self, body, matter_id):
        """Give an opinion (checked-in representatives; matters heard or deliberated only)."""
        return meetings.add_opinion(_uow(), matter_id, body["text"], actor=require(REPRESENTATIVE))


@blp.route("/matters/<int:matter_id>/votes")
class OpenVote(MethodView):
    @blp.arguments(cs.VoteOpenSchema)
    @blp.response(201, cs.VoteSchema)
    def post(self, body, matter_id):
        """Open the matter's vote; refused (409) below 2/3 of all seated representatives present (presidium)."""
        actor = require(PRESIDIUM)
        return _vote_out(ballots.open_vote(_uow(), matter_id, **body, rules=_svc().rules, actor=actor))


@blp.route("/votes/<int:vote_id>")
class VoteDetail(MethodView):
    @blp.response(200, cs.VoteSchema)
    def get(self, vote_id):
        """A vote with its stored result."""
        current_actor()
        return _vote_out(ballots.get_vote(_uow(readonly=True), vote_id))


@blp.route("/votes/<int:vote_id>/result")
class VoteResult(MethodView):
    @blp.response(200, cs.VoteResultSchema)
    def get(self, vote_id):
        """Seated, present, ballots issued, valid, for, against, abstain, the rule and the outcome."""
        current_actor()
        return tally.result_of(ballots.get_vote(_uow(readonly=True), vote_id))


@blp.route("/votes/<int:vote_id>/ballots")
class Ballots(MethodView):
    @blp.response(200, cs.VoteBallotsSchema)
    def get(self, vote_id):
        """After the close: voters and choices of a named vote, the sealed choices of a secret one."""
        current_actor()
        return tally.ballots(_uow(readonly=True), vote_id)

    @blp.arguments(cs.BallotCreateSchema)
    @blp.response(201, cs.BallotCastSchema)
    def post(self, body, vote_id):
        """Cast your own ballot, once; a secret vote returns a receipt code, shown only now."""
        actor = require(REPRESENTATIVE)
        return ballots.cast_ballot(_uow(), vote_id, body["choice"], actor=actor,
                                   representative_id=body["representative_id"])


@blp.route("/votes/<int:vote_id>/close")
class CloseVote(MethodView):
    @blp.arguments(cs.PaperTotalsSchema)
    @blp.response(200, cs.VoteSchema)
    def post(self, body, vote_id):
        """Close and count; a paper vote is closed with its totals (presidium)."""
        actor = require(PRESIDIUM)
        vote = tally.close_vote(_uow(), vote_id, rules=_svc().rules, actor=actor, totals=body or None)
        return _vote_out(vote)


@blp.route("/votes/<int:vote_id>/receipts")
class Receipts(MethodView):
    @blp.response(200, cs.VoteReceiptsSchema)
    def get(self, vote_id):
        """The published hashes of the receipts counted in a closed secret vote."""
        current_actor()
        return {"vote_id": vote_id, "receipts": tally.published_receipts(_uow(readonly=True), vote_id)}


@blp.route("/votes/<int:vote_id>/receipts/check")
class ReceiptCheck(MethodView):
    @blp.arguments(cs.ReceiptCheckSchema)
    @blp.response(200, cs.ReceiptCheckedSchema)
    def post(self, body, vote_id):
        """Was the ballot behind this receipt code counted? (It never says how it was cast.)"""
        current_actor()
        return {"counted": tally.receipt_counted(_uow(readonly=True), vote_id, body["code"])}


@blp.route("/votes/<int:vote_id>/verification")
class VoteVerification(MethodView):
    @blp.response(200, cs.VoteVerificationSchema)
    def get(self, vote_id):
        """Ballots = participants, tally = ballots = seal, audit chain intact (auditors, presidium)."""
        require(AUDITOR, ADMIN, PRESIDIUM)
        return tally.verify(_uow(readonly=True), vote_id)
