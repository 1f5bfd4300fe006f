"""End-to-end: the same lab scanned as two sites into one inventory gives two sets of
devices, and neither scan marks the other site's devices missing."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from camcensus.lab.api import Lab
from camcensus.scanner.store import Inventory

pytestmark = pytest.mark.lab

LAB_TARGET = "198.18.0.0/23"


def _scan(lab: Lab, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        "ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
        LAB_TARGET, *extra, "--db", str(db), "--timeout-s", "1",
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def sites_lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctsites", devices=12, mix="default")


def test_one_lab_scanned_as_two_sites_is_two_sets_and_nothing_is_missing(
    sites_lab: Lab, tmp_path: Path
) -> None:
    db = tmp_path / "central.db"
    scope = tmp_path / "scope.txt"
    scope.write_text(f"{LAB_TARGET}  site=Utrecht-CS  location='platform 5'\n", encoding="utf-8")
    first = _scan(sites_lab, db, "--scope", str(scope))
    assert first.returncode == 0, first.stderr
    second = _scan(sites_lab, db, "--scope", "lab", "--site", "Amersfoort")
    assert second.returncode == 0, second.stderr
    with Inventory.open(db, create=False, read_only=True) as inventory:
        records = inventory.devices()
        count = len(sites_lab.devices)
        assert Counter(r.site for r in records) == {"Utrecht-CS": count, "Amersfoort": count}
        assert [r for r in records if r.presence != "present"] == []
        by_site: dict[str | None, set[str]] = {}
        for record in records:
            assert record.device_key.startswith(f"{record.site}/")
            by_site.setdefault(record.site, set()).add(record.device.ip)
        assert by_site["Utrecht-CS"] == by_site["Amersfoort"] == {d.ip for d in sites_lab.devices}
        scans = {s.site: s for s in inventory.scans()}
        assert scans["Utrecht-CS"].location == "platform 5"
        assert {s.status for s in scans.values()} == {"complete"}
        evidence = inventory.db.query("SELECT site, count(*) AS n FROM evidence GROUP BY site")
        assert {row["site"] for row in evidence} == {"Utrecht-CS", "Amersfoort"}


@pytest.fixture(scope="module")
def second_lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctsitb", devices=9, mix="default")


def _camcensus(*argv: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "camcensus", *argv]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_two_labs_with_one_address_plan_merge_into_one_inventory(
    sites_lab: Lab, second_lab: Lab, tmp_path: Path
) -> None:
    """Sites A and B use the same addresses; each is scanned into its own inventory, both
    are merged centrally (B as a bundle carried over), A is reviewed, rescanned and
    merged again: the sum of devices, nothing missing, the review kept."""
    assert {d.ip for d in second_lab.devices} <= {d.ip for d in sites_lab.devices}
    a_db, b_db, central = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "central.db"
    assert _scan(sites_lab, a_db, "--scope", "lab", "--site", "A").returncode == 0
    assert _scan(second_lab, b_db, "--scope", "lab", "--site", "B").returncode == 0
    bundle = tmp_path / "b.bundle"
    assert _camcensus("export", "--db", str(b_db), "--bundle", str(bundle)).returncode == 0
    with Inventory.open(a_db, create=False) as inventory:
        reviewed = inventory.devices()[0].device_key
        inventory.set_review(reviewed, "to_replace", "site A plan", reviewer="ann")
    merged = _camcensus("merge", str(a_db), str(bundle), "--into", str(central))
    assert merged.returncode == 0, merged.stderr
    assert _scan(sites_lab, a_db, "--scope", "lab", "--site", "A").returncode == 0
    again = _camcensus("merge", str(a_db), str(bundle), "--into", str(central))
    assert again.returncode == 0, again.stderr
    assert "0 scan(s) added (1 already here), 0 device(s) added, 0 updated" in again.stdout
    with Inventory.open(central, create=False, read_only=True) as inventory:
        records = inventory.devices()
        assert Counter(r.site for r in records) == {
            "A": len(sites_lab.devices), "B": len(second_lab.devices),
        }  # fmt: skip
        assert [r.device_key for r in records if r.presence != "present"] == []
        record = inventory.device(reviewed)
        assert (record.review_status, record.note) == ("to_replace", "site A plan")
        assert inventory.review_conflicts() == []
        scans = inventory.scans()
        assert Counter(s.site for s in scans) == {"A": 2, "B": 1}
        assert {s.status for s in scans} == {"complete"}
