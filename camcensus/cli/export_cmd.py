"""``camcensus export``: write the inventory as a replacement-plan CSV or as JSON.

The inventory is opened read-only.  With ``--policy`` every device's flag is decided
again from its evidence under that policy (the stored flags are left as they are)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from camcensus.cli import EXIT_ERROR, EXIT_OK
from camcensus.cli.options import add_policy_option, load_policy, write_atomically
from camcensus.scanner.export import (
    check_delimiter,
    devices_json,
    write_devices_csv,
    write_model_summary_csv,
)

__all__ = ["register"]

_STDOUT = "-"


def _delimiter(text: str) -> str:
    try:
        return check_delimiter(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus export``."""
    parser = sub.add_parser(
        "export",
        help="export the inventory to CSV or JSON",
        description=(
            "Export the inventory: a replacement-plan CSV (one line per device, optionally a "
            "per-model summary CSV) or a JSON document. Cells are neutralised against "
            "spreadsheet formula injection and terminal escape sequences."
        ),
    )
    parser.add_argument("--db", required=True, type=Path, help="inventory database file")
    output = parser.add_mutually_exclusive_group(required=True)
    output.add_argument("--csv", metavar="FILE", help="device CSV file ('-' for stdout)")
    output.add_argument("--json", metavar="FILE", help="JSON file ('-' for stdout)")
    output.add_argument(
        "--bundle",
        metavar="FILE",
        help="a site bundle for `camcensus merge` elsewhere: the whole inventory, or one "
        "site (--site) or scan (--scan), with a SHA-256 merge verifies",
    )
    parser.add_argument(
        "--summary-csv", metavar="FILE", help="also write a per-model summary CSV (with --csv)"
    )
    parser.add_argument(
        "--delimiter",
        type=_delimiter,
        default=",",
        help="CSV delimiter, e.g. ';' for spreadsheets in comma-decimal locales (default ',')",
    )
    parser.add_argument(
        "--bom", action="store_true", help="start CSV files with a UTF-8 BOM (for Excel)"
    )
    parser.add_argument("--flagged-only", action="store_true", help="export flagged devices only")
    parser.add_argument("--site", metavar="NAME", help="with --bundle: only this site")
    parser.add_argument("--scan", type=int, metavar="ID", help="with --bundle: only this scan")
    add_policy_option(parser)
    parser.set_defaults(func=run)


@contextlib.contextmanager
def _output(target: str) -> Iterator[TextIO]:
    if target == _STDOUT:
        yield sys.stdout
    else:
        with open(target, "w", encoding="utf-8", newline="") as stream:
            yield stream


def run(args: argparse.Namespace) -> int:
    """Export the inventory named by ``args.db``."""
    from camcensus.scanner.store import Inventory  # sqlite-utils only when exporting

    if args.summary_csv and not args.csv:
        print("camcensus: error: --summary-csv needs --csv", file=sys.stderr)
        return EXIT_ERROR
    if args.bundle is not None:
        return _bundle(args)
    if args.site is not None or args.scan is not None:
        print("camcensus: error: --site and --scan go with --bundle", file=sys.stderr)
        return EXIT_ERROR
    policy = load_policy(args.policy) if args.policy is not None else None
    # read-only: an inventory on read-only media exports, and exporting never writes
    with Inventory.open(args.db, read_only=True, policy=policy) as inventory:
        # details: the JSON carries the evidence, the CSV the serial number from it
        rows = inventory.devices(flagged=True if args.flagged_only else None, with_details=True)
    try:
        if args.csv:
            with _output(args.csv) as stream:
                write_devices_csv(rows, stream, delimiter=args.delimiter, bom=args.bom)
            if args.summary_csv:
                with _output(args.summary_csv) as stream:
                    write_model_summary_csv(rows, stream, delimiter=args.delimiter, bom=args.bom)
        else:
            with _output(args.json) as stream:
                stream.write(devices_json(rows))
    except OSError as exc:
        print(f"camcensus: error: cannot write export: {exc}", file=sys.stderr)
        return EXIT_ERROR
    destination = args.csv or args.json
    if destination != _STDOUT:
        print(f"camcensus: exported {len(rows)} device(s) to {destination}", file=sys.stderr)
    return EXIT_OK


def _bundle(args: argparse.Namespace) -> int:
    """Write ``args.db`` (or one site or scan of it) as a bundle, atomically."""
    import getpass
    import platform
    from datetime import UTC, datetime

    from camcensus.scanner.core.bundle import encode_bundle, manifest_for
    from camcensus.scanner.store import Inventory

    if args.site is not None and args.scan is not None:
        print("camcensus: error: --site or --scan, not both", file=sys.stderr)
        return EXIT_ERROR
    with Inventory.open(args.db, read_only=True) as inventory:
        content = inventory.dump(site=args.site, scan_id=args.scan)
    what = (
        f"scan {args.scan}" if args.scan is not None
        else f"site {args.site}" if args.site is not None
        else "inventory"
    )  # fmt: skip
    manifest = manifest_for(
        content,
        what=what,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        created_by=getpass.getuser(),
        host=platform.node(),
    )
    data = encode_bundle(manifest, content)
    target = Path(args.bundle)
    try:
        write_atomically(target, data)
    except OSError as exc:
        print(f"camcensus: error: cannot write bundle {target}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(
        f"camcensus: bundled {what}: {len(manifest['scans'])} scan(s), "  # type: ignore[arg-type]
        f"{manifest['devices']} device(s), {len(data)} bytes, to {target}",
        file=sys.stderr,
    )
    return EXIT_OK
