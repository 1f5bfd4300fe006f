"""End-to-end: one lab scanned as root, then without root's privileges, then imported
from an nmap report that has no MACs, is one device per real device in one inventory:
no duplicates, nothing falsely missing, and a review made after the first scan kept."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from camcensus.lab.api import Lab
from camcensus.scanner.store import Inventory

pytestmark = pytest.mark.lab

LAB_TARGET = "198.18.0.0/23"
SITE = "Zwolle"


def _run(lab: Lab, *argv: str) -> subprocess.CompletedProcess[str]:
    command = ["ip", "netns", "exec", lab.admin_ns, *argv]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done


def _scan(lab: Lab, db: Path, *extra: str) -> None:
    _run(lab, sys.executable, "-m", "camcensus", "scan", LAB_TARGET, "--scope", "lab",
         "--site", SITE, "--db", str(db), "--timeout-s", "1", *extra)  # fmt: skip


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctident", devices=16, mix="default")


def test_root_then_unprivileged_then_nmap_import_is_one_device_each(
    lab: Lab, tmp_path: Path
) -> None:
    db = tmp_path / "inventory.db"
    real = {d.ip: d.mac.lower() for d in lab.devices}
    _scan(lab, db)
    with Inventory.open(db, create=False) as inventory:
        first = {r.device.ip: r.device_key for r in inventory.devices()}
        assert set(first) == set(real)
        reviewed = first[lab.devices[0].ip]
        inventory.set_review(reviewed, "to_replace", "replace in 2027", reviewer="alice")

    _scan(lab, db, "--unprivileged")
    nmap = shutil.which("nmap")
    assert nmap is not None, "make install puts nmap on PATH"
    report = tmp_path / "nmap.xml"
    # without raw sockets nmap learns no MAC either: its hosts carry only addresses
    _run(lab, nmap, "--unprivileged", "-sT", "-Pn", "-n", "-T4", "--max-retries", "1",
         "-p", "80,554", "--exclude", "198.18.0.1", "-oX", str(report),
         LAB_TARGET.replace("/23", "/24"))  # fmt: skip
    assert b'addrtype="mac"' not in report.read_bytes()
    _run(lab, sys.executable, "-m", "camcensus", "import-nmap", str(report), "--site", SITE,
         "--db", str(db))  # fmt: skip

    with Inventory.open(db, create=False, read_only=True) as inventory:
        records = inventory.devices()
        scans = inventory.scans()[::-1]  # oldest first
        assert [s.status for s in scans] == ["complete"] * 3
        unprivileged, imported = scans[1], scans[2]
        assert imported.scope == "import"
        assert unprivileged.device_count == len(real)
        assert imported.device_count > 0
        # one record per real device, each under the key of the first scan
        per_scan = {
            s.scan_id: sorted((x.ip, x.device_key) for x in inventory.history(s.scan_id))
            for s in scans
        }
        assert sorted(r.device_key for r in records) == sorted(first.values()), per_scan
        assert {r.device.ip: r.device.mac for r in records} == real
        assert {r.presence for r in records} == {"present"}
        record = inventory.device(reviewed)
        assert (record.review_status, record.note) == ("to_replace", "replace in 2027")
        assert [(e.status, e.reviewer) for e in inventory.review_log(reviewed)] == [
            ("to_replace", "alice")
        ]
        # every scan's snapshots are on those records
        for scan in scans:
            assert {s.device_key for s in inventory.history(scan.scan_id)} <= set(first.values())
        # the unprivileged scan took its MACs from the kernel's ARP cache
        sources = {
            str(row["source"])
            for row in inventory.db.query(
                "SELECT DISTINCT source FROM evidence WHERE scan_id = ? AND key = 'mac'",
                [unprivileged.scan_id],
            )
        }
        assert "kernel-arp" in sources
        assert "arp" not in sources


ROUTED_TARGETS = ("198.18.16.0/24", "198.18.17.0/24", "198.18.18.0/24")


def test_a_device_moved_to_another_subnet_stays_one_device_with_its_history(
    make_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    """Routed, without SNMP: no scan learns a MAC, so a device that moved is known again
    only by what it reports of itself (its serial with its maker, its WS-Discovery
    endpoint).  The lab is brought up on two subnets, scanned, brought up again on three
    (the same devices and MACs, most at other addresses) and scanned again."""
    lab = make_lab("cctmove", devices=8, mix="default", routed_subnets=2)
    db = tmp_path / "inventory.db"
    before = {d.mac.lower(): d.ip for d in lab.devices}

    def scan() -> None:
        _run(lab, sys.executable, "-m", "camcensus", "scan", *ROUTED_TARGETS, "--scope", "lab",
             "--site", SITE, "--db", str(db), "--timeout-s", "1")  # fmt: skip

    scan()
    with Inventory.open(db, create=False, read_only=True) as inventory:
        first = {r.device.ip: r.device_key for r in inventory.devices()}
        with_identity = {
            str(r["device_key"])
            for r in inventory.db.query("SELECT DISTINCT device_key FROM device_tokens")
        }
    lab.up(devices=8, mix="default", routed_subnets=3)
    after = {d.mac.lower(): d.ip for d in lab.devices}
    moved = {before[mac]: after[mac] for mac in before if before[mac] != after[mac]}
    assert len(moved) >= 4, "the re-up moves most devices"
    scan()
    with Inventory.open(db, create=False, read_only=True) as inventory:
        first_scan, second_scan = sorted(s.scan_id for s in inventory.scans())
        kept = [(old, new) for old, new in moved.items() if first.get(old) in with_identity]
        assert len(kept) >= 3, f"devices that report a serial or endpoint: {kept}"
        for old, new in kept:
            record = inventory.device(first[old])
            assert (record.device.ip, record.presence) == (new, "present"), old
            history = {s.scan_id: s.ip for s in (*inventory.history(first_scan),
                                                 *inventory.history(second_scan))
                       if s.device_key == first[old]}  # fmt: skip
            assert history == {first_scan: old, second_scan: new}
        keys = [r.device_key for r in inventory.devices()]
        assert len(keys) == len(set(keys))
