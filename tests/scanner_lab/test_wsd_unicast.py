"""The unicast WS-Discovery follow-up against real lab devices (tests/probes/test_wsd.py
runs it over recorded replies)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Interface

import pytest

from camcensus.base.evidence import Evidence
from camcensus.lab import netns
from camcensus.lab.api import Lab
from camcensus.scanner.probes import wsd
from camcensus.scanner.probes.context import HostBudget, HostInfo, Interface, ProbeContext
from camcensus.scanner.probes.transport import NetworkTransport


def _ctx(ips: list[str]) -> ProbeContext:
    interface = Interface("ccadm0", IPv4Interface("198.18.0.1/23"))
    return ProbeContext(
        interface=interface,
        hosts=tuple(IPv4Address(ip) for ip in ips),
        transport=NetworkTransport(interface, is_root=False),
        budget=HostBudget(),
    )


@pytest.mark.lab
def test_unicast_probe_gets_the_match_of_an_onvif_device_only(
    make_lab: Callable[..., Lab],
) -> None:
    lab = make_lab("cctwsdu", devices=30, mix="default")
    profiles = lab.profiles()
    devices = lab.devices
    ctx = _ctx([d.ip for d in devices])

    async def probe_all() -> list[list[Evidence]]:
        return await asyncio.gather(*(wsd.run_host(ctx, HostInfo(ip=d.ip)) for d in devices))

    results = netns.call_in(lab.admin_ns, lambda: asyncio.run(probe_all()))
    for device, found in zip(devices, results, strict=True):
        onvif = profiles[device.profile_id].section("wsd") is not None
        keys = {e.key for e in found}
        if onvif:
            assert "wsd.xaddrs" in keys, device.profile_id
            assert {e.address for e in found} == {device.ip}
        else:
            assert found == [], device.profile_id
        assert ctx.budget.used(device.ip) == 2  # one Probe per device type, within budget
