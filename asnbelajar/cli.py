"""The ``asnbelajar`` command: a Flask CLI group over :func:`create_app`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .demo.cli import seed_demo_command
from .extensions import db


def _create_app(*_args, **_kwargs):
    from . import create_app

    return create_app(background=True)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """ASN Belajar management commands."""


def register_cli(app) -> None:
    for command in (create_user_command, api_token_command, seed_demo_command,
                    load_instansi_command, scheduler_command, flush_outbox_command,
                    finalize_due_command):
        app.cli.add_command(command)


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
    from .accounts.services import create_user
    from .errors import DomainError

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

    from .accounts.models import User
    from .accounts.services import issue_api_token, normalize_email

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
    from .accounts.reference import load_instansi

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
    from .scheduler.services import run_all_once, run_scheduler

    if once:
        for job, result in run_all_once(current_app._get_current_object()).items():
            click.echo(f"{job}: {result}")
        return
    run_scheduler(current_app._get_current_object())


@click.command("flush-outbox")
@with_appcontext
def flush_outbox_command() -> None:
    """Send due emails from the outbox now."""
    from .notifications.services import flush_outbox

    click.echo(flush_outbox())


@click.command("finalize-due")
@with_appcontext
def finalize_due_command() -> None:
    """Finalize every published episode that ended more than the grace period ago."""
    from .scheduler.services import finalize_due_episodes

    click.echo(finalize_due_episodes())
