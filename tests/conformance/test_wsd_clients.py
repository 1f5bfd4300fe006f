"""WS-Discovery of the lab, as third-party clients see it: nmap's broadcast-wsdd-discover
and wsdd-discover NSE scripts, and python-ws-discovery (PyPI WSDiscovery)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

import pytest
from conformance_util import (
    devices_with,
    heard_across_restart,
    in_admin,
    lab_only,
    python_client,
    require,
)

from camcensus.lab import wsd
from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance, Profile, render

pytestmark = pytest.mark.lab

ONVIF_NVT = ("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter")
ONVIF_DEVICE = ("http://www.onvif.org/ver10/device/wsdl", "Device")
WSDP_DEVICE = ("http://schemas.xmlsoap.org/ws/2006/02/devprof", "Device")


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctconfw", devices=30, mix="default")


def _answering(lab: Lab) -> list[tuple[DeviceInstance, Profile]]:
    """Devices that answer a Probe: a [wsd] table, or a replayed match."""
    found = devices_with(lab, "wsd")
    profiles = lab.profiles()
    found += [
        (d, profiles[d.profile_id])
        for d in lab.devices
        if "wsd" in (profiles[d.profile_id].data.get("replay", {}).get("udp", {}))
    ]
    return found


def _xaddrs(device: DeviceInstance, profile: Profile) -> str:
    table = profile.section("wsd") or {}
    return render(str(table.get("xaddrs", "http://{ip}/onvif/device_service")), device.values())


def _uses_urn_uuid(profile: Profile) -> bool:
    table = profile.section("wsd")
    if table is None:  # a replayed capture: its own MessageID form
        return False
    return wsd.dialect_of(table).message_id_scheme == "urn:uuid:"


def test_nmap_broadcast_wsdd_discover_decodes_each_device_as_its_real_replies_allow(
    lab: Lab,
) -> None:
    require("nmap")
    done = in_admin(
        lab,
        ["nmap", "-e", "ccadm0", "--script", "broadcast-wsdd-discover",
         "--script-args", "broadcast-wsdd-discover.timeout=3s"],
        timeout_s=90,
    )  # fmt: skip
    out = done.stdout
    decoded = set(re.findall(r"Address: (http://\S+)", out))
    failed = out.count("Failed to decode")
    answering = _answering(lab)
    # nmap's decoder wants a "urn:uuid:" MessageID; Dahua, Axis and TP-Link firmware
    # send "uuid:" (the captures lab/wsd.py DIALECTS cites), and nmap fails on those
    # real devices just as it does here.
    want = {_xaddrs(d, p) for d, p in answering if _uses_urn_uuid(p)}
    assert decoded == want
    assert failed == sum(1 for _, p in answering if not _uses_urn_uuid(p))
    # nmap sends its Probe twice with one MessageID: each device answers once.
    assert len(re.findall(r"Message id: ", out)) == len(want)
    for _, profile in answering:
        if _uses_urn_uuid(profile):
            types = str((profile.section("wsd") or {}).get("types"))
            # nmap's pattern strips leading characters of "wsdp:" from Types
            assert types.lstrip("wsdp:") in out


def test_nmap_wsdd_discover_unicast_gets_one_match_per_device(lab: Lab) -> None:
    require("nmap")
    targets = [d for d, p in devices_with(lab, "wsd") if _uses_urn_uuid(p)][:3]
    ips = [d.ip for d in targets]
    lab_only(ips)
    done = in_admin(
        lab, ["nmap", "-sU", "-p", "3702", "-Pn", "--script", "wsdd-discover", *ips], timeout_s=120
    )
    for device in targets:
        section = done.stdout.split(f"Nmap scan report for {device.ip}", 1)[1]
        section = section.split("Nmap scan report for", 1)[0]
        assert f"Address: http://{device.ip}/onvif/device_service" in section
        assert section.count("Message id:") == 1


def test_python_wsdiscovery_decodes_every_device_with_its_types_and_scopes(lab: Lab) -> None:
    found = python_client(lab, "wsd_client.py", "search", "3")
    by_epr = {s["epr"]: s for s in found}
    for device, profile in devices_with(lab, "wsd"):
        table = profile.section("wsd") or {}
        if "raw" in table:
            continue
        scheme = wsd.dialect_of(table).address_scheme
        service = by_epr.pop(f"{scheme}{device.uuid}")
        assert [ONVIF_NVT[0], ONVIF_NVT[1]] in service["types"], device.profile_id
        assert [ONVIF_DEVICE[0], ONVIF_DEVICE[1]] in service["types"]
        values = device.values()
        # the client hands scopes back URL-decoded
        assert service["scopes"] == sorted(unquote(render(str(s), values)) for s in table["scopes"])
        assert service["xaddrs"] == [_xaddrs(device, profile)]
    replayed = [d for d, p in _answering(lab) if p.section("wsd") is None]
    assert len(by_epr) == len(replayed), sorted(by_epr)


def test_types_match_by_qname_and_scopes_filter(lab: Lab) -> None:
    onvif = [(d, p) for d, p in devices_with(lab, "wsd") if "raw" not in (p.section("wsd") or {})]
    # wsdp:Device (Devices Profile) is not tds:Device: no ONVIF camera answers it.
    found = python_client(lab, "wsd_client.py", "search", "2", *WSDP_DEVICE)
    assert found == []
    # a hardware scope selects exactly the devices holding it (rfc3986 prefix match)
    device, profile = next((d, p) for d, p in onvif if p.id.startswith("hikvision-ds-2cd"))
    hardware = next(s for s in profile.data["wsd"]["scopes"] if "/hardware/" in s)
    found = python_client(lab, "wsd_client.py", "search", "2", *ONVIF_NVT, hardware)
    want = {d.uuid for d, p in onvif if hardware in p.data["wsd"]["scopes"]}
    assert {s["epr"].rsplit(":", 1)[-1] for s in found} == want
    assert device.uuid in want
    # a prefix of the path matches too; another path does not
    found = python_client(
        lab, "wsd_client.py", "search", "2", *ONVIF_NVT, "onvif://www.onvif.org/hardware"
    )
    assert len(found) == len(onvif)
    found = python_client(
        lab,
        "wsd_client.py",
        "search",
        "2",
        *ONVIF_NVT,
        "onvif://www.onvif.org/hardware/NO-SUCH-MODEL",
    )
    assert found == []  # fmt: skip


def test_devices_say_bye_when_they_stop_and_hello_when_they_start(lab: Lab) -> None:
    expect = {
        f"{wsd.dialect_of(p.data['wsd']).address_scheme}{d.uuid}"
        for d, p in devices_with(lab, "wsd")
        if "raw" not in p.data["wsd"]
    }
    heard = heard_across_restart(lab, "wsd_client.py")
    byes = {h["epr"] for h in heard if h["kind"] == "Bye"}
    hellos = {h["epr"]: h for h in heard if h["kind"] == "Hello"}
    assert byes == expect
    assert set(hellos) == expect
    for hello in hellos.values():
        assert [ONVIF_NVT[0], ONVIF_NVT[1]] in hello["types"]
        assert hello["xaddrs"]
