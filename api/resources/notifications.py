"""The caller's notifications (the bell), and contact details and channels of users (self or admins)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from engine import identity, notifications
from engine.errors import Forbidden
from engine.identity import ADMIN

from ..auth import current_actor
from ..extension import uow as _uow
from ..schemas.notifications import (
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
    ProfileSchema,
    ProfileUpdateSchema,
    ReadAllSchema,
)

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="Notifications and contact details")


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, query):
        """The caller's notices, newest first (``unread=true`` for unread only), with the unread count."""
        return notifications.listing(_uow(readonly=True), current_actor().username, **query)


@blp.route("/notifications/<int:notification_id>/read")
class NotificationRead(MethodView):
    @blp.response(200, NotificationSchema)
    def post(self, notification_id):
        """Mark one of the caller's notices read (404 for anyone else's)."""
        return notifications.mark_read(_uow(), current_actor().username, notification_id)


@blp.route("/notifications/read-all")
class NotificationsReadAll(MethodView):
    @blp.response(200, ReadAllSchema)
    def post(self):
        """Mark every unread notice of the caller read."""
        return {"marked": notifications.mark_all_read(_uow(), current_actor().username)}


def _may_edit(username: str):
    actor = current_actor()
    if actor.username != username and not actor.has(ADMIN):
        raise Forbidden("only the user themselves or an admin may see or change a user's contact details")
    return actor


@blp.route("/users/<username>/profile")
class UserProfile(MethodView):
    @blp.response(200, ProfileSchema)
    def get(self, username):
        """A user's e-mail, mobile number and notification channels (the user or admins)."""
        _may_edit(username)
        return identity.get_profile(_uow(readonly=True), username)

    @blp.arguments(ProfileUpdateSchema)
    @blp.response(200, ProfileSchema)
    def patch(self, body, username):
        """Change any of a user's e-mail, mobile number and channels (the user or admins); audited."""
        actor = _may_edit(username)
        return identity.set_profile(_uow(), username, body, actor=actor)
