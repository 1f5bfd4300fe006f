"""mDNS of the lab, as third-party clients see it: nmap's dns-service-discovery NSE
script (legacy unicast queries) and python-zeroconf (browsing, resolving, parsing a
legacy unicast answer)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conformance_util import nmap_host_section, nmap_udp_script, python_client

from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance, Profile, render

pytestmark = pytest.mark.lab

TYPE_PTR, TYPE_A = 12, 1


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctconfm", devices=30, mix="default")


def _announcing(lab: Lab) -> list[tuple[DeviceInstance, Profile]]:
    profiles = lab.profiles()
    found = [
        (d, profiles[d.profile_id])
        for d in lab.devices
        if profiles[d.profile_id].data.get("mdns") and not profiles[d.profile_id].hostile
    ]
    assert len({p.id for _, p in found}) >= 2
    return found


def _short(service_type: str) -> str:
    """nmap's label for a service type: "_axis-video._tcp.local." -> "axis-video"."""
    return service_type.split(".")[0].removeprefix("_")


def test_nmap_dns_service_discovery_lists_each_service_with_its_address_once(lab: Lab) -> None:
    devices = _announcing(lab)
    out = nmap_udp_script(lab, [d.ip for d, _ in devices], 5353, "dns-service-discovery")
    for device, profile in devices:
        section = nmap_host_section(out, device.ip)
        listed = re.findall(r"\|[_ ]\s+(\d+)/tcp (\S+)", section)
        want = [(str(s["port"]), _short(str(s["type"]))) for s in profile.data["mdns"]]
        assert sorted(listed) == sorted(want), device.ip
        # one A record a reply: one Address line a service
        assert section.count(f"Address={device.ip}") == len(want)


def test_zeroconf_resolves_every_service_on_the_device_s_own_host_name(lab: Lab) -> None:
    devices = _announcing(lab)
    types = sorted({str(s["type"]) for _, p in devices for s in p.data["mdns"]})
    found = python_client(lab, "mdns_client.py", "browse", "3", *types)
    by_name = {(f["type"], f["name"]): f for f in found}
    hosts = set()
    for device, profile in devices:
        values = device.values()
        host = render(str(profile.data["device"].get("hostname", "")), values)
        for svc in profile.data["mdns"]:
            name = f"{render(str(svc['name']), values)}.{svc['type']}"
            got = by_name[(str(svc["type"]), name)]
            assert got["addresses"] == [device.ip]
            assert got["port"] == svc["port"]
            assert got["txt"] == {k: render(str(v), values) for k, v in svc["txt"].items()}
            if host:  # a maker's own host name (Axis: axis-<mac>)
                assert got["server"] == f"{host}.local."
            hosts.add(got["server"])
    assert len(hosts) == len({d.ip for d, _ in devices})  # one host name a device


def test_a_legacy_unicast_answer_has_short_ttls_no_cache_flush_and_one_a_record(lab: Lab) -> None:
    for device, profile in _announcing(lab)[:4]:
        service_type = str(profile.data["mdns"][0]["type"])
        records = python_client(lab, "mdns_client.py", "legacy", device.ip, service_type)
        assert records
        assert {r["id"] for r in records} == {0x4242}  # RFC 6762 6.7: the query's id
        assert {tuple(r["questions"]) for r in records} == {(service_type,)}  # and question
        assert all(r["ttl"] <= 10 for r in records), records  # RFC 6762 6.7
        assert not any(r["unique"] for r in records)  # 10.2: no cache-flush bit
        assert [r["type"] for r in records].count(TYPE_A) == 1
        assert records[0]["type"] == TYPE_PTR
