"""The report for management over a large inventory: time, memory and size.

Run: .venv/bin/python bench/report.py [DEVICE_COUNT]   (default 10,000)

Builds an inventory of DEVICE_COUNT devices through the store API (five sites, each
scanned twice, so there is a trend; six evidence items a device, every flag level, a
tenth of the flagged devices reviewed "to replace", coverage rows), then measures, each
in a fresh process and the same inventory:

* ``camcensus report --html``: wall time, CPU, peak RSS and the size of the HTML;
* peer, side by side: ``camcensus export --json`` (the other reader that loads every
  device with its evidence and writes it all out): the same figures;
* headless chromium (in an empty network namespace) opening it for a screenshot;
* in-process, the report's steps: reading the inventory, counting, the three pygal
  charts, the template;
* the charts' library against matplotlib (``pip install -c constraints.txt -e
  '.[bench]'``), drawing the same three charts as SVG, each in a fresh process: the
  first drawing (its import included), the median of ten more, and the bytes.

Writes bench/results/report.json and prints the numbers.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

_HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(_HERE.parent / "tests")]  # the test suite's device builder

from builders import make_device  # type: ignore[import-not-found]  # noqa: E402
from reportdom import chromium, isolated_chromium  # type: ignore[import-not-found]  # noqa: E402

from camcensus.base.evidence import Evidence  # noqa: E402
from camcensus.cli.report_cmd import read_inventory  # noqa: E402
from camcensus.scanner.core.schema import Coverage  # noqa: E402
from camcensus.scanner.store import Inventory  # noqa: E402

RESULTS: Final = _HERE / "results" / "report.json"
SITES: Final = ("Utrecht-CS", "Amersfoort", "Zwolle", "Den-Haag", "Eindhoven")
_MAKERS: Final = (
    ("Hikvision", "DS-2CD2043G2-I", "flagged"),
    ("Dahua", "IPC-HDW2431T-AS-S2", "flagged"),
    ("Dahua", "", "possible"),
    ("Axis", "P3245-LVE", "no"),
    ("Hanwha Vision", "XND-6080R", "no"),
    ("Bosch Security", "FLEXIDOME IP 5000i", "no"),
    ("Uniview", "IPC2124LB-SF40KM-G", "flagged"),
)


def _clock() -> object:
    now = [datetime(2026, 3, 1, 8, 0, tzinfo=UTC)]

    def tick() -> datetime:
        now[0] += timedelta(seconds=1)
        return now[0]

    return tick


def build(path: Path, count: int) -> None:
    """``count`` devices over the five sites, each site scanned twice."""
    per_site = count // len(SITES)
    with Inventory.open(path, clock=_clock()) as inventory:  # type: ignore[arg-type]
        for round_ in range(2):
            for s, site in enumerate(SITES):
                targets = f"10.{s}.0.0/16"
                scan = inventory.begin_scan(
                    operator="bench", scope="lab", targets=targets, site=site, host="lab"
                )
                seen = per_site if round_ else per_site * 9 // 10  # the second finds more
                for n in range(seen):
                    maker, model, level = _MAKERS[n % len(_MAKERS)]
                    ip = f"10.{s}.{n >> 8}.{n & 255}"
                    mac = f"02:00:{s:02x}:00:{n >> 8:02x}:{n & 255:02x}"
                    evidence = (
                        Evidence("mac", mac, "arp", ip),
                        Evidence("http.server", "App-webs/", "http", ip),
                        Evidence("onvif.manufacturer", maker, "onvif", ip),
                        Evidence("onvif.model", model or "unknown", "onvif", ip),
                        Evidence("onvif.firmware", f"V5.{n % 9}.{n % 13}", "onvif", ip),
                        Evidence("tcp.open", "80,554,8000", "ports", ip),
                    )
                    inventory.record_device(
                        scan,
                        make_device(
                            site=site, ip=ip, mac=mac, maker=maker, brand=maker,
                            model=f"{model}-{n % 11}" if model else "",
                            flagged=level == "flagged", level=level, evidence=evidence,
                        ),
                    )  # fmt: skip
                inventory.record_coverage(scan, [Coverage(targets, "on-link", 65_536, seen)])
                inventory.finish_scan(scan)
        inventory.db.execute(
            "UPDATE devices SET review_status = 'to_replace' "
            "WHERE flagged = 1 AND abs(random()) % 10 = 0"
        )
        inventory.db.conn.commit()


def _run(argv: list[str]) -> dict[str, float]:
    """Wall time, CPU and peak RSS of one command in a fresh process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall_s = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"{argv} failed: {process.stderr.read().decode() if process.stderr else ''}"
        )
    return {
        "wall_s": round(wall_s, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def steps(path: Path) -> dict[str, float]:
    """The report's own steps, timed in this process."""
    from camcensus.scanner import report

    timings: dict[str, float] = {}
    start = time.perf_counter()
    with Inventory.open(path, read_only=True) as inventory:
        records, scans, changes = read_inventory(inventory)
    timings["read_s"] = time.perf_counter() - start
    start = time.perf_counter()
    summary = report.summarise(
        records, scans, title="bench", generated_at="now", policy_note="", changes=changes
    )
    timings["summarise_s"] = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(3):
        charts = (
            report._site_chart(summary.by_site),
            report._maker_chart(summary.by_maker),
            report._trend_chart(summary.trend),
        )
    timings["charts_s"] = (time.perf_counter() - start) / 3
    timings["charts_svg_bytes"] = sum(len(c.encode()) for c in charts)
    start = time.perf_counter()
    report.render_html(summary)
    timings["render_html_s"] = time.perf_counter() - start  # charts included
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in timings.items()}


_ROUNDS: Final = 11
"""Each chart library draws the three charts this many times: the first (its import
included) and the median of the rest are kept."""
_HARNESS: Final = r"""
import json, sys, time
start = time.perf_counter()
data = json.load(sys.stdin)
{setup}
times = []
for n in range({rounds}):
    began = time.perf_counter()
    svgs = draw()
    if n == 0:
        first = time.perf_counter() - start
    else:
        times.append(time.perf_counter() - began)
times.sort()
print(json.dumps({{"first_s": first, "each_s": times[len(times) // 2],
                  "svg_bytes": sum(len(s.encode()) for s in svgs)}}))
"""
"""Times ``draw()`` (defined by ``setup``, which imports the library: the first drawing
counts the import) in a fresh process, over the chart data on stdin."""

_MATPLOTLIB_PEER: Final = r"""
import io
import matplotlib
matplotlib.use("svg")
import matplotlib.pyplot as plt

def draw():
    svgs = []
    fig, ax = plt.subplots(figsize=(7.6, 3))
    sites = data["sites"]
    left = [0.0] * len(sites)
    for name, key in (("flagged", "flagged"), ("possible", "possible"), ("not flagged", "rest")):
        values = [100 * s[key] / s["devices"] for s in sites]
        ax.barh([s["label"] for s in sites], values, left=left, label=name)
        left = [a + b for a, b in zip(left, values)]
    ax.legend(); ax.set_title("Share of devices flagged, per site (%)")
    makers = data["makers"]
    fig2, ax2 = plt.subplots(figsize=(7.6, 5))
    ax2.barh([m["label"] for m in makers], [m["devices"] for m in makers])
    ax2.set_title("Devices per maker")
    fig3, ax3 = plt.subplots(figsize=(7.6, 3.6))
    ax3.plot([p["label"] for p in data["trend"]], [p["devices"] for p in data["trend"]])
    ax3.plot([p["label"] for p in data["trend"]], [p["flagged"] for p in data["trend"]])
    for f in (fig, fig2, fig3):
        out = io.StringIO(); f.savefig(out, format="svg"); svgs.append(out.getvalue())
        plt.close(f)
    return svgs
"""

_PYGAL_PEER: Final = r"""
from camcensus.scanner import report
from camcensus.scanner.report import Tally, TrendPoint
sites = [Tally(s["label"], s["devices"], s["flagged"], s["possible"]) for s in data["sites"]]
makers = [Tally(m["label"], m["devices"], m["flagged"], m["possible"]) for m in data["makers"]]
trend = [TrendPoint(p["label"], p["devices"], p["flagged"]) for p in data["trend"]]

def draw():
    return [report._site_chart(sites), report._maker_chart(makers), report._trend_chart(trend)]
"""


def charts(path: Path) -> dict[str, object]:
    """pygal against matplotlib on the same three charts, each in a fresh process."""
    from camcensus.scanner import report

    with Inventory.open(path, read_only=True) as inventory:
        records = inventory.devices()
        scans = [report.ScanCoverage(s) for s in inventory.scans()]
    summary = report.summarise(records, scans, title="", generated_at="", policy_note="")

    def tally(t: report.Tally) -> dict[str, object]:
        return {"label": t.label, "devices": t.devices, "flagged": t.flagged,
                "possible": t.possible, "rest": t.devices - t.flagged - t.possible}  # fmt: skip

    data = json.dumps(
        {
            "sites": [tally(t) for t in summary.by_site],
            "makers": [tally(t) for t in summary.by_maker],
            "trend": [
                {"label": p.label, "devices": p.devices, "flagged": p.flagged}
                for p in summary.trend
            ],
        }
    )
    found: dict[str, object] = {}
    for name, code in (("pygal", _PYGAL_PEER), ("matplotlib", _MATPLOTLIB_PEER)):
        done = subprocess.run(
            [sys.executable, "-c", _HARNESS.format(setup=code, rounds=_ROUNDS)],
            input=data,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            found[name] = {"error": done.stderr.strip().splitlines()[-1:]}
            continue
        result = json.loads(done.stdout)
        found[name] = {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}
    return found


def browser(page: Path, tmp: Path) -> dict[str, float] | str:
    """Headless chromium opening the report and taking a screenshot, in a network
    namespace of its own (nothing but a loopback interface, down), as the tests run it."""
    if chromium() is None:
        return "chromium not installed"
    shot = f"--screenshot={tmp / 'report.png'}"
    return _run(
        [*isolated_chromium(tmp / "profile"), shot, "--window-size=1280,2400", page.as_uri()]
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory(prefix="camcensus-bench-report-") as tmp:
        db = Path(tmp) / "inventory.db"
        start = time.perf_counter()
        build(db, count)
        build_s = time.perf_counter() - start
        camcensus = [sys.executable, "-m", "camcensus"]
        html, js = Path(tmp) / "report.html", Path(tmp) / "devices.json"
        ours = _run([*camcensus, "report", "--db", str(db), "--html", str(html)])
        ours["bytes"] = html.stat().st_size
        peer = _run([*camcensus, "export", "--db", str(db), "--json", str(js)])
        peer["bytes"] = js.stat().st_size
        with Inventory.open(db, read_only=True) as inventory:
            devices = len(inventory.devices())
        results: dict[str, object] = {
            "devices": devices,
            "build_s": round(build_s, 1),
            "report": ours,
            "peer_export_json": peer,
            "ratio_wall_report_over_export": round(ours["wall_s"] / peer["wall_s"], 2),
            "ratio_cpu_report_over_export": round(ours["cpu_s"] / peer["cpu_s"], 2),
            "ratio_rss_report_over_export": round(ours["peak_rss_mb"] / peer["peak_rss_mb"], 2),
            "ratio_bytes_report_over_export": round(ours["bytes"] / peer["bytes"], 2),
            "report_steps": steps(db),
            "chromium_screenshot": browser(html, Path(tmp)),
            "charts": charts(db),
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
        }
    chart_figures = results["charts"]
    if isinstance(chart_figures, dict) and all(
        isinstance(chart_figures.get(k), dict) and "first_s" in chart_figures[k]
        for k in ("pygal", "matplotlib")
    ):
        pg, mpl = chart_figures["pygal"], chart_figures["matplotlib"]
        results["ratio_charts_first_matplotlib_over_pygal"] = round(
            mpl["first_s"] / pg["first_s"], 2
        )
        results["ratio_charts_each_matplotlib_over_pygal"] = round(mpl["each_s"] / pg["each_s"], 2)
        results["ratio_charts_bytes_matplotlib_over_pygal"] = round(
            mpl["svg_bytes"] / pg["svg_bytes"], 2
        )
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
