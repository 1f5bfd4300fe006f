"""Lab scale benchmark: up/down time and emulator memory for 10, 50 and 250 devices.

Side by side with a peer design on the same namespaces: one emulator process per
device (what a naive lab does), measured for start time and total resident memory.
Needs root.  Writes bench/results/lab_scale.json and prints a table.

    .venv/bin/python bench/lab_scale.py [--sizes 10,50,250] [--peer-sizes 10,50]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from camcensus.lab.api import Lab, _reap, can_run_lab

RESULTS = Path(__file__).parent / "results" / "lab_scale.json"


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def per_device_peer(lab: Lab) -> dict[str, float]:
    """Stop the lab's one emulator; serve the same devices with one process each."""
    state = lab.state()
    pid = lab.emulator_pid()
    assert pid is not None
    os.kill(pid, signal.SIGTERM)
    _reap(pid)
    time.sleep(0.2)
    work = lab.state_dir / "peer"
    work.mkdir()
    started = time.monotonic()
    pids = []
    for device in state["devices"]:
        one = work / f"d{device['index']:03d}"
        one.mkdir()
        path = one / "state.json"
        path.write_text(json.dumps(dict(state, devices=[device])), encoding="utf-8")
        pids.append(
            os.posix_spawn(
                sys.executable,
                [sys.executable, "-m", "camcensus.lab.emulator", str(path)],
                dict(os.environ),
                file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)],
            )
        )
    for device in state["devices"]:
        ready = work / f"d{device['index']:03d}" / "emulator.ready"
        while not ready.exists():
            time.sleep(0.01)
    start_s = time.monotonic() - started
    total = sum(rss_bytes(p) for p in pids)
    for p in pids:
        os.kill(p, signal.SIGTERM)
    for p in pids:
        os.waitpid(p, 0)
    return {"start_s": round(start_s, 3), "rss_mb": round(total / 1e6, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,50,250")
    parser.add_argument("--peer-sizes", default="10,50")
    args = parser.parse_args()
    ok, why = can_run_lab()
    if not ok:
        print(f"lab_scale: cannot run: {why}", file=sys.stderr)
        return 2
    sizes = [int(s) for s in args.sizes.split(",") if s]
    peer_sizes = {int(s) for s in args.peer_sizes.split(",") if s}
    rows: list[dict[str, object]] = []
    lab = Lab("ccbench")
    for n in sizes:
        state = lab.up(devices=n, mix="default")
        rss = lab.emulator_rss_bytes()
        row: dict[str, object] = {
            "devices": n,
            "up_s": state["up_s"],
            "topology_s": state["topology_s"],
            "emulator_rss_mb": round(rss / 1e6, 1),
        }
        if n in peer_sizes:
            peer_run = per_device_peer(lab)
            row["peer_process_per_device"] = peer_run
            row["memory_ratio_peer_over_ours"] = round(peer_run["rss_mb"] / (rss / 1e6), 1)
        row["down_s"] = round(lab.down(), 3)
        rows.append(row)
        print(json.dumps(row))
    result = {
        "benchmark": "lab_scale",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "rows": rows,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"written {RESULTS}")
    print(f"{'devices':>8} {'up s':>7} {'down s':>7} {'RSS MB':>7}  peer(1 proc/device)")
    for row in rows:
        peer = row.get("peer_process_per_device")
        extra = (
            f"{peer['rss_mb']} MB, start {peer['start_s']} s "
            f"(x{row['memory_ratio_peer_over_ours']} memory)"
            if isinstance(peer, dict)
            else "-"
        )
        print(
            f"{row['devices']:>8} {row['up_s']:>7} {row['down_s']:>7} "
            f"{row['emulator_rss_mb']:>7}  {extra}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
