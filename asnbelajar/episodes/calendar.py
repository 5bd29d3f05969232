"""RFC 5545 invitations for an episode (one UID for its life, SEQUENCE grows on change)."""

from __future__ import annotations

from email.utils import parseaddr

from flask import current_app, has_app_context
from icalendar import Calendar, Event, vCalAddress, vText

from ..timeutil import as_utc, now_utc
from ..util.urls import external_url
from .models import Episode


def _organizer(episode: Episode) -> vCalAddress:
    sender = (current_app.config.get("MAIL_DEFAULT_SENDER") if has_app_context() else None)
    name, address = parseaddr(sender or "")
    organizer = vCalAddress(f"mailto:{address or 'noreply@asnbelajar.local'}")
    organizer.params["cn"] = vText(name or episode.program.name)
    return organizer


def _attendee(email: str, name: str | None) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{email}")
    if name:
        attendee.params["cn"] = vText(name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")  # they registered: no RSVP asked
    attendee.params["rsvp"] = vText("FALSE")
    return attendee


def episode_ics(episode: Episode, *, method: str = "PUBLISH", join_link: bool = False,
                join_url: str | None = None, attendee: tuple[str, str | None] | None = None,
                ) -> bytes:
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
    event.add("summary", f"{episode.program.name} {episode.label}: {episode.title}")
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
    if method in ("REQUEST", "CANCEL"):
        # An iTIP request needs its organizer (and the invitee, when the file is for one
        # person) for Outlook and Gmail to update or cancel the same event in place.
        event.add("organizer", _organizer(episode))
        if attendee is not None:
            event.add("attendee", _attendee(*attendee))
    event.add("status", "CANCELLED" if episode.status == "cancelled" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical()


def ics_attachment(episode: Episode, method: str = "REQUEST",
                   join_link: bool = True, join_url: str | None = None,
                   attendee: tuple[str, str | None] | None = None) -> tuple[str, str, bytes]:
    """``attendee``: (email, name) of the one person the invitation is for."""
    return (
        f"asnbelajar-seri-{episode.number}-{episode.year}.ics",
        f"text/calendar; method={method}",
        episode_ics(episode, method=method, join_link=join_link, join_url=join_url,
                    attendee=attendee),
    )
