"""End-to-end: the real scanner, run in a lab's admin namespace, against the lab's truth."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from truth_check import mismatches

from camcensus.lab.api import Lab
from camcensus.scanner.probes.ports import sweep_deadline_s
from camcensus.scanner.runner import DISCOVERY_GRACE_S, HOST_DEADLINE_FACTOR
from camcensus.scanner.store import Inventory

pytestmark = pytest.mark.lab

LAB_TARGET = "198.18.0.0/23"
START_UP_S = 10.0
"""Allowance for the process to start and nmap to launch, beyond the scan's deadlines."""


def _scan_cmd(lab: Lab, db: Path, *extra: str) -> list[str]:
    return [
        "ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
        *extra, "--scope", "lab", "--db", str(db),
    ]  # fmt: skip


def _scan(
    lab: Lab, db: Path, *extra: str, timeout_s: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _scan_cmd(lab, db, *extra), capture_output=True, text=True, timeout=timeout_s, check=False
    )


@pytest.fixture(scope="module")
def default_lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctscan", devices=50, mix="default")


def test_default_mix_is_identified_as_the_truth_says(default_lab: Lab, tmp_path: Path) -> None:
    # Speed is measured in bench/scan.py, not asserted here.
    done = _scan(default_lab, tmp_path / "inv.db", LAB_TARGET, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "complete"
    assert mismatches(default_lab, result["devices"]) == []
    profiles = default_lab.profiles()
    by_ip = {d["ip"]: d for d in result["devices"]}
    icons = 0
    for instance in default_lab.devices:
        truth = profiles[instance.profile_id].truth
        if truth["device_type"] == "other":  # printers, PCs, phones: never flagged
            assert not by_ip[instance.ip]["flagged"], instance.profile_id
        # a web UI's icon, linked from its page, is fetched and hashed as the file served
        for route in (profiles[instance.profile_id].section("http") or {}).get("paths", []):
            if route["path"] == "/favicon.ico":
                served = hashlib.md5(
                    base64.b64decode(route["body_base64"]), usedforsecurity=False
                ).hexdigest()
                hashes = {
                    e["value"]
                    for e in by_ip[instance.ip]["evidence"]
                    if e["key"] == "http.favicon.md5"
                }
                assert hashes == {served}, instance.profile_id
                icons += 1
    assert icons  # the mix holds a device that serves an icon (mobotix-m16b)
    with Inventory.open(tmp_path / "inv.db", create=False) as inventory:
        (scan,) = inventory.scans()
        assert scan.device_count == len(default_lab.devices)
        assert inventory.integrity_ok()


def test_out_of_scope_target_is_refused(default_lab: Lab, tmp_path: Path) -> None:
    done = _scan(default_lab, tmp_path / "inv.db", LAB_TARGET, "10.0.0.0/24")
    assert done.returncode == 2
    assert "'10.0.0.0/24' is outside" in done.stderr
    # Refused before anything was sent or stored: not even an empty inventory exists.
    assert not (tmp_path / "inv.db").exists()


@pytest.fixture(scope="module")
def hostile_lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("ccthost", devices=20, mix="hostile")


def test_hostile_devices_cannot_hold_the_scan_past_its_deadlines(
    hostile_lab: Lab, tmp_path: Path
) -> None:
    # Not a speed goal (bench/scan.py measures speed): every stage of a scan has a
    # deadline, so trickling, huge and resetting devices cannot keep it running past
    # their sum, plus the start-up of the process.
    done = _scan(hostile_lab, tmp_path / "inv.db", LAB_TARGET, "--json", timeout_s=120)
    assert done.returncode == 0, done.stderr
    timeout_s = 2.0  # the scan's default --timeout-s
    stages_s = (
        timeout_s + DISCOVERY_GRACE_S  # discovery
        + sweep_deadline_s(timeout_s)  # the port sweep
        + 2 * HOST_DEADLINE_FACTOR * timeout_s  # follow-up, then host probes
    )  # fmt: skip
    assert json.loads(done.stdout)["duration_s"] <= stages_s + START_UP_S
    result = json.loads(done.stdout)
    assert {d["ip"] for d in result["devices"]} == {d.ip for d in hostile_lab.devices}


def _running_with_devices(db: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute(
            "SELECT count(*) FROM scans s JOIN device_history h ON h.scan_id = s.id "
            "WHERE s.status = 'running'"
        ).fetchone()
        return bool(row and row[0] > 0)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def test_scan_killed_midway_leaves_a_recoverable_database(hostile_lab: Lab, tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    # the hostile lab's trickling devices keep the scan running after others are recorded
    process = subprocess.Popen(
        _scan_cmd(hostile_lab, db, LAB_TARGET),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not _running_with_devices(db):
            assert process.poll() is None, "scan ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with Inventory.open(db, create=False) as inventory:
        assert inventory.integrity_ok()
        (scan,) = inventory.scans()
        assert scan.status == "incomplete"
        assert scan.device_count >= 1


def test_a_camera_on_two_addresses_is_one_device_through_the_cli(
    make_lab: Callable[..., Lab], tmp_path: Path
) -> None:
    """The kernel answers ARP for both of a camera's addresses with its one MAC: the CLI's
    JSON, summary, exit code and inventory all show one device with both addresses."""
    lab = make_lab("cct2ip", devices=8, mix="default")
    profiles = lab.profiles()
    camera = next(d for d in lab.devices if profiles[d.profile_id].truth["flagged"])
    alias = "198.18.1.200"
    subprocess.run(
        ["ip", "-n", camera.netns, "addr", "add", f"{alias}/23", "dev", "ccdev0"], check=True
    )
    db = tmp_path / "inv.db"
    done = _scan(lab, db, LAB_TARGET, "--json", "--fail-on-flagged")
    assert done.returncode == 1, done.stderr  # flagged devices found
    devices = json.loads(done.stdout)["devices"]
    assert len(devices) == len(lab.devices)
    (merged,) = [d for d in devices if d["mac"] == camera.mac]
    assert merged["addresses"] == [camera.ip, alias]
    assert merged["flagged"]
    assert {e["address"] for e in merged["evidence"]} == {camera.ip, alias}

    summary = _scan(lab, tmp_path / "second.db", LAB_TARGET)
    assert f"{len(lab.devices)} devices" in summary.stdout
    with Inventory.open(db, create=False) as inventory:
        assert len(inventory.devices()) == len(lab.devices)
        record = inventory.device(f"mac:{camera.mac}")
        assert record.device.addresses == (camera.ip, alias)
        assert {e.address for e in record.device.evidence} == {camera.ip, alias}
