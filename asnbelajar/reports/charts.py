"""Server-rendered SVG charts: readable without JavaScript, printable, and accessible (each
chart is ``role="img"`` with a title and a description, and every page that shows one
also shows the same figures as a table).

Pure functions from figures to markup; every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

# Palette: the site's navy for registrations, teal for attendance; a 5-step blue scale
# for the map (light = few participants).
REGISTERED = "#0a3d6b"
ATTENDED = "#1b998b"
BAR = "#0a3d6b"
SCALE = ("#e8f0f8", "#b9d0e8", "#7ea9d3", "#3f7bb8", "#0a3d6b")
EMPTY = "#f3f4f6"

# A tile-grid map of Indonesia's 38 provinces: (column, row) roughly where each lies,
# west to east and north to south, one equal tile each so small provinces stay visible.
PROVINCE_TILES: dict[str, tuple[int, int, str]] = {
    "Aceh": (0, 0, "ACE"), "Kalimantan Utara": (7, 0, "KU"), "Gorontalo": (9, 0, "GOR"),
    "Sulawesi Utara": (10, 0, "SU"), "Maluku Utara": (12, 0, "MU"),
    "Papua Barat Daya": (13, 0, "PBD"),
    "Sumatera Utara": (1, 1, "SUT"), "Riau": (2, 1, "RIA"), "Kepulauan Riau": (3, 1, "KR"),
    "Kalimantan Barat": (6, 1, "KB"), "Kalimantan Timur": (7, 1, "KT"),
    "Sulawesi Barat": (8, 1, "SBR"), "Sulawesi Tengah": (9, 1, "ST"), "Maluku": (12, 1, "MAL"),
    "Papua Barat": (14, 1, "PB"),
    "Sumatera Barat": (1, 2, "SB"), "Jambi": (2, 2, "JAM"),
    "Kepulauan Bangka Belitung": (4, 2, "BB"), "Kalimantan Tengah": (6, 2, "KTG"),
    "Kalimantan Selatan": (7, 2, "KS"), "Sulawesi Selatan": (9, 2, "SSL"),
    "Sulawesi Tenggara": (10, 2, "SG"), "Papua Tengah": (14, 2, "PT"), "Papua": (15, 2, "PAP"),
    "Bengkulu": (2, 3, "BEN"), "Sumatera Selatan": (3, 3, "SMS"),
    "Papua Pegunungan": (15, 3, "PP"),
    "Lampung": (3, 4, "LAM"), "DKI Jakarta": (5, 4, "JKT"), "Papua Selatan": (15, 4, "PS"),
    "Banten": (4, 5, "BTN"), "Jawa Barat": (5, 5, "JB"), "Jawa Tengah": (6, 5, "JTG"),
    "Jawa Timur": (7, 5, "JTM"), "Bali": (8, 5, "BAL"), "Nusa Tenggara Barat": (9, 5, "NTB"),
    "Nusa Tenggara Timur": (10, 5, "NTT"),
    "DI Yogyakarta": (6, 6, "DIY"),
}


def _fmt(n: float | int) -> str:
    if isinstance(n, float):
        return f"{n:.1f}".replace(".", ",")
    return f"{n:,}".replace(",", ".")


def _svg(width: int, height: int, title: str, desc: str, body: str, chart_id: str) -> Markup:
    # Safe: every text put into ``body`` and here went through ``escape``; the rest are
    # numbers and fixed colours.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>{body}</svg>'
    )


def grouped_bars(labels: Sequence[str], series: Sequence[tuple[str, str, Sequence[int]]], *,
                 title: str, chart_id: str, height: int = 260) -> Markup:
    """Vertical bars per label, one per series ``(name, colour, values)``."""
    n = max(len(labels), 1)
    per = len(series)
    step = max(18, min(56, 900 // n))
    left, bottom, top = 48, 46, 28
    width = left + step * n + 16
    top_value = max([v for _n, _c, values in series for v in values] + [1])
    plot = height - bottom - top
    parts = []
    for i in range(5):  # grid lines and scale
        value = top_value * i / 4
        y = top + plot - plot * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#e5e7eb"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                     f'font-size="10" fill="#4b5563">{_fmt(round(value))}</text>')
    bar_w = max(3, (step - 6) / per)
    for i, label in enumerate(labels):
        x0 = left + i * step + 3
        for j, (name, colour, values) in enumerate(series):
            value = values[i] if i < len(values) else 0
            h = plot * value / top_value
            parts.append(
                f'<rect x="{x0 + j * bar_w:.1f}" y="{top + plot - h:.1f}" '
                f'width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{colour}">'
                f'<title>{escape(label)}: {escape(name)} {_fmt(value)}</title></rect>')
        if n <= 60:
            parts.append(
                f'<text x="{x0 + step / 2 - 3:.1f}" y="{height - bottom + 14}" '
                f'font-size="9" text-anchor="end" fill="#374151" '
                f'transform="rotate(-45 {x0 + step / 2 - 3:.1f} {height - bottom + 14})">'
                f'{escape(label)}</text>')
    for j, (name, colour, _values) in enumerate(series):  # legend
        x = left + j * 150
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="16" font-size="11" fill="#111827">'
                     f'{escape(name)}</text>')
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{name} {_fmt(values[i])}" for name, _c, values in series)
        for i, label in enumerate(labels)) or "—"
    return _svg(width, height, title, desc, "".join(parts), chart_id)


def horizontal_bars(rows: Sequence[tuple[str, int | float]], *, title: str, chart_id: str,
                    colour: str = BAR, unit: str = "") -> Markup:
    """One bar per row, labels on the left (JP distribution, agencies)."""
    left, row_h, width = 110, 26, 640
    height = row_h * max(len(rows), 1) + 12
    top_value = max([v for _l, v in rows] + [1])
    parts = []
    for i, (label, value) in enumerate(rows):
        y = 6 + i * row_h
        w = (width - left - 70) * value / top_value
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="12" '
            f'fill="#111827">{escape(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
            f'fill="{colour}"><title>{escape(label)}: {_fmt(value)}{escape(unit)}</title></rect>'
            f'<text x="{left + w + 6:.1f}" y="{y + 16}" font-size="12" fill="#374151">'
            f'{_fmt(value)}{escape(unit)}</text>')
    desc = "; ".join(f"{label}: {_fmt(value)}{unit}" for label, value in rows) or "—"
    return _svg(width, height, title, desc, "".join(parts), chart_id)


def province_map(counts: dict[str, int], *, title: str, chart_id: str) -> Markup:
    """A tile-grid map of the 38 provinces, shaded by count (5 steps)."""
    size, gap = 52, 4
    cols = 1 + max(c for c, _r, _a in PROVINCE_TILES.values())
    rows = 1 + max(r for _c, r, _a in PROVINCE_TILES.values())
    width, height = cols * (size + gap) + gap, rows * (size + gap) + gap + 34
    top_value = max(list(counts.values()) + [1])
    parts = []
    for name, (col, row, abbr) in PROVINCE_TILES.items():
        value = counts.get(name, 0)
        if value:
            level = min(len(SCALE) - 1, int((len(SCALE)) * value / (top_value + 1e-9)))
            fill = SCALE[level]
        else:
            level, fill = -1, EMPTY
        ink = "#ffffff" if level >= 3 else "#111827"
        x, y = gap + col * (size + gap), gap + row * (size + gap)
        parts.append(
            f'<g><title>{escape(name)}: {_fmt(value)}</title>'
            f'<rect x="{x}" y="{y}" width="{size}" height="{size}" rx="6" fill="{fill}" '
            f'stroke="#9ca3af" stroke-width="0.5"/>'
            f'<text x="{x + size / 2}" y="{y + 21}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="{ink}">{escape(abbr)}</text>'
            f'<text x="{x + size / 2}" y="{y + 38}" text-anchor="middle" font-size="10" '
            f'fill="{ink}">{_fmt(value)}</text></g>')
    y = height - 24
    for i, colour in enumerate(SCALE):  # legend: few → many
        parts.append(f'<rect x="{gap + i * 30}" y="{y}" width="28" height="12" '
                     f'fill="{colour}"/>')
    parts.append(f'<text x="{gap + len(SCALE) * 30 + 6}" y="{y + 10}" font-size="11" '
                 f'fill="#374151">0 – {_fmt(top_value)}</text>')
    listed = sorted(counts.items(), key=lambda kv: -kv[1])
    desc = "; ".join(f"{name}: {_fmt(n)}" for name, n in listed if name) or "—"
    return _svg(width, height, title, desc, "".join(parts), chart_id)


def minute_bars(minutes: Sequence[tuple[int, int]], *, title: str, chart_id: str,
                opens: int = 0, closes: int | None = None) -> Markup:
    """Check-ins per minute; the checkpoint's window is shaded."""
    n = max(len(minutes), 1)
    step = max(4, min(18, 880 // n))
    left, bottom, top, height = 44, 30, 12, 180
    width = left + step * n + 10
    plot = height - bottom - top
    top_value = max([v for _m, v in minutes] + [1])
    first = minutes[0][0] if minutes else 0
    parts = []
    if closes is not None:
        x1 = left + (opens - first) * step
        x2 = left + (closes - first) * step
        parts.append(f'<rect x="{x1}" y="{top}" width="{max(x2 - x1, 1)}" height="{plot}" '
                     f'fill="#fef3c7"/>')
    for i in range(3):
        value = top_value * i / 2
        y = top + plot - plot * i / 2
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
                     f'fill="#4b5563">{_fmt(round(value))}</text>')
    for i, (minute, value) in enumerate(minutes):
        h = plot * value / top_value
        x = left + i * step
        parts.append(f'<rect x="{x}" y="{top + plot - h:.1f}" width="{step - 1}" '
                     f'height="{h:.1f}" fill="{ATTENDED}"><title>{minute:+d} menit: '
                     f'{_fmt(value)}</title></rect>')
        if minute % 5 == 0:
            parts.append(f'<text x="{x + step / 2}" y="{height - 12}" font-size="9" '
                         f'text-anchor="middle" fill="#374151">{minute:+d}</text>')
    desc = ", ".join(f"{m:+d}: {v}" for m, v in minutes if v) or "—"
    return _svg(width, height, title, desc, "".join(parts), chart_id)
