"""Builders for inventory tests: observations and a clock that ticks once per call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from camcensus.base.evidence import Evidence
from camcensus.scanner.model import DeviceObservation, device_key_for

TARGETS = "198.18.0.0/24"


class TickingClock:
    """Each call returns one second later than the previous one."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def make_obs(host: int, **overrides: Any) -> DeviceObservation:
    """A flagged Hikvision camera at 198.18.0.<host> with MAC ..:<host>."""
    ip = f"198.18.0.{host}"
    mac = f"aa:bb:cc:00:00:{host:02x}"
    values: dict[str, Any] = {
        "device_key": device_key_for(mac, ip),
        "ip": ip,
        "mac": mac,
        "maker": "Hikvision",
        "brand": "Hikvision",
        "model": "DS-2CD2043G2-I",
        "firmware": "V5.7.3",
        "device_type": "camera",
        "confidence": 0.9,
        "flagged": True,
        "flag_reasons": ("maker on FCC Covered List",),
        "list_status": "fcc_covered",
        "sources": ("https://www.fcc.gov/supplychain/coveredlist",),
        "identity": {"maker": "Hikvision", "chain": [{"key": "http.server"}]},
        "evidence": (
            Evidence("http.server", "App-webs/", "http", ip),
            Evidence("mac.oui", "aa:bb:cc", "arp", ip),
        ),
    }
    values.update(overrides)
    return DeviceObservation(**values)
