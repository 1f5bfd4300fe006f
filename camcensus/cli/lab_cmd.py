"""``camcensus lab up|down|status``: the emulated camera network (see lab/README.md)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "lab",
        help="bring the emulated camera lab (network namespaces) up or down",
        description=(
            "The lab lives only in network namespaces on 198.18.0.0/23 with no route out; "
            "scan it from its admin namespace: ip netns exec cclab-admin camcensus scan ..."
        ),
    )
    lab_sub = parser.add_subparsers(dest="lab_command", metavar="ACTION", required=True)
    up = lab_sub.add_parser("up", help="create the lab (tears down a stale one first)")
    up.add_argument("--devices", type=int, default=20, help="number of devices (default 20)")
    up.add_argument("--mix", default="default", help="profile mix: default, hostile, all")
    up.add_argument(
        "--profiles",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="extra profile directory (repeatable); its profiles join the mix with weight 1",
    )
    down = lab_sub.add_parser("down", help="remove the lab (safe to run any time)")
    status = lab_sub.add_parser("status", help="show the lab's devices and health")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    for p in (up, down, status):
        p.add_argument("--name", default="cclab", help="lab name (namespace prefix)")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from camcensus.lab.api import Lab  # the lab is loaded only for this command

    lab = Lab(args.name)
    if args.lab_command == "up":
        state = lab.up(devices=args.devices, mix=args.mix, profile_dirs=args.profiles)
        counts = Counter(d["profile_id"] for d in state["devices"])
        print(
            f"lab {lab.name}: {len(state['devices'])} devices up in {state['up_s']:.2f} s "
            f"on {state['network']}; admin namespace {state['admin_ns']} "
            f"({state['admin_ip']} on {state['admin_if']})"
        )
        for pid, n in sorted(counts.items()):
            print(f"  {n:4d}  {pid}")
        print(
            f"scan it with: ip netns exec {state['admin_ns']} "
            f"camcensus scan {state['network']} --scope lab"
        )
        return 0
    if args.lab_command == "down":
        seconds = lab.down()
        print(f"lab {lab.name}: down ({seconds:.2f} s)")
        return 0
    status = lab.status()
    if args.json:
        print(json.dumps(status.__dict__, indent=1))
    else:
        health = "up" if status.up else "down"
        print(
            f"lab {status.name}: {health}, {status.devices} devices, "
            f"{len(status.namespaces)} namespaces, emulator pid {status.emulator_pid} "
            f"({'running' if status.emulator_alive else 'not running'})"
        )
        for problem in status.problems:
            print(f"  problem: {problem}")
        if status.up:
            for dev in lab.devices:
                print(f"  {dev.ip:15s} {dev.mac}  {dev.profile_id}")
    return 0 if status.up or not status.namespaces else 2
