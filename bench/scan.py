"""Scan benchmark: camcensus against `nmap -sV` on the same lab, side by side.

Brings up a lab (default 250 devices, default mix), then from its admin namespace:
1. `camcensus scan` of the lab network (discovery, fingerprinting, inventory);
2. `nmap -sV` of the same hosts on the same ports (nmap is told the live hosts, so
   it does no discovery; that favours nmap).
For each: wall time, peak memory (ru_maxrss of the process tree, from wait4), and
devices whose maker is correctly identified against the lab profiles' truth (for
nmap: the maker named by its MAC-vendor lookup or any service/product string, which
is generous to nmap).  Writes bench/results/scan.json.  Needs root.

    .venv/bin/python bench/scan.py [--devices 250] [--mix default] [--rescore DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as ET

from camcensus.lab.api import Lab, can_run_lab
from camcensus.lab.profiles import assign_profiles, builtin_mix, device_ip, merged_profiles
from camcensus.scanner.core.schema import record_json
from camcensus.scanner.store import Inventory
from camcensus.vendor_db import load_vendors

RESULTS = Path(__file__).parent / "results" / "scan.json"
sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "scanner_lab"))
from truth_check import field_mismatches, wrong_by_field  # type: ignore[import-not-found]  # noqa: E402

LAB_NAME = "ccbench"


def run_timed(argv: Sequence[str], stdout_path: Path) -> dict[str, float]:
    """Run *argv*; wall time and peak RSS (MB) of its process tree."""
    started = time.monotonic()
    with stdout_path.open("wb") as out:
        pid = os.posix_spawn(
            argv[0],
            list(argv),
            dict(os.environ),
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1)],
        )
        _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    return {
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "exit_status": os.waitstatus_to_exitcode(status),
    }


def canonical(name: str | None) -> str | None:
    if not name:
        return None
    vendor = load_vendors().get(name) or load_vendors().find(name)
    return vendor.name if vendor else name


def truth_plan(devices: int, mix: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """ip -> (profile id, truth) of the lab `lab up --devices N --mix M` builds (deterministic)."""
    profiles = merged_profiles()
    order = assign_profiles(devices, builtin_mix(mix))
    return {device_ip(i): (pid, dict(profiles[pid].truth)) for i, pid in enumerate(order, 1)}


def score_camcensus(db: Path, truth: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, int]:
    """Devices with every field right, and per field, by the lab tests' own truth check."""
    inventory = Inventory.open(db, create=False)
    try:
        rows = [record_json(r) for r in inventory.devices()]
    finally:
        inventory.close()
    problems = field_mismatches(truth, rows)
    wrong = wrong_by_field(problems)
    everything_wrong = set().union(*wrong.values()) if wrong else set()
    scores = {"devices_found": len(rows), "all_fields_correct": len(truth) - len(everything_wrong)}
    for field in ("maker", "brand", "model", "firmware", "flagged"):
        scores[f"{field}_correct"] = len(truth) - len(
            wrong.get(field, set()) | wrong.get("not", set())
        )
    return scores


def score_nmap(xml_path: Path, truth_plan: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, int]:
    """Generous to nmap: a maker counts when its MAC vendor or any service string names it."""
    truth = {ip: t for ip, (_pid, t) in truth_plan.items()}
    root = ET.parse(xml_path).getroot()
    if root is None:
        raise ValueError(f"{xml_path}: empty nmap XML")
    maker = model = found = 0
    vendors = load_vendors()
    for host in root.iter("host"):
        ip = next(
            (a.get("addr") for a in host.iter("address") if a.get("addrtype") == "ipv4"), None
        )
        if ip not in truth:
            continue
        found += 1
        texts = [a.get("vendor", "") for a in host.iter("address") if a.get("addrtype") == "mac"]
        for service in host.iter("service"):
            texts += [service.get(k, "") for k in ("product", "version", "extrainfo", "devicetype")]
        named = {canonical(v.name) for t in texts if t and (v := vendors.find(t))}
        want = truth[ip]
        if want["maker"] and canonical(want["maker"]) in named:
            maker += 1
        if want["model"] and any(want["model"] in t for t in texts if t):
            model += 1
    return {"devices_found": found, "maker_correct": maker, "model_correct": model}


def measure(args: argparse.Namespace, work: Path, ports: str) -> tuple[dict[str, Any], ...]:
    """Run both tools on a fresh lab; their raw outputs stay in *work*."""
    lab = Lab(LAB_NAME)
    state = lab.up(devices=args.devices, mix=args.mix)
    try:
        hosts = sorted(d.ip for d in lab.devices)
        in_admin = ["/usr/sbin/ip", "netns", "exec", lab.admin_ns]
        ours = run_timed(
            [*in_admin, sys.executable, "-m", "camcensus", "scan", state["network"],
             "--scope", "lab", "--db", str(work / "inventory.db"), "--json"],
            work / "camcensus.json",
        )  # fmt: skip
        peer = run_timed(
            [*in_admin, "/usr/bin/nmap", "-sV", "-n", "-Pn", "-T4", "-p", ports,
             "-oX", str(work / "nmap.xml"), *hosts],
            work / "nmap.out",
        )  # fmt: skip
    finally:
        lab.down()
    return ours, peer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=250)
    parser.add_argument("--mix", default="default")
    parser.add_argument(
        "--rescore",
        type=Path,
        metavar="DIR",
        help="score the outputs a previous run left in DIR again (times from the results file)",
    )
    args = parser.parse_args()
    from camcensus.scanner.probes.ports import CAMERA_PORTS  # the port list both tools get

    ports = ",".join(str(p) for p in sorted(CAMERA_PORTS))
    if args.rescore:
        work = args.rescore
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        keep = ("wall_s", "peak_rss_mb", "exit_status")
        ours = {k: previous["camcensus"][k] for k in keep}
        peer = {k: previous["nmap_sV"][k] for k in keep}
    else:
        ok, why = can_run_lab()
        if not ok:
            print(f"scan bench: cannot run: {why}", file=sys.stderr)
            return 2
        work = Path(tempfile.mkdtemp(prefix="camcensus-bench-"))
        ours, peer = measure(args, work, ports)
    truth = truth_plan(args.devices, args.mix)
    ours.update(score_camcensus(work / "inventory.db", truth))
    peer.update(score_nmap(work / "nmap.xml", truth))
    result = {
        "benchmark": "scan",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "devices": args.devices,
        "mix": args.mix,
        "ports": ports,
        "outputs": str(work),
        "scoring": "camcensus: the lab tests' truth check (tests/scanner_lab/truth_check.py); "
        "nmap: maker named by its MAC-vendor lookup or any service string (generous)",
        "camcensus": ours,
        "nmap_sV": peer,
        "ratios": {
            "wall_time_nmap_over_camcensus": round(peer["wall_s"] / max(ours["wall_s"], 0.01), 2),
            "memory_camcensus_over_nmap": round(
                ours["peak_rss_mb"] / max(peer["peak_rss_mb"], 0.1), 2
            ),
            "makers_correct_camcensus_over_nmap": round(
                ours["maker_correct"] / max(peer["maker_correct"], 1), 2
            ),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
