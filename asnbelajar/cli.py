"""The ``asnbelajar`` command: a Flask CLI group over :func:`create_app`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app
from .accounts.models import User
from .accounts.reference import load_instansi
from .accounts.services import create_user, normalize_email
from .accounts.sessions import issue_api_token
from .backup import (
    BackupError,
    backup_sqlite,
    pg_dump_command,
    pg_restore_command,
    sqlite_path,
)
from .certificates.cli import certificates_group
from .demo.cli import seed_demo_command
from .errors import DomainError
from .extensions import db
from .notifications.services import count_by_status, flush_outbox, retry_emails
from .scheduler.runner import run_scheduler
from .scheduler.services import finalize_due_episodes, run_all_once


def _create_app(*_args, **_kwargs):
    return create_app(background=True)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """ASN Belajar management commands."""


def register_cli(app) -> None:
    for command in (create_user_command, api_token_command, seed_demo_command,
                    load_instansi_command, scheduler_command, flush_outbox_command,
                    finalize_due_command, outbox_group, backup_command):
        app.cli.add_command(command)
    app.cli.add_command(certificates_group)


def _fail(message: str) -> None:
    raise click.ClickException(str(message))


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(["participant", "speaker", "organizer"]),
              default="participant", show_default=True)
@click.option("--name", "full_name", default=None, help="Full name (defaults to the email).")
@with_appcontext
def create_user_command(email: str, password: str, role: str, full_name: str | None) -> None:
    """Create a user with a role."""
    try:
        user = create_user(email=email, password=password, role=role, full_name=full_name)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        _fail(err.message)
    click.echo(f"Created {user.role} {user.email} (id {user.id})")


@click.command("api-token")
@click.option("--email", required=True)
@click.option("--name", default="cli", show_default=True)
@with_appcontext
def api_token_command(email: str, name: str) -> None:
    """Print a new API token for the user with this email."""
    from sqlalchemy import select


    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        _fail(f"No user with email {email}")
    token = issue_api_token(user, name=name)
    db.session.commit()
    click.echo(token)


@click.command("load-instansi")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV with name,kind,code,province (defaults to the shipped list).")
@with_appcontext
def load_instansi_command(path: str | None) -> None:
    """Load or refresh the reference list of government agencies."""
    try:
        inserted, updated = load_instansi(path)
    except ValueError as err:
        db.session.rollback()
        _fail(str(err))
    db.session.commit()
    click.echo(f"Instansi: {inserted} added, {updated} updated")


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once and exit.")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the background scheduler (reminders, finalize, outbox) in this process."""
    if once:
        for job, result in run_all_once(current_app._get_current_object()).items():
            click.echo(f"{job}: {result}")
        return
    run_scheduler(current_app._get_current_object())


@click.command("flush-outbox")
@with_appcontext
def flush_outbox_command() -> None:
    """Send due emails from the outbox now."""
    click.echo(flush_outbox())


@click.command("finalize-due")
@with_appcontext
def finalize_due_command() -> None:
    """Finalize every published episode that ended more than the grace period ago."""
    click.echo(finalize_due_episodes())


_CHANNEL = click.option("--channel", type=click.Choice(["email", "whatsapp"]),
                        default=None, help="Only this channel (default: every channel).")


@click.group("outbox")
def outbox_group() -> None:
    """Outbox (email and WhatsApp): status, sending now, retrying failed messages."""


@outbox_group.command("status")
@_CHANNEL
@with_appcontext
def outbox_status_command(channel: str | None) -> None:
    """Count messages per status."""
    for status, count in count_by_status(channel).items():
        click.echo(f"{status:<8} {count}")


@outbox_group.command("flush")
@click.option("--senders", type=click.IntRange(1, 64), default=None,
              help="Parallel SMTP connections (default OUTBOX_SENDERS).")
@with_appcontext
def outbox_flush_command(senders: int | None) -> None:
    """Send every due message (email and WhatsApp) now."""
    click.echo(flush_outbox(senders=senders))


@outbox_group.command("retry-failed")
@click.option("--id", "ids", type=int, multiple=True,
              help="Only these messages (repeatable); default: every failed message.")
@_CHANNEL
@with_appcontext
def outbox_retry_failed_command(ids: tuple[int, ...], channel: str | None) -> None:
    """Queue failed messages again with a fresh retry period."""
    count = retry_emails(list(ids), all_failed=not ids, channel=channel)
    db.session.commit()
    click.echo(f"Queued again: {count}")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(target: str) -> None:
    """Back up the database to TARGET (SQLite: an online, consistent copy; PostgreSQL:
    prints the pg_dump command to run)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    source = sqlite_path(uri)
    if source is None:
        if not uri.startswith("postgresql"):
            _fail(f"Backups are supported for SQLite and PostgreSQL, not {uri.split(':')[0]}")
        click.echo("PostgreSQL: back up with pg_dump (consistent while the app runs):")
        click.echo(f"  {pg_dump_command(uri, target)}")
        click.echo("Restore into an empty or existing database with:")
        click.echo(f"  {pg_restore_command(uri, target)}")
        return
    try:
        result = backup_sqlite(source, Path(target))
    except (BackupError, OSError) as err:
        _fail(f"Backup failed: {err}")
    click.echo(f"Backed up {source} to {result.path} ({result.size_bytes / 1e6:.1f} MB, "
               f"{result.seconds:.1f} s, integrity {result.integrity})")
