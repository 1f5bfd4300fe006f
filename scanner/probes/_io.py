"""Every send of every probe passes here: the scope guard and the host budget, then
``ctx.transport``.

* A destination must be one of the scan's hosts, our interface's directed broadcast, or
  a discovery multicast group (``DISCOVERY_GROUPS``); anything else is a ScopeError
  before a byte is sent.  The runner has already checked that the interface's subnet
  lies in scope, which is what makes its broadcast and link-local multicast allowed.
* A TCP exchange holds a slot of the host's request budget (``HostBudget``) and has one
  total deadline; a reply from an address that is not a scan host, or from ourselves
  (our own broadcast echoed), is dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from ipaddress import IPv4Address
from typing import Final

from camcensus.base.errors import MalformedReplyError, ScopeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.probes.context import ProbeContext
from camcensus.scanner.probes.transport import MAX_REPLY_BYTES, Connect, Datagram, Reply, Send

__all__ = ["DISCOVERY_GROUPS", "check_destination", "connect", "datagrams", "exchange", "parse_all"]

DISCOVERY_GROUPS: Final = frozenset(
    {
        "239.255.255.250",  # SSDP 1900, WS-Discovery 3702, Hikvision SADP 37020
        "239.255.255.251",  # Dahua DHIP 37810
        "224.0.0.251",  # mDNS 5353
    }
)


def check_destination(ctx: ProbeContext, address: str) -> None:
    """ScopeError unless ``address`` may receive a probe in this scan."""
    if address in ctx.host_set or address in DISCOVERY_GROUPS:
        return
    if address == str(ctx.interface.broadcast):
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
    replies = await ctx.transport.datagrams(
        sends, listen_s=listen_s, bind_port=bind_port, join_group=join_group
    )
    ours = str(ctx.interface.ip)
    return [(data, source) for data, source in replies if ctx.in_scope(source) and source != ours]


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
    check_destination(ctx, ip)
    if ip not in ctx.host_set:  # a broadcast or group address takes no TCP
        raise ScopeError(f"refusing a TCP connection to {ip}: not one of this scan's hosts")
    async with ctx.budget.slot(ip, len(requests)):
        return await ctx.transport.exchange(
            ip,
            port,
            requests,
            tls=tls,
            body_until_close=body_until_close,
            max_bytes=max_bytes,
            deadline_s=deadline_s if deadline_s is not None else ctx.timeout_s,
        )


async def connect(ctx: ProbeContext, ip: str, port: int, *, timeout_s: float) -> Connect:
    """Whether one of the scan's hosts accepts, refuses or ignores a TCP connection."""
    if ip not in ctx.host_set:
        raise ScopeError(f"refusing a TCP connection to {ip}: not one of this scan's hosts")
    return await ctx.transport.connect(ip, port, timeout_s=timeout_s)
