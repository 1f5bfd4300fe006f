"""Find live hosts: an ARP sweep when root, else a TCP-connect sweep.

ARP (root): the transport sends who-has requests for every target over the chosen
interface, at the scan's packet rate, on a raw socket whose kernel filter admits ARP
replies only (``NetworkTransport.arp``), then asks the targets that did not answer
again, ``RETRIES`` more rounds of ``RETRY_WAIT_S``.  It used scapy's ``srp``, whose
socket sees every frame on the interface: in the lab one device flooding SADP
multicast (issue 13) crowded it: of 23 other devices, up to 3 went unheard and up to 5
more kept only a reported MAC (re-keyed by address).

TCP connect (not root): a connection attempt to a few common ports of every target;
a host that accepts or refuses (RST) is alive.  The kernel resolved each such host on
our link with ARP before it could connect, so its ARP cache (``/proc/net/arp``, read
without root and without sending anything) then gives the MAC of every host that
answered: ``mac`` evidence of source ``kernel-arp``, link-layer like the sweep's own, so
a scan without root keys its devices by MAC as a root scan does.
"""

from __future__ import annotations

import asyncio
from typing import Final

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.mac import is_unicast_assigned, normalise_mac
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import ProbeContext

__all__ = ["CONNECT_PORTS", "KERNEL_SOURCE", "NAME", "connect_sweep", "run"]

NAME: Final[str] = "arp"
KERNEL_SOURCE: Final = "kernel-arp"
"""Source of the MACs read from the kernel's ARP cache after a connect sweep."""
REPLY_WAIT_S: Final = 1.0
RETRIES: Final = 2
"""Further rounds for the targets that did not answer (only those are asked again)."""
RETRY_WAIT_S: Final = 0.5
CONNECT_PORTS: Final = (80, 443, 554)
CONNECT_CONCURRENCY: Final = 256


def evidence_from_pairs(ctx: ProbeContext, pairs: list[tuple[str, str]]) -> list[Evidence]:
    """``ip`` and ``mac`` evidence for every in-scope (address, MAC) answer."""
    found: list[Evidence] = []
    for ip, mac in pairs:
        if not ctx.in_scope(ip):
            continue
        found.append(Evidence("ip", ip, NAME, ip))
        try:
            normal = normalise_mac(mac)
        except MalformedReplyError:
            continue
        if is_unicast_assigned(normal):
            found.append(Evidence("mac", normal, NAME, ip))
    return list(dict.fromkeys(found))


async def _alive(ctx: ProbeContext, ip: str, gate: asyncio.Semaphore) -> bool:
    for port in CONNECT_PORTS:
        async with gate:
            state = await _io.connect(ctx, ip, port, timeout_s=min(0.5, ctx.timeout_s))
        if state != "silent":  # accepted, or refused with a RST: someone is there
            return True
    return False


async def connect_sweep(ctx: ProbeContext) -> list[Evidence]:
    """``ip`` evidence for every host that answers a TCP connect on CONNECT_PORTS."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    ours = str(ctx.interface.ip)
    hosts = [str(h) for h in ctx.hosts if str(h) != ours]
    alive = await asyncio.gather(*(_alive(ctx, ip, gate) for ip in hosts))
    found = [ip for ip, ok in zip(hosts, alive, strict=True) if ok]
    evidence = [Evidence("ip", ip, NAME, ip) for ip in found]
    answered = set(found)
    for ip, mac in _io.neighbours(ctx):
        if ip not in answered:
            continue
        try:
            normal = normalise_mac(mac)
        except MalformedReplyError:
            continue
        if is_unicast_assigned(normal):
            evidence.append(Evidence("mac", normal, KERNEL_SOURCE, ip))
    return evidence


async def run(ctx: ProbeContext) -> list[Evidence]:
    """ARP sweep as root; otherwise warn and fall back to the TCP-connect sweep."""
    if not ctx.is_root:
        ctx.warn(
            "not root: ARP sweep skipped, using a TCP-connect sweep "
            "(MAC addresses from the kernel's ARP cache)"
        )
        return await connect_sweep(ctx)
    ours = str(ctx.interface.ip)
    hosts = [str(h) for h in ctx.hosts if str(h) != ours]
    pairs = await _io.arp(
        ctx,
        hosts,
        wait_s=min(REPLY_WAIT_S, ctx.timeout_s),
        retries=RETRIES,
        retry_wait_s=min(RETRY_WAIT_S, ctx.timeout_s),
    )
    return evidence_from_pairs(ctx, pairs)
