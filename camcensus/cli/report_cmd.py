"""``camcensus report``: the report for management, one self-contained HTML file.

The inventory is opened read-only.  With ``--policy`` every device's flag is decided
again from its evidence under that policy, as ``export`` does."""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from camcensus.base.errors import ReportError
from camcensus.cli import EXIT_ERROR, EXIT_OK
from camcensus.cli.options import add_policy_option, load_policy, write_atomically

if TYPE_CHECKING:
    from camcensus.scanner.core.schema import DeviceRecord
    from camcensus.scanner.report import ReportSection, ScanChange, ScanCoverage
    from camcensus.scanner.store import Inventory
    from camcensus.vendor_db.policy import Policy

__all__ = ["CHROMIUM_FLAGS", "print_pdf", "read_inventory", "register"]

_STDOUT = "-"
PDF_TIMEOUT_S = 300.0
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # as root chromium runs only so; the page it opens runs no script
    "--no-first-run",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
)
"""How camcensus starts chromium: headless, no first-run work, nothing of its own fetched
in the background (the tests and the benchmark start it so too)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus report``."""
    parser = sub.add_parser(
        "report",
        help="write the report for management (one self-contained HTML file)",
        description=(
            "Write the report for management over an inventory: totals by policy verdict, "
            "maker, brand, site and device type; the replacement plan (models with devices "
            "reviewed 'to replace'); coverage of the scans; charts; and an appendix with "
            "every device's evidence and sources. One HTML file that opens offline and "
            "runs no script; --pdf prints it with headless chromium."
        ),
    )
    parser.add_argument("--db", required=True, type=Path, help="inventory database file")
    parser.add_argument("--html", metavar="FILE", help="HTML file ('-' for stdout)")
    parser.add_argument(
        "--pdf",
        metavar="FILE",
        help="also (or only) a PDF, every device's details open, printed by headless "
        "chromium in a network namespace of its own (needs Debian's chromium)",
    )
    parser.add_argument("--title", help="the report's title (default: from the database name)")
    add_policy_option(parser)
    parser.set_defaults(func=run)


def _policy_note(policy: Policy | None, records: list[DeviceRecord]) -> str:
    if policy is not None:
        facts = ", ".join(x for x in (policy.status, policy.date) if x)
        what = f"{policy.title}; {facts}" if policy.title else facts
        return f"Flags decided again from each device's evidence under policy {policy.label}" + (
            f" ({what})." if what else "."
        )
    names = sorted({r.device.identification.flag.policy for r in records} - {""})
    if not names:
        return "Flags as the scans recorded them."
    return f"Flags as the scans decided them, under policy {', '.join(names)}."


def _starts_with(path: Path, magic: bytes) -> bool:
    with open(path, "rb") as stream:
        return stream.read(len(magic)) == magic


def print_pdf(html: str, pdf: Path, *, timeout_s: float = PDF_TIMEOUT_S) -> None:
    """Print the report ``html`` to ``pdf`` with headless chromium, started in a network
    namespace of its own (``unshare --net``: nothing but a loopback interface, down), so
    it cannot reach any network.  ReportError when chromium is missing or fails."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        raise ReportError("--pdf needs chromium (Debian: apt-get install chromium)")
    unshare = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--net", "-r"]
    partial = pdf.with_name(f".{pdf.name}.partial")
    with tempfile.TemporaryDirectory(prefix="camcensus-report-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [
            *unshare, binary, *CHROMIUM_FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer", f"--print-to-pdf={partial.resolve()}", page.as_uri(),
        ]  # fmt: skip
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired as exc:
            partial.unlink(missing_ok=True)
            raise ReportError(f"chromium did not print the PDF within {timeout_s:g} s") from exc
        except OSError as exc:
            raise ReportError(f"cannot start chromium for the PDF: {exc}") from exc
    printed = partial.is_file() and _starts_with(partial, b"%PDF-")
    if done.returncode != 0 or not printed:
        partial.unlink(missing_ok=True)
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReportError(f"chromium could not print the PDF (exit {done.returncode}): {last}")
    os.replace(partial, pdf)


def _write(target: str, text: str) -> None:
    if target == _STDOUT:
        sys.stdout.write(text)
        return
    write_atomically(Path(target), text.encode("utf-8"))


def read_inventory(
    inventory: Inventory,
) -> tuple[list[DeviceRecord], list[ScanCoverage], list[ScanChange]]:
    """What the report shows of ``inventory``: every device with its evidence, every
    scan (newest first) with its coverage, and what changed between each two
    consecutive complete scans of one site (oldest first)."""
    from camcensus.scanner.report import ScanChange, ScanCoverage

    records = inventory.devices(with_details=True)
    scans = []
    for scan in inventory.scans():
        targets, agents = inventory.coverage(scan.scan_id)
        scans.append(ScanCoverage(scan, tuple(targets), tuple(agents)))
    by_site: dict[str, list[int]] = {}
    for scan in sorted(inventory.scans(), key=lambda s: s.scan_id):
        if scan.status == "complete" and scan.scope != "import":
            by_site.setdefault(scan.site or "", []).append(scan.scan_id)
    changes = []
    for site, ids in sorted(by_site.items()):
        for old, new in itertools.pairwise(ids):
            diff = inventory.compare_scans(old, new)
            changes.append(
                ScanChange(
                    site, old, new, len(diff.new), sum(d.flagged for d in diff.new),
                    len(diff.missing), len({c.device_key for c in diff.changed}),
                )
            )  # fmt: skip
    return records, scans, changes


def _sections(records: list[DeviceRecord]) -> list[ReportSection]:
    """Further sections, each from a schema field when the schema has it and devices have
    values for it (none otherwise): vulnerable-firmware exposure, its CVEs."""
    from camcensus.scanner.report import field_section as section

    found = [
        section(records, "vulnerability", "Vulnerable firmware",
                "Devices by their firmware against the vulnerable-firmware data; each "
                "device's CVEs and where its version came from are in the appendix."),
        section(records, "cves", "CVEs matched", "Devices per matched CVE."),
    ]  # fmt: skip
    return [s for s in found if s is not None]


def run(args: argparse.Namespace) -> int:
    """Write the report of the inventory ``args.db`` to ``args.html`` and/or ``args.pdf``."""
    from camcensus.scanner.report import render_html, summarise
    from camcensus.scanner.store import Inventory  # sqlite-utils only when reporting

    if args.html is None and args.pdf is None:
        print("camcensus: error: give --html FILE, --pdf FILE or both", file=sys.stderr)
        return EXIT_ERROR
    policy = load_policy(args.policy) if args.policy is not None else None
    with Inventory.open(args.db, read_only=True, policy=policy) as inventory:
        records, scans, changes = read_inventory(inventory)
    report = summarise(
        records,
        scans,
        title=args.title or f"Camera census: {args.db.name}",
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        policy_note=_policy_note(policy, records),
        changes=changes,
        sections=_sections(records),
    )
    try:
        if args.html is not None:
            _write(args.html, render_html(report))
        if args.pdf is not None:
            print_pdf(render_html(report, expanded=True), Path(args.pdf))
    except OSError as exc:
        print(f"camcensus: error: cannot write report: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for written in (args.html, args.pdf):
        if written not in (None, _STDOUT):
            print(
                f"camcensus: report of {report.device_count} device(s) written to {written}",
                file=sys.stderr,
            )
    return EXIT_OK
