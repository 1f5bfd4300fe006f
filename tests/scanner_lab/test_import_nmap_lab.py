"""import-nmap on a report the real nmap wrote of lab devices: nmap's XML as it is, not
as a fixture imagines it, and what it kept of the devices agrees with a camcensus scan.

nmap runs in the lab's admin namespace against the lab's own addresses only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from camcensus.cli import EXIT_OK, main
from camcensus.lab.api import Lab
from camcensus.scanner.core.nmap_report import parse_nmap_xml

pytestmark = pytest.mark.lab

PORTS = "21,23,80,443,554,8000,8080"
SCRIPTS = "http-server-header,http-title,ssl-cert,fingerprint-strings"


@pytest.fixture(scope="module")
def nmap_lab(make_lab: Callable[..., Lab]) -> Lab:
    if shutil.which("nmap") is None:
        pytest.fail("nmap is a dependency of camcensus (Debian's nmap) and is not installed")
    return make_lab("cctnmap", devices=12, mix="default")


def _export(db: Path, out: Path) -> dict[str, dict[str, Any]]:
    assert main(["export", "--db", str(db), "--json", str(out)]) == EXIT_OK
    return {d["ip"]: d for d in json.loads(out.read_text(encoding="utf-8"))["devices"]}


def test_a_real_nmap_report_of_the_lab_agrees_with_the_scan(nmap_lab: Lab, tmp_path: Path) -> None:
    ips = [d.ip for d in nmap_lab.devices if d.recorder is None]
    assert all(ip.startswith("198.18.") for ip in ips)  # the lab's addresses only
    report = tmp_path / "lab.xml"
    nmap = ["nmap", "-n", "-Pn", "-sT", "-sV", "--version-light", "-T4", "-p", PORTS]
    nmap += ["--script", SCRIPTS, "-oX", str(report), *ips]
    done = subprocess.run(
        ["ip", "netns", "exec", nmap_lab.admin_ns, *nmap], capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    evidence = parse_nmap_xml(report.read_bytes())
    servers = {(e.address, e.value) for e in evidence if e.key == "http.server"}
    assert servers, "nmap's http-server-header output was not read"

    scan_db, import_db = tmp_path / "scan.db", tmp_path / "import.db"
    scan = subprocess.run(
        ["ip", "netns", "exec", nmap_lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         *ips, "--scope", "lab", "--db", str(scan_db), "-q"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert scan.returncode in (0, 1), scan.stderr[-2000:]
    assert main(["import-nmap", str(report), "--db", str(import_db)]) == EXIT_OK
    scanned = _export(scan_db, tmp_path / "scan.json")
    imported = _export(import_db, tmp_path / "import.json")

    # the Server headers nmap read are the ones the scan's own probe read
    scan_servers = {
        (ip, e["value"])
        for ip, d in scanned.items()
        for e in d["evidence"]
        if e["key"] == "http.server"
    }
    assert servers <= scan_servers, sorted(servers - scan_servers)
    # a maker the import names is the one the scan names (the import sees less: no
    # ONVIF, no discovery), and it names some
    named = {ip: d["maker"] for ip, d in imported.items() if d.get("maker")}
    assert named, "the import named no maker"
    assert {ip: scanned[ip]["maker"] for ip in named} == named
