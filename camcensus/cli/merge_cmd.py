"""``camcensus merge``: combine site inventories and bundles into one inventory.

Each source is a camcensus inventory (SQLite, opened read-only) or a site bundle
(``camcensus export --bundle``, verified before anything is read).  Every source is
merged in one transaction of its own (``Inventory.merge``): a source that fails
changes nothing, and the sources before it stay merged.  Merging the same source
again changes nothing."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Final

from camcensus.base.errors import BundleError, InventoryError
from camcensus.cli import EXIT_ERROR, EXIT_OK

if TYPE_CHECKING:
    from camcensus.scanner.store import MergeReport

__all__ = ["register"]

_SQLITE_MAGIC: Final = b"SQLite format 3\0"
_GZIP_MAGIC: Final = b"\x1f\x8b"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus merge``."""
    parser = sub.add_parser(
        "merge",
        help="merge site inventories and bundles into one inventory",
        description=(
            "Merge inventories (camcensus .db files) and site bundles (export --bundle) "
            "into one inventory, e.g. every site's into a central one. Idempotent: "
            "merging a source twice changes nothing. A device reviewed differently in "
            "two places keeps this inventory's review; the other is kept as a conflict "
            "and listed."
        ),
        epilog="example: camcensus merge utrecht.db amersfoort.bundle --into central.db",
    )
    parser.add_argument("sources", nargs="+", type=Path, metavar="SOURCE",
                        help="inventory (.db) or bundle file")  # fmt: skip
    parser.add_argument("--into", required=True, type=Path, metavar="DB",
                        help="the inventory to merge into (made if missing)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print what each merge did as JSON")
    parser.set_defaults(func=run)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def read_source(path: Path, known_scans: frozenset[str] = frozenset()) -> dict[str, object]:
    """The rows of one source: an inventory's ``dump`` (without the bulk of scans in
    ``known_scans``, which the receiving inventory has), or a verified bundle's content."""
    from camcensus.scanner.core.bundle import MAX_BUNDLE_BYTES, decode_bundle
    from camcensus.scanner.store import Inventory

    try:
        with open(path, "rb") as stream:
            magic = stream.read(16)
    except OSError as exc:
        raise InventoryError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if magic.startswith(_SQLITE_MAGIC):
        with Inventory.open(path, create=False, read_only=True) as source:
            return source.dump(known_scans=known_scans)
    if magic.startswith(_GZIP_MAGIC):
        try:
            with open(path, "rb") as stream:
                data = stream.read(MAX_BUNDLE_BYTES + 1)
        except OSError as exc:
            raise InventoryError(f"cannot read {path}: {exc.strerror or exc}") from exc
        try:
            _manifest, content = decode_bundle(data)
        except BundleError as exc:
            raise BundleError(f"{path}: {exc}; nothing of it was merged") from exc
        return content
    raise InventoryError(f"{path} is neither a camcensus inventory nor a camcensus bundle")


def run(args: argparse.Namespace) -> int:
    """Merge ``args.sources`` into ``args.into``, one by one."""
    from camcensus.scanner.store import Inventory

    for source in args.sources:
        if _same_file(source, args.into):
            print(f"camcensus: error: {source} is the inventory merged into", file=sys.stderr)
            return EXIT_ERROR
    reports = []
    with Inventory.open(args.into) as central:
        for source in args.sources:  # one at a time: a source's rows leave memory after it
            content = read_source(source, central.scan_uids())
            report = central.merge(content, origin=str(source))
            reports.append(report)
            if not args.json:
                _print_report(report)
    if args.json:
        print(json.dumps([asdict(r) for r in reports], indent=2, ensure_ascii=False))
    return EXIT_OK


def _print_report(report: MergeReport) -> None:
    from camcensus.scanner.core.text import escape_controls

    print(
        f"merged {escape_controls(report.origin)}: {report.scans_added} scan(s) added "
        f"({report.scans_known} already here), {report.devices_added} device(s) added, "
        f"{report.devices_updated} updated, {report.devices_joined} joined to a record here, "
        f"{report.reviews_taken} review(s) taken, {len(report.conflicts)} conflict(s) kept"
    )
    if report.without_site:
        print(
            f"  warning: {report.without_site} device(s) have no site: merged with the devices "
            "of the same key here; give each site's scans --site or a scope file's site=",
            file=sys.stderr,
        )
    for c in report.conflicts:
        print(
            f"  review conflict: {escape_controls(c.device_key)}: {c.origin} says {c.status}"
            f" {escape_controls(c.note)!r} ({escape_controls(c.reviewer) or 'someone'}, "
            f"{c.reviewed_at}); this inventory's review is kept"
        )
