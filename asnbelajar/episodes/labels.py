"""The one way an episode's series label is written.

Pages, emails and calendars show "Seri 41 · 2024" ("Series 41 · 2024" in English) through
:func:`series_label` (``Episode.label``, the Jinja filter ``series`` and the
``series_label`` macro all come here). Official documents (the certificate PDF, the SIASN
record) print the Indonesian long form "Seri 41 Tahun 2024" whatever the language of the
request that issued them: :func:`official_series_label`. Certificates freeze that text;
:func:`series_label_of` turns a frozen label back into the page's form.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import force_locale, gettext

_OFFICIAL = re.compile(r"Seri (\d+) Tahun (\d+)")


def series_label(number: int, year: int | None = None, *, official: bool = False) -> str:
    """ "Seri 41 · 2024"; "Seri 41" without a year (a chart of one year); the long form
    "Seri 41 Tahun 2024" with ``official``. In the language of the request or email."""
    if official and year is not None:
        return gettext("Seri %(n)s Tahun %(y)s", n=number, y=year)
    if year is None:
        return gettext("Seri %(n)s", n=number)
    return gettext("Seri %(n)s · %(y)s", n=number, y=year)


def official_series_label(number: int, year: int | None = None) -> str:
    """ "Seri 41 Tahun 2024" in Indonesian, for documents that are official whatever the
    issuer's language (certificates, SIASN, transcripts)."""
    with force_locale("id"):
        return series_label(number, year, official=True)


def series_label_of(item: Any) -> str:
    """The page label of an episode-like object (``number`` and ``year``) or of a
    certificate-like one (a frozen ``episode_label``); a frozen label that is not of the
    official form is shown as it was printed."""
    number, year = getattr(item, "number", None), getattr(item, "year", None)
    if isinstance(number, int) and isinstance(year, int):
        return series_label(number, year)
    frozen = getattr(item, "episode_label", None)
    if frozen is None and isinstance(item, str):
        frozen = item
    match = _OFFICIAL.fullmatch(frozen or "")
    if match:
        return series_label(int(match.group(1)), int(match.group(2)))
    return frozen or ""
