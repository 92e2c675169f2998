"""The `dmflow` command line: database, deployment, users, demo data, serving, audit."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from engine import db, organisations, tenancy, user_import
from engine.errors import DmflowError
from engine.identity import SYSTEM, create_user, issue_token
from engine.parsing import SourceFile
from workflows import tables as models
from workflows.casework import home
from workflows.catalog import deploy_bundled, read_folder
from workflows.demo import seed_congress, seed_demo
from workflows.demo_cases import seed_cases
from workflows.disclosure.catalogue import seed_catalogue

from . import create_app
from .cli_audit import audit_group
from .cli_audit import schedule as checkpoint_schedule
from .cli_calendar import calendar_group


def _services():
    return current_app.extensions["dmflow"]


def _fail(error: DmflowError) -> None:
    click.echo(f"error: {error.message}", err=True)
    for where, details in (error.errors or {}).items():
        click.echo(f"  {where}: {details}", err=True)
    sys.exit(1)


def _cli_app():
    """The CLI's app: services without the API and pages (`serve` builds the whole app itself)."""
    return create_app(routes=False)


@click.group(cls=FlaskGroup, create_app=_cli_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """dmflow: BPMN workflows for enterprise democratic management."""


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision (Alembic)."""
    url = current_app.config["DATABASE_URL"]
    db.upgrade(url, extra_locations=(models.MIGRATIONS,))
    click.echo(f"database at revision {db.current_revision(url)}")


@main.command("deploy")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--bundled", is_flag=True, help="Deploy every procedure folder under the bundled bpmn/ folder and "
                                             "add the statutory disclosure catalogue's missing items.")
@click.option("--name", help="A label for the deployment.")
@click.option("--org", "org_code", help="The organisation deploying (its code; default: the installation's first).")
@with_appcontext
def deploy_cmd(paths: tuple[Path, ...], bundled: bool, name: str | None, org_code: str | None) -> None:
    """Deploy BPMN/DMN files and their forms (files, or folders holding them)."""
    with tenancy.acting_for(_org(org_code)):
        _deploy(paths, bundled, name)


def _org(code: str | None) -> int:
    """The id of the organisation with this code (None: the installation's first)."""
    if code is None:
        return tenancy.DEFAULT_ORG
    uow = _services().uow(readonly=True)
    with uow:
        org = tenancy.by_code(uow.session, code)
    if org is None:
        raise click.BadParameter(f"no organisation '{code}' (see `dmflow org list`)", param_hint="--org")
    return org.id


def _deploy(paths: tuple[Path, ...], bundled: bool, name: str | None) -> None:
    from engine.deployments import deploy

    try:
        results = []
        if bundled:
            results += deploy_bundled(_services().uow(), current_app.config["BPMN_DIR"], actor=SYSTEM)
        files: list[SourceFile] = []
        for path in paths:
            files += read_folder(path) if path.is_dir() else [SourceFile(path.name, path.read_bytes())]
        if files:
            results.append(deploy(_services().uow(), files, actor=SYSTEM, name=name))
    except DmflowError as error:
        _fail(error)
    if not results:
        raise click.UsageError("give files or folders to deploy, or --bundled")
    for result in results:
        for v in result.versions:
            state = "deployed" if v["created"] else "unchanged"
            click.echo(f"{v['process_id']} version {v['version']}: {state}")
        for w in result.warnings:
            click.echo(f"  warning: {w['element_id']}: {w['reason']}")
    if bundled:  # the statutory disclosure catalogue comes with the bundled procedures (items missing only)
        seeded = seed_catalogue(_services().uow())
        if seeded:
            click.echo(f"disclosure catalogue seeded with {len(seeded)} statutory items (厂务公开目录)")
        if home.seed_criteria(_services().uow()):
            click.echo("职工之家 assessment criteria seeded (editable on /casework/home)")


@main.group("users")
def users_group() -> None:
    """Users, roles and tokens."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="A role (repeat for several).")
@click.option("--display-name", help="The name shown to others.")
@click.option("--org", "org_code", help="The user's organisation (its code; default: the installation's first).")
@with_appcontext
def users_create(username: str, roles: tuple[str, ...], display_name: str | None, org_code: str | None) -> None:
    """Create a user and print their bearer token (shown once)."""
    try:
        with tenancy.acting_for(_org(org_code)):
            _, token = create_user(_services().uow(), username, list(roles), actor=SYSTEM,
                                   display_name=display_name)
    except DmflowError as error:
        _fail(error)
    click.echo(token)


@users_group.command("import")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def users_import(sheet: str) -> None:
    """Create or update users from a CSV sheet (用户名, 姓名, 角色, 邮箱, 手机), all rows or none."""
    try:
        done = user_import.import_users(_services().uow(), Path(sheet).read_bytes(), actor=SYSTEM)
    except DmflowError as error:
        _fail(error)
    click.echo(f"created {len(done['created'])}, updated {len(done['updated'])}")


@users_group.command("token")
@click.argument("username")
@with_appcontext
def users_token(username: str) -> None:
    """Issue another token for an existing user and print it."""
    try:
        click.echo(issue_token(_services().uow(), username, actor=SYSTEM))
    except DmflowError as error:
        _fail(error)


@users_group.command("password")
@click.argument("username")
@click.option("--generate", is_flag=True, help="Set a random password and print it (shown once).")
@with_appcontext
def users_password(username: str, generate: bool) -> None:
    """Set a user's login password for the web pages (prompted twice, or --generate)."""
    from engine.passwords import generate_password, set_password

    password = generate_password() if generate else click.prompt("Password", hide_input=True,
                                                                 confirmation_prompt=True)
    try:
        set_password(_services().uow(), username, password, actor=SYSTEM)
    except DmflowError as error:
        _fail(error)
    click.echo(password if generate else f"password set for {username}")


@main.group("org")
def org_group() -> None:
    """Organisations: enterprises and the federations above them."""


@org_group.command("create")
@click.argument("code")
@click.argument("name")
@click.option("--kind", type=click.Choice(tenancy.KINDS), default=tenancy.ENTERPRISE, show_default=True)
@click.option("--parent", help="The code of the federation it belongs to.")
@click.option("--region", help="e.g. 浦东新区")
@click.option("--industry", help="e.g. 机械制造")
@click.option("--headcount", type=int, help="The workforce.")
@with_appcontext
def org_create(code: str, name: str, kind: str, parent: str | None, region: str | None, industry: str | None,
               headcount: int | None) -> None:
    """Add an enterprise or a federation."""
    try:
        org = organisations.create_organisation(_services().uow(), SYSTEM, code, name=name, kind=kind, parent=parent,
                                                region=region, industry=industry, headcount=headcount)
    except DmflowError as error:
        _fail(error)
    click.echo(f"organisation {org['id']} {org['code']}: {org['name']} ({org['kind']})")


@org_group.command("list")
@with_appcontext
def org_list() -> None:
    """Every organisation: id, code, kind, federation, name."""
    for org in organisations.list_organisations(_services().uow(readonly=True), SYSTEM):
        parent = f" in {org['parent']}" if org["parent"] else ""
        click.echo(f"{org['id']}\t{org['code']}\t{org['kind']}{parent}\t{org['name']}")


@main.group("demo")
def demo_group() -> None:
    """Demo organisation."""


@demo_group.command("seed")
@click.option("--tokens-file", default="var/demo-tokens.txt", show_default=True, type=click.Path())
@with_appcontext
def demo_seed(tokens_file: str) -> None:
    """Create one demo user per role (once) and save their tokens."""
    created = seed_demo(_services().uow(), tokens_file)
    sheet = Path(tokens_file).with_name("demo-representatives.csv")
    if seed_congress(_services().uow(), _services().rules, sheet):
        click.echo("demo congress created: 华东机械制造有限公司, 5th term, 30 representatives, a planned meeting; "
                   f"the representatives' initial passwords are in {sheet}")
    if seed_cases(_services().uow()):
        click.echo("demo cases created: a proposal at each stage (co-signing, screening, registered, being handled, "
                   "answered, published) and two resolutions (one to draft, one to deliberate)")
    seeded = seed_catalogue(_services().uow())
    if seeded:
        click.echo(f"disclosure catalogue seeded with {len(seeded)} statutory items (厂务公开目录)")
    home.seed_criteria(_services().uow())
    if not created:
        click.echo(f"demo organisation already present; tokens are in {tokens_file}")
        return
    click.echo(f"demo users created (passwords and tokens saved to {tokens_file}; shown only now):")
    for username, roles, token, password in created:
        click.echo(f"  {username:<16} {','.join(roles):<36} {password:<20} {token}")


@main.group("clock")
def clock_group() -> None:
    """The installation's clock; moving it is for rehearsals (演练, DMFLOW_REHEARSAL=true) only."""


@clock_group.command("show")
@with_appcontext
def clock_show() -> None:
    """Print the installation's time and how far a rehearsal moved it."""
    from engine.rehearsal import RehearsalClock

    services = _services()
    offset = services.clock.offset() if isinstance(services.clock, RehearsalClock) else None
    click.echo(f"now: {services.clock.now().isoformat()}"
               + (f"  (rehearsal, {offset} ahead)" if offset is not None else ""))


@clock_group.command("advance")
@click.argument("duration")
@click.option("--actor", default="cli", show_default=True, help="Recorded in the audit event.")
@with_appcontext
def clock_advance(duration: str, actor: str) -> None:
    """Move the clock forward by an ISO-8601 DURATION (P16D, PT36H); timers due meanwhile fire at the
    worker's next pass, oldest first."""
    from engine import rehearsal

    services = _services()
    try:
        delta = rehearsal.parse_duration(duration)
    except DmflowError as exc:
        _fail(exc)
    if not services.rehearsal:
        click.echo("error: the clock can be moved only in rehearsal: set DMFLOW_REHEARSAL=true "
                   "(只有演练环境可以调整时钟)", err=True)
        sys.exit(1)
    offset = rehearsal.advance(services.uow(), delta, actor=actor)
    click.echo(f"now: {services.clock.now().isoformat()}  (rehearsal, {offset} ahead)")


@main.command("worker")
@click.option("--once", is_flag=True, help="Process what is due now and exit (for cron and tests).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@with_appcontext
def worker(once: bool, interval: float) -> None:
    """Fire due timers, start scheduled instances, remind of due tasks and send notifications (run one or more)."""
    import logging
    import signal
    import threading
    from datetime import timedelta

    from engine.housekeeping import KeyRetention
    from engine.worker import run_forever, run_once

    services = _services()
    retention = KeyRetention(timedelta(hours=float(current_app.config["IDEMPOTENCY_RETENTION_HOURS"])))
    if once:
        done = run_once(services.uow, checkpointing=checkpoint_schedule(), retention=retention)
        click.echo(f"fired timers of {len(done.timers_fired)} instances, started {len(done.instances_started)} "
                   f"scheduled instances, {len(done.failed)} failed; reminded of {done.tasks_reminded} tasks, "
                   f"sent {done.messages_sent} messages"
                   + (f"; checkpoint {done.checkpoint['seq']} taken" if done.checkpoint else "")
                   + (f"; forgot {done.keys_forgotten} idempotency keys" if done.keys_forgotten else ""))
        sys.exit(1 if done.failed else 0)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    checkpoints = checkpoint_schedule()
    click.echo(f"worker polling every {interval}s (Ctrl-C to stop); "
               + (f"a checkpoint every {checkpoints.every}" if checkpoints else "no checkpoints (no signing key)"))
    run_forever(services.uow, interval=interval, stop=stop, checkpointing=checkpoints, retention=retention)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the app with a threaded development server (use gunicorn in production)."""
    from werkzeug.serving import run_simple

    click.echo(f"serving dmflow on http://{host}:{port}  (API docs: http://{host}:{port}/api/v1/docs)")
    run_simple(host, port, create_app(), threaded=True, use_reloader=False)


main.add_command(audit_group)
main.add_command(calendar_group)

if __name__ == "__main__":
    main()
