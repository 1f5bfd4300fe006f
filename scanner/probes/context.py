"""What every probe receives: the interface, the targets, the transport, the limits and
the clock.

Probes never choose targets or interfaces themselves (the runner resolves them), never
open sockets (the transport does) and never read the environment: everything they may
use arrives in ``ProbeContext``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import TYPE_CHECKING, Final, Protocol

from camcensus.base.errors import RequestBudgetExceededError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.recorder import RecorderCredentials

if TYPE_CHECKING:
    from camcensus.scanner.probes.transport import Transport

__all__ = [
    "Credentials",
    "DiscoveryProbe",
    "HostBudget",
    "HostInfo",
    "HostProbe",
    "Interface",
    "PacketRate",
    "ProbeContext",
    "utc_now",
]


def utc_now() -> datetime:
    """The wall clock, timezone-aware (the default ``ProbeContext.clock``)."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Interface:
    """The local interface a scan runs on: its name and IPv4 address with prefix."""

    name: str
    address: IPv4Interface

    @property
    def ip(self) -> IPv4Address:
        """Our own address on this interface."""
        return self.address.ip

    @property
    def network(self) -> IPv4Network:
        """The interface's connected subnet."""
        return self.address.network

    @property
    def broadcast(self) -> IPv4Address:
        """The subnet's directed-broadcast address (NetIP discovery is sent here)."""
        return self.address.network.broadcast_address


@dataclass(frozen=True, slots=True)
class Credentials:
    """ONVIF credentials supplied by the operator; ``repr`` never shows the password."""

    username: str
    password: str = field(repr=False)


class PacketRate:
    """At most ``max_pps`` probe packets a second across a whole scan, every subnet and
    probe together (None: no cap), after an initial burst of ``BURST_PACKETS``.

    ``scanner.probes._io`` takes one packet before each datagram it sends, each TCP
    connection it opens (its SYN) and each ARP request; nmap gets ``--max-rate``.
    ``take`` waits until the packets may go; the waits are scheduled in order, so
    concurrent probes share the rate rather than each getting it.
    """

    BURST_PACKETS: Final = 32

    def __init__(
        self,
        max_pps: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if max_pps is not None and max_pps <= 0:
            raise ValueError("a packet rate must be above 0")
        self.max_pps = max_pps
        self._clock = clock
        self._sleep = sleep
        self._next_s: float | None = None

    @property
    def interval_s(self) -> float:
        """Seconds between two packets at the cap (0 without one)."""
        return 1.0 / self.max_pps if self.max_pps else 0.0

    async def take(self, packets: int = 1) -> None:
        """Wait until ``packets`` more may be sent."""
        if self.max_pps is None:
            return
        now = self._clock()
        earliest = now - (self.BURST_PACKETS - 1) * self.interval_s  # idle time earns a burst
        start = max(self._next_s if self._next_s is not None else earliest, earliest)
        self._next_s = start + packets * self.interval_s
        delay_s = start - now
        if delay_s > 0:
            await self._sleep(delay_s)


class HostBudget:
    """Per-host limits: at most ``max_connections`` at once and ``max_requests`` per scan.

    ``scanner.probes._io`` holds ``async with budget.slot(ip, n):`` around every TCP
    exchange (and the WS-Discovery follow-up holds one for its unicast Probes); the slot
    raises RequestBudgetExceededError, before connecting, once the host's budget is
    spent, so no device receives more than ``max_requests`` requests.  Multicast and
    broadcast discovery, sent once to the whole segment, take no host's budget.
    """

    def __init__(self, max_connections: int = 2, max_requests: int = 20) -> None:
        if max_connections < 1 or max_requests < 1:
            raise ValueError("budgets must be >= 1")
        self.max_connections = max_connections
        self.max_requests = max_requests
        self._semaphores: dict[str, asyncio.Semaphore] = {}
        self._used: dict[str, int] = {}

    def used(self, ip: str) -> int:
        """Requests spent on ``ip`` so far."""
        return self._used.get(ip, 0)

    def slot(self, ip: str, requests: int = 1) -> _Slot:
        """An async context manager holding one connection slot of ``ip`` for ``requests``."""
        return _Slot(self, ip, requests)

    def _semaphore(self, ip: str) -> asyncio.Semaphore:
        sem = self._semaphores.get(ip)
        if sem is None:
            sem = self._semaphores[ip] = asyncio.Semaphore(self.max_connections)
        return sem


class _Slot:
    def __init__(self, budget: HostBudget, ip: str, requests: int) -> None:
        self._budget = budget
        self._ip = ip
        self._requests = requests

    async def __aenter__(self) -> None:
        budget = self._budget
        await budget._semaphore(self._ip).acquire()
        if budget.used(self._ip) + self._requests > budget.max_requests:
            budget._semaphore(self._ip).release()
            raise RequestBudgetExceededError(
                f"{self._ip}: request budget of {budget.max_requests} spent"
            )
        budget._used[self._ip] = budget.used(self._ip) + self._requests

    async def __aexit__(self, *exc_info: object) -> None:
        self._budget._semaphore(self._ip).release()


@dataclass(frozen=True, slots=True)
class HostInfo:
    """What discovery and the port sweep learnt about one live host (input of host probes)."""

    ip: str
    ports: tuple[int, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def values(self, key: str) -> list[str]:
        """Every value seen for evidence ``key``."""
        return [e.value for e in self.evidence if e.key == key]


@dataclass(frozen=True, slots=True)
class ProbeContext:
    """Everything a probe may use. ``hosts`` are the addresses it may contact by unicast;
    ``transport`` is the network it reaches them through (``scanner.probes.transport``,
    only ever through ``scanner.probes._io``).  ``link_local`` allows multicast and the
    interface's broadcast: the runner sets it only when the interface's whole subnet is
    in scope, since those reach all of it.  ``snmp_agents`` are the routers and switches
    an SNMP walk may read: the runner admits only addresses inside the scope and
    reached through the scan's interface."""

    interface: Interface
    hosts: tuple[IPv4Address, ...]
    transport: Transport
    timeout_s: float = 2.0
    budget: HostBudget = field(default_factory=HostBudget)
    credentials: Credentials | None = None
    clock: Callable[[], datetime] = utc_now
    is_root: bool = False
    use_nmap: bool = True
    link_local: bool = False
    warn: Callable[[str], None] = lambda _message: None
    snmp_agents: frozenset[str] = frozenset()
    rate: PacketRate = field(default_factory=PacketRate)
    recorder_credentials: RecorderCredentials | None = field(default=None, repr=False)
    host_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "host_set", frozenset(str(h) for h in self.hosts))

    def in_scope(self, address: str) -> bool:
        """True when ``address`` is one of this scan's hosts (replies from others are dropped)."""
        return address in self.host_set


class DiscoveryProbe(Protocol):
    """A probe module that discovers devices across the whole target set."""

    @property
    def NAME(self) -> str: ...

    async def run(self, ctx: ProbeContext) -> list[Evidence]: ...


class HostProbe(Protocol):
    """A probe module that talks to one live host at a time."""

    @property
    def NAME(self) -> str: ...

    async def run_host(self, ctx: ProbeContext, host: HostInfo) -> list[Evidence]: ...
