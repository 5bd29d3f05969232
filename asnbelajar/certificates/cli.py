"""``asnbelajar certificates render --episode ID --out DIR [--speakers]`` (DESIGN.md)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..episodes.models import Episode
from ..extensions import db
from .rendering import count_live_certificates, write_episode_files


@click.group("certificates")
def certificates_group() -> None:
    """Certificate files."""


@certificates_group.command("render")
@click.option("--episode", "episode_id", required=True, type=int, help="Episode id.")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="Directory for the PDF files (created when missing).")
@click.option("--speakers", is_flag=True, help="Speaker certificates too.")
@with_appcontext
def render_command(episode_id: int, out_dir: Path, speakers: bool) -> None:
    """Render every live participant certificate of an episode as PDF files named by
    certificate number, with a progress bar and the rate at the end."""
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        raise click.ClickException(f"Episode {episode_id} tidak ditemukan.")
    total = count_live_certificates(episode_id, speakers=speakers)
    started = time.perf_counter()
    with click.progressbar(length=total, label=f"{episode.label}", file=sys.stderr,
                           show_pos=True) as bar:
        count = write_episode_files(episode_id, out_dir, speakers=speakers,
                                    progress=bar.update)
    elapsed = time.perf_counter() - started
    rate = count / elapsed if elapsed > 0 else 0.0
    click.echo(f"{count} sertifikat dirender ke {out_dir} dalam {elapsed:.1f} s "
               f"({rate:.0f} sertifikat/detik).")
