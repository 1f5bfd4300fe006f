"""Cameras behind recorders, for real: ``lab up --mix recorders`` and a scan from the admin.

The lab: a Hikvision DS-7608NI-K2/8P and a Dahua NVR4108HS-8P-4KS2 on the admin's
segment, each with 8 cameras of mixed makers on a PoE network of its own
(198.19.r.0/24) that only the recorder's namespace reaches, and a white label of each
family (HiLook, Amcrest) with 4 cameras on 4 of its 8 ports.  Truth is the lab's own: the
cameras' profiles ([truth]) at the addresses the lab gave them, judged by
truth_check.py; failed logins are counted by the lab's recorders themselves
(``recorder-<index>.failures`` in the lab's state directory).
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from truth_check import field_mismatches

from camcensus.lab import netns
from camcensus.lab.api import Lab
from camcensus.scanner.store import Inventory

pytestmark = pytest.mark.lab

CREDITS_NEEDED = "8 cameras behind it, not listed: credentials needed"


@pytest.fixture(scope="module")
def nvrs(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctrec", devices=4, mix="recorders")


def _recorders(lab: Lab) -> dict[str, dict[str, Any]]:
    """The lab's recorders by label ("hikvision", "dahua", "hilook", "amcrest")."""
    return {r["profile_id"].split("-")[0]: r for r in lab.state()["recorders"]}


def _cameras(lab: Lab, recorder: dict[str, Any]) -> list[Any]:
    return [d for d in lab.devices if d.recorder == recorder["index"]]


def _failures(lab: Lab, recorder: dict[str, Any]) -> int:
    path = lab.state_dir / f"recorder-{recorder['index']}.failures"
    return int(path.read_text()) if path.exists() else 0


def _accounts(tmp_path: Path, lab: Lab, wrong: str | None = None) -> Path:
    """A 0600 credentials file with one entry a recorder (by its address), the password
    of the one labelled ``wrong`` replaced."""
    text = "".join(
        f'[[recorder]]\nusername = "{r["username"]}"\n'
        f'password = "{"not-the-password" if label == wrong else r["password"]}"\n'
        f'hosts = ["{r["ip"]}/32"]\n\n'
        for label, r in _recorders(lab).items()
    )
    path = tmp_path / "recorders.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def _scan(
    lab: Lab, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    done = subprocess.run(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         "198.18.0.0/23", "--scope", "lab", "--json", "--db", str(tmp_path / "inventory.db"),
         *args],
        capture_output=True, text=True, timeout=300, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("CAMCENSUS_RECORDER_")}
        | (env or {}),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["status"] == "complete"
    return result


def _connects(namespace: str, ip: str) -> bool:
    def attempt() -> bool:
        try:
            with socket.create_connection((ip, 80), timeout=1.0):
                return True
        except OSError:
            return False

    return netns.call_in(namespace, attempt)


def test_cameras_are_reachable_only_from_their_recorder(nvrs: Lab) -> None:
    recorders = _recorders(nvrs)
    assert sorted(recorders) == ["amcrest", "dahua", "hikvision", "hilook"]
    assert [len(_cameras(nvrs, recorders[k])) for k in ("hikvision", "dahua")] == [8, 8]
    for recorder in recorders.values():
        cameras = _cameras(nvrs, recorder)
        assert len(cameras) == recorder["cameras"]
        assert all(c.ip.startswith("198.19.") for c in cameras)
        assert all(_connects(recorder["netns"], c.ip) for c in cameras)
        assert not any(_connects(nvrs.admin_ns, c.ip) for c in cameras)


def test_without_credentials_each_recorder_shows_8_unlisted_channels(
    nvrs: Lab, tmp_path: Path
) -> None:
    result = _scan(nvrs, tmp_path)
    by_ip = {d["ip"]: d for d in result["devices"]}
    profiles = nvrs.profiles()
    truth = {
        r["ip"]: (r["profile_id"], profiles[r["profile_id"]].truth)
        for r in _recorders(nvrs).values()
    }
    assert field_mismatches(truth, result["devices"]) == []
    # the own-brand ones are typed as recorders; the white labels' NVT role in
    # WS-Discovery still outweighs what DHIP/SADP say (left to identification)
    assert [by_ip[_recorders(nvrs)[k]["ip"]]["device_type"] for k in ("hikvision", "dahua")] == [
        "nvr",
        "nvr",
    ]
    for recorder in _recorders(nvrs).values():
        device = by_ip[recorder["ip"]]
        said = [e["value"] for e in device["evidence"] if e["key"] == "recorder.unlisted"]
        assert said == [CREDITS_NEEDED]
    assert not [d for d in result["devices"] if d["parent"]]
    assert (
        sorted((r["channels"], r["listed"], r["reason"]) for r in result["recorders"])
        == [(8, 0, "credentials needed")] * 4
    )
    assert all(_failures(nvrs, r) == 0 for r in _recorders(nvrs).values())


def test_with_credentials_every_camera_is_a_child_with_its_truth(nvrs: Lab, tmp_path: Path) -> None:
    before = {k: _failures(nvrs, r) for k, r in _recorders(nvrs).items()}
    result = _scan(
        nvrs,
        tmp_path,
        "--recorder-credentials",
        str(_accounts(tmp_path, nvrs)),
        "--csv",
        str(tmp_path / "devices.csv"),
    )
    assert result["warnings"] == []
    profiles = nvrs.profiles()
    keys = {d["ip"]: d["device_key"] for d in result["devices"]}
    for family, recorder in _recorders(nvrs).items():
        cameras = _cameras(nvrs, recorder)
        children = [d for d in result["devices"] if d["parent"] == keys[recorder["ip"]]]
        assert len(children) == len(cameras), family
        truth = {c.ip: (c.profile_id, profiles[c.profile_id].truth) for c in cameras}
        assert field_mismatches(truth, children) == []
        if len(cameras) == 8:
            makers = {profiles[c.profile_id].truth["maker"] for c in cameras}
            assert len(makers) >= 5, "mixed makers behind one recorder"
        flagged = {d["ip"] for d in children if d["flagged"]}
        assert flagged == {c.ip for c in cameras if profiles[c.profile_id].truth["flagged"]}
        assert 0 < len(flagged) < len(cameras)
        for child in children:
            via = [e["value"] for e in child["evidence"] if e["key"] == "recorder.via"]
            assert via == [f"via recorder {recorder['ip']} channel {_channel(cameras, child)}"]
    assert sorted((r["channels"], r["listed"], r["reason"]) for r in result["recorders"]) == [
        (8, 4, ""),
        (8, 4, ""),
        (8, 8, ""),
        (8, 8, ""),
    ]
    assert {k: _failures(nvrs, r) for k, r in _recorders(nvrs).items()} == before
    with Inventory.open(tmp_path / "inventory.db") as inventory:
        stored = {r.device.device_key: r.device.parent for r in inventory.devices()}
        recorded = inventory.recorder_coverage(result["scan_id"])
    assert sum(1 for p in stored.values() if p) == 24
    assert sorted(r.listed for r in recorded) == [4, 4, 8, 8]
    with open(tmp_path / "devices.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert sum(1 for row in rows if row["parent"]) == 24


def _channel(cameras: list[Any], child: dict[str, Any]) -> int:
    return next(c.channel for c in cameras if c.ip == child["ip"])


def test_a_wrong_password_is_one_failed_attempt_and_a_clear_warning(
    nvrs: Lab, tmp_path: Path
) -> None:
    recorders = _recorders(nvrs)
    hik = recorders["hikvision"]
    before = {k: _failures(nvrs, r) for k, r in recorders.items()}
    creds = _accounts(tmp_path, nvrs, wrong="hikvision")
    result = _scan(nvrs, tmp_path, "--recorder-credentials", str(creds))
    after = {k: _failures(nvrs, r) for k, r in recorders.items()}
    assert after == before | {"hikvision": before["hikvision"] + 1}
    warnings = [w for w in result["warnings"] if "recorder" in w]
    assert warnings == [
        f"recorder {hik['ip']} rejected the login of user 'admin': not retried (recorders "
        "lock accounts after repeated failures); its cameras are not listed"
    ]
    assert "not-the-password" not in json.dumps(result)
    by_address = {r["address"]: r for r in result["recorders"]}
    assert (by_address[hik["ip"]]["listed"], by_address[hik["ip"]]["reason"]) == (0, "login failed")
    assert [by_address[r["ip"]]["listed"] for k, r in recorders.items() if k != "hikvision"] == [
        r["cameras"] for k, r in recorders.items() if k != "hikvision"
    ]
    hik_device = next(d for d in result["devices"] if d["ip"] == hik["ip"])
    said = {(e["key"], e["value"]) for e in hik_device["evidence"] if e["source"] == "recorder"}
    assert said == {
        ("recorder.login", "failed"),
        ("recorder.unlisted", "8 cameras behind it, not listed: login failed"),
    }
