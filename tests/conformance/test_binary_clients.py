"""The makers' binary TCP services: nmap's service detection (-sV), python-dvr's
Xiongmai login (PyPI, module ``dvrip``) and a captured Dahua 37777 login replayed
(tests/conformance/dvrip_replay.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conformance_util import (
    devices_with,
    in_admin,
    lab_only,
    nmap_host_section,
    python_client,
    require,
)

from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance, Profile

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctconfb", devices=30, mix="default")


def _with(lab: Lab, kind: str) -> list[tuple[DeviceInstance, Profile]]:
    return [(d, p) for d, p in devices_with(lab, "binary") if kind in p.data["binary"]]


def test_nmap_names_the_hikvision_sdk_port_instead_of_tcpwrapped(lab: Lab) -> None:
    require("nmap")
    devices = [d for d, p in devices_with(lab, "tcp") if "8000" in p.data["tcp"].get("replies", {})]
    assert len(devices) >= 2
    ips = [d.ip for d in devices]
    lab_only(ips)
    out = in_admin(lab, ["nmap", "-sV", "-Pn", "-p", "8000", *ips], timeout_s=180).stdout
    for device in devices:
        section = nmap_host_section(out, device.ip)
        assert "8000/tcp open  ipcam   Hikvision IPCam control port" in section, section


def test_nmap_no_longer_sees_the_dahua_and_xiongmai_ports_as_tcpwrapped(lab: Lab) -> None:
    # Before lab/binary.py the lab accepted and closed within 2 s, which nmap reports as
    # "tcpwrapped"; a service that waits for its client's login, as these do, is "open"
    # with nmap's port-table name (nmap 7.93 has no signature for either service).
    require("nmap")
    picked = {kind: _with(lab, kind)[0] for kind in ("netip", "dvrip")}
    ips = [d.ip for d, _ in picked.values()]
    lab_only(ips)
    argv = ["nmap", "-sV", "-Pn", "-p", "34567,37777", *ips]
    out = in_admin(lab, argv, timeout_s=300).stdout
    for kind, (device, profile) in picked.items():
        port = int(profile.data["binary"][kind]["port"])
        section = nmap_host_section(out, device.ip)
        line = next(x for x in section.splitlines() if x.startswith(f"{port}/tcp"))
        assert re.match(rf"{port}/tcp +open +\S+", line), section
        assert "tcpwrapped" not in line, section


def test_python_dvr_logs_in_to_each_xiongmai_device_and_is_refused_a_wrong_password(
    lab: Lab,
) -> None:
    devices = _with(lab, "netip")
    assert devices, "the default mix has a Xiongmai device"
    for device, profile in devices:
        lab_only([device.ip])
        conf = profile.data["binary"]["netip"]
        user, password = str(conf["username"]), str(conf["password"])
        ok = python_client(lab, "netip_client.py", device.ip, user, stdin=password + "\n")
        # login, then the KeepAlive python-dvr sends at once, both answered
        assert ok["login"] is True, (device.profile_id, ok)
        assert ok["session"] > 0
        assert ok["alive"] == 20
        wrong = python_client(lab, "netip_client.py", device.ip, user, stdin="not-it\n")
        assert wrong["login"] is False, (device.profile_id, wrong)
        other = python_client(lab, "netip_client.py", device.ip, "nobody", stdin=password + "\n")
        assert other["login"] is False, (device.profile_id, other)


def test_a_captured_dahua_login_gets_the_challenge_and_then_a_session(lab: Lab) -> None:
    devices = _with(lab, "dvrip")
    assert len(devices) >= 2, "the default mix has Dahua-family devices"
    for device, profile in devices:
        lab_only([device.ip])
        conf = profile.data["binary"]["dvrip"]
        seen = python_client(
            lab, "dvrip_replay.py", device.ip, str(conf["username"]),
            stdin=str(conf["password"]) + "\n",
        )  # fmt: skip
        head = bytes.fromhex(seen["challenge_head"])
        # the captured challenge's layout: 0xB0 00 00 78, payload length, 01 0E 01 00
        assert head[:4] == bytes.fromhex("b0000078")
        assert int.from_bytes(head[4:8], "little") == len(seen["challenge"].encode("latin-1"))
        assert head[8:12] == bytes.fromhex("010e0100")
        assert re.fullmatch(
            r"Realm:Login to [0-9a-f]{32}\r\nRandom:\d+\r\n\r\n", seen["challenge"]
        ), seen["challenge"]
        right, wrong = bytes.fromhex(seen["right"]), bytes.fromhex(seen["wrong"])
        assert (right[0], right[8]) == (0xB0, 0), device.profile_id  # success
        assert int.from_bytes(right[16:20], "little") != 0  # a session id
        assert (wrong[0], wrong[8]) == (0xB0, 1), device.profile_id  # refused
        assert int.from_bytes(wrong[16:20], "little") == 0
