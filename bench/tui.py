"""TUI at scale: first paint, peak memory and filter latency on a large inventory.

Run: .venv/bin/python bench/tui.py [DEVICE_COUNT]   (default 100,000)

Builds an inventory of DEVICE_COUNT devices in a temporary directory: the first
``TEMPLATE`` through the store API (``Inventory.record_device``, the TUI tests'
``build_large_inventory``: five makers), the rest copies of those rows made in SQL with
their own key, address and MAC (``copy_rows``: recording each one through the store's
identity bookkeeping took over 4 minutes for the first fifth of 100,000 here, and would
only measure the build), then seven sites over all.  Then it drives the TUI headless, each side in a
process of its own so that its peak memory (``ru_maxrss``) is its own:

* **ours**: ``InventoryApp`` as shipped, paging the table from SQL (``tui.source.
  StoreSource``: one ``count(*)`` and one window of rows off an index);
* **peer**, side by side on the same file: the same app with the design it had before,
  every device read and turned into a row up front, filtered and sorted in Python
  (``tui.source.MemorySource``, still what it does under ``--policy``).

Per side: ``first_paint_s`` (creating the app to the first settled frame, goal under
1 s), ``peak_rss_mb``, and for each key typed into the filter box the time until the
screen settled (``keystroke_ms``; filter debounce off) minus the pilot's own cost per key
(``pilot_baseline_ms``: a key that does nothing), so ``keystroke_net_ms_p95`` is what a
keystroke costs the app (goal under 100 ms).

Writes bench/results/tui.json (ratios peer over ours) and prints the numbers.
"""

from __future__ import annotations

import asyncio
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

_HERE = Path(__file__).resolve().parent
# the test suite's builders and its large TUI inventory
sys.path[:0] = [str(_HERE.parent / "tests"), str(_HERE.parent / "tests" / "tui")]

from textual.widgets import Input  # noqa: E402
from tui_fixtures import build_large_inventory  # type: ignore[import-not-found]  # noqa: E402

from camcensus.scanner.core.listing import ListingQuery  # noqa: E402
from camcensus.scanner.store import Inventory  # noqa: E402
from camcensus.tui import app as app_module  # noqa: E402
from camcensus.tui.app import InventoryApp  # noqa: E402
from camcensus.tui.source import MemorySource, RowSource  # noqa: E402
from camcensus.tui.table import DeviceTable  # noqa: E402

RESULTS: Final = _HERE / "results" / "tui.json"
FIXED_NOW: Final = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
FIRST_PAINT_GOAL_S: Final = 1.0
KEYSTROKE_GOAL_MS: Final = 100.0
TYPED: Final = ("maker:dah", "site:site-3", "flag:yes ipc-hdw2431t-1")
SIZE: Final = (120, 40)
TEMPLATE: Final = 1_000


def copy_rows(path: Path, count: int) -> None:
    """Grow the inventory at ``path`` (``TEMPLATE`` devices recorded in order) to
    ``count`` devices: device n is a copy of template device n % TEMPLATE with the key,
    address and MAC ``build_large_inventory`` gives device n; then the same seven sites.
    """
    with Inventory.open(path) as inventory:
        conn = inventory.db.conn
        columns = [row[1] for row in conn.execute("PRAGMA table_info(devices)")]
        made = {
            "device_key": "'mac:' || mac_n",
            "mac": "mac_n",
            "ip": "ip_n",
            "addresses": "json_array(ip_n)",
        }
        picked = ", ".join(made.get(c, c) for c in columns)
        with conn:
            for copy in range(1, -(-count // TEMPLATE)):
                conn.execute(
                    f"""INSERT INTO devices ({", ".join(columns)})
                        SELECT {picked} FROM (
                            SELECT *,
                                '10.' || ((n >> 16) & 255) || '.' || ((n >> 8) & 255)
                                    || '.' || (n & 255) AS ip_n,
                                printf('02:00:00:%02x:%02x:%02x',
                                       (n >> 16) & 255, (n >> 8) & 255, n & 255) AS mac_n
                            FROM (SELECT *, :base + rowid - 1 AS n FROM devices
                                  WHERE rowid <= :template)
                            WHERE n < :count)""",  # noqa: S608 (the table's own columns)
                    {"base": copy * TEMPLATE, "template": TEMPLATE, "count": count},
                )
            conn.execute(
                "UPDATE devices SET site = 'site-' || (CAST(substr(ip, 6) AS INTEGER) % 7)"
            )


def _clock() -> datetime:
    return FIXED_NOW


def _eager_source(
    inventory: Inventory, query: ListingQuery, previous: RowSource | None = None
) -> RowSource:
    """The peer's design: every device read and made a row once, then kept in memory."""
    if isinstance(previous, MemorySource):
        return previous.with_query(query)
    return MemorySource(inventory.devices(), query)


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[int(share * (len(ordered) - 1))]


async def measure(path: Path, side: str) -> dict[str, object]:
    """One side's numbers (see the module docstring); run in a process of its own."""
    if side == "peer":
        app_module.make_source = _eager_source  # type: ignore[assignment]
    inventory = Inventory.open(path, create=False, read_only=True)
    try:
        start = time.perf_counter()
        app = InventoryApp(inventory, clock=_clock, db_path=path, filter_debounce_s=0)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            first_paint_s = time.perf_counter() - start
            table = app.query_one("#devices", DeviceTable)
            rows = table.row_count
            baseline_ms: list[float] = []
            for _ in range(10):
                began = time.perf_counter()
                await pilot.press("x")  # not bound on the table screen
                await pilot.pause()
                baseline_ms.append((time.perf_counter() - began) * 1000)
            latencies_ms: list[float] = []
            matches: dict[str, int] = {}
            for text in TYPED:
                await pilot.press("slash")
                for key in text:
                    began = time.perf_counter()
                    await pilot.press("space" if key == " " else key)
                    await pilot.pause()
                    latencies_ms.append((time.perf_counter() - began) * 1000)
                matches[text] = table.row_count
                app.query_one("#filter", Input).value = ""
                await pilot.press("enter")  # apply, and focus the table again
                await pilot.pause()
            began = time.perf_counter()
            await pilot.press("end")
            await pilot.pause()
            end_ms = (time.perf_counter() - began) * 1000
    finally:
        inventory.close()
    ordered = sorted(latencies_ms)
    baseline = statistics.median(baseline_ms)
    return {
        "devices": rows,
        "first_paint_s": round(first_paint_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "pilot_baseline_ms_median": round(baseline, 1),
        "keystrokes": len(ordered),
        "keystroke_ms_median": round(statistics.median(ordered), 1),
        "keystroke_ms_p95": round(_percentile(ordered, 0.95), 1),
        "keystroke_ms_max": round(ordered[-1], 1),
        "keystroke_net_ms_p95": round(_percentile(ordered, 0.95) - baseline, 1),
        "end_key_ms": round(end_ms, 1),
        "matches": matches,
    }


def _run_side(path: Path, side: str) -> dict[str, object]:
    done = subprocess.run(  # this script, with a path it made
        [sys.executable, __file__, "--side", side, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def _ratio(peer: dict[str, object], ours: dict[str, object], name: str) -> float:
    return round(float(peer[name]) / float(ours[name]), 1)  # type: ignore[arg-type]


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[1] == "--side":
        print(json.dumps(asyncio.run(measure(Path(argv[3]), argv[2]))))
        return 0
    count = int(argv[1]) if len(argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.db"
        began = time.perf_counter()
        build_large_inventory(path, min(count, TEMPLATE))
        copy_rows(path, count)
        build_s = time.perf_counter() - began
        ours = _run_side(path, "ours")
        peer = _run_side(path, "peer")
    if ours["matches"] != peer["matches"]:
        print(f"the sides disagree: {ours['matches']} != {peer['matches']}", file=sys.stderr)
        return 1
    result: dict[str, object] = {
        **ours,
        "build_s": round(build_s, 1),
        "peer_eager_rows": peer,
        "ratio_first_paint_peer_over_ours": _ratio(peer, ours, "first_paint_s"),
        "ratio_peak_rss_peer_over_ours": _ratio(peer, ours, "peak_rss_mb"),
        "ratio_keystroke_median_peer_over_ours": _ratio(peer, ours, "keystroke_ms_median"),
        "goal_first_paint_s": FIRST_PAINT_GOAL_S,
        "goal_keystroke_ms": KEYSTROKE_GOAL_MS,
        "terminal": list(SIZE),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for name, side in (("ours (paged from SQL)", ours), ("peer (every row in memory)", peer)):
        print(
            f"{name}: {side['devices']} devices, first paint {side['first_paint_s']} s, "
            f"peak RSS {side['peak_rss_mb']} MB, keystroke median "
            f"{side['keystroke_ms_median']} ms, net p95 {side['keystroke_net_ms_p95']} ms "
            f"(pilot {side['pilot_baseline_ms_median']} ms a key), end {side['end_key_ms']} ms"
        )
    print(
        f"peer over ours: first paint x{result['ratio_first_paint_peer_over_ours']}, "
        f"peak memory x{result['ratio_peak_rss_peer_over_ours']}, keystroke median "
        f"x{result['ratio_keystroke_median_peer_over_ours']}"
    )
    print(f"goals: first paint < {FIRST_PAINT_GOAL_S} s, keystroke < {KEYSTROKE_GOAL_MS} ms")
    print(f"written: {RESULTS}")
    ok = (
        float(ours["first_paint_s"]) < FIRST_PAINT_GOAL_S  # type: ignore[arg-type]
        and float(ours["keystroke_net_ms_p95"]) < KEYSTROKE_GOAL_MS  # type: ignore[arg-type]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
