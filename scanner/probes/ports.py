"""TCP port sweep of the live hosts: one nmap run for all of them (python-nmap).

SYN scan as root, connect scan otherwise; ``-n -Pn`` because the hosts are known to
be live, ``-T4 --max-retries 1 --min-rate`` for speed, and the interface named with
``-e``. Without nmap (or with ``use_nmap`` off) an asyncio connect scan does the job.

Routed addresses are not known to be live (they answer no ARP; most of a routed /20
is empty), so they are swept in two stages: first only ``DISCOVERY_PORTS`` (the ports
nearly every camera and recorder opens), then every camera port of the addresses that
answered on any of them (a SYN-ACK, or a RST from a closed port: someone is there).  An
empty address costs 7 probes (twice, with nmap's one retry) instead of 21, and a live
one is never asked a port twice: the routed benchmark's full sweep of a /20 sent 1.45
times nmap's packets in one stage.

The runner gives the whole sweep ``sweep_deadline_s(timeout_s)``; nmap runs in a worker
thread that a cancelled await cannot stop, so nmap's own timeout (python-nmap kills the
process) is set NMAP_MARGIN_S shorter and fires first. nmap's failures
(``PortScannerError``, ``PortScannerTimeout``) become CamcensusError in the transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from ipaddress import IPv4Address
from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import ProbeContext

__all__ = [
    "CAMERA_PORTS",
    "DISCOVERY_PORTS",
    "NAME",
    "NMAP_MARGIN_S",
    "OTHER_PORTS",
    "nmap_arguments",
    "nmap_timeout_s",
    "port_evidence",
    "run",
    "sweep_deadline_s",
]

NAME: Final[str] = "ports"
CAMERA_PORTS: Final = (
    21, 22, 23, 80, 81, 88, 443, 554, 631, 1900, 5000, 8000, 8080, 8081, 8443, 8554,
    8888, 9000, 9100, 34567, 37777,
)  # fmt: skip
DISCOVERY_PORTS: Final = (80, 443, 554, 8000, 8080, 34567, 37777)
"""The first stage of a routed sweep: web, RTSP and the Hikvision, Xiongmai and Dahua
SDK ports."""
OTHER_PORTS: Final = tuple(p for p in CAMERA_PORTS if p not in DISCOVERY_PORTS)
"""The second stage of a routed sweep, for the addresses that answered the first."""
DISCOVERY_RETRIES: Final = 2
"""nmap's retransmissions in the first stage, where one lost answer loses the host (the
second stage and on-link hosts keep 1: the host is known to be there)."""
CONNECT_CONCURRENCY: Final = 512
NMAP_MARGIN_S: Final = 5
"""Seconds nmap's own timeout leaves before the runner's sweep deadline."""


SWEEP_PROBES_PER_S: Final = 500
"""A pace every sweep keeps or beats: nmap measured about 1,300 SYNs a second over a
routed /22 of the lab (most addresses silent) with ``--min-hostgroup``; the deadline
allows for this much slower, so it only stops a sweep that hangs."""
MAX_HOSTGROUP: Final = 1024
MIN_RATE_PPS: Final = 2000
"""nmap's ``--min-rate`` (lowered to the scan's ``--max-rate`` when that is lower)."""


def sweep_deadline_s(timeout_s: float, hosts: int = 0) -> float:
    """The deadline the runner gives the whole port sweep (``scanner.runner._scan_body``):
    at least 30 s, longer for many hosts (a routed sweep probes every address)."""
    return max(30.0, timeout_s * 15, hosts * len(CAMERA_PORTS) / SWEEP_PROBES_PER_S)


def nmap_timeout_s(timeout_s: float, hosts: int = 0) -> int:
    """nmap's own timeout: whole seconds, NMAP_MARGIN_S before the sweep deadline."""
    return max(1, int(sweep_deadline_s(timeout_s, hosts)) - NMAP_MARGIN_S)


def nmap_arguments(ctx: ProbeContext, retries: int = 1) -> str:
    """The nmap options for this context (no host or port list): one host group for all
    hosts (up to MAX_HOSTGROUP), which halved a routed /22 sweep (32 s to 17 s) where
    most addresses never answer; ``retries`` retransmissions of an unanswered probe."""
    kind = "-sS" if ctx.is_root else "-sT"
    group = min(max(len(ctx.hosts), 1), MAX_HOSTGROUP)
    cap = ctx.rate.max_pps
    rate = f"--min-rate {min(MIN_RATE_PPS, int(cap)) if cap else MIN_RATE_PPS}"
    if cap:
        rate += f" --max-rate {max(int(cap), 1)}"
    return (
        f"{kind} -n -Pn -T4 --max-retries {retries} {rate} --min-hostgroup {group} "
        f"-e {ctx.interface.name}"
    )


def _order(ip: str) -> int:
    return int(IPv4Address(ip))


def port_evidence(open_ports: Mapping[str, set[int]]) -> list[Evidence]:
    """One ``tcp.ports`` evidence (sorted, comma separated) per host with open ports."""
    return [
        Evidence("tcp.ports", ",".join(str(p) for p in sorted(ports)), NAME, ip)
        for ip, ports in sorted(open_ports.items())
        if ports
    ]


async def _connect(
    ctx: ProbeContext, hosts: list[str], port_list: tuple[int, ...]
) -> dict[str, set[int]]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    found: dict[str, set[int]] = {}

    async def attempt(ip: str, port: int) -> None:
        async with gate:
            state = await _io.connect(ctx, ip, port, timeout_s=min(1.0, ctx.timeout_s))
        if state != "silent":
            found.setdefault(ip, set())
        if state == "open":
            found[ip].add(port)

    await asyncio.gather(*(attempt(ip, p) for ip in hosts for p in port_list))
    return found


async def _sweep(
    ctx: ProbeContext, hosts: list[str], port_list: tuple[int, ...], nmap: bool, retries: int = 1
) -> dict[str, set[int]]:
    """Open ports of each host of ``hosts`` that answered on any of ``port_list``."""
    if not hosts:
        return {}
    if nmap:
        return await _io.nmap(
            ctx,
            hosts,
            port_list,
            arguments=nmap_arguments(ctx, retries),
            timeout_s=nmap_timeout_s(ctx.timeout_s, len(hosts)),
        )
    return await _connect(ctx, hosts, port_list)


async def run(ctx: ProbeContext) -> list[Evidence]:
    """``tcp.ports`` for each of ``ctx.hosts`` (the live hosts) with an open camera port."""
    ours = "" if ctx.interface.network.is_loopback else str(ctx.interface.ip)  # lo: a target
    hosts = [str(h) for h in ctx.hosts if str(h) != ours]
    if not hosts:
        return []
    nmap = ctx.use_nmap and _io.has_nmap(ctx)
    if ctx.use_nmap and not nmap:
        ctx.warn("nmap not found: using an asyncio connect scan")
    network = ctx.interface.network
    routed = [ip for ip in hosts if IPv4Address(ip) not in network]
    on_link = [ip for ip in hosts if IPv4Address(ip) in network]
    answered = await _sweep(ctx, routed, DISCOVERY_PORTS, nmap, DISCOVERY_RETRIES)
    open_ports = await _sweep(ctx, on_link, CAMERA_PORTS, nmap)
    rest = await _sweep(ctx, sorted(answered, key=_order), OTHER_PORTS, nmap)
    for stage in (answered, rest):
        for ip, found in stage.items():
            open_ports.setdefault(ip, set()).update(found)
    return port_evidence({ip: p for ip, p in open_ports.items() if ctx.in_scope(ip)})
