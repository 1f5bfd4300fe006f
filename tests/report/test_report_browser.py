"""The report in a real browser: Debian's chromium, headless, in a network namespace of
its own with no interface but loopback.  It renders the report of an inventory built
through the store API, takes a screenshot, and the numbers in the DOM it built equal
the inventory's own, counted by plain SQL.

Not skipped without chromium: `make install` installs it (SYSPKGS), and a missing
browser is a failure that says so."""

from __future__ import annotations

import re
from pathlib import Path

from reportdom import assert_shows, count_inventory, read_shown, render_in_chromium
from test_report import SCRIPT_MODEL, build_inventory

from camcensus.cli import EXIT_OK, main


def test_the_report_renders_in_chromium_and_shows_the_inventorys_numbers(
    tmp_path: Path,
) -> None:
    db = build_inventory(tmp_path / "inventory.db")
    page = tmp_path / "report.html"
    assert main(["report", "--db", str(db), "--html", str(page)]) == EXIT_OK
    screenshot = tmp_path / "report.png"
    dom = render_in_chromium(page, screenshot, tmp_path / "profile")
    print(f"screenshot of the report: {screenshot}")  # noqa: T201 (the test output names it)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a page with tables and charts, not a blank
    shown = read_shown(dom)
    assert_shows(shown, count_inventory(db))
    assert shown.tags["script"] == 0
    assert SCRIPT_MODEL in "".join(shown.text)  # the browser made text of it, not a script
    assert shown.tags["svg"] == 3


def test_pdf_is_printed_by_chromium_with_every_device_open(tmp_path: Path) -> None:
    db = build_inventory(tmp_path / "inventory.db")
    pdf = tmp_path / "report.pdf"
    assert main(["report", "--db", str(db), "--pdf", str(pdf)]) == EXIT_OK
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page(?!s)", data)
    assert len(pages) >= 2  # totals, plan, coverage and appendix: more than one page
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "inventory.db") == [
        "inventory.db-shm",
        "inventory.db-wal",
        "report.pdf",
    ]  # no partial file, no HTML asked for
