"""Routed benchmark: camcensus over a /20 of routed space, beside nmap, side by side.

Brings up a routed lab (default 1,000 devices on the 16 /24s of 198.18.16.0/20 behind
the lab router, whose net-snmp agent holds their ARP entries), then, from the admin
namespace, runs in turn on the same /20 and the same camera ports:

1. ``camcensus scan --snmp-credentials v3 --routed-sweep snmp`` (harvest the router,
   then probe only the addresses its ARP cache lists);
2. ``camcensus scan --snmp-credentials v3`` (harvest, and sweep every address);
3. ``camcensus scan`` without SNMP (sweep every address: unicast evidence only);
4. ``nmap -sS -n -Pn -T4 -p PORTS`` of the /20: the port sweep alone, the peer; and
   the same with the options camcensus gives its own nmap sweep (``--max-retries 1
   --min-rate 2000 --min-hostgroup 1024``), to show what those options buy;
5. ``nmap -sV`` of a sample of live hosts (``--sample``, default 100): the peer's
   identification, whose time is scaled to every live host for comparison.

For each: wall time, peak memory of the process (GNU time's maximum resident set size;
wait4 over-reports a posix_spawn'ed child), packets the admin namespace sent (its
interface's tx_packets, read inside the namespace before and after), packets a host of
the /20, and devices whose maker (and flag) is right by the lab tests' own truth check
(tests/scanner_lab/truth_check.py). Writes bench/results/routed.json. Needs root.

    .venv/bin/python bench/routed.py [--devices 1000] [--subnets 16] [--sample 100]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import defusedxml.ElementTree as ET

from camcensus.lab.api import Lab, can_run_lab
from camcensus.scanner.probes.ports import CAMERA_PORTS

RESULTS = Path(__file__).parent / "results" / "routed.json"
sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "scanner_lab"))
from truth_check import field_mismatches, wrong_by_field  # type: ignore[import-not-found]  # noqa: E402

LAB_NAME = "ccbroute"
ADMIN_IF = "ccadm0"
GNU_TIME = "/usr/bin/time"


def _tx_packets(netns: str) -> int:
    done = subprocess.run(
        ["ip", "netns", "exec", netns, "cat", f"/sys/class/net/{ADMIN_IF}/statistics/tx_packets"],
        capture_output=True, text=True, check=True, timeout=10,
    )  # fmt: skip
    return int(done.stdout.strip())


def run_measured(netns: str, argv: Sequence[str], stdout_path: Path) -> dict[str, Any]:
    """Run *argv* in *netns* under GNU time: wall time, peak RSS, packets sent."""
    before = _tx_packets(netns)
    started = time.monotonic()
    with stdout_path.open("wb") as out:
        done = subprocess.run(
            ["ip", "netns", "exec", netns, GNU_TIME, "-f", "maxrss_kb=%M", *argv],
            stdout=out, stderr=subprocess.PIPE, check=False, timeout=3600,
        )  # fmt: skip
    wall_s = time.monotonic() - started
    sent = _tx_packets(netns) - before
    found = re.findall(rb"maxrss_kb=(\d+)", done.stderr)
    return {
        "wall_s": round(wall_s, 2),
        "peak_rss_mb": round(int(found[-1]) / 1024, 1) if found else None,
        "packets_sent": sent,
        "exit_status": done.returncode,
    }


def _truth(lab: Lab) -> dict[str, tuple[str, dict[str, Any]]]:
    profiles = lab.profiles()
    return {d.ip: (d.profile_id, dict(profiles[d.profile_id].truth)) for d in lab.devices}


def score_camcensus(
    result_json: Path, truth: dict[str, tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """Devices found, and makers and flags right, by the lab tests' truth check."""
    result = json.loads(result_json.read_text(encoding="utf-8"))
    devices = result["devices"]
    problems = field_mismatches(truth, devices)
    wrong = wrong_by_field(problems)
    missing = wrong.get("not", set())
    return {
        "devices_found": sum(1 for d in devices if d["ip"] in truth),
        "maker_correct": len(truth) - len(wrong.get("maker", set()) | missing),
        "flag_correct": len(truth) - len(wrong.get("flagged", set()) | missing),
        "with_mac": sum(1 for d in devices if d.get("mac")),
        "coverage": result.get("coverage"),
        "warnings": result.get("warnings", [])[:5],
    }


def _open_hosts(xml_path: Path) -> list[str]:
    root = ET.parse(xml_path).getroot()
    hosts = []
    for host in root.iter("host"):
        if any(p.find("state") is not None and p.find("state").get("state") == "open"  # type: ignore[union-attr]
               for p in host.iter("port")):  # fmt: skip
            hosts.extend(
                a.get("addr", "") for a in host.iter("address") if a.get("addrtype") == "ipv4"
            )
    return hosts


def score_nmap_sv(xml_path: Path, truth: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, int]:
    """Generous to nmap: a maker counts when any service string names it (case-folded)."""
    root = ET.parse(xml_path).getroot()
    found = maker = 0
    for host in root.iter("host"):
        ip = next((a.get("addr") for a in host.iter("address") if a.get("addrtype") == "ipv4"), "")
        if ip not in truth:
            continue
        found += 1
        texts = " ".join(
            service.get(k, "")
            for service in host.iter("service")
            for k in ("product", "version", "extrainfo", "devicetype")
        ).casefold()
        want = str(truth[ip][1].get("maker") or "").casefold()
        if want and want.split()[0] in texts:
            maker += 1
    return {"devices_found": found, "maker_correct": maker}


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    lab = Lab(LAB_NAME)
    started = time.monotonic()
    state = lab.up(devices=args.devices, mix=args.mix, routed_subnets=args.subnets)
    up_s = round(time.monotonic() - started, 1)
    try:
        target = str(state["routed"]["space"])  # 198.18.16.0/20: all 16 subnets' room
        ports = ",".join(str(p) for p in sorted(CAMERA_PORTS))
        v3 = state["routed"]["snmp"]["credentials_v3"]
        scan = [sys.executable, "-m", "camcensus", "scan", target, "--scope", "lab", "--json"]
        truth = _truth(lab)
        runs: dict[str, Any] = {"lab_up_s": up_s, "target": target, "ports": ports}
        plans = {
            "camcensus_snmp_listed": ["--snmp-credentials", v3, "--routed-sweep", "snmp"],
            "camcensus_snmp_full_sweep": ["--snmp-credentials", v3],
            "camcensus_no_snmp": [],
        }
        for name, extra in plans.items():
            out = work / f"{name}.json"
            row = run_measured(lab.admin_ns, [*scan, "--db", str(work / f"{name}.db"), *extra], out)
            row.update(score_camcensus(out, truth))
            runs[name] = row
        if args.reuse_slow_peers:  # nmap -sS -T4 takes about 25 minutes here
            runs["nmap_sS"] = args.reuse_slow_peers["nmap_sS"]
        else:
            sweep = run_measured(
                lab.admin_ns,
                ["/usr/bin/nmap", "-sS", "-n", "-Pn", "-T4", "-p", ports, "-oX",
                 str(work / "nmap_sS.xml"), target],
                work / "nmap_sS.out",
            )  # fmt: skip
            sweep["hosts_with_open_ports"] = len(_open_hosts(work / "nmap_sS.xml"))
            runs["nmap_sS"] = sweep
        tuned = run_measured(
            lab.admin_ns,
            ["/usr/bin/nmap", "-sS", "-n", "-Pn", "-T4", "--max-retries", "1", "--min-rate",
             "2000", "--min-hostgroup", "1024", "-p", ports, "-oX",
             str(work / "nmap_sS_tuned.xml"), target],
            work / "nmap_sS_tuned.out",
        )  # fmt: skip
        live = _open_hosts(work / "nmap_sS_tuned.xml")
        tuned["hosts_with_open_ports"] = len(live)
        runs["nmap_sS_tuned"] = tuned
        if args.reuse_slow_peers:
            runs["nmap_sV_sample"] = args.reuse_slow_peers["nmap_sV_sample"]
            return runs
        live = _open_hosts(work / "nmap_sS.xml")
        sample = sorted(random.Random(7).sample(live, min(args.sample, len(live))))
        sv = run_measured(
            lab.admin_ns,
            ["/usr/bin/nmap", "-sV", "-n", "-Pn", "-T4", "-p", ports, "-oX",
             str(work / "nmap_sV.xml"), *sample],
            work / "nmap_sV.out",
        )  # fmt: skip
        sv.update(score_nmap_sv(work / "nmap_sV.xml", truth))
        sv["sample"] = len(sample)
        sv["wall_s_scaled_to_live_hosts"] = round(sv["wall_s"] * len(live) / max(len(sample), 1), 1)
        runs["nmap_sV_sample"] = sv
        return runs
    finally:
        lab.down()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--subnets", type=int, default=16)
    parser.add_argument("--mix", default="default")
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument(
        "--reuse-slow-peers",
        action="store_true",
        help="keep the nmap -sS -T4 and -sV rows of the last results file (marked so) "
        "instead of running them again; the tuned nmap sweep still runs side by side",
    )
    args = parser.parse_args()
    if args.reuse_slow_peers:
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
        args.reuse_slow_peers = {
            name: {**previous[name], "reused_from_run_of": previous["when"]}
            for name in ("nmap_sS", "nmap_sV_sample")
        }
    ok, why = can_run_lab()
    if not ok:
        print(f"routed bench: cannot run: {why}", file=sys.stderr)
        return 2
    if not Path(GNU_TIME).exists():
        print(f"routed bench: needs GNU time at {GNU_TIME} (apt-get install time)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="camcensus-routed-"))
    runs = measure(args, work)
    addresses = 16 * 254  # the /20 swept: 16 /24s without network and broadcast
    sweep_s = runs["nmap_sS"]["wall_s"]
    ratios: dict[str, Any] = {}
    for name in ("camcensus_snmp_listed", "camcensus_snmp_full_sweep", "camcensus_no_snmp"):
        ratios[f"{name}_wall_over_nmap_sS"] = round(runs[name]["wall_s"] / max(sweep_s, 0.01), 2)
        ratios[f"{name}_packets_over_nmap_sS"] = round(
            runs[name]["packets_sent"] / max(runs["nmap_sS"]["packets_sent"], 1), 2
        )
        ratios[f"{name}_wall_over_nmap_sS_tuned"] = round(
            runs[name]["wall_s"] / max(runs["nmap_sS_tuned"]["wall_s"], 0.01), 2
        )
    if addresses:  # every tool swept the whole /20, whatever --subnets
        for name in ("camcensus_snmp_listed", "camcensus_snmp_full_sweep", "camcensus_no_snmp",
                     "nmap_sS", "nmap_sS_tuned"):  # fmt: skip
            runs[name]["packets_per_address"] = round(runs[name]["packets_sent"] / addresses, 2)
    result = {
        "benchmark": "routed",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "devices": args.devices,
        "subnets": args.subnets,
        "mix": args.mix,
        "outputs": str(work),
        "scoring": "camcensus: the lab tests' truth check (maker, flag); nmap -sV: maker "
        "named in any service string of the sampled hosts (generous)",
        **runs,
        "ratios": ratios,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
