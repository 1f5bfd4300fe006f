"""Real scans leave nothing on the host's interfaces: a capture in the root namespace
while camcensus scans a lab (its ARP sweep, nmap, multicast and broadcast discovery on
the link, unicast to routed subnets) and while net-snmp reads the lab router, fails on
any frame with a lab MAC or a lab address."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from capture import RootCapture

from camcensus.lab.api import Lab

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def routed(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctleak", devices=16, mix="default", routed_subnets=2)


@pytest.fixture(scope="module")
def flat(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctleakf", devices=16, mix="default")


def _scan(lab: Lab, tmp_path: Path, *targets: str) -> None:
    done = subprocess.run(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         *targets, "--scope", "lab", "--db", str(tmp_path / f"{lab.name}.db")],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _lab_macs(lab: Lab) -> set[bytes]:
    return {bytes.fromhex(d.mac.replace(":", "")) for d in lab.devices}


def test_a_flat_lab_scan_sends_nothing_on_the_host(flat: Lab, tmp_path: Path) -> None:
    with RootCapture() as capture:
        _scan(flat, tmp_path, "198.18.0.0/23")
        RootCapture.send_marker()
        time.sleep(0.3)
    assert capture.saw_marker(), "the capture saw nothing"
    leaks = capture.lab_frames(_lab_macs(flat))
    assert not leaks, f"{len(leaks)} lab frames on the host's interfaces: {leaks[:3]}"


def test_a_routed_scan_and_an_snmp_walk_send_nothing_on_the_host(
    routed: Lab, tmp_path: Path
) -> None:
    snmp = routed.state()["routed"]["snmp"]
    community = tomllib.loads(Path(snmp["credentials_v2c"]).read_text())["snmp"][0]["community"]
    with RootCapture() as capture:
        # the link (admin segment: the router) with every discovery method, and the
        # routed subnets by unicast, in one run
        _scan(routed, tmp_path, "198.18.0.0/23", "198.18.16.0/23")
        walk = subprocess.run(
            ["ip", "netns", "exec", routed.admin_ns, "snmpwalk", "-v2c", "-c", community,
             "-On", snmp["address"], "1.3.6.1.2.1.4.35"],
            capture_output=True, text=True, timeout=30, check=False,
            env={**os.environ, "SNMP_PERSISTENT_DIR": str(routed.state_dir / "snmp-client"),
                 "MIBS": ""},
        )  # fmt: skip
        RootCapture.send_marker()
        time.sleep(0.3)
    assert walk.returncode == 0, walk.stderr
    assert capture.saw_marker(), "the capture saw nothing"
    leaks = capture.lab_frames(_lab_macs(routed))
    assert not leaks, f"{len(leaks)} lab frames on the host's interfaces: {leaks[:3]}"
