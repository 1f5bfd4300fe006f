"""Real scans leave nothing on the host's interfaces: a capture in the root namespace
while camcensus scans a lab (its ARP sweep, nmap, multicast and broadcast discovery on
the link, unicast to routed subnets, SNMP harvesting of the lab router), fails on any
frame with a lab MAC or a lab address."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _scan(lab: Lab, tmp_path: Path, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         *args, "--scope", "lab", "--json", "--db", str(tmp_path / f"{lab.name}.db")],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


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


def test_a_routed_scan_with_snmp_harvesting_sends_nothing_on_the_host(
    routed: Lab, tmp_path: Path
) -> None:
    snmp = routed.state()["routed"]["snmp"]
    with RootCapture() as capture:
        # the link (admin segment: the router) with every discovery method, the routed
        # subnets by unicast, and the router's ARP cache over SNMPv3, in one run
        result = _scan(
            routed,
            tmp_path,
            "198.18.0.0/23",
            "198.18.16.0/23",
            "--snmp-credentials",
            snmp["credentials_v3"],
        )
        RootCapture.send_marker()
        time.sleep(0.3)
    (agent,) = result["snmp"]
    assert agent["error"] is None
    assert agent["arp_entries"] >= len(routed.devices)
    assert capture.saw_marker(), "the capture saw nothing"
    leaks = capture.lab_frames(_lab_macs(routed))
    assert not leaks, f"{len(leaks)} lab frames on the host's interfaces: {leaks[:3]}"
