"""The unicast WS-Discovery follow-up against real lab devices (tests/probes/test_wsd.py
runs it over recorded replies)."""

from __future__ import annotations

import asyncio
import time
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

    async def probe_all() -> tuple[list[list[Evidence]], float]:
        start = time.monotonic()
        found = await asyncio.gather(*(wsd.run_host(ctx, HostInfo(ip=d.ip)) for d in devices))
        return found, time.monotonic() - start

    results, took_s = netns.call_in(lab.admin_ns, lambda: asyncio.run(probe_all()))
    for device, found in zip(devices, results, strict=True):
        onvif = profiles[device.profile_id].section("wsd") is not None
        keys = {e.key for e in found}
        if onvif:
            # a miss says whether the device answers a second Probe at all (a lab bug if
            # not) and how long the round took (this test once missed one reply in CI)
            assert "wsd.xaddrs" in keys, (
                device.profile_id,
                f"{took_s:.2f} s",
                _again(lab, device.ip),
            )
            assert {e.address for e in found} == {device.ip}
        else:
            assert found == [], device.profile_id
        assert ctx.budget.used(device.ip) == 2  # one Probe per device type, within budget


def _again(lab: Lab, ip: str) -> str:
    """One more unicast Probe of *ip*, for the message of a failed assertion."""
    ctx = _ctx([ip])
    start = time.monotonic()
    found = netns.call_in(lab.admin_ns, lambda: asyncio.run(wsd.run_host(ctx, HostInfo(ip=ip))))
    answered = "answered" if any(e.key == "wsd.xaddrs" for e in found) else "silent"
    return f"a second Probe: {answered} ({time.monotonic() - start:.2f} s)"
