"""TUI responsiveness with a large inventory: time to first paint and filter latency.

Run: .venv/bin/python bench/tui.py [DEVICE_COUNT]   (default 10,000)

Builds an inventory of DEVICE_COUNT devices in a temporary directory (through
``Inventory.record_device``), then drives ``InventoryApp`` headless:

* ``first_paint_s``: from creating the app to the first settled frame with every row
  loaded into the table (goal under 1 s);
* ``keystroke_ms``: for each key typed into the filter box, the time until the table is
  rebuilt and the screen has settled (filter debounce off, so this is the work one
  keystroke costs), as measured through Textual's pilot;
* ``pilot_baseline_ms``: the same for a key that does nothing: the test harness's own
  cost per key, which a real terminal does not pay;
* ``keystroke_net_ms_p95``: p95 keystroke time minus the baseline median (goal under
  100 ms), and ``apply_filter_ms``: the time inside ``InventoryApp.apply_filter``.

Peer, side by side on the same rows: a plain Textual app with the stock ``DataTable``
that refilters by substring on every keystroke (``peer_datatable`` in the results).

Writes bench/results/tui.json and prints the numbers.
"""

from __future__ import annotations

import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

_HERE = Path(__file__).resolve().parent
# the test suite's builders and its large TUI inventory
sys.path[:0] = [str(_HERE.parent / "tests"), str(_HERE.parent / "tests" / "tui")]

from textual.app import App, ComposeResult  # noqa: E402
from textual.widgets import DataTable, Input  # noqa: E402
from tui_fixtures import build_large_inventory  # type: ignore[import-not-found]  # noqa: E402

from camcensus.scanner.store import Inventory  # noqa: E402
from camcensus.tui.app import InventoryApp  # noqa: E402
from camcensus.tui.table import DeviceTable  # noqa: E402

RESULTS: Final = _HERE / "results" / "tui.json"
FIXED_NOW: Final = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
FIRST_PAINT_GOAL_S: Final = 1.0
KEYSTROKE_GOAL_MS: Final = 100.0
TYPED: Final = ("maker:dah", "site:site-3", "flag:yes ipc-hdw2431t-1")


def _clock() -> datetime:
    return FIXED_NOW


def build(path: Path, count: int) -> None:
    """``count`` devices from one scan, over five makers and seven sites: the TUI tests'
    own large inventory (tests/tui/tui_fixtures.py)."""
    build_large_inventory(path, count)


async def measure(path: Path) -> dict[str, object]:
    inventory = Inventory.open(path, create=False)
    try:
        start = time.perf_counter()
        app = InventoryApp(inventory, clock=_clock, db_path=path, filter_debounce_s=0)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            first_paint_s = time.perf_counter() - start
            rows = app.query_one("#devices", DeviceTable).row_count
            baseline_ms: list[float] = []
            for _ in range(10):
                began = time.perf_counter()
                await pilot.press("x")  # not bound on the table screen
                await pilot.pause()
                baseline_ms.append((time.perf_counter() - began) * 1000)
            apply_ms: list[float] = []
            apply_filter = app.apply_filter

            def timed_apply() -> None:
                began = time.perf_counter()
                apply_filter()
                apply_ms.append((time.perf_counter() - began) * 1000)

            app.apply_filter = timed_apply  # type: ignore[method-assign]
            latencies_ms: list[float] = []
            matches: dict[str, int] = {}
            for text in TYPED:
                await pilot.press("slash")
                for key in text:
                    began = time.perf_counter()
                    await pilot.press("space" if key == " " else key)
                    await pilot.pause()
                    latencies_ms.append((time.perf_counter() - began) * 1000)
                matches[text] = len(app.visible_rows)
                app.query_one("#filter", Input).value = ""
                await pilot.press("enter")  # apply, and focus the table again
                await pilot.pause()
    finally:
        inventory.close()
    ordered = sorted(latencies_ms)
    baseline = statistics.median(baseline_ms)
    return {
        "pilot_baseline_ms_median": round(baseline, 1),
        "keystroke_net_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))] - baseline, 1),
        "apply_filter_ms_median": round(statistics.median(apply_ms), 1),
        "apply_filter_ms_max": round(max(apply_ms), 1),
        "devices": rows,
        "first_paint_s": round(first_paint_s, 3),
        "keystrokes": len(latencies_ms),
        "keystroke_ms_median": round(statistics.median(ordered), 1),
        "keystroke_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        "keystroke_ms_max": round(ordered[-1], 1),
        "matches": matches,
    }


class PeerApp(App[None]):
    """The straightforward design: Textual's DataTable, rebuilt on every filter change."""

    def __init__(self, rows: list[tuple[str, ...]]) -> None:
        super().__init__()
        self.rows = rows
        self.lowered = [" ".join(r).lower() for r in rows]

    def compose(self) -> ComposeResult:
        yield Input(id="filter")
        yield DataTable(id="table")

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("IP", "MAC", "Maker", "Brand", "Model", "Firmware", "Site")
        table.add_rows(self.rows)

    def on_input_changed(self, event: Input.Changed) -> None:
        needle = event.value.lower()
        table: DataTable[str] = self.query_one(DataTable)
        table.clear()
        table.add_rows(r for r, low in zip(self.rows, self.lowered, strict=True) if needle in low)


async def measure_peer(path: Path) -> dict[str, object]:
    with Inventory.open(path, create=False) as inventory:
        start = time.perf_counter()
        rows: list[tuple[str, ...]] = [
            (d.ip, d.mac or "", d.maker, d.brand, d.model, d.firmware or "", r.site or "")
            for r in inventory.devices()
            for d in (r.device,)
        ]
        app = PeerApp(rows)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            first_paint_s = time.perf_counter() - start
            latencies_ms: list[float] = []
            for text in ("dah", "site-3", "ipc-hdw2431t-1"):
                app.query_one(Input).focus()
                for key in text:
                    began = time.perf_counter()
                    await pilot.press(key)
                    await pilot.pause()
                    latencies_ms.append((time.perf_counter() - began) * 1000)
                app.query_one(Input).value = ""
                await pilot.pause()
    ordered = sorted(latencies_ms)
    return {
        "first_paint_s": round(first_paint_s, 3),
        "keystrokes": len(ordered),
        "keystroke_ms_median": round(statistics.median(ordered), 1),
        "keystroke_ms_p95": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
    }


def main(argv: list[str]) -> int:
    count = int(argv[1]) if len(argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "inventory.db"
        build(path, count)
        result = asyncio.run(measure(path))
        peer = asyncio.run(measure_peer(path))
    result["peer_datatable"] = peer
    result["ratio_first_paint_peer_over_ours"] = round(
        float(peer["first_paint_s"]) / float(result["first_paint_s"]),  # type: ignore[arg-type]
        1,
    )
    result["ratio_keystroke_median_peer_over_ours"] = round(
        float(peer["keystroke_ms_median"]) / float(result["keystroke_ms_median"]),  # type: ignore[arg-type]
        1,
    )
    result.update(
        {
            "goal_first_paint_s": FIRST_PAINT_GOAL_S,
            "goal_keystroke_ms": KEYSTROKE_GOAL_MS,
            "python": platform.python_version(),
            "machine": platform.machine(),
        }
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"devices: {result['devices']}")
    print(f"time to first paint: {result['first_paint_s']} s (goal < {FIRST_PAINT_GOAL_S} s)")
    print(
        f"filter keystroke: median {result['keystroke_ms_median']} ms, "
        f"p95 {result['keystroke_ms_p95']} ms, max {result['keystroke_ms_max']} ms "
        f"over {result['keystrokes']} keys, through the pilot"
    )
    print(
        f"pilot overhead per key (no-op key): {result['pilot_baseline_ms_median']} ms; "
        f"net p95 {result['keystroke_net_ms_p95']} ms (goal < {KEYSTROKE_GOAL_MS} ms); "
        f"apply_filter median {result['apply_filter_ms_median']} ms, "
        f"max {result['apply_filter_ms_max']} ms"
    )
    print(
        f"peer (stock DataTable): first paint {peer['first_paint_s']} s, keystroke median "
        f"{peer['keystroke_ms_median']} ms, p95 {peer['keystroke_ms_p95']} ms"
    )
    print(f"written: {RESULTS}")
    ok = (
        float(result["first_paint_s"]) < FIRST_PAINT_GOAL_S  # type: ignore[arg-type]
        and float(result["keystroke_net_ms_p95"]) < KEYSTROKE_GOAL_MS  # type: ignore[arg-type]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
