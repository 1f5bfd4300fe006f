"""``camcensus lab up|down|status``: the emulated camera network (see lab/README.md)."""

from __future__ import annotations

import argparse
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
    from lab.cli import run  # the lab is loaded only for this command

    return run(args)
