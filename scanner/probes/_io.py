"""Every send of every probe passes here: the scope guard, the host budget, then
``ctx.transport``.  Probes never touch the transport themselves (a test reads their
source to hold them to it).

* A destination must be one of the scan's hosts; our interface's directed broadcast and
  the discovery multicast groups (``DISCOVERY_GROUPS``) only when the runner allowed
  link-local discovery (``ctx.link_local``: the interface's whole subnet is in scope).
  Anything else is a ScopeError before a byte is sent, and the scan fails on it.
* An SNMP walk goes only to one of ``ctx.snmp_agents`` (routers and switches the
  runner checked against the scope).
* Every datagram, TCP connection and ARP request counts against the scan's packet
  rate (``ctx.rate``, ``--max-rate``), across all subnets and probes.
* A TCP exchange holds a slot of the host's request budget (``HostBudget``) and has one
  total deadline; a datagram reply from an address that is not a scan host, or from
  ourselves (our own broadcast echoed), is dropped as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from ipaddress import IPv4Address
from typing import Final

from camcensus.base.errors import MalformedReplyError, ScopeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import dhip, sadp, ssdp, wsd
from camcensus.scanner.core import mdns as mdns_core
from camcensus.scanner.core.snmp_tables import SnmpCredential, Varbind
from camcensus.scanner.probes.context import ProbeContext
from camcensus.scanner.probes.transport import (
    MAX_REPLY_BYTES,
    Connect,
    Datagram,
    MdnsService,
    Reply,
    Send,
)

__all__ = [
    "DISCOVERY_GROUPS",
    "arp",
    "check_destination",
    "connect",
    "datagrams",
    "exchange",
    "greeting",
    "has_nmap",
    "mdns",
    "nmap",
    "parse_all",
    "snmp_walk",
]

DISCOVERY_GROUPS: Final = frozenset(
    {ssdp.MULTICAST_GROUP, wsd.MULTICAST_GROUP, sadp.GROUP, dhip.GROUP, mdns_core.GROUP}
)
"""The multicast groups discovery probes send to (SSDP, WS-Discovery, SADP, DHIP, mDNS)."""


def check_destination(ctx: ProbeContext, address: str) -> None:
    """ScopeError unless ``address`` may receive a probe in this scan."""
    if address in ctx.host_set:
        return
    if ctx.link_local and (address in DISCOVERY_GROUPS or address == str(ctx.interface.broadcast)):
        return
    try:
        what = "multicast group" if IPv4Address(address).is_multicast else "address"
    except ValueError:
        what = "destination"
    raise ScopeError(f"refusing to send to {what} {address}: not one of this scan's hosts")


async def datagrams(
    ctx: ProbeContext,
    sends: Sequence[Send],
    *,
    listen_s: float,
    bind_port: int = 0,
    join_group: str | None = None,
) -> list[Datagram]:
    """Send every ``(payload, (address, port))`` and return the in-scope replies heard for
    ``listen_s``.  OSError from the transport propagates (the runner records it)."""
    for _payload, (address, _port) in sends:
        check_destination(ctx, address)
    if join_group is not None:
        check_destination(ctx, join_group)
    ours = "" if ctx.interface.network.is_loopback else str(ctx.interface.ip)  # lo: a target

    def accept(source: str) -> bool:  # a scan host, and not our own broadcast echoed
        return ctx.in_scope(source) and source != ours

    return await ctx.transport.datagrams(
        sends,
        listen_s=listen_s,
        accept=accept,
        bind_port=bind_port,
        join_group=join_group,
        pace=ctx.rate.take,
    )


def parse_all(
    replies: Sequence[Datagram],
    parser: Callable[[bytes, str], list[Evidence]],
) -> list[Evidence]:
    """Run ``parser`` over every reply; a malformed reply is skipped (devices are hostile)."""
    found: list[Evidence] = []
    for data, source in replies:
        try:
            found.extend(parser(data, source))
        except MalformedReplyError:
            continue
    return found


async def exchange(
    ctx: ProbeContext,
    ip: str,
    port: int,
    requests: Sequence[bytes],
    *,
    tls: bool = False,
    body_until_close: bool = True,
    max_bytes: int = MAX_REPLY_BYTES,
    deadline_s: float | None = None,
) -> Reply:
    """Send ``requests`` one after another on one connection and read each reply.

    Raises OSError when the connection fails, RequestBudgetExceededError when the host's
    budget is spent and ScopeError for a host outside the scan; a deadline hit returns
    the partial replies (``timed_out``).
    """
    _check_host(ctx, ip)
    async with ctx.budget.slot(ip, len(requests)):
        await ctx.rate.take()
        return await ctx.transport.exchange(
            ip,
            port,
            requests,
            tls=tls,
            body_until_close=body_until_close,
            max_bytes=max_bytes,
            deadline_s=deadline_s if deadline_s is not None else ctx.timeout_s,
        )


async def greeting(ctx: ProbeContext, ip: str, port: int, *, max_bytes: int) -> bytes:
    """What one of the scan's hosts says on connect (one request of its budget)."""
    _check_host(ctx, ip)
    async with ctx.budget.slot(ip, 1):
        await ctx.rate.take()
        return await ctx.transport.greeting(
            ip, port, max_bytes=max_bytes, idle_s=min(1.0, ctx.timeout_s), deadline_s=ctx.timeout_s
        )


def _check_host(ctx: ProbeContext, ip: str) -> None:
    """ScopeError unless ``ip`` is one of the scan's hosts (a broadcast or group address
    takes no TCP, ARP or port scan)."""
    if ip not in ctx.host_set:
        raise ScopeError(f"refusing to contact {ip}: not one of this scan's hosts")


async def connect(ctx: ProbeContext, ip: str, port: int, *, timeout_s: float) -> Connect:
    """Whether one of the scan's hosts accepts, refuses or ignores a TCP connection."""
    _check_host(ctx, ip)
    await ctx.rate.take()
    return await ctx.transport.connect(ip, port, timeout_s=timeout_s)


async def arp(
    ctx: ProbeContext,
    hosts: Sequence[str],
    *,
    wait_s: float,
    retries: int = 0,
    retry_wait_s: float = 0.0,
) -> list[tuple[str, str]]:
    """``(address, MAC)`` of the scan's hosts that answer ARP; the hosts that do not
    answer are asked again up to ``retries`` times (every request at the scan's rate)."""
    for ip in hosts:
        _check_host(ctx, ip)
    return await ctx.transport.arp(
        hosts, wait_s=wait_s, retries=retries, retry_wait_s=retry_wait_s, pace=ctx.rate.take
    )


def neighbours(ctx: ProbeContext) -> list[tuple[str, str]]:
    """``(address, MAC)`` of the scan's hosts in the kernel's ARP cache (nothing sent;
    entries for addresses outside the scan's hosts are left out)."""
    return [(ip, mac) for ip, mac in ctx.transport.neighbours() if ip in ctx.host_set]


def has_nmap(ctx: ProbeContext) -> bool:
    """Whether nmap can run for this scan."""
    return ctx.transport.has_nmap()


async def nmap(
    ctx: ProbeContext, hosts: Sequence[str], ports: Sequence[int], *, arguments: str, timeout_s: int
) -> dict[str, set[int]]:
    """Open ports of the scan's hosts from one nmap run (CamcensusError when it fails)."""
    for ip in hosts:
        _check_host(ctx, ip)
    return await ctx.transport.nmap(hosts, ports, arguments=arguments, timeout_s=timeout_s)


async def mdns(
    ctx: ProbeContext,
    service_types: Sequence[str],
    *,
    browse_s: float,
    resolve_ms: int,
    max_instances: int,
) -> list[MdnsService]:
    """Every instance of ``service_types`` that answered (link-local multicast)."""
    check_destination(ctx, mdns_core.GROUP)
    return await ctx.transport.mdns(
        service_types, browse_s=browse_s, resolve_ms=resolve_ms, max_instances=max_instances
    )


async def snmp_walk(
    ctx: ProbeContext,
    agent: str,
    credential: SnmpCredential,
    columns: Sequence[str],
    *,
    timeout_s: float,
    max_rows: int,
) -> list[Varbind]:
    """Rows of ``columns`` from one of the scan's SNMP agents (ScopeError for any other)."""
    if agent not in ctx.snmp_agents:
        raise ScopeError(f"refusing to send SNMP to {agent}: not one of this scan's agents")
    return await ctx.transport.snmp_walk(
        agent, credential, columns, timeout_s=timeout_s, max_rows=max_rows
    )
