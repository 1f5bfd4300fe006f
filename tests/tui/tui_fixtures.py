"""Fixed inventory data for TUI tests: two scans, six devices, one with hostile strings."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from builders import make_device

from camcensus.base.evidence import Evidence
from camcensus.scanner.core.schema import Coverage, Device, SnmpCoverage, device_key_for
from camcensus.scanner.store import Inventory
from camcensus.tui.app import InventoryApp

TARGETS: Final = "198.18.0.0/24"
FIXED_NOW: Final = datetime(2025, 3, 1, 9, 30, 0, tzinfo=UTC)

HOSTILE_MAKER: Final = "Evil\x1b[2J\x1b]0;pwned\x07"
HOSTILE_MODEL: Final = "=cmd|' /C calc'!A0"
HOSTILE_BRAND: Final = "[red]markup[/red]"
HOSTILE_FIRMWARE: Final = "v1\u202egpj.exe\x9b31m"


_SVG_TEXT: Final = re.compile(
    r'<text [^>]*?x="([0-9.]+)"[^>]*?'
    r'clip-path="url\(#terminal(?:-\d+)?-line-(\d+)\)">([^<]*)</text>'
)


def screen_text(svg: str, *, cell_width_px: float = 12.2) -> str:
    """The text of a Textual SVG screenshot, one line per terminal row (cells placed by
    their x position, so empty cells keep their width)."""
    lines: dict[int, list[str]] = {}
    for x, line, text in _SVG_TEXT.findall(svg):
        row = lines.setdefault(int(line), [])
        column = round(float(x) / cell_width_px)
        row.extend(" " * (column - len(row)))
        value = html.unescape(text).replace("\xa0", " ")
        row[column : column + len(value)] = value
    return "\n".join("".join(lines.get(n, [])).rstrip() for n in range(max(lines, default=-1) + 1))


def fixed_clock() -> datetime:
    return FIXED_NOW


def observation(host: int, **overrides: Any) -> Device:
    """A device at 198.18.0.<host>; flagged Hikvision camera unless overridden."""
    return make_device(host, **overrides)


def first_scan_devices() -> list[Device]:
    return [
        observation(1),
        observation(2, maker="Dahua", brand="Dahua", model="IPC-HDW2431T", firmware="2.800"),
        observation(
            3,
            maker="Axis",
            brand="Axis",
            model="M3106-L",
            firmware="10.12",
            confidence=0.8,
            flagged=False,
            flag_reasons=(),
            list_status="",
            sources=(),
        ),
        observation(
            4,
            maker=HOSTILE_MAKER,
            brand=HOSTILE_BRAND,
            model=HOSTILE_MODEL,
            firmware=HOSTILE_FIRMWARE,
            device_type="other",
            confidence=0.3,
            flagged=False,
            flag_reasons=(),
            list_status="",
            sources=(),
            evidence=(Evidence("http.server", HOSTILE_MAKER, "http", "198.18.0.4"),),
        ),
        observation(5, maker="Huawei", brand="Huawei", model="M2120-10-EI", firmware=None),
    ]


def build_inventory(path: Path) -> None:
    """Write the fixed two-scan inventory to ``path`` (scan 2 misses .5, adds .6)."""
    with Inventory.open(path, clock=fixed_clock) as inventory:
        scan = inventory.begin_scan(operator="test", scope="lab", targets=TARGETS, host="lab")
        for obs in first_scan_devices():
            inventory.record_device(scan, obs)
        inventory.finish_scan(scan)
        scan = inventory.begin_scan(operator="test", scope="lab", targets=TARGETS, host="lab")
        for obs in first_scan_devices()[:4]:
            if obs.ip.endswith(".2"):
                obs = observation(
                    2, maker="Dahua", brand="Dahua", model="IPC-HDW2431T", firmware="2.820"
                )
            inventory.record_device(scan, obs)
        inventory.record_device(
            scan,
            observation(6, maker="Uniview", brand="Uniview", model="IPC322LB", firmware="B3220"),
        )
        inventory.record_coverage(
            scan,
            [Coverage(TARGETS, "routed", 254, 5, 4)],
            [
                SnmpCoverage("198.18.0.254", "3", None, 6, 2, 4, ("02:00:00:00:00:01",)),
                SnmpCoverage(
                    "198.18.0.253", "2c", "SNMP agent 198.18.0.253 did not answer", 0, 0, 0
                ),
            ],
        )
        inventory.finish_scan(scan)
        inventory.set_site("mac:aa:bb:cc:00:00:01", "HQ")
        inventory.set_site("mac:aa:bb:cc:00:00:02", "Warehouse")
        inventory.set_site("mac:aa:bb:cc:00:00:03", "HQ")


def make_app(inventory: Inventory, db_path: Path, **kwargs: Any) -> InventoryApp:
    kwargs.setdefault("filter_debounce_s", 0)
    return InventoryApp(inventory, clock=fixed_clock, db_path=db_path, **kwargs)


_MAKERS: Final = (
    ("Hikvision", "DS-2CD2043G2-I", True),
    ("Dahua", "IPC-HDW2431T", True),
    ("Axis", "M3106-L", False),
    ("Hanwha", "XNV-6080", False),
    ("Uniview", "IPC322LB", True),
)


def build_large_inventory(path: Path, count: int) -> None:
    """``count`` devices from one scan of 10.0.0.0/8, spread over makers and sites."""
    with Inventory.open(path, clock=fixed_clock) as inventory:
        scan = inventory.begin_scan(operator="bench", scope="lab", targets="10.0.0.0/8", host="lab")
        for n in range(count):
            maker, model, flagged = _MAKERS[n % len(_MAKERS)]
            ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
            mac = f"02:00:00:{(n >> 16) & 255:02x}:{(n >> 8) & 255:02x}:{n & 255:02x}"
            inventory.record_device(
                scan,
                observation(
                    1,
                    device_key=device_key_for(mac, ip),
                    ip=ip,
                    mac=mac,
                    maker=maker,
                    brand=maker,
                    model=f"{model}-{n % 37}",
                    flagged=flagged,
                    evidence=(),
                ),
            )
        inventory.finish_scan(scan)
        inventory.db.execute(
            "UPDATE devices SET site = 'site-' || (CAST(substr(ip, 6) AS INTEGER) % 7)"
        )
        inventory.db.conn.commit()
