"""SNMP harvesting: read the ARP caches of routers and the forwarding tables of switches.

Behind a router no ARP reply reaches the scanner, so a routed device has no MAC, no
IEEE block and no stable key; the router's own ARP cache has them.  For each agent the
runner admitted (``ctx.snmp_agents``: in scope, reached through the scan's interface),
one credential from the operator's file (one login an agent, never retried; SNMP
requests are sent one at a time, with no retransmission), then, in order: its
connected subnets (ipAdEntNetMask), its ARP cache (ipNetToPhysicalTable, else
ipNetToMediaTable) and its bridge forwarding table (BRIDGE-MIB, Q-BRIDGE-MIB; empty on
a router).  The columns an agent does not have come back empty.

Each agent costs only itself: no answer (an SNMPv2c agent stays silent on a wrong
community), rejected v3 credentials, undecodable replies or an agent slower than
``AGENT_DEADLINE_FACTOR * timeout_s`` end that agent's read with a clear reason, and
rows it sent that do not parse are counted (``AgentRead.skipped``) and dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from typing import Final

from camcensus.base.errors import CamcensusError, ScopeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.snmp_tables import (
    ARP_COLUMNS,
    FDB_COLUMNS,
    MAX_TABLE_ROWS,
    SUBNET_COLUMNS,
    ArpEntry,
    FdbEntry,
    SnmpCredentials,
    parse_arp,
    parse_fdb,
    parse_subnets,
)
from camcensus.scanner.probes import _io
from camcensus.scanner.probes.context import ProbeContext

__all__ = [
    "AGENT_DEADLINE_FACTOR",
    "FDB_SOURCE",
    "NAME",
    "SOURCE",
    "AgentRead",
    "harvest",
    "mac_evidence",
]

NAME: Final = "snmp"
SOURCE: Final = "snmp-arp"
"""Evidence source of a MAC a router's ARP cache gave: link-layer, like ARP's own."""
FDB_SOURCE: Final = "snmp-fdb"
"""Evidence source of the switch port a forwarding table puts a device's MAC behind."""
AGENT_DEADLINE_FACTOR: Final = 15
"""One agent's whole read (three tables) has at most this many ``timeout_s``."""


@dataclass(frozen=True, slots=True)
class AgentRead:
    """What one agent gave: its subnets, ARP and forwarding rows, or why it gave none."""

    agent: str
    version: str = ""
    error: str | None = None
    subnets: tuple[IPv4Network, ...] = ()
    arp: tuple[ArpEntry, ...] = ()
    fdb: tuple[FdbEntry, ...] = ()
    skipped: int = 0
    duration_s: float = 0.0
    warnings: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """The agent answered with the credential (some of its tables may be empty)."""
        return self.error is None


async def _read(
    ctx: ProbeContext, agent: str, credentials: SnmpCredentials, deadline_s: float
) -> AgentRead:
    credential = credentials.for_agent(agent)
    if credential is None:
        return AgentRead(agent, error="no entry of the SNMP credentials file is for it")
    started = time.monotonic()

    async def walk(columns: Sequence[str]) -> list[tuple[str, bytes | int | str]]:
        return await _io.snmp_walk(
            ctx, agent, credential, columns, timeout_s=ctx.timeout_s, max_rows=MAX_TABLE_ROWS
        )

    try:
        async with asyncio.timeout(deadline_s):
            subnets = parse_subnets(await walk(SUBNET_COLUMNS))
            arp = parse_arp(await walk(ARP_COLUMNS))
            fdb = parse_fdb(await walk(FDB_COLUMNS))
    except ScopeError:
        raise  # a bug: the runner admits the agents
    except TimeoutError as exc:
        reason = str(exc) or f"the read took longer than {deadline_s:.0f} s"
        hint = " (wrong community, no SNMP agent there, or a filter)"
        if credential.version == "3":
            hint = " (no SNMP agent there, or a filter)"
        return AgentRead(
            agent, credential.version, reason + hint, duration_s=time.monotonic() - started
        )
    except (CamcensusError, OSError) as exc:
        return AgentRead(agent, credential.version, str(exc), duration_s=time.monotonic() - started)
    skipped = subnets.skipped + arp.skipped + fdb.skipped
    notes: list[str] = []
    if skipped:
        notes.append(f"SNMP agent {agent}: {skipped} rows not understood were left out")
    if not arp.arp and not fdb.fdb:
        notes.append(f"SNMP agent {agent} answered but listed no ARP or forwarding entries")
    return AgentRead(
        agent,
        credential.version,
        None,
        subnets.subnets,
        arp.arp,
        fdb.fdb,
        skipped,
        time.monotonic() - started,
        tuple(notes),
    )


async def harvest(
    ctx: ProbeContext, agents: Sequence[str], credentials: SnmpCredentials
) -> list[AgentRead]:
    """Read every agent at once (each within its own deadline), in ``agents`` order."""
    deadline_s = ctx.timeout_s * AGENT_DEADLINE_FACTOR
    return list(await asyncio.gather(*(_read(ctx, a, credentials, deadline_s) for a in agents)))


def mac_evidence(reads: Sequence[AgentRead], hosts: frozenset[str]) -> list[Evidence]:
    """A ``mac`` (link-layer, source ``snmp-arp``) and the agent it came from, for every
    scan host an ARP cache lists (the first agent listing an address wins); and, where a
    switch's forwarding table holds that MAC, the switch port it is behind
    (``snmp.switch_port``)."""
    seen: dict[str, str] = {}
    found: list[Evidence] = []
    for read in reads:
        for entry in read.arp:
            if entry.ip in hosts and entry.ip not in seen:
                seen[entry.ip] = entry.mac
                found.append(Evidence("mac", entry.mac, SOURCE, entry.ip))
                where = f"{read.agent} ifIndex {entry.if_index}"
                found.append(Evidence("snmp.arp_agent", where, SOURCE, entry.ip))
    by_mac = {mac: ip for ip, mac in seen.items()}
    for read in reads:
        for fdb in read.fdb:
            ip = by_mac.get(fdb.mac)
            if ip is not None:
                vlan = f" vlan {fdb.vlan}" if fdb.vlan else ""
                port = f"{read.agent} port {fdb.port}{vlan}"
                found.append(Evidence("snmp.switch_port", port, FDB_SOURCE, ip))
    return found
