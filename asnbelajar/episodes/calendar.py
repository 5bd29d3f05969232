"""RFC 5545 invitations for an episode (one UID for its life, SEQUENCE grows on change)."""

from __future__ import annotations

from icalendar import Calendar, Event, vText

from ..timeutil import as_utc, now_utc
from ..util.urls import external_url
from .models import Episode


def episode_ics(episode: Episode, *, method: str = "PUBLISH", join_link: bool = False,
                join_url: str | None = None) -> bytes:
    """The episode as an iCalendar file. The Zoom link goes in only for a registrant's
    own invitation (``join_link``); the public file points at the episode page, where the
    link appears for registrants shortly before the start."""
    cal = Calendar()
    cal.add("prodid", "-//ASN Belajar//asnbelajar//ID")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = Event()
    event.add("uid", episode.ical_uid)
    event.add("sequence", episode.ical_sequence)
    event.add("dtstamp", now_utc())
    event.add("dtstart", as_utc(episode.starts_at))
    event.add("dtend", as_utc(episode.ends_at))
    event.add("summary", f"{episode.program.name} Seri {episode.number}: {episode.title}")
    url = external_url("episodes.detail", episode_id=episode.id)
    lines = [episode.summary or "", "", f"Halaman episode: {url}"]
    if episode.youtube_url:
        lines.append(f"YouTube: {episode.youtube_url}")
    if join_url:
        # The registrant's own Zoom link (personal: attendance is recorded in their name).
        lines.insert(0, f"Tautan Zoom pribadi Anda: {join_url}\n")
    event.add("description", "\n".join(lines).strip())
    event.add("url", url)
    event["location"] = vText(join_url or (episode.zoom_url if join_link else None) or url)
    event.add("status", "CANCELLED" if episode.status == "cancelled" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical()


def ics_attachment(episode: Episode, method: str = "REQUEST",
                   join_link: bool = True, join_url: str | None = None) -> tuple[str, str, bytes]:
    return (
        f"asnbelajar-seri-{episode.number}-{episode.year}.ics",
        f"text/calendar; method={method}",
        episode_ics(episode, method=method, join_link=join_link, join_url=join_url),
    )
