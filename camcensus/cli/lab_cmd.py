"""``camcensus lab up|down|status``: the emulated camera network (see lab/README.md)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from camcensus.base.errors import LabError

if TYPE_CHECKING:
    from camcensus.lab.api import Lab

__all__ = ["add_replace_option", "refuse_running_lab", "register"]


def add_replace_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--replace`` (tear down a running lab of the same name first)."""
    parser.add_argument(
        "--replace",
        action="store_true",
        help="tear down a running lab of the same name first (default: refuse)",
    )


def refuse_running_lab(lab: Lab, *, replace: bool) -> None:
    """LabError when a lab of this name is running (its emulator is alive) and
    ``replace`` was not asked for: someone may be scanning it.  A crashed lab (no
    emulator) is cleaned up by ``Lab.up`` as before."""
    status = lab.status()
    if replace or not status.emulator_alive:
        return
    raise LabError(
        f"lab {lab.name} is already running ({status.devices} devices, emulator pid "
        f"{status.emulator_pid}); leaving it alone: take it down with "
        f"'camcensus lab down --name {lab.name}', pass --replace, or pick another --name"
    )


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
    up = lab_sub.add_parser(
        "up",
        help="create the lab (cleans up a crashed one first; refuses a running one "
        "unless --replace)",
    )
    add_replace_option(up)
    up.add_argument("--devices", type=int, default=20, help="number of devices (default 20)")
    up.add_argument("--mix", default="default", help="profile mix: default, hostile, all, replay")
    up.add_argument(
        "--routed-subnets",
        type=int,
        default=0,
        metavar="K",
        help="put the devices on K subnets (198.18.16.0/24, ...) behind a router with an "
        "SNMP agent, instead of on the admin's segment (default 0: one flat segment)",
    )
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
        refuse_running_lab(lab, replace=args.replace)
        state = lab.up(
            devices=args.devices,
            mix=args.mix,
            profile_dirs=args.profiles,
            routed_subnets=args.routed_subnets,
        )
        counts = Counter(d["profile_id"] for d in state["devices"])
        print(
            f"lab {lab.name}: {len(state['devices'])} devices up in {state['up_s']:.2f} s "
            f"on {state['network']}; admin namespace {state['admin_ns']} "
            f"({state['admin_ip']} on {state['admin_if']})"
        )
        for pid, n in sorted(counts.items()):
            print(f"  {n:4d}  {pid}")
        routed = state.get("routed")
        target = state["network"]
        if routed:
            target = routed["space"]
            print(f"  router {routed['router_ns']} at {routed['router_ip']}, SNMP agent there")
            for subnet in routed["subnets"]:
                print(f"    {subnet['network']:18s} {subnet['devices']:4d} devices")
            print(f"  SNMP credentials: {routed['snmp']['credentials_v3']} (v3), "
                  f"{routed['snmp']['credentials_v2c']} (v2c)")  # fmt: skip
        print(
            f"scan it with: ip netns exec {state['admin_ns']} camcensus scan {target} --scope lab"
        )
        return 0
    if args.lab_command == "down":
        seconds = lab.down()
        print(f"lab {lab.name}: down ({seconds:.2f} s)")
        return 0
    status = lab.status()
    if args.json:
        report = dict(status.__dict__)
        if status.up:
            state = lab.state()
            report["network"] = state["network"]
            report["routed"] = state.get("routed")
            report["device_list"] = [
                {k: d[k] for k in ("ip", "mac", "profile_id", "subnet") if k in d}
                for d in state["devices"]
            ]
        print(json.dumps(report, indent=1))
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
