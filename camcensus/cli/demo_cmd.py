"""``camcensus demo``: bring up the lab, scan it from its admin namespace, tear it down."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Final

from camcensus.cli import EXIT_ERROR
from camcensus.cli.lab_cmd import add_replace_option, refuse_running_lab

__all__ = ["LAB_NAME", "register", "scan_command"]

LAB_NAME: Final = "cclab"
LAB_TARGET: Final = "198.18.0.0/23"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus demo``."""
    parser = sub.add_parser(
        "demo",
        help="scan the built-in emulated lab (needs root)",
        description=(
            "Bring up the emulated camera lab (network namespaces, no route out), scan it "
            "from the lab's admin namespace, print the summary, write an inventory and a "
            "CSV, and tear the lab down."
        ),
    )
    parser.add_argument("--devices", type=int, default=50, help="lab devices (default 50)")
    parser.add_argument("--mix", default="default", help="lab mix (default 'default')")
    parser.add_argument("--out", type=Path, default=Path("demo-out"), help="output directory")
    parser.add_argument(
        "--name", default=LAB_NAME, help=f"lab name (namespace prefix; default {LAB_NAME})"
    )
    add_replace_option(parser)
    parser.set_defaults(func=run)


def scan_command(out: Path, lab_name: str = LAB_NAME) -> list[str]:
    """The scan as run inside the lab's admin namespace."""
    return [
        "ip", "netns", "exec", f"{lab_name}-admin", sys.executable, "-m", "camcensus", "scan",
        LAB_TARGET, "--scope", "lab",
        "--db", str(out / "inventory.db"), "--csv", str(out / "camcensus-devices.csv"),
    ]  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Lab up, scan, lab down (always)."""
    from camcensus.lab.api import Lab, can_run_lab

    ok, why = can_run_lab()
    if not ok or os.geteuid() != 0:
        print(f"camcensus: error: the demo needs root ({why or 'not root'})", file=sys.stderr)
        return EXIT_ERROR
    lab = Lab(args.name)
    refuse_running_lab(lab, replace=args.replace)  # before the try: never tear it down
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    try:
        print(f"camcensus: bringing up lab {lab.name} with {args.devices} devices", file=sys.stderr)
        lab.up(devices=args.devices, mix=args.mix)
        completed = subprocess.run(scan_command(out, lab.name), check=False)
        if completed.returncode != 0:
            return completed.returncode
        print(f"camcensus: inventory {out / 'inventory.db'}, CSV {out / 'camcensus-devices.csv'}")
        return 0
    finally:
        lab.down()
