"""`dmflow calendar`: enter the State Council's holiday notice from the command line (as the admin API does);
every waiting deadline computed from the changed year follows, audited, in the same transaction."""

from __future__ import annotations

import datetime as dt
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from engine.errors import DmflowError
from engine.identity import Actor
from workflows import calendar_admin


def _actor(name: str) -> Actor:
    return Actor(name, frozenset({"admin"}))


def _done(services, moved: int) -> None:
    services.refresh_calendar(force=True)
    click.echo(f"deadlines moved: {moved}（已调整的期限：{moved}）")


@click.group("calendar")
def calendar_group() -> None:
    """The legal calendar's admin table (法定节假日、调休上班日)."""


@calendar_group.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--holiday/--working", default=True, help="A holiday (default) or an adjusted working day.")
@click.option("--note", default=None, help="e.g. 春节, 调休上班")
@click.option("--actor", default="cli", show_default=True, help="Recorded in the audit events.")
@with_appcontext
def calendar_set(day: dt.datetime, holiday: bool, note: str | None, actor: str) -> None:
    """Enter DAY (YYYY-MM-DD) of the notice; waiting deadlines computed from it are recomputed."""
    services = current_app.extensions["dmflow"]
    try:
        moved = calendar_admin.set_day(services.uow(), day.date(), not holiday, note, actor=_actor(actor))
    except DmflowError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    _done(services, moved)


@calendar_group.command("confirm")
@click.argument("year", type=int)
@click.option("--withdraw", is_flag=True, help="The year's notice is not completely entered after all.")
@click.option("--actor", default="cli", show_default=True, help="Recorded in the audit events.")
@with_appcontext
def calendar_confirm(year: int, withdraw: bool, actor: str) -> None:
    """Mark YEAR's notice as completely entered (its plain days become confirmed)."""
    services = current_app.extensions["dmflow"]
    try:
        moved = calendar_admin.confirm_year(services.uow(), year, not withdraw, actor=_actor(actor))
    except DmflowError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    _done(services, moved)
