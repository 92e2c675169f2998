"""Tables of the democratic-management domain (on the engine's metadata, so one schema and one migration history)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import DEFAULT_ORG, Base, TenantScoped, UTCDateTime

MIGRATIONS = Path(__file__).parent / "migrations" / "versions"


class CalendarOverride(TenantScoped, Base):
    """An admin-entered day of the legal calendar (from the State Council's annual notice)."""

    __tablename__ = "calendar_overrides"

    # Each organisation enters its own days (a local holiday) over its federations' and the installation's.
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True,
                                        default=DEFAULT_ORG, server_default=str(DEFAULT_ORG))
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CalendarYear(Base):
    """A year whose State Council notice has been entered completely: its plain days count as confirmed."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    confirmed_by: Mapped[str] = mapped_column(String(100))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime)


# The domain's tables live on the engine's metadata: one schema, one migration history.
from workflows import documents  # noqa: E402, F401  (generated documents)
from workflows.casework import tables as casework_tables  # noqa: E402, F401  (mediation cases and sessions)
from workflows.congress import election_tables  # noqa: E402, F401  (elections, candidates, rounds, scrutineers)
from workflows.congress import session_tables as congress_session_tables  # noqa: E402, F401  (organisation)
from workflows.congress import tables as congress_tables  # noqa: E402, F401  (roster, meetings, votes, proposals)
from workflows.contracts import (  # noqa: E402, F401  (changes and early terminations; performance disputes)
    change_tables,
    dispute_tables,
)
from workflows.contracts import tables as contract_tables  # noqa: E402, F401  (collective contracts)
from workflows.disclosure import tables as disclosure_tables  # noqa: E402, F401  (catalogue, disclosures, questions)
from workflows.federation import tables as federation_tables  # noqa: E402, F401  (regional and industry contracts)
from workflows.inspection import tables as inspection_tables  # noqa: E402, F401  (inspections, findings)
