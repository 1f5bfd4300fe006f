"""``camcensus import-nmap``: turn an nmap XML report into inventory devices.

The report is read by ``scanner.core.nmap_report`` (its docstring says what of it
counts: nmap's verdicts and the device's words its default scripts kept); the evidence
is merged and identified like a scan's, and recorded as a complete scan with scope
``import``.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import Final

from camcensus.base.errors import ReplyTooLargeError
from camcensus.cli import EXIT_OK
from camcensus.cli.options import add_policy_option, add_site_option, load_policy, load_site
from camcensus.scanner.core import nmap_report

__all__ = ["MAX_REPORT_BYTES", "register"]

DEFAULT_DB: Final = Path("inventory.db")
MAX_REPORT_BYTES: Final = nmap_report.MAX_REPORT_BYTES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus import-nmap``."""
    parser = sub.add_parser(
        "import-nmap",
        help="import an nmap XML report (-oX) into the inventory",
        description=(
            "Read an nmap XML report, identify each host from its ports, services, MAC "
            "and hostnames, and record the result as a completed scan with scope 'import'."
        ),
    )
    parser.add_argument("file", type=Path, help="nmap XML report (nmap -oX)")
    parser.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_DB,
        help=f"inventory database, created if missing (default: {DEFAULT_DB})",
    )
    add_policy_option(parser)
    add_site_option(parser, "the import")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Import ``args.file`` into ``args.db``."""
    from camcensus.base.errors import CamcensusError
    from camcensus.scanner.core.merge import merge
    from camcensus.scanner.store import Inventory

    policy = load_policy(args.policy)
    site = load_site(args.site)  # a bad name fails here: no database is created
    try:
        # At most one byte over the cap: a FIFO or /dev/zero has no size to check first.
        with args.file.open("rb") as stream:
            data = stream.read(MAX_REPORT_BYTES + 1)
    except OSError as exc:
        raise CamcensusError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    if len(data) > MAX_REPORT_BYTES:
        raise ReplyTooLargeError(f"nmap report: {len(data)} bytes, cap is {MAX_REPORT_BYTES}")
    evidence = nmap_report.parse_nmap_xml(data)  # a bad report fails here: no database is made
    devices = merge(evidence, policy, site)
    with Inventory.open(args.db) as inventory:
        scan_id = inventory.record_import(
            devices,
            operator=getpass.getuser(),
            site=site,
            options={"import": "nmap-xml", "file": args.file.name, **policy.record()},
        )
    flagged = sum(d.flagged for d in devices)
    print(f"camcensus: imported {len(devices)} device(s), {flagged} flagged (scan {scan_id})")
    return EXIT_OK
