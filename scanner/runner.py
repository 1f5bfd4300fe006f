"""Run one scan: scope check, interface choice, discovery, port sweep, host probes, merge,
inventory.

Order of a scan (``run_scan``):

1. Targets are parsed and checked against the scope (ScopeError before any packet),
   and the one site they lie in is found (the scope file's, else ``ScanConfig.site``).
2. The interface is the one whose connected subnet holds every target; its whole
   subnet must be in scope too, because multicast and broadcast reach all of it.
3. The scan is recorded as running (operator, host, scope, targets, site, options
   without secrets).
4. Discovery probes run concurrently, each under its own deadline. An expected failure
   (timeout, OSError, CamcensusError) becomes that probe's outcome and a warning; a bug
   propagates and fails the scan.
5. One port sweep over the live hosts, then the host probes, at most
   ``host_concurrency`` hosts at once and each host within its request budget.
6. Each host is merged, identified and recorded as soon as its probes are done; an
   address whose MAC another address already has joins that device, which is
   recorded again with the evidence of both (``scanner.core.merge.Merger``).
7. The scan finishes ``complete``; on cancel or Ctrl-C it finishes ``incomplete``, on
   a bug ``failed``, and the exception propagates.
"""

from __future__ import annotations

import asyncio
import getpass
import ipaddress
import os
import platform
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from ipaddress import IPv4Address
from typing import Final, Literal, Protocol

from camcensus.base.errors import CamcensusError, ScopeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import recorder as recorder_core
from camcensus.scanner.core.merge import Merger
from camcensus.scanner.core.recorder import RecorderCredentials
from camcensus.scanner.core.schema import (
    Coverage,
    Device,
    RecorderCoverage,
    ScanStatus,
    SnmpCoverage,
)
from camcensus.scanner.core.scope import (
    Scope,
    Target,
    check_site_name,
    check_targets,
    expand_hosts,
    parse_target,
    parse_targets,
)
from camcensus.scanner.core.snmp_tables import Route, SnmpCredentials, parse_proc_net_route
from camcensus.scanner.probes import (
    DISCOVERY,
    FOLLOW_UP,
    HOST_PROBES,
    RECORDER,
    ROUTED_DISCOVERY,
    SWEEP,
    ports,
    unicast,
)
from camcensus.scanner.probes import recorder as recorder_probe
from camcensus.scanner.probes import snmp as snmp_probe
from camcensus.scanner.probes.context import (
    Credentials,
    DiscoveryProbe,
    HostBudget,
    HostInfo,
    HostProbe,
    Interface,
    PacketRate,
    ProbeContext,
    utc_now,
)
from camcensus.scanner.probes.transport import NetworkTransport, Transport
from camcensus.scanner.store import Inventory
from camcensus.vendor_db.policy import Policy

__all__ = [
    "DEFAULT_MAX_RATE_PPS",
    "DISCOVERY_GRACE_S",
    "HOST_DEADLINE_FACTOR",
    "Coverage",
    "NullProgress",
    "ProbeOutcome",
    "Progress",
    "ScanConfig",
    "ScanResult",
    "SnmpCoverage",
    "choose_interface",
    "choose_snmp_agents",
    "list_interfaces",
    "plan_targets",
    "read_routes",
    "route_source",
    "run_scan",
    "scan_site",
]

DISCOVERY_GRACE_S: Final = 3.0
"""Extra time a discovery probe gets over ``timeout_s`` (mDNS browses, then resolves)."""
HOST_DEADLINE_FACTOR: Final = 4
"""Each stage of a host's probes has ``HOST_DEADLINE_FACTOR * timeout_s``."""
EXPECTED_ERRORS: Final = (TimeoutError, OSError, CamcensusError)
DEFAULT_MAX_RATE_PPS: Final = 3000.0
"""The scan's packet rate cap (``--max-rate``): datagrams, TCP connections and ARP
requests of every probe and subnet together; nmap's sweep gets it as ``--max-rate``."""


def list_interfaces() -> list[Interface]:
    """Every IPv4 address of every local interface (via ifaddr)."""
    import ifaddr

    found: list[Interface] = []
    for adapter in ifaddr.get_adapters():
        for address in adapter.ips:
            if isinstance(address.ip, str):
                iface = ipaddress.IPv4Interface(f"{address.ip}/{address.network_prefix}")
                found.append(Interface(str(adapter.name), iface))
    return found


def route_source(address: str) -> str | None:
    """The local address the kernel would send from to reach ``address`` (a route
    lookup: connecting a UDP socket sends nothing), or None when there is no route."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect((address, 9))
        except OSError:
            return None
        source: str = probe.getsockname()[0]
        return source


def read_routes() -> list[Route]:
    """The kernel's IPv4 routes of this network namespace (``/proc/net/route``); empty
    where there is no such file."""
    try:
        with open("/proc/net/route", encoding="ascii") as table:
            text = table.read(1 << 20)
    except (OSError, UnicodeDecodeError):
        return []
    try:
        return parse_proc_net_route(text)
    except CamcensusError:
        return []


@dataclass(frozen=True, slots=True)
class TargetPlan:
    """Which targets the chosen interface reaches on its own link (every discovery
    method) and which through a router (unicast only: no ARP, no multicast)."""

    interface: Interface
    on_link: tuple[Target, ...]
    routed: tuple[Target, ...]

    @property
    def link_local(self) -> bool:
        """Multicast and broadcast discovery may run: some target is on the link (and
        ``plan_targets`` checked the interface's whole subnet is in scope)."""
        return bool(self.on_link)


def _named(interfaces: Sequence[Interface], wanted: str | None) -> list[Interface]:
    """The interfaces called ``wanted`` (all when None); ScopeError when there is none."""
    candidates = [i for i in interfaces if wanted is None or i.name == wanted]
    if wanted is not None and not candidates:
        raise ScopeError(f"no interface named {wanted!r} with an IPv4 address")
    return candidates


def plan_targets(
    targets: Sequence[Target],
    scope: Scope,
    interfaces: Sequence[Interface],
    wanted: str | None = None,
    *,
    allow_public: bool = False,
    allow_large: bool = False,
    route: Callable[[str], str | None] = route_source,
) -> TargetPlan:
    """Split the targets into on-link and routed ones, with the interface for both.

    The targets inside one interface's connected subnet are on-link
    (``choose_interface`` picks that interface and checks its subnet is in scope);
    the others are routed, and must be reachable from the same interface (the route
    lookup gives its address). ScopeError when a target has no route, or needs
    another interface than the on-link ones.
    """
    candidates = _named(interfaces, wanted)

    def on(iface: Interface, target: Target) -> bool:
        return target.first in iface.network and target.last in iface.network

    loopback = [i for i in candidates if i.network.is_loopback]
    if targets and loopback and all(on(loopback[0], t) for t in targets):
        # nothing on loopback answers ARP, multicast or broadcast: every address gets
        # the unicast probes of a routed one, so 127.0.0.1 needs no scope of all 127/8
        return TargetPlan(loopback[0], (), tuple(targets))
    local = [t for t in targets if any(on(i, t) for i in candidates)]
    if local:
        iface = choose_interface(
            local, scope, candidates, wanted, allow_public=allow_public, allow_large=allow_large
        )
    else:
        source = route(str(targets[0].first)) if targets else None
        found = [i for i in candidates if source is not None and str(i.ip) == source]
        if not found:
            raise ScopeError(
                f"no route from a local interface to {targets[0].spec}" if targets else "no targets"
            )
        iface = found[0]
    on_link = tuple(t for t in targets if on(iface, t))
    routed = tuple(t for t in targets if not on(iface, t))
    for target in routed:
        for address in (target.first, target.last):
            if route(str(address)) != str(iface.ip):
                raise ScopeError(
                    f"target {target.spec} is not reached through {iface.name} "
                    f"({iface.ip}): scan it in a run of its own"
                )
    return TargetPlan(iface, on_link, routed)


def choose_snmp_agents(
    named: Sequence[str],
    routes: Sequence[Route],
    iface: Interface,
    scope: Scope,
    route: Callable[[str], str | None] = route_source,
    *,
    use_gateways: bool = True,
    allow_public: bool = False,
) -> tuple[tuple[str, ...], list[str]]:
    """The SNMP agents a scan may read, and a warning for each gateway left out.

    ``named`` agents (the scope file's ``snmp-agent`` lines) must lie inside the scope
    (ScopeError otherwise); with ``use_gateways``, the gateways of the kernel's routes
    through ``iface`` are added when they are in scope (else a warning).  An agent must
    be on ``iface``'s subnet or reached through it.
    """
    agents: dict[str, None] = {}
    notes: list[str] = []
    for text in named:
        target = parse_target(text)
        if target.num_addresses != 1:
            raise ScopeError(f"an SNMP agent is one address, not {text}")
        check_targets([target], scope, allow_public=allow_public)
        agents[str(target.first)] = None
    if use_gateways:
        for gateway in dict.fromkeys(
            str(r.gateway) for r in routes if r.gateway is not None and r.interface == iface.name
        ):
            if gateway in agents:
                continue
            try:
                check_targets([parse_target(gateway)], scope, allow_public=allow_public)
            except ScopeError as exc:
                notes.append(f"gateway {gateway} not read over SNMP: {exc}")
                continue
            agents[gateway] = None
    chosen: list[str] = []
    for agent in agents:
        if IPv4Address(agent) not in iface.network and route(agent) != str(iface.ip):
            notes.append(
                f"SNMP agent {agent} not read: it is not reached through {iface.name} ({iface.ip})"
            )
            continue
        chosen.append(agent)
    return tuple(chosen), notes


def _network_target(iface: Interface) -> Target:
    net = iface.network
    return Target(str(net), net.network_address, net.broadcast_address, net)


def choose_interface(
    targets: Sequence[Target],
    scope: Scope,
    interfaces: Sequence[Interface],
    wanted: str | None = None,
    *,
    allow_public: bool = False,
    allow_large: bool = False,
) -> Interface:
    """The interface whose connected subnet holds every target (``wanted`` picks by name).

    Raises ScopeError when no such interface exists, or when the chosen interface's
    subnet is not wholly inside ``scope`` (discovery multicast/broadcast reaches it all).
    """
    candidates = _named(interfaces, wanted)
    fitting = [
        i for i in candidates if all(t.first in i.network and t.last in i.network for t in targets)
    ]
    if not fitting:
        specs = ", ".join(t.spec for t in targets)
        raise ScopeError(
            f"no local interface has a connected subnet containing all of {specs}; "
            "scan the subnets of each interface in a run of their own"
        )
    iface = min(fitting, key=lambda i: i.network.num_addresses)
    try:
        check_targets(
            [_network_target(iface)], scope, allow_public=allow_public, allow_large=allow_large
        )
    except ScopeError as exc:
        raise ScopeError(
            f"interface {iface.name} is on {iface.network}, which is not entirely in the "
            f"{scope.name}: discovery multicast and broadcast would reach out of scope ({exc})"
        ) from exc
    return iface


@dataclass(frozen=True, slots=True)
class ProbeOutcome:
    """How one probe went: evidence and hosts it produced, time taken, failures."""

    name: str
    ok: bool
    evidence_count: int
    host_count: int
    duration_s: float
    error: str | None = None
    failures: int = 0


class Progress(Protocol):
    """Live progress of a scan (a CLI display, the TUI, or nothing)."""

    def probe_started(self, name: str) -> None: ...

    def probe_finished(self, outcome: ProbeOutcome) -> None: ...

    def hosts_found(self, count: int) -> None: ...

    def device_recorded(self, device: Device) -> None:
        """``device`` was written to the inventory; a device seen on a second address
        is reported again, merged, under the same key."""
        ...

    def warning(self, message: str) -> None: ...


class NullProgress:
    """Progress that shows nothing."""

    def probe_started(self, name: str) -> None:
        return

    def probe_finished(self, outcome: ProbeOutcome) -> None:
        return

    def hosts_found(self, count: int) -> None:
        return

    def device_recorded(self, device: Device) -> None:
        return

    def warning(self, message: str) -> None:
        return


def _is_root() -> bool:
    return os.geteuid() == 0


def _network_transport(interface: Interface, is_root: bool) -> Transport:
    return NetworkTransport(interface, is_root=is_root)


RoutedSweep = Literal["all", "snmp"]
"""How routed targets are swept: ``all`` their addresses, or (``snmp``) only the ones a
router's ARP cache lists, for targets inside a subnet that router is connected to."""


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """Everything a scan needs; probes, interface listing and the transport under the
    probes (``transport(interface, is_root)``) are injectable for tests."""

    targets: tuple[str, ...]
    scope: Scope
    allow_public: bool = False
    allow_large: bool = False
    interface: str | None = None
    timeout_s: float = 2.0
    credentials: Credentials | None = field(default=None, repr=False)
    use_nmap: bool = True
    policy: Policy | None = None
    max_connections_per_host: int = 2
    max_requests_per_host: int = 26
    host_concurrency: int = 128
    discovery: tuple[DiscoveryProbe, ...] = DISCOVERY
    routed_discovery: tuple[DiscoveryProbe, ...] = ROUTED_DISCOVERY
    sweep: DiscoveryProbe | None = SWEEP
    follow_up_probes: tuple[HostProbe, ...] = FOLLOW_UP
    host_probes: tuple[HostProbe, ...] = HOST_PROBES
    recorder_probe: HostProbe | None = RECORDER
    recorder_credentials: RecorderCredentials | None = field(default=None, repr=False)
    interfaces: Callable[[], Sequence[Interface]] = list_interfaces
    route: Callable[[str], str | None] = route_source
    is_root: Callable[[], bool] = _is_root
    transport: Callable[[Interface, bool], Transport] = _network_transport
    clock: Callable[[], datetime] = utc_now
    operator: str | None = None
    host: str | None = None
    snmp_credentials: SnmpCredentials | None = field(default=None, repr=False)
    snmp_agents: tuple[str, ...] = ()
    snmp_gateways: bool = True
    routed_sweep: RoutedSweep = "all"
    routes: Callable[[], Sequence[Route]] = read_routes
    max_rate_pps: float | None = DEFAULT_MAX_RATE_PPS
    site: str | None = None
    """The site of targets the scope file names no site for (``scan --site``)."""

    def options(self) -> dict[str, object]:
        """Scan options for the audit record: never the credentials themselves."""
        return {
            "interface": self.interface,
            "timeout_s": self.timeout_s,
            "allow_public": self.allow_public,
            "allow_large": self.allow_large,
            "use_nmap": self.use_nmap,
            "onvif_login_configured": self.credentials is not None,
            "max_connections_per_host": self.max_connections_per_host,
            "max_requests_per_host": self.max_requests_per_host,
            "snmp_configured": self.snmp_credentials is not None,
            "recorder_login_configured": self.recorder_credentials is not None,
            "snmp_agents": list(self.snmp_agents),
            "snmp_gateways": self.snmp_gateways,
            "routed_sweep": self.routed_sweep,
            "max_rate_pps": self.max_rate_pps,
            **(self.policy or Policy.default()).record(),  # name and sha256 of its text
            "probes": [p.NAME for p in self.discovery]
            + [p.NAME for p in self.routed_discovery]
            + ([self.sweep.NAME] if self.sweep else [])
            + [p.NAME for p in self.follow_up_probes + self.host_probes]
            + ([self.recorder_probe.NAME] if self.recorder_probe else []),
        }


@dataclass(slots=True)
class ScanResult:
    """What a scan did: its inventory id, how it ended, devices, per-probe outcomes."""

    scan_id: int
    status: ScanStatus
    interface: Interface
    outcomes: list[ProbeOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    by_key: dict[str, Device] = field(default_factory=dict)
    coverage: list[Coverage] = field(default_factory=list)
    snmp: list[SnmpCoverage] = field(default_factory=list)
    site: str | None = None
    recorders: list[RecorderCoverage] = field(default_factory=list)

    @property
    def devices(self) -> list[Device]:
        """Every device the scan recorded, one per device key, by address."""
        return sorted(self.by_key.values(), key=lambda d: int(IPv4Address(d.ip)))


async def _run_discovery(
    probe: DiscoveryProbe, ctx: ProbeContext, deadline_s: float, progress: Progress
) -> tuple[ProbeOutcome, list[Evidence]]:
    progress.probe_started(probe.NAME)
    started = time.monotonic()
    try:
        async with asyncio.timeout(deadline_s):
            found = await probe.run(ctx)
    except ScopeError:
        raise  # a probe tried to leave the scope: a bug, never a probe's bad luck
    except EXPECTED_ERRORS as exc:
        outcome = ProbeOutcome(
            probe.NAME, False, 0, 0, time.monotonic() - started, _describe(exc), 1
        )
        found = []
    else:
        hosts = {e.address for e in found if e.address}
        outcome = ProbeOutcome(probe.NAME, True, len(found), len(hosts), time.monotonic() - started)
    progress.probe_finished(outcome)
    return outcome, found


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if str(exc) else text


def _ports(items: Sequence[Evidence]) -> tuple[int, ...]:
    ports: set[int] = set()
    for item in items:
        if item.key == "tcp.ports":
            ports.update(int(p) for p in item.value.split(",") if p.strip().isdigit())
    return tuple(sorted(ports))


class _HostStats:
    def __init__(self) -> None:
        self.evidence: dict[str, int] = defaultdict(int)
        self.hosts: dict[str, int] = defaultdict(int)
        self.failures: dict[str, int] = defaultdict(int)
        self.last_error: dict[str, str] = {}
        self.busy_s: dict[str, float] = defaultdict(float)


async def _probe_host(
    ctx: ProbeContext,
    probes: Sequence[HostProbe],
    host: HostInfo,
    deadline_s: float,
    stats: _HostStats,
) -> list[Evidence]:
    async def one(probe: HostProbe) -> list[Evidence]:
        started = time.monotonic()
        try:
            async with asyncio.timeout(deadline_s):
                found = await probe.run_host(ctx, host)
        except ScopeError:
            raise  # see _run_discovery
        except EXPECTED_ERRORS as exc:
            stats.failures[probe.NAME] += 1
            stats.last_error[probe.NAME] = f"{host.ip}: {_describe(exc)}"
            found = []
        stats.busy_s[probe.NAME] += time.monotonic() - started
        stats.evidence[probe.NAME] += len(found)
        stats.hosts[probe.NAME] += 1 if found else 0
        return found

    results = await asyncio.gather(*(one(p) for p in probes))
    return [e for found in results for e in found]


async def _scan_body(
    config: ScanConfig,
    ctx: ProbeContext,
    inventory: Inventory,
    scan_id: int,
    progress: Progress,
    result: ScanResult,
    plan: TargetPlan,
    agents: Sequence[str] = (),
) -> None:
    merger = Merger(config.policy or Policy.default(), result.site)
    deadline_s = config.timeout_s + DISCOVERY_GRACE_S
    # our own address is no target, but on loopback it is the one that matters
    ours = "" if ctx.interface.network.is_loopback else str(ctx.interface.ip)
    on_link = tuple(expand_hosts(plan.on_link))
    routed = tuple(h for h in expand_hosts(plan.routed) if str(h) != ours)
    reads: list[snmp_probe.AgentRead] = []
    if config.snmp_credentials is not None and agents:
        reads = await _harvest(config.snmp_credentials, ctx, agents, progress, result)
    evidence: list[Evidence] = snmp_probe.mac_evidence(reads, ctx.host_set - {ours})
    by_snmp: dict[str, str] = {}
    if config.routed_sweep == "snmp" and reads:
        routed, by_snmp = _harvested_only(plan.routed, routed, reads)
    routed_set = {str(h) for h in routed}
    if on_link:  # discovery (ARP, multicast, broadcast) on the link only
        link_ctx = replace(ctx, hosts=on_link)
        evidence += await _discover(config.discovery, link_ctx, deadline_s, progress, result)
    if routed:  # behind a router: unicast searches of every routed address
        routed_ctx = replace(ctx, hosts=routed, link_local=False)
        routed_deadline_s = max(
            deadline_s, unicast.deadline_s(config.timeout_s, len(routed), ctx.rate.max_pps)
        )
        evidence += await _discover(
            config.routed_discovery, routed_ctx, routed_deadline_s, progress, result
        )
    found_on_link = {
        e.address
        for e in evidence
        if e.address != ours and e.address not in routed_set and e.source != snmp_probe.SOURCE
    }
    # routed addresses answer no ARP and no multicast: the port sweep is what finds them
    sweep_hosts = sorted(
        {IPv4Address(a) for a in found_on_link} | set(routed), key=lambda a: int(a)
    )
    if on_link:
        progress.hosts_found(len(found_on_link))
    if config.sweep is not None and sweep_hosts:
        sweep_ctx = replace(ctx, hosts=tuple(sweep_hosts))
        sweep_deadline_s = ports.sweep_deadline_s(config.timeout_s, len(sweep_hosts))
        outcome, found = await _run_discovery(config.sweep, sweep_ctx, sweep_deadline_s, progress)
        result.outcomes.append(outcome)
        if outcome.error:
            _warn(result, progress, f"probe {outcome.name} failed: {outcome.error}")
        evidence.extend(found)
    live = sorted(
        {e.address for e in evidence if ctx.in_scope(e.address) and e.address != ours},
        key=lambda a: int(IPv4Address(a)),
    )
    if routed:
        progress.hosts_found(len(live))
    live_ctx = replace(ctx, hosts=tuple(IPv4Address(a) for a in live))
    snmp_macs = {e.address for e in evidence if e.source == snmp_probe.SOURCE}
    result.coverage.extend(_coverage(plan, live, routed_set, by_snmp, snmp_macs))
    by_host: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        if item.address in live_ctx.host_set:
            by_host[item.address].append(item)
    stats = _HostStats()
    gate = asyncio.Semaphore(config.host_concurrency)
    host_deadline_s = config.timeout_s * HOST_DEADLINE_FACTOR
    started = time.monotonic()
    recorder_stage = (config.recorder_probe,) if config.recorder_probe is not None else ()
    per_host = config.follow_up_probes + config.host_probes + recorder_stage
    # a follow-up probe shares its module with a discovery probe: its own row says so
    label = {p.NAME: p.NAME for p in per_host} | {
        p.NAME: f"{p.NAME} (per host)" for p in config.follow_up_probes
    }
    for probe in per_host:
        progress.probe_started(label[probe.NAME])
    # a recorder's allowance of its own: the challenge and the one login
    recorder_ctx = replace(live_ctx, budget=HostBudget(1, recorder_probe.REQUESTS_EACH))

    async def finish_host(ip: str) -> None:
        items = by_host[ip]
        behind: list[Evidence] = []
        async with gate:
            for stage in (config.follow_up_probes, config.host_probes):
                if stage:
                    host = HostInfo(ip, _ports(items), tuple(items))
                    items = items + await _probe_host(live_ctx, stage, host, host_deadline_s, stats)
            if recorder_stage:
                host = HostInfo(ip, _ports(items), tuple(items))
                found = await _probe_host(
                    recorder_ctx, recorder_stage, host, host_deadline_s, stats
                )
                items = items + [e for e in found if e.address == ip]
                behind = [e for e in found if e.address != ip]
        device = merger.add(ip, items)
        cut = merger.cut(ip)
        if cut is not None:
            _warn(result, progress, cut)
        device = inventory.record_device(scan_id, device)  # under its inventory key
        result.by_key[device.device_key] = device
        progress.device_recorded(device)
        _record_children(config, inventory, scan_id, progress, result, device, behind)

    await asyncio.gather(*(finish_host(ip) for ip in live))
    result.snmp.extend(_snmp_coverage(reads, result.devices, ctx.host_set))
    inventory.record_coverage(scan_id, result.coverage, result.snmp, result.recorders)
    elapsed_s = time.monotonic() - started
    for probe in per_host:
        name = probe.NAME
        outcome = ProbeOutcome(
            label[name],
            True,
            stats.evidence[name],
            stats.hosts[name],
            elapsed_s,
            stats.last_error.get(name),
            stats.failures[name],
        )
        result.outcomes.append(outcome)
        progress.probe_finished(outcome)


def _record_children(
    config: ScanConfig,
    inventory: Inventory,
    scan_id: int,
    progress: Progress,
    result: ScanResult,
    recorder: Device,
    behind: Sequence[Evidence],
) -> None:
    """Record the cameras a recorder listed as its children, and the recorder's row of
    the coverage report (for every host the recorder probe said something about)."""
    own = [e for e in recorder.evidence if e.source == recorder_probe.NAME]
    if not own:
        return
    children = recorder_core.child_devices(recorder, behind, config.policy)
    for child in children:
        if child.device_key in result.by_key:  # the scan reached that camera directly
            continue
        inventory.record_device(scan_id, child)
        result.by_key[child.device_key] = child
        progress.device_recorded(child)
    counts = recorder_core.channel_counts(recorder.evidence)
    unlisted = next((e.value for e in own if e.key == "recorder.unlisted"), "")
    result.recorders.append(
        RecorderCoverage(
            recorder.ip,
            recorder.device_key,
            counts[0] if counts is not None else None,
            len(children),
            unlisted.rpartition(": ")[2] if unlisted else "",
        )
    )


async def _discover(
    probes: Sequence[DiscoveryProbe],
    ctx: ProbeContext,
    deadline_s: float,
    progress: Progress,
    result: ScanResult,
) -> list[Evidence]:
    """Run discovery probes at once over ``ctx.hosts``; their in-scope evidence."""
    pairs = await asyncio.gather(*(_run_discovery(p, ctx, deadline_s, progress) for p in probes))
    evidence: list[Evidence] = []
    for outcome, found in pairs:
        result.outcomes.append(outcome)
        if outcome.error:
            _warn(result, progress, f"probe {outcome.name} failed: {outcome.error}")
        evidence.extend(e for e in found if ctx.in_scope(e.address))
    return evidence


def _coverage(
    plan: TargetPlan,
    live: Sequence[str],
    routed: set[str],
    by_snmp: Mapping[str, str],
    snmp_macs: set[str],
) -> list[Coverage]:
    """Per target: how it was reached, its addresses probed, how many answered, and how
    many got their MAC from a router's ARP cache."""
    rows = []
    for target in plan.on_link:
        addresses = sum(1 for _ in expand_hosts([target]))
        answered = sum(1 for a in live if target.contains(a))
        macs = sum(1 for a in snmp_macs if target.contains(a))
        rows.append(Coverage(target.spec, "on-link", addresses, answered, macs))
    for target in plan.routed:
        reached = by_snmp.get(
            target.spec, "loopback" if plan.interface.network.is_loopback else "routed"
        )
        addresses = sum(1 for a in routed if target.contains(a))
        answered = sum(1 for a in live if target.contains(a))
        macs = sum(1 for a in snmp_macs if target.contains(a))
        rows.append(Coverage(target.spec, reached, addresses, answered, macs))
    return rows


MAX_UNMAPPED_MACS: Final = 4096
"""Most unmapped MACs a scan lists per agent (the count is always complete)."""


async def _harvest(
    credentials: SnmpCredentials,
    ctx: ProbeContext,
    agents: Sequence[str],
    progress: Progress,
    result: ScanResult,
) -> list[snmp_probe.AgentRead]:
    """Read every agent; a warning for each that failed or sent rows not understood."""
    progress.probe_started(snmp_probe.NAME)
    started = time.monotonic()
    reads = await snmp_probe.harvest(ctx, agents, credentials)
    for read in reads:
        if read.error is not None:
            _warn(
                result,
                progress,
                f"SNMP agent {read.agent} not read ({read.error}): the MACs behind it come "
                "only from what its devices report",
            )
        for note in read.warnings:
            _warn(result, progress, note)
    failed = [r for r in reads if r.error is not None]
    outcome = ProbeOutcome(
        snmp_probe.NAME,
        not failed,
        sum(len(r.arp) + len(r.fdb) for r in reads),
        len({e.ip for r in reads for e in r.arp}),
        time.monotonic() - started,
        f"{failed[0].agent}: {failed[0].error}" if failed else None,
        len(failed),
    )
    result.outcomes.append(outcome)
    progress.probe_finished(outcome)
    return reads


def _harvested_only(
    targets: Sequence[Target],
    routed: Sequence[IPv4Address],
    reads: Sequence[snmp_probe.AgentRead],
) -> tuple[tuple[IPv4Address, ...], dict[str, str]]:
    """The routed addresses to probe when only harvested ones are swept: an address in
    a subnet some agent that answered is connected to is kept only when that agent's
    ARP cache lists it; any other address is kept.  Also, per target, how it was
    reached: ``snmp`` (every address in such a subnet) or ``routed, snmp`` (some)."""
    subnets = [n for r in reads if r.ok for n in r.subnets]
    listed = {IPv4Address(e.ip) for r in reads if r.ok for e in r.arp}

    def covered(address: IPv4Address) -> bool:
        return any(address in n for n in subnets)

    kept = tuple(a for a in routed if a in listed or not covered(a))
    reached: dict[str, str] = {}
    for target in targets:
        inside = [covered(a) for a in routed if target.contains(str(a))]
        if inside and all(inside):
            reached[target.spec] = "snmp"
        elif any(inside):
            reached[target.spec] = "routed, snmp"
    return kept, reached


def _snmp_coverage(
    reads: Sequence[snmp_probe.AgentRead], devices: Sequence[Device], hosts: frozenset[str]
) -> list[SnmpCoverage]:
    """Per agent: its entries, those in the targets, and MACs no device has."""
    known = {d.mac for d in devices if d.mac}
    rows = []
    for read in reads:
        macs = {e.mac for e in read.arp} | {f.mac for f in read.fdb}
        unmapped = sorted(macs - known)
        rows.append(
            SnmpCoverage(
                read.agent,
                read.version,
                read.error,
                len(read.arp),
                len(read.fdb),
                sum(1 for e in read.arp if e.ip in hosts),
                tuple(unmapped[:MAX_UNMAPPED_MACS]),
            )
        )
    return rows


def _warn(result: ScanResult, progress: Progress, message: str) -> None:
    result.warnings.append(message)
    progress.warning(message)


def scan_site(targets: Sequence[Target], scope: Scope, default: str | None) -> str | None:
    """The one site a scan of ``targets`` covers: the scope file's site for them, else
    ``default`` (``scan --site``, checked as a site name), else None.  ScopeError when
    the targets lie in more than one site."""
    return scope.site_of(targets, check_site_name(default) if default is not None else None)


async def run_scan(
    config: ScanConfig, inventory: Inventory, progress: Progress | None = None
) -> ScanResult:
    """Run one scan into ``inventory``; ScopeError before anything is sent or stored."""
    shown: Progress = progress or NullProgress()
    targets = parse_targets(config.targets)
    check_targets(
        targets, config.scope, allow_public=config.allow_public, allow_large=config.allow_large
    )
    site = scan_site(targets, config.scope, config.site)
    plan = plan_targets(
        targets,
        config.scope,
        config.interfaces(),
        config.interface,
        allow_public=config.allow_public,
        allow_large=config.allow_large,
        route=config.route,
    )
    iface = plan.interface
    hosts = tuple(expand_hosts(targets))
    warnings: list[str] = []

    def warn(message: str) -> None:
        warnings.append(message)
        shown.warning(message)

    agents: tuple[str, ...] = ()
    if config.snmp_credentials is not None:
        agents, notes = choose_snmp_agents(
            config.snmp_agents,
            config.routes() if config.snmp_gateways else (),
            iface,
            config.scope,
            config.route,
            use_gateways=config.snmp_gateways,
            allow_public=config.allow_public,
        )
        for note in notes:
            warn(note)
        if not agents:
            warn(
                "SNMP credentials were given but there is no router or switch to read: "
                "name one in the scope file (a line 'snmp-agent ADDRESS')"
            )
    is_root = config.is_root()
    ctx = ProbeContext(
        interface=iface,
        hosts=hosts,
        transport=config.transport(iface, is_root),
        timeout_s=config.timeout_s,
        budget=HostBudget(config.max_connections_per_host, config.max_requests_per_host),
        credentials=config.credentials,
        clock=config.clock,
        is_root=is_root,
        use_nmap=config.use_nmap,
        # multicast and broadcast only with an on-link target, whose interface's whole
        # subnet plan_targets checked is in scope
        link_local=plan.link_local,
        warn=warn,
        snmp_agents=frozenset(agents),
        rate=PacketRate(config.max_rate_pps),
        recorder_credentials=config.recorder_credentials,
    )
    scan_id = inventory.begin_scan(
        operator=config.operator or getpass.getuser(),
        host=config.host or platform.node(),
        scope=config.scope.name,
        targets=[str(n) for t in targets for n in t.networks()],
        options=config.options() | {"interface": iface.name},
        site=site,
        location=config.scope.location_of(site) if site is not None else "",
    )
    result = ScanResult(scan_id, "running", iface, warnings=warnings, site=site)
    started = time.monotonic()
    status: ScanStatus = "failed"
    error: str | None = None
    try:
        await _scan_body(config, ctx, inventory, scan_id, shown, result, plan, agents)
        status = "complete"
    except (asyncio.CancelledError, KeyboardInterrupt):
        status, error = "incomplete", "scan interrupted"
        raise
    except BaseException as exc:
        error = _describe(exc)
        raise
    finally:
        result.duration_s = time.monotonic() - started
        result.status = status
        inventory.finish_scan(scan_id, status, error=error)
    return result
