"""``asnbelajar seed-demo``: options, progress bars on stderr, and the closing summary."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from .logins import DEMO_LOGINS
from .seed import seed_demo


def _progress(label: str, length: int):
    # stderr, so the summary on stdout stays easy to read by scripts.
    return click.progressbar(length=max(length, 0), label=f"  {label}",
                             file=sys.stderr, show_pos=True,
                             show_eta=True, width=30)


@click.command("seed-demo")
@click.option("--participants", default=2000, show_default=True,
              type=click.IntRange(0, 1_000_000),
              help="Demo participant accounts to create (at least).")
@click.option("--registrations", default=None, type=click.IntRange(1, 1_000_000),
              help="Spread exactly N active registrations over the 2022 season in the real "
                   "series' shape (457300 is the real size), creating the participants "
                   "it needs.")
@with_appcontext
def seed_demo_command(participants: int, registrations: int | None) -> None:
    """Load the demo program, episodes, speakers and participants (idempotent)."""
    summary = seed_demo(participants=participants, echo=click.echo,
                        registrations=registrations, progress=_progress)
    for key, value in summary.items():
        click.echo(f"  {key}: {value}")
    click.echo("Demo logins:")
    for role, email, password in DEMO_LOGINS:
        click.echo(f"  {role:<12} {email:<32} {password}")
