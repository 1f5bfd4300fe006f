"""End-to-end: the demo's own scan of a lab, twice, into an inventory; a few flagged
devices reviewed "to replace"; ``camcensus report`` of it rendered in headless chromium
(in an empty network namespace): the screenshot is in the test's tmp dir, and the
numbers in the browser's DOM equal the inventory's own, counted by plain SQL."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from reportdom import assert_shows, chromium, count_inventory, read_shown, render_in_chromium

from camcensus.cli import EXIT_OK, main
from camcensus.cli.demo_cmd import scan_command
from camcensus.lab.api import Lab
from camcensus.scanner.store import Inventory

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def report_lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctrepo", devices=20, mix="default")


def test_the_demo_inventorys_report_renders_in_chromium_with_its_totals(
    report_lab: Lab, tmp_path: Path
) -> None:
    assert chromium() is not None, "chromium is missing: make install puts it there"
    for _ in range(2):  # two scans: a trend between them
        scan = subprocess.run(
            scan_command(tmp_path, report_lab.name),
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert scan.returncode == 0, scan.stderr[-3000:]
    db = tmp_path / "inventory.db"
    with Inventory.open(db, create=False) as inventory:
        flagged = inventory.devices(flagged=True)
        assert flagged, "the default mix has devices of concern"
        for record in flagged[:3]:
            inventory.set_review(record.device_key, "to_replace")
    page = tmp_path / "report.html"
    assert main(["report", "--db", str(db), "--html", str(page)]) == EXIT_OK
    screenshot = tmp_path / "report.png"
    dom = render_in_chromium(page, screenshot, tmp_path / "profile")
    print(f"screenshot of the demo inventory's report: {screenshot}")  # noqa: T201
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    counted = count_inventory(db)
    assert counted.devices == len(report_lab.devices)  # every lab device, once
    assert sum(counted.plan.values()) == min(3, len(flagged))
    shown = read_shown(dom)
    assert_shows(shown, counted)
    assert shown.tags["svg"] == 3  # sites, makers and the trend of the two scans
