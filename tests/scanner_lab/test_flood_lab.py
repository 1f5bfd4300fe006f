"""Issue 13, Floods, in the lab: one device floods (unsolicited SADP multicast of small
or 60 KB datagrams, or 20,000 WS-Discovery ProbeMatches for every Probe, 10,000 a
second, from inside its own namespace); a real ``camcensus scan`` from the admin
namespace still finds every other device with its ARP MAC as its key, and the
flooding device's stored evidence stays under the per-host cap.

One lab at a time (each is brought up and torn down inside its test), so two floods
never share the machine.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from labnames import lab_name

from camcensus.lab.api import Lab, can_run_lab
from camcensus.lab.profiles import builtin_mix
from camcensus.scanner.core.merge import MAX_EVIDENCE_PER_HOST, MAX_EVIDENCE_PER_SOURCE
from camcensus.scanner.store import Inventory

pytestmark = pytest.mark.lab

PROFILES = Path(__file__).parent / "flood_profiles"
LAB_TARGET = "198.18.0.0/23"
DEVICES = 24
FLOOD_STARTED_S = 30.0  # waiting for the flooder to start, not a measure of speed


KINDS = {"sadp-small": "cctfls", "sadp-huge": "cctflh", "wsd": "cctflw"}  # lab names: 8 at most


@pytest.fixture(params=sorted(KINDS))
def flood_lab(request: pytest.FixtureRequest) -> Iterator[tuple[Lab, str]]:
    ok, why = can_run_lab()
    if not ok:
        pytest.skip(f"lab integration test needs network namespaces: {why}")
    kind = str(request.param)
    lab = Lab(lab_name(KINDS[kind]))
    try:
        lab.up(devices=DEVICES, mix=_mix(kind), profile_dirs=[PROFILES / f"flood-{kind}"])
        yield lab, kind
    finally:
        lab.down()


def _mix(kind: str) -> dict[str, int]:
    """The 20 heaviest profiles of the default mix and one flooding device."""
    default = builtin_mix("default")
    heaviest = sorted(default, key=lambda pid: (-default[pid], pid))[:20]
    return {pid: default[pid] for pid in heaviest} | {f"flood-{kind}": 1}


def _flood_count(lab: Lab, index: int) -> int:
    path = lab.state_dir / f"flood-{index}.count"
    try:
        return int(path.read_text(encoding="ascii") or 0)
    except (OSError, ValueError):
        return 0


def test_a_flooding_device_loses_no_other_device(
    flood_lab: tuple[Lab, str], tmp_path: Path
) -> None:
    lab, kind = flood_lab
    (flooder,) = [d for d in lab.devices if d.profile_id == f"flood-{kind}"]
    count = lab.state_dir / f"flood-{flooder.index}.count"
    deadline = time.monotonic() + FLOOD_STARTED_S
    while not count.exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # the flooder's socket is ready once it writes its count
    assert count.exists(), "the flooder did not start"
    if kind.startswith("sadp"):  # an unsolicited flood: running before the scan starts
        while _flood_count(lab, flooder.index) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
    before = _flood_count(lab, flooder.index)
    db = tmp_path / "inv.db"
    started = time.monotonic()
    done = subprocess.run(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         LAB_TARGET, "--scope", "lab", "--db", str(db), "-q"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    sent = _flood_count(lab, flooder.index) - before
    took_s = time.monotonic() - started  # reported, not asserted
    print(f"{kind}: the flooder sent {sent} datagrams during the {took_s:.1f} s scan")  # noqa: T201
    assert done.returncode == 0, done.stderr
    assert sent > 1000, "the flood was not running during the scan"
    with Inventory.open(db, read_only=True) as inventory:
        by_ip = {r.device.ip: r.device for r in inventory.devices(with_details=True)}
    others = [d for d in lab.devices if d.index != flooder.index]
    lost = [d.ip for d in others if d.ip not in by_ip]
    rekeyed = [
        d.ip for d in others if d.ip in by_ip and by_ip[d.ip].device_key != f"mac:{d.mac.lower()}"
    ]
    evidence = len(by_ip[flooder.ip].evidence) if flooder.ip in by_ip else 0
    print(f"{kind}: lost {lost}, re-keyed {rekeyed}, flooder evidence {evidence}")  # noqa: T201
    assert lost == []
    assert rekeyed == []
    assert flooder.ip in by_ip
    assert evidence <= MAX_EVIDENCE_PER_HOST
    by_source = Counter(e.source for e in by_ip[flooder.ip].evidence)
    assert max(by_source.values()) <= MAX_EVIDENCE_PER_SOURCE
    assert by_ip[flooder.ip].device_key == f"mac:{flooder.mac.lower()}"
