"""Helpers for inventory tests: a clock that ticks once per call (devices: tests/builders.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

TARGETS = "198.18.0.0/24"


class TickingClock:
    """Each call returns one second later than the previous one."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now
