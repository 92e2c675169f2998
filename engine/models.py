"""SQLAlchemy tables of the generic engine: definitions, instances, derived rows, audit trail, identity."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps naive text, so we normalise both ways)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


DEFAULT_ORG = 1  # the installation's first organisation: everything created before organisations existed
ENTERPRISE, FEDERATION = "enterprise", "federation"


class Organisation(Base):
    """An enterprise or a federation of enterprises: the scope of users, settings, diagrams in force and cases."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # short ascii code used in URLs, CLI and sheets
    name: Mapped[str] = mapped_column(String(200))  # the registered name (华东机械制造有限公司)
    kind: Mapped[str] = mapped_column(String(20), default=ENTERPRISE)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Region and industry, for federations' regional and industry contracts and reports (free text, e.g. 浦东新区,
    # 机械制造); and the enterprise's workforce, for coverage figures.
    region: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    headcount: Mapped[int | None] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


@event.listens_for(Organisation.__table__, "after_create")
def _first_organisation(target, connection, **kw) -> None:  # metadata.create_all; migrations insert it themselves
    connection.execute(target.insert().values(id=DEFAULT_ORG, code="default", name="本单位", kind=ENTERPRISE,
                                              settings={}, created_at=datetime.now(UTC)))
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('organisations', 'id'), 1)")


def _org_column() -> Mapped[int]:
    return mapped_column(ForeignKey("organisations.id"), index=True, default=DEFAULT_ORG,
                         server_default=str(DEFAULT_ORG))


class TenantScoped:
    """Mixin: the row belongs to one organisation (``org_id``), filled in from the current organisation, and is
    read only within it."""

    @declared_attr
    def org_id(cls) -> Mapped[int]:  # noqa: N805 (declared_attr takes the class)
        return _org_column()


class Inherited:
    """Mixin: the row belongs to one organisation (``org_id``) but is also in force below it: deployed diagrams of
    the installation (organisation 1) and of a federation are read by its members (nearest one wins where that
    matters, see ``engine.deployments.find_version``)."""

    @declared_attr
    def org_id(cls) -> Mapped[int]:  # noqa: N805 (declared_attr takes the class)
        return _org_column()


class Deployment(Inherited, Base):
    __tablename__ = "deployments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class DeploymentFile(Inherited, Base):
    __tablename__ = "deployment_files"
    __table_args__ = (UniqueConstraint("deployment_id", "filename"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ProcessVersion(Inherited, Base):
    """One immutable, deployed version of one executable process."""

    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("org_id", "process_id", "version"),
        UniqueConstraint("org_id", "process_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id"))
    bpmn_filename: Mapped[str] = mapped_column(String(255))
    # Large and immutable: loaded only when a process's spec cache misses (or a version is shown).
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    subprocess_specs_json: Mapped[str] = mapped_column(Text, deferred=True)
    meta_json: Mapped[str] = mapped_column(Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Instance(TenantScoped, Base):
    """A running or finished process instance; the workflow state is stored without its spec."""

    __tablename__ = "instances"
    __table_args__ = (Index("ix_instances_created_at", "created_at"),
                      Index("uq_instances_unique_business_key", "org_id", "process_id", "unique_business_key",
                            unique=True))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # The business key again while the diagram declares it unique (businessKeyUnique) and the case is not
    # terminated: a unique index on (process_id, unique_business_key) lets one case per key win.
    unique_business_key: Mapped[str | None] = mapped_column(String(200))
    state_json: Mapped[str] = mapped_column(Text)
    data_json: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    library_version: Mapped[str] = mapped_column(String(20))
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    started_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __mapper_args__ = {"version_id_col": version}


class HumanTask(TenantScoped, Base):
    """Derived row: a user/manual task that became ready; its state follows the workflow after every step."""

    __tablename__ = "human_tasks"
    # (state, created_at, id): the ready-task lists read one page in their order along this index (keyset).
    __table_args__ = (Index("ix_human_tasks_state_lane", "state", "lane"),
                      Index("ix_human_tasks_state_created", "state", "created_at", "id"),
                      Index("ix_human_tasks_org_state_created", "org_id", "state", "created_at", "id"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    form: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(100))
    # Who acts (engine/assignment.py): the one person the task waits on, if any; the delegating owner; how
    # the assignee came to be (diagram, starter, claimed, delegated, reassigned, unresolved).
    assignee: Mapped[str | None] = mapped_column(String(100), index=True)
    owner: Mapped[str | None] = mapped_column(String(100))
    assigned_via: Mapped[str | None] = mapped_column(String(20))
    case_title: Mapped[str | None] = mapped_column(String(300))


ANYONE = "*"  # the candidate group of a task outside any lane: every user who is not only an auditor
DEPT_PREFIX = "dept:"  # a candidate group naming a department: ``dept:<code>``


class TaskCandidate(TenantScoped, Base):
    """Who may claim a task that has no assignee: a user, or a group (a role, or ``dept:<code>``)."""

    __tablename__ = "task_candidates"
    __table_args__ = (Index("ix_task_candidates_kind_name", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_tasks.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # "user" or "group"
    name: Mapped[str] = mapped_column(String(200))


class Incident(TenantScoped, Base):
    """A failure inside an instance (script error, failing service) waiting for an operator."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class TimerSchedule(TenantScoped, Base):
    """A timer start event of a deployed process: each occurrence starts a new instance."""

    __tablename__ = "timer_schedules"
    __table_args__ = (Index("ix_timer_schedules_due", "active", "next_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    element_id: Mapped[str] = mapped_column(String(200))
    expression: Mapped[str] = mapped_column(String(200))
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    remaining: Mapped[int | None] = mapped_column(Integer)
    period_seconds: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MessageSubscription(TenantScoped, Base):
    """Derived row: an instance waiting for a message (or signal) with these correlation values."""

    __tablename__ = "message_subscriptions"
    __table_args__ = (Index("ix_message_subscriptions_lookup", "kind", "name", "correlation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    correlation: Mapped[str] = mapped_column(String(1000))
    keys_json: Mapped[str] = mapped_column(Text)


class AuditChain(Base):
    """The head of one hash chain; locking it serialises appends to the chain."""

    __tablename__ = "audit_chains"

    chain: Mapped[str] = mapped_column(String(80), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditEvent(Base):
    """One append-only, hash-chained audit event."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "seq"), Index("ix_audit_events_type", "event_type"))

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    chain: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(60))
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor: Mapped[str | None] = mapped_column(String(100))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A signed Merkle root over every chain's head at one moment (the heads kept to prove inclusion)."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)  # the signed canonical JSON
    signature: Mapped[str] = mapped_column(String(100))
    heads: Mapped[str] = mapped_column(Text, deferred=True)  # JSON [[chain, seq, hash], ...] sorted by chain


class AuditCountersignature(Base):
    """A witness's signature over a checkpoint, verified against the witness's configured public key."""

    __tablename__ = "audit_countersignatures"
    __table_args__ = (UniqueConstraint("checkpoint_seq", "witness"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_seq: Mapped[int] = mapped_column(ForeignKey("audit_checkpoints.seq"), index=True)
    witness: Mapped[str] = mapped_column(String(100))
    public_key: Mapped[str] = mapped_column(String(100))
    signature: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class User(TenantScoped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Where notices reach the user, and which channels they want (in-app and e-mail on by default).
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(30))
    notify_inapp: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Each login session remembers it; logout and a new password raise it, ending every session of the user.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # "ldap" or "oidc" for a user provisioned by an enterprise directory (engine/directory.py); None: local.
    directory: Mapped[str | None] = mapped_column(String(20))


class Department(TenantScoped, Base):
    """An organisational unit (a department, workshop or office) whose people may be a task's candidates."""

    __tablename__ = "departments"

    # Codes are an organisation's own (two enterprises may both have 后勤保障部 as ``logistics``).
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True,
                                        default=DEFAULT_ORG, server_default=str(DEFAULT_ORG))
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_code: Mapped[str | None] = mapped_column(String(50))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class DepartmentMember(TenantScoped, Base):
    __tablename__ = "department_members"
    __table_args__ = (ForeignKeyConstraint(["org_id", "department_code"], ["departments.org_id", "departments.code"]),)

    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True,
                                        default=DEFAULT_ORG, server_default=str(DEFAULT_ORG))
    department_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    head: Mapped[bool] = mapped_column(Boolean, default=False)


class UserRole(TenantScoped, Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class ApiToken(TenantScoped, Base):
    """A bearer token, stored only as its SHA-256 (tokens are random, so a fast hash is enough)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginThrottle(Base):
    """Failed sign-ins counted per user (`user:<name>`) and per address (`addr:<ip>`), shared by every process."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdempotencyRecord(Base):
    """The first answer to a create sent with an `Idempotency-Key`, per caller, for replaying to retries."""

    __tablename__ = "idempotency_keys"

    actor: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status: Mapped[int] = mapped_column(Integer)
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ClockOffset(Base):
    """The rehearsal (演练) offset of the installation's clock: one row, read by the server and the workers."""

    __tablename__ = "clock_offset"

    id: Mapped[int] = mapped_column(primary_key=True)
    offset_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RecomputableValue(TenantScoped, Base):
    """A value a step computed (a deadline) with how it was computed: ``spec`` is opaque to the engine and read
    only by the layer above, which may recompute the value when what it depended on changes (engine/recompute.py).
    """

    __tablename__ = "recomputable_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("instances.id"), index=True)
    value_json: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuthState(Base):
    """One row whose version grows with every change to users, their roles and their tokens (database triggers:
    engine.auth_cache), so each process may cache who a token or a login session is until it moves."""

    __tablename__ = "auth_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
