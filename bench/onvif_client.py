"""ONVIF client cost: onvif-zeep-async against camcensus' own ONVIF probe, same devices.

Run inside a lab's admin namespace (the lab must be up):

    camcensus lab up --devices 100
    ip netns exec cclab-admin .venv/bin/python bench/onvif_client.py [--state STATE_JSON]

For every ONVIF device of the lab that answers without credentials, both clients ask
GetSystemDateAndTime and GetDeviceInformation, all devices concurrently (as a scan
does).  Records wall time and CPU time of each client into bench/results/onvif_client.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from _peer import write_peer_result

RESULTS = Path(__file__).parent / "results" / "onvif_client.json"


async def with_zeep(ips: list[str]) -> int:
    from onvif import ONVIFCamera
    from zeep.exceptions import Fault

    async def one(ip: str) -> bool:
        # The library always sends a UsernameToken; these devices ignore it.
        cam = ONVIFCamera(ip, 80, "", "", adjust_time=False)
        try:
            await cam.update_xaddrs()
            mgmt = await cam.create_devicemgmt_service()
            await mgmt.GetSystemDateAndTime()
            info = await mgmt.GetDeviceInformation()
            return bool(info.Model)
        except (TimeoutError, Fault, OSError):
            return False
        finally:
            await cam.close()

    return sum(await asyncio.gather(*(one(ip) for ip in ips)))


async def with_camcensus(ips: list[str]) -> int:
    from ipaddress import IPv4Address, IPv4Interface

    from camcensus.scanner.probes import onvif
    from camcensus.scanner.probes.context import HostBudget, HostInfo, Interface, ProbeContext
    from camcensus.scanner.probes.transport import NetworkTransport

    interface = Interface("ccadm0", IPv4Interface("198.18.0.1/23"))
    ctx = ProbeContext(
        interface=interface,
        hosts=tuple(IPv4Address(ip) for ip in ips),
        transport=NetworkTransport(interface, is_root=False),
        budget=HostBudget(),
    )
    hosts = [HostInfo(ip=ip, ports=(80,)) for ip in ips]
    results = await asyncio.gather(*(onvif.run_host(ctx, host) for host in hosts))
    return sum(any(e.key == "onvif.model" for e in ev) for ev in results)


def measure(
    label: str, coro_factory: Callable[[list[str]], Awaitable[int]], ips: list[str]
) -> dict[str, Any]:
    cpu, wall = time.process_time(), time.monotonic()

    async def run() -> int:
        return await coro_factory(ips)

    answered = asyncio.run(run())
    return {
        "client": label,
        "devices": len(ips),
        "answered": answered,
        "wall_s": round(time.monotonic() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default="/run/camcensus-lab/cclab/state.json")
    args = parser.parse_args()
    import tomllib

    state = json.loads(Path(args.state).read_text())
    ips = []
    for device in state["devices"]:
        profile = tomllib.loads(Path(device["profile_path"]).read_text())
        onvif = profile.get("onvif")
        if onvif and not onvif.get("username") and "hostile" not in profile:
            ips.append(device["ip"])
    rows = [measure("camcensus", with_camcensus, ips), measure("onvif-zeep-async", with_zeep, ips)]
    write_peer_result(RESULTS, "onvif_client", rows, "zeep")
    return 0


if __name__ == "__main__":
    sys.exit(main())
