"""import-pcap on a capture taken inside the lab during a real scan: the same makers.

tcpdump runs in the lab's admin namespace, on its lab interface only, while the
scanner scans from that namespace; the capture is then imported into a database of
its own, and every device it saw must carry the maker the active scan gave it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from camcensus.cli import EXIT_OK, main
from camcensus.lab.api import ADMIN_IF, Lab

pytestmark = pytest.mark.lab

LAB_TARGET = "198.18.0.0/23"
LISTEN_WAIT_S = 10.0


@pytest.fixture(scope="module")
def pcap_lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctpcap", devices=40, mix="default")


def _start_capture(lab: Lab, capture: Path) -> subprocess.Popen[bytes]:
    """tcpdump on the admin namespace's lab interface (never a host interface)."""
    tcpdump = ["tcpdump", "-i", ADMIN_IF, "-U", "-s", "0", "-n", "-Z", "root", "-w", str(capture)]
    process = subprocess.Popen(
        ["ip", "netns", "exec", lab.admin_ns, *tcpdump],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + LISTEN_WAIT_S
    line = b""
    while time.monotonic() < deadline and b"listening on" not in line:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
    assert b"listening on" in line, f"tcpdump did not start: {line!r}"
    return process


def _stop_capture(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _export(db: Path, out: Path) -> dict[str, dict[str, Any]]:
    assert main(["export", "--db", str(db), "--json", str(out)]) == EXIT_OK
    return {d["ip"]: d for d in json.loads(out.read_text(encoding="utf-8"))["devices"]}


def test_a_capture_of_a_scan_names_the_makers_the_scan_names(pcap_lab: Lab, tmp_path: Path) -> None:
    capture = tmp_path / "lab.pcap"
    db = str(tmp_path / "scan.db")
    scan_cmd = [sys.executable, "-m", "camcensus", "scan", LAB_TARGET, "--scope", "lab", "--db", db]
    tcpdump = _start_capture(pcap_lab, capture)
    try:
        scan = subprocess.run(
            ["ip", "netns", "exec", pcap_lab.admin_ns, *scan_cmd],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        time.sleep(0.5)  # the last replies reach the capture
    finally:
        _stop_capture(tcpdump)
    assert scan.returncode == 0, scan.stderr
    # the import reads a file and sends nothing: it runs outside the namespaces
    assert main(["import-pcap", str(capture), "--db", str(tmp_path / "pcap.db")]) == EXIT_OK

    scanned = _export(tmp_path / "scan.db", tmp_path / "scan.json")
    imported = _export(tmp_path / "pcap.db", tmp_path / "pcap.json")
    assert len(scanned) == len(pcap_lab.devices)
    seen = set(scanned) & set(imported)
    assert len(seen) >= 0.9 * len(scanned), sorted(set(scanned) - seen)
    wrong = {
        ip: (scanned[ip]["maker"], imported[ip]["maker"])
        for ip in sorted(seen)
        if scanned[ip]["maker"] != imported[ip]["maker"]
    }
    assert wrong == {}
    for ip in seen:  # the link layer named the same MAC as the scan's ARP sweep
        assert imported[ip]["mac"] == scanned[ip]["mac"], ip
    # nothing outside the lab's network was heard, and no device was invented
    assert all(ip.startswith("198.18.") for ip in imported)
