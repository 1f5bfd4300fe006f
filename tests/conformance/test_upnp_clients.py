"""SSDP and UPnP descriptions of the lab, as third-party clients see them: nmap's
broadcast-upnp-info and upnp-info NSE scripts, and async-upnp-client (PyPI)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conformance_util import (
    devices_with,
    heard_across_restart,
    in_admin,
    nmap_host_section,
    nmap_udp_script,
    python_client,
    require,
)

from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance, Profile

pytestmark = pytest.mark.lab


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctconfu", devices=30, mix="default")


def _location(device: DeviceInstance, profile: Profile) -> str:
    table = profile.section("ssdp") or {}
    port = int((profile.section("http") or {}).get("ports", [80])[0])
    return f"http://{device.ip}:{port}{table['location_path']}"


def _replayed(lab: Lab) -> set[str]:
    profiles = lab.profiles()
    return {
        d.ip
        for d in lab.devices
        if "ssdp" in profiles[d.profile_id].data.get("replay", {}).get("udp", {})
    }


def _nmap_fields(block: str) -> dict[str, str]:
    return dict(re.findall(r"\|_?\s+(Name|Manufacturer|Model Descr|Model Name|Model Version): "
                           r"(.*)", block))  # fmt: skip


def _want_fields(device: DeviceInstance) -> dict[str, str]:
    """What the Axis description says (the profile's lab truth, written out here)."""
    mac = device.mac.replace(":", "").upper()
    return {
        "Name": f"AXIS M3106-L Mk II - {mac}",
        "Manufacturer": "AXIS",
        "Model Descr": "AXIS M3106-L Mk II Network Camera",
        "Model Name": "AXIS M3106-L Mk II",
        "Model Version": "M3106-L Mk II",
    }


def _axis(lab: Lab) -> list[tuple[DeviceInstance, Profile]]:
    found = [(d, p) for d, p in devices_with(lab, "ssdp") if p.id == "axis-m3106-l-mk-ii"]
    assert found
    return found


def test_nmap_upnp_info_reads_each_description(lab: Lab) -> None:
    devices = _axis(lab)
    # upnp-info.override=false: with the default, nmap 7.93 cuts the LOCATION path out of
    # the reply with a pattern that needs a CR its own header match already dropped, and
    # fetches nothing from any device; -v: the description is fetched only when verbose.
    args = ("upnp-info", "--script-args", "upnp-info.override=false", "-v")
    out = nmap_udp_script(lab, [d.ip for d, _ in devices], 1900, *args)
    for device, profile in devices:
        section = nmap_host_section(out, device.ip)
        assert f"Location: {_location(device, profile)}" in section
        assert f"Server: {profile.data['ssdp']['server']}" in section
        assert _nmap_fields(section) == _want_fields(device)


def test_nmap_broadcast_upnp_info_decodes_the_device_it_shows(lab: Lab) -> None:
    require("nmap")
    done = in_admin(
        lab,
        ["nmap", "-v", "-e", "ccadm0", "--script", "broadcast-upnp-info",
         "--script-args", "broadcast-upnp-info.timeout=4s"],
        timeout_s=90,
    )  # fmt: skip
    # nmap 7.93 files every multicast answer under the socket's peer, the group address,
    # so it shows the first device to answer and drops the rest, as on any real network.
    blocks = re.findall(r"\|\s+239\.255\.255\.250\n((?:\|.*\n)+)", done.stdout)
    assert len(blocks) == 1, done.stdout
    location = re.search(r"Location: http://([\d.]+):", blocks[0])
    assert location, blocks[0]
    ip = location.group(1)
    axis = {d.ip: d for d, _ in _axis(lab)}
    assert ip in axis or ip in _replayed(lab)
    if ip in axis:  # a replayed device's description port is closed: nothing to show
        assert _nmap_fields(blocks[0]) == _want_fields(axis[ip])


def _search(lab: Lab, st: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = python_client(lab, "upnp_client.py", "search", "2", st)
    return found


def test_async_upnp_client_parses_every_description(lab: Lab) -> None:
    devices = _axis(lab)
    described = python_client(
        lab, "upnp_client.py", "describe", *[_location(d, p) for d, p in devices]
    )
    for (device, _), got in zip(devices, described, strict=True):
        mac = device.mac.replace(":", "").upper()
        assert got == {
            "device_type": "urn:schemas-upnp-org:device:Basic:1",
            "udn": f"uuid:Upnp-BasicDevice-1_0-{mac}",
            "serial": mac,  # Axis: the serial is the MAC
            "manufacturer": "AXIS",
            "model_name": "AXIS M3106-L Mk II",
            "model_number": "M3106-L Mk II",
            "friendly_name": f"AXIS M3106-L Mk II - {mac}",
            "services": ["urn:axis-com:service:BasicService:1"],
        }


def _expected_messages(device: DeviceInstance) -> set[tuple[str, str]]:
    """UDA 1.1 1.2.2: a root device with one service type sends four messages."""
    udn = f"uuid:Upnp-BasicDevice-1_0-{device.mac.replace(':', '').upper()}"
    return {
        ("upnp:rootdevice", f"{udn}::upnp:rootdevice"),
        (udn, udn),
        ("urn:schemas-upnp-org:device:Basic:1", f"{udn}::urn:schemas-upnp-org:device:Basic:1"),
        ("urn:axis-com:service:BasicService:1", f"{udn}::urn:axis-com:service:BasicService:1"),
    }


def test_async_upnp_client_search_gets_one_answer_per_message_the_st_selects(lab: Lab) -> None:
    devices = _axis(lab)
    replayed = _replayed(lab)
    found = _search(lab, "ssdp:all")
    for device, profile in devices:
        mine = [(r["st"], r["usn"]) for r in found if r["_host"] == device.ip]
        assert sorted(mine) == sorted(_expected_messages(device)), device.ip
        assert {r["location"] for r in found if r["_host"] == device.ip} == {
            _location(device, profile)
        }
    assert {r["_host"] for r in found} == {d.ip for d, _ in devices} | replayed
    for st in ("upnp:rootdevice", "urn:schemas-upnp-org:device:Basic:1"):
        found = _search(lab, st)
        assert sorted(r["_host"] for r in found) == sorted(d.ip for d, _ in devices)
        assert {r["st"] for r in found} == {st}
    device = devices[0][0]
    udn = f"uuid:Upnp-BasicDevice-1_0-{device.mac.replace(':', '').upper()}"
    found = _search(lab, udn)
    assert [(r["_host"], r["st"], r["usn"]) for r in found] == [(device.ip, udn, udn)]
    assert _search(lab, "urn:schemas-upnp-org:device:MediaServer:1") == []


def test_devices_notify_byebye_when_they_stop_and_alive_when_they_start(lab: Lab) -> None:
    devices = _axis(lab)
    heard = heard_across_restart(lab, "upnp_client.py")
    want = set().union(*(_expected_messages(d) for d, _ in devices))
    for nts in ("ssdp:byebye", "ssdp:alive"):
        got = [(h["nt"], h["usn"]) for h in heard if h.get("nts") == nts]
        assert sorted(got) == sorted(want), nts
    alive = [h for h in heard if h.get("nts") == "ssdp:alive"]
    assert {h["cache-control"] for h in alive} == {"max-age=1800"}
