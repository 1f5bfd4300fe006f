"""Issue 13 in the lab: a report written by the installed nmap imports cleanly; nmap's
target habits, Ctrl-C (exit 130) and kill -9 on a real scan; a running lab is not
replaced behind its owner's back; a loopback scan (in a network namespace of its own)
finds a service there, also with an unreadable HOME."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from camcensus.lab.api import Lab
from camcensus.scanner.store import Inventory

pytestmark = pytest.mark.lab

LAB_TARGET = "198.18.0.0/23"


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctnmapx", devices=10, mix="default")


def _camcensus(*argv: str) -> list[str]:
    return [sys.executable, "-m", "camcensus", *argv]


def _in_lab(lab: Lab, *argv: str) -> list[str]:
    return ["ip", "netns", "exec", lab.admin_ns, *argv]


def _run(cmd: list[str], timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)


def test_a_report_of_the_installed_nmap_imports_cleanly(lab: Lab, tmp_path: Path) -> None:
    nmap = shutil.which("nmap")
    assert nmap is not None, "make install puts nmap on PATH"
    report = tmp_path / "lab.xml"
    done = _run(_in_lab(
        lab, nmap, "-n", "-T4", "--max-retries", "1", "-p", "80,554,8000,37777",
        "-oX", str(report), LAB_TARGET,
    ))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert b"<!DOCTYPE nmaprun>" in report.read_bytes()[:400]
    db = tmp_path / "inv.db"
    imported = _run(_camcensus("import-nmap", str(report), "--db", str(db)))
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr == ""
    with Inventory.open(db, read_only=True) as inventory:
        (scan,) = inventory.scans()
        assert scan.status == "complete"
        by_ip = {r.device.ip: r.device for r in inventory.devices()}
    for device in lab.devices:
        assert by_ip[device.ip].mac == device.mac  # every lab device, with its ARP MAC


def test_nmap_target_habits_on_a_real_scan(lab: Lab, tmp_path: Path) -> None:
    left_out = lab.devices[0]
    listed = tmp_path / "targets.txt"
    listed.write_text(f"# the lab\n{LAB_TARGET}\n", encoding="utf-8")
    db = tmp_path / "inv.db"
    done = _run(_in_lab(lab, *_camcensus(
        "scan", "-iL", str(listed), "--exclude", left_out.ip, "--scope", "lab",
        "--db", str(db), "--json", "-q",
    )))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "live hosts" not in done.stderr  # -q: no progress
    import json

    found = {d["ip"] for d in json.loads(done.stdout)["devices"]}
    assert left_out.ip not in found
    assert {d.ip for d in lab.devices[1:]} <= found


def _scan_running(db: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute("SELECT count(*) FROM scans WHERE status = 'running'").fetchone()
        return bool(row and row[0])
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _start_scan(lab: Lab, db: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        _in_lab(lab, *_camcensus("scan", LAB_TARGET, "--scope", "lab", "--db", str(db))),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not _scan_running(db):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return process


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGKILL, -9)])
def test_an_ended_scan_reads_as_incomplete_at_once(
    lab: Lab, tmp_path: Path, sig: signal.Signals, code: int
) -> None:
    db = tmp_path / "inv.db"
    process = _start_scan(lab, db)
    try:
        os.killpg(process.pid, sig)
        _out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    assert process.returncode == code, err
    if sig == signal.SIGINT:
        assert "camcensus: interrupted" in err
    # a reader, before any later scan opens the database for writing
    with Inventory.open(db, read_only=True) as reader:
        (scan,) = reader.scans()
        assert scan.status == "incomplete"


def test_a_running_lab_is_not_replaced(lab: Lab, tmp_path: Path) -> None:
    pid = lab.status().emulator_pid
    for argv in (
        ["lab", "up", "--name", lab.name],
        ["demo", "--name", lab.name, "--out", str(tmp_path)],
    ):
        done = _run(_camcensus(*argv))
        assert done.returncode == 2, done.stderr
        assert f"lab {lab.name} is already running" in done.stderr
        assert "--replace" in done.stderr
        status = lab.status()
        assert status.up
        assert status.emulator_pid == pid  # the demo did not tear it down either


def _isolated(script: str, *, unreadable_home: Path | None = None) -> list[str]:
    """Run ``script`` in a new network namespace with only a loopback interface."""
    prefix: list[str] = []
    if unreadable_home is not None:
        # root without the capabilities that pass over file modes: HOME is unreadable
        prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                  "env", f"HOME={unreadable_home}"]  # fmt: skip
    return ["unshare", "--net", *prefix, "sh", "-c", f"ip link set lo up && {script}"]


@pytest.mark.parametrize("unreadable", [False, True])
def test_a_loopback_scan_finds_a_service_bound_there(tmp_path: Path, unreadable: bool) -> None:
    home: Path | None = None
    if unreadable:
        home = tmp_path / "home"
        home.mkdir(mode=0o700)
        os.chown(home, 65534, 65534)
    db = tmp_path / "lo.db"
    server = f"{sys.executable} -m http.server 8000 --bind 127.0.0.1 >/dev/null 2>&1 &"
    scan = " ".join(_camcensus("scan", "127.0.0.1", "--scope", "loopback", "--db", str(db),
                               "--json"))  # fmt: skip
    done = _run(_isolated(f"{server} sleep 1; {scan}", unreadable_home=home))
    assert done.returncode == 0, done.stderr
    import json

    result = json.loads(done.stdout)
    (device,) = result["devices"]
    assert device["ip"] == "127.0.0.1"
    ports = {e["value"] for e in device["evidence"] if e["key"] == "tcp.ports"}
    assert ports == {"8000"}
    assert result["coverage"][0]["reached"] == "loopback"
    if unreadable:
        assert "OUI data folder" in done.stderr
        assert "skipped: Permission denied" in done.stderr
