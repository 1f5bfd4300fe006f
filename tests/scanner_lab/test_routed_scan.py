"""A scan of the routed lab from its admin namespace: subnets behind a router, reached by
unicast only (no ARP, no multicast crosses the router), in one run with the flat
segment's targets refused nowhere."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from truth_check import mismatches

from camcensus.lab.api import Lab

pytestmark = pytest.mark.lab

SUBNETS = 4


@pytest.fixture(scope="module")
def routed(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctrscan", devices=40, mix="default", routed_subnets=SUBNETS)


def _unicast_reachable(profile: object) -> bool:
    """A device unicast can find: an open TCP port, or an answer to a unicast
    WS-Discovery Probe, DHIP search or M-SEARCH."""
    data = getattr(profile, "data", {})
    replay = data.get("replay", {})
    return (
        bool(data.get("tcp", {}).get("open"))
        or any(section in data for section in ("wsd", "dhip", "ssdp"))
        or bool(replay.get("rtsp") or replay.get("http") or replay.get("tcp"))
        or bool(replay.get("udp"))
    )


def test_routed_subnets_are_scanned_by_unicast_in_one_run(routed: Lab, tmp_path: Path) -> None:
    targets = [f"198.18.{16 + k}.0/24" for k in range(SUBNETS)]
    done = subprocess.run(
        ["ip", "netns", "exec", routed.admin_ns, sys.executable, "-m", "camcensus", "scan",
         *targets, "--scope", "lab", "--json", "--db", str(tmp_path / "i.db")],
        capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [(c["target"], c["reached"], c["addresses"]) for c in result["coverage"]] == [
        (t, "routed", 254) for t in targets
    ]
    # nothing link-local ran: no discovery probe, so no multicast left the admin segment
    names = {p["name"] for p in result["probes"]}
    assert names - {"recorder"} == {"unicast", "ports", "wsd (per host)", "banner", "onvif"}
    profiles = routed.profiles()
    expected = {d.ip for d in routed.devices if _unicast_reachable(profiles[d.profile_id])}
    found = {d["ip"]: d for d in result["devices"]}
    assert set(found) == expected
    # what only a MAC would reveal (a laptop, a phone) stays unseen without SNMP
    assert len(expected) < len(routed.devices)
    assert sum(c["answered"] for c in result["coverage"]) == len(expected)
    # every camera and recorder found is named, and flagged, as the truth says, from
    # unicast evidence alone (no ARP crosses a router; a MAC is known only where the
    # device reports its own)
    cameras = [
        d for d in routed.devices
        if d.ip in found and profiles[d.profile_id].truth["device_type"] != "other"
    ]  # fmt: skip
    assert len(cameras) >= 25
    camera_ips = {d.ip for d in cameras}
    problems = [
        line
        for line in mismatches(routed, [found[ip] for ip in camera_ips])
        if line.split()[0] in camera_ips and (": maker " in line or ": flagged " in line)
    ]
    assert problems == []
