"""Connections as time intervals: merge rejoins and overlaps, count attended seconds once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

Interval = tuple[datetime, datetime]


def merge_intervals(intervals: Iterable[Interval], gap_seconds: int = 60) -> list[Interval]:
    """Sort and merge overlapping intervals and adjacent ones.

    Two intervals are adjacent when the next one starts at most ``gap_seconds`` after the
    previous one ends (a reconnect). The result is sorted and its intervals are separated by
    more than ``gap_seconds``.
    """
    if gap_seconds < 0:
        raise ValueError("gap_seconds must not be negative")
    gap = timedelta(seconds=gap_seconds)
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if end < start:
            raise ValueError(f"interval ends before it starts: {start} > {end}")
        if merged and start - merged[-1][1] <= gap:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def attended_seconds(intervals: Iterable[Interval], gap_seconds: int = 0) -> int:
    """Total seconds covered by the intervals, each moment counted once.

    With the default ``gap_seconds=0`` this is the length of the union of the connections:
    overlaps (two devices) are not double-counted and short gaps between reconnects are not
    counted as attendance. Passing ``gap_seconds`` > 0 also counts those bridged gaps.
    """
    total = sum(
        (end - start for start, end in merge_intervals(intervals, gap_seconds)), timedelta()
    )
    return int(total.total_seconds())
