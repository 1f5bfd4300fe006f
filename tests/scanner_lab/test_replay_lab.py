"""A scan of the lab's replay devices names their makers from the replayed evidence alone.

Each replay device serves only bytes a real device sent (lab/profiles/replay; checked
against the corpus by tests/lab/test_replay.py), behind a locally administered MAC, with
no ONVIF. The truth is judged with the corpus's maker table (truth_check), not vendor_db.
"""

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


@pytest.fixture(scope="module")
def replay_lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctrepl", devices=13, mix="replay")


def test_replay_devices_are_named_from_what_they_replay(replay_lab: Lab, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            "ip", "netns", "exec", replay_lab.admin_ns, sys.executable, "-m", "camcensus",
            "scan", "198.18.0.0/23", "--scope", "lab", "--json", "--db", str(tmp_path / "i.db"),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    devices = json.loads(done.stdout)["devices"]
    assert len(devices) == len(replay_lab.devices) == 13
    assert mismatches(replay_lab, devices) == []
    for device in devices:
        chain = device["identification"]["chain"]
        makers = [step for step in chain if step["field"] == "maker"]
        assert makers, device["ip"]
        # no maker claim rests on the MAC: replay MACs are locally administered (a MAC
        # the replayed bytes carry, such as an SSDP USN made from the real unit's MAC,
        # is replayed evidence like any other)
        assert all(step["key"] not in ("mac", "mac.org") for step in makers), makers
        own_mac = [s for s in chain if s["rule"].startswith("oui:") and s["key"] == "mac"]
        assert not own_mac, device["ip"]
        assert not any(step["source"] == "onvif" for step in chain), device["ip"]
