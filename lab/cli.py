"""What ``camcensus lab ...`` does; the argument parsing is in scanner/cli/lab_cmd.py."""

from __future__ import annotations

import argparse
import json
from collections import Counter

from lab.api import Lab

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
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
