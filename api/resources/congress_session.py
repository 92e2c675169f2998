"""The congress's own organisation: a session run by its diagram (start, preparatory meeting, closing, minutes),
special committees, delegation heads and joint meetings, drafts with amendments, speaker lists."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from workflows.congress import amendments, committees, joint_meetings, minutes, session, speakers

from ..auth import current_actor, require
from ..extension import services as _svc
from ..extension import uow as _uow
from ..schemas import congress_session as s

blp = Blueprint("congress_session", __name__, url_prefix="/api/v1/congress",
                description="Congress organisation: session, presidium, committees, joint meeting, amendments, "
                            "speakers, minutes (职代会的组织)")
PRESIDIUM = ("presidium", "admin")


@blp.route("/meetings/<int:meeting_id>/session")
class Session(MethodView):
    @blp.response(200, s.CongressSessionSchema)
    def get(self, meeting_id):
        """The meeting's session: kind, current step, presidium and scrutineers."""
        current_actor()
        return session.session_view(_uow(readonly=True), meeting_id)

    @blp.arguments(s.SessionStartSchema)
    @blp.response(201, s.CongressSessionSchema)
    def post(self, body, meeting_id):
        """Start the session of a planned meeting (union or presidium); an extraordinary one needs its proposer
        (enterprise, union, or at least one third of the representatives)."""
        session.start_session(_uow(), meeting_id, body, rules=_svc().rules, actor=current_actor())
        return session.session_view(_uow(readonly=True), meeting_id)


@blp.route("/meetings/<int:meeting_id>/session/preparatory")
class Preparatory(MethodView):
    @blp.arguments(s.PreparatorySchema)
    @blp.response(200, s.CongressSessionSchema)
    def post(self, body, meeting_id):
        """The preparatory meeting's decision (presidium): presidium (>= 50% frontline), agenda, scrutineers;
        the meeting is convened."""
        session.complete_step(_uow(), meeting_id, "preparatory", body, actor=current_actor())
        return session.session_view(_uow(readonly=True), meeting_id)


@blp.route("/meetings/<int:meeting_id>/session/close")
class Close(MethodView):
    @blp.response(200, s.CongressSessionSchema)
    def post(self, meeting_id):
        """Close the plenary (presidium; no vote may be open); the draft minutes are generated."""
        session.complete_step(_uow(), meeting_id, "plenary", {}, actor=current_actor())
        return session.session_view(_uow(readonly=True), meeting_id)


@blp.route("/meetings/<int:meeting_id>/minutes")
class Minutes(MethodView):
    @blp.response(200, s.SessionMinutesSchema)
    def get(self, meeting_id):
        """The session's minutes: everyone once published, the presidium and auditors while a draft."""
        return minutes.view(_uow(readonly=True), meeting_id, current_actor())

    @blp.arguments(s.SessionMinutesEditSchema)
    @blp.response(200, s.SessionMinutesSchema)
    def put(self, body, meeting_id):
        """Edit the draft minutes (presidium)."""
        minutes.edit(_uow(), meeting_id, body["text"], actor=current_actor())
        return minutes.view(_uow(readonly=True), meeting_id)


@blp.route("/meetings/<int:meeting_id>/minutes/approve")
class MinutesApproval(MethodView):
    @blp.response(200, s.SessionMinutesSchema)
    def post(self, meeting_id):
        """Approve the minutes (presidium): they are published with their SHA-256."""
        session.complete_step(_uow(), meeting_id, "approve_minutes", {}, actor=current_actor())
        return minutes.view(_uow(readonly=True), meeting_id)


@blp.route("/terms/<int:term_id>/committees")
class Committees(MethodView):
    @blp.response(200, s.CongressCommitteeSchema(many=True))
    def get(self, term_id):
        """The term's special committees with their members."""
        current_actor()
        return committees.list_committees(_uow(readonly=True), term_id)

    @blp.arguments(s.CongressCommitteeCreateSchema)
    @blp.response(201, s.CongressCommitteeSchema)
    def post(self, body, term_id):
        """Set up a committee (union or presidium)."""
        row = committees.create_committee(_uow(), term_id, body["kind"], name=body.get("name"),
                                          actor=current_actor())
        return next(c for c in committees.list_committees(_uow(readonly=True), term_id) if c["id"] == row.id)


@blp.route("/terms/<int:term_id>/committees/defaults")
class DefaultCommittees(MethodView):
    @blp.response(201, s.CongressCommitteeSchema(many=True))
    def post(self, term_id):
        """Set up the default committees the term lacks (提案、集体合同、劳动保护、生活福利、民主评议)."""
        committees.set_up_defaults(_uow(), term_id, actor=current_actor())
        return committees.list_committees(_uow(readonly=True), term_id)


@blp.route("/committees/<int:committee_id>/members")
class CommitteeMembers(MethodView):
    @blp.arguments(s.MembersApprovalSchema)
    @blp.response(200, s.CongressCommitteeMemberSchema(many=True))
    def post(self, body, committee_id):
        """The congress in session approves the committee's members (presidium enters the show of hands)."""
        meeting_id = body.pop("meeting_id")
        committees.approve_members(_uow(), committee_id, meeting_id, body, rules=_svc().rules,
                                   actor=current_actor())
        from workflows.congress.session_tables import Committee
        with (uow := _uow(readonly=True)):
            term_id = uow.session.get(Committee, committee_id).term_id
        return next(c for c in committees.list_committees(_uow(readonly=True), term_id)
                    if c["id"] == committee_id)["members"]


@blp.route("/terms/<int:term_id>/delegations/<string:delegation>/head")
class DelegationHead(MethodView):
    @blp.arguments(s.DelegationHeadSetSchema)
    @blp.response(200, s.JointMeetingHeadSchema(many=True))
    def put(self, body, term_id, delegation):
        """Name a delegation's head (union or presidium); answers who may sit in a joint meeting."""
        joint_meetings.set_delegation_head(_uow(), term_id, delegation, body["representative_id"],
                                           actor=current_actor())
        return joint_meetings.heads(_uow(readonly=True), term_id)


@blp.route("/terms/<int:term_id>/joint-meeting-members")
class JointMeetingMembers(MethodView):
    @blp.response(200, s.JointMeetingHeadSchema(many=True))
    def get(self, term_id):
        """Delegation heads and committee heads: who sits in a joint meeting."""
        current_actor()
        return joint_meetings.heads(_uow(readonly=True), term_id)


@blp.route("/terms/<int:term_id>/joint-meetings")
class JointMeetings(MethodView):
    @blp.response(200, s.JointMeetingSchema(many=True))
    def get(self, term_id):
        """The term's joint meetings, newest first, with each decision's confirming matter."""
        current_actor()
        return joint_meetings.list_joint_meetings(_uow(readonly=True), term_id)

    @blp.arguments(s.JointMeetingCreateSchema)
    @blp.response(201, s.JointMeetingSchema)
    def post(self, body, term_id):
        """Record a joint meeting the union convened between sessions and its decisions; each goes to the next
        session for confirmation (a matter created automatically)."""
        row = joint_meetings.hold_joint_meeting(_uow(), term_id, body, actor=require("union_chair", "admin"))
        return next(j for j in joint_meetings.list_joint_meetings(_uow(readonly=True), term_id) if j["id"] == row.id)


@blp.route("/matters/<int:matter_id>/draft")
class Draft(MethodView):
    @blp.response(200, s.MatterDraftSchema)
    def get(self, matter_id):
        """The draft's clauses, amendments with their outcome, the adopted text and its diff."""
        current_actor()
        return amendments.draft_view(_uow(readonly=True), matter_id)

    @blp.arguments(s.MatterDraftSetSchema)
    @blp.response(200, s.MatterDraftSchema)
    def put(self, body, matter_id):
        """Put the draft's clauses (presidium), before its vote and any amendment."""
        amendments.set_draft(_uow(), matter_id, body["clauses"], actor=current_actor())
        return amendments.draft_view(_uow(readonly=True), matter_id)


@blp.route("/matters/<int:matter_id>/amendments")
class Amendments(MethodView):
    @blp.arguments(s.AmendmentCreateSchema)
    @blp.response(201, s.MatterDraftSchema)
    def post(self, body, matter_id):
        """Propose an amendment to one clause (a representative, or a delegation through its head); it becomes
        a matter voted before the draft."""
        amendments.propose(_uow(), matter_id, body, actor=current_actor())
        return amendments.draft_view(_uow(readonly=True), matter_id)


@blp.route("/matters/<int:matter_id>/speakers")
class Speakers(MethodView):
    @blp.response(200, s.SpeakerSchema(many=True))
    def get(self, matter_id):
        """The item's speaker list: the speaker called, those waiting in order, then those who spoke."""
        current_actor()
        return speakers.listing(_uow(readonly=True), matter_id)

    @blp.arguments(s.SpeakRequestSchema)
    @blp.response(201, s.SpeakerSchema(many=True))
    def post(self, body, matter_id):
        """Ask to speak on the item (a seated representative)."""
        speakers.request(_uow(), matter_id, topic=body.get("topic"), actor=current_actor())
        return speakers.listing(_uow(readonly=True), matter_id)


@blp.route("/matters/<int:matter_id>/speakers/order")
class SpeakerOrder(MethodView):
    @blp.arguments(s.SpeakerOrderSchema)
    @blp.response(200, s.SpeakerSchema(many=True))
    def put(self, body, matter_id):
        """Order the waiting speakers (presidium)."""
        speakers.reorder(_uow(), matter_id, body["order"], actor=current_actor())
        return speakers.listing(_uow(readonly=True), matter_id)


@blp.route("/speakers/<int:speaker_id>/<any(call, spoken, withdraw):action>")
class SpeakerAction(MethodView):
    @blp.response(200, s.SpeakerSchema)
    def post(self, speaker_id, action):
        """Call a speaker or mark them spoken (presidium); withdraw one's own request."""
        row = speakers.act(_uow(), speaker_id, action, actor=current_actor())
        return next(sp for sp in speakers.listing(_uow(readonly=True), row.matter_id) if sp["id"] == speaker_id)
