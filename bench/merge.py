"""Merging many site inventories into one, and the TUI on the result.

Run: .venv/bin/python bench/merge.py [SITES] [DEVICES_PER_SITE]   (default 100 x 1,000)

1. Builds one site inventory of DEVICES_PER_SITE devices through ``Inventory.record_device``
   (the scan's own write path: identities, evidence, history), 16 evidence rows a
   device, a review on every 50th device; then copies it into SITES site inventories,
   each with its own site name in every key and its own scan uid (a SQL rewrite of the
   copy: building each through the store would only measure the build).
2. ``camcensus merge site-000.db ... --into central.db`` in a child process: wall time
   and the child's peak RSS (``ru_maxrss``).  Then the same merge again (must add
   nothing: idempotence, and what a re-run costs).
3. Peer, side by side on the same files: SQLite itself copying every row of every
   table into one database (``ATTACH`` + ``INSERT ... SELECT``, scan ids offset), with no
   identity, review or idempotence logic: the floor any merge pays for moving rows.
4. The TUI's first paint on the merged inventory (``InventoryApp`` headless through
   Textual's pilot, as bench/tui.py measures it).

Goals (issue 11): merge under 60 s, TUI first paint under 1 s.
Writes bench/results/merge.json and prints it.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE.parent / "tests")]

from builders import make_device  # type: ignore[import-not-found]  # noqa: E402

from camcensus.base.evidence import Evidence  # noqa: E402
from camcensus.scanner.core.schema import device_key_for  # noqa: E402
from camcensus.scanner.store import Inventory  # noqa: E402

RESULTS: Final = _HERE / "results" / "merge.json"
MERGE_GOAL_S: Final = 60.0
FIRST_PAINT_GOAL_S: Final = 1.0
TEMPLATE_SITE: Final = "TEMPLATE"
_KEYED_TABLES: Final = ("devices", "evidence", "device_history", "device_tokens",
                        "review_log", "review_conflicts", "device_aliases")  # fmt: skip
_MAKERS: Final = (("Hikvision", "DS-2CD2043G2-I", True), ("Dahua", "IPC-HDW2431T", True),
                  ("Axis", "P3245-LVE", False), ("Bosch", "FLEXIDOME 5100i", False),
                  ("Hanwha Vision", "XNV-8080R", False))  # fmt: skip


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=5)
        return self.now


def _evidence(n: int, ip: str, mac: str, maker: str, model: str) -> tuple[Evidence, ...]:
    items = [
        ("mac", mac, "arp"), ("ip", ip, "arp"), ("tcp.ports", "80,443,554,8000", "ports"),
        ("http.server", "App-webs/" if maker == "Hikvision" else "lighttpd", "http"),
        ("http.title", f"{maker} web", "http"), ("rtsp.server", f"{maker} RTSP 1.0", "rtsp"),
        ("rtsp.realm", f"{maker} camera", "rtsp"), ("onvif.manufacturer", maker, "onvif"),
        ("onvif.model", model, "onvif"), ("onvif.firmware", f"V5.7.{n % 20} build 2406", "onvif"),
        ("onvif.serial", f"{model}-SN{n:09d}", "onvif"), ("onvif.hardware_id", "88", "onvif"),
        ("wsd.endpoint", f"urn:uuid:6b2a1f40-0000-1000-8000-{n:012x}", "wsd"),
        ("wsd.scope.hardware", model, "wsd"), ("wsd.scope.name", f"{maker}-cam", "wsd"),
        ("tls.subject", f"CN={ip}", "tls"),
    ]  # fmt: skip
    return tuple(Evidence(k, v, s, ip) for k, v, s in items)


def build_template(path: Path, count: int) -> None:
    """One site's inventory of ``count`` devices, written as a scan writes it."""
    with Inventory.open(path, clock=_Clock()) as inventory:
        scan = inventory.begin_scan(operator="ann", scope="scope.txt", targets="198.18.0.0/16",
                                    site=TEMPLATE_SITE, host="laptop")  # fmt: skip
        for n in range(count):
            maker, model, flagged = _MAKERS[n % len(_MAKERS)]
            ip = f"198.18.{(n >> 8) & 255}.{n & 255}"
            mac = f"02:00:00:00:{(n >> 8) & 255:02x}:{n & 255:02x}"
            inventory.record_device(scan, make_device(
                1, device_key=device_key_for(mac, ip, TEMPLATE_SITE), ip=ip, mac=mac,
                maker=maker, brand=maker, model=f"{model}-{n % 37}", flagged=flagged,
                evidence=_evidence(n, ip, mac, maker, model),
            ))  # fmt: skip
        inventory.finish_scan(scan)
        keys = [r.device_key for r in inventory.devices()][::50]
        inventory.set_reviews(keys, "to_replace", "in the 2027 plan", reviewer="ann")


def clone_site(template: Path, path: Path, site: str) -> None:
    """A copy of the template inventory as site ``site``'s own."""
    shutil.copyfile(template, path)
    conn = sqlite3.connect(path)
    cut = len(TEMPLATE_SITE) + 1
    with conn:
        for table in _KEYED_TABLES:
            column = "alias" if table == "device_aliases" else "device_key"
            conn.execute(
                f"UPDATE {table} SET {column} = ? || substr({column}, ?)",  # noqa: S608
                [f"{site}/", cut + 1],
            )
        for table in ("devices", "evidence", "device_tokens", "scans"):
            conn.execute(f"UPDATE {table} SET site = ?", [site])  # noqa: S608
        conn.execute("UPDATE scans SET uid = lower(hex(randomblob(16)))")
    conn.close()


def _child(argv: list[str]) -> tuple[float, float]:
    """Run ``argv``; its wall time (s) and peak RSS (MiB)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[:4]} failed")
    return elapsed, usage.ru_maxrss / 1024


_PEER: Final = """
import sqlite3, sys
central, sources = sys.argv[1], sys.argv[2:]
conn = sqlite3.connect(central)
offset = 0
for n, source in enumerate(sources):
    conn.execute("ATTACH ? AS s", [source])
    with conn:
        if n == 0:
            for (sql,) in conn.execute(
                    "SELECT sql FROM s.sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
                    " AND name NOT LIKE 'sqlite_%'"):
                conn.execute(sql)
        top = conn.execute("SELECT coalesce(max(id), 0) FROM s.scans").fetchone()[0]
        for (table,) in conn.execute("SELECT name FROM s.sqlite_master "
                                     "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
            cols = [r[1] for r in conn.execute(f"PRAGMA s.table_info({table})")]
            shifted = [f"{c} + {offset}" if c in ("scan_id", "first_scan_id", "last_scan_id")
                       or (table == "scans" and c == "id") else c for c in cols]
            keep = [c for c in cols if not (c == "id" and table != "scans")]
            picked = [s for c, s in zip(cols, shifted) if c in keep]
            conn.execute(f"INSERT OR IGNORE INTO main.{table} ({', '.join(keep)}) "
                         f"SELECT {', '.join(picked)} FROM s.{table}")
    conn.execute("DETACH s")
    offset += top
"""


async def first_paint(path: Path) -> dict[str, object]:
    from camcensus.tui.app import InventoryApp
    from camcensus.tui.table import DeviceTable

    with Inventory.open(path, create=False, read_only=True) as inventory:
        start = time.perf_counter()
        app = InventoryApp(
            inventory, clock=lambda: datetime.now(UTC), db_path=path, filter_debounce_s=0
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            seconds = time.perf_counter() - start
            rows = app.query_one("#devices", DeviceTable).row_count
    return {"first_paint_s": round(seconds, 3), "rows_in_table": rows}


def main(argv: list[str]) -> int:
    sites = int(argv[1]) if len(argv) > 1 else 100
    per_site = int(argv[2]) if len(argv) > 2 else 1_000
    result: dict[str, object] = {"sites": sites, "devices_per_site": per_site}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        template = folder / "template.db"
        began = time.perf_counter()
        build_template(template, per_site)
        result["build_template_s"] = round(time.perf_counter() - began, 1)
        paths = [folder / f"site-{n:03d}.db" for n in range(sites)]
        for n, path in enumerate(paths):
            clone_site(template, path, f"S{n:03d}")
        evidence_rows = sqlite3.connect(template).execute("SELECT count(*) FROM evidence")
        result["evidence_rows_per_site"] = evidence_rows.fetchone()[0]
        central = folder / "central.db"
        command = [
            sys.executable,
            "-m",
            "camcensus",
            "merge",
            *map(str, paths),
            "--into",
            str(central),
        ]
        merge_s, merge_mib = _child(command)
        again_s, again_mib = _child(command)
        peer = folder / "peer.db"
        peer_s, peer_mib = _child([sys.executable, "-c", _PEER, str(peer), *map(str, paths)])
        with Inventory.open(central, create=False, read_only=True) as inventory:
            devices = len(inventory.devices())
            reviewed = sum(1 for r in inventory.devices() if r.review_status == "to_replace")
            scans = len(inventory.scans())
        result |= {
            "merge_s": round(merge_s, 1),
            "merge_peak_rss_mib": round(merge_mib),
            "merge_again_s": round(again_s, 1),
            "merge_again_peak_rss_mib": round(again_mib),
            "peer_sqlite_copy_s": round(peer_s, 1),
            "peer_sqlite_copy_peak_rss_mib": round(peer_mib),
            "ratio_merge_over_peer": round(merge_s / peer_s, 1),
            "central_devices": devices,
            "central_scans": scans,
            "central_reviews_kept": reviewed,
            "central_db_mib": round(central.stat().st_size / 2**20),
        }
        assert devices == sites * per_site, (devices, sites * per_site)
        result["tui"] = asyncio.run(first_paint(central))
    result |= {
        "goal_merge_s": MERGE_GOAL_S,
        "goal_first_paint_s": FIRST_PAINT_GOAL_S,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "self_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
