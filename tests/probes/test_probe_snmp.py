"""SNMP harvesting on recorded agent replies: ARP rows become link-layer MACs, and each
agent's failure (silence, rejected credentials, garbage, slowness) costs that agent only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest

from camcensus.base.errors import CredentialsError, ScopeError
from camcensus.scanner.core.snmp_tables import SnmpCredential, SnmpCredentials, Varbind
from camcensus.scanner.probes import _io, snmp
from camcensus.scanner.probes.context import Interface, ProbeContext
from camcensus.scanner.probes.transport import ReplayTransport

ROUTER = "198.18.0.254"
CREDS = SnmpCredentials((SnmpCredential("2c", community="lab"),))
MAC = bytes.fromhex("c056e3112233")  # an address a Hikvision block would hold
TABLES: dict[str, list[Varbind]] = {
    "1.3.6.1.2.1.4.20.1.3": [("1.3.6.1.2.1.4.20.1.3.198.18.16.1", bytes([255, 255, 255, 0]))],
    "1.3.6.1.2.1.4.35.1.4": [
        ("1.3.6.1.2.1.4.35.1.4.3.1.4.198.18.16.10", MAC),
        ("1.3.6.1.2.1.4.35.1.4.3.1.4.198.18.16.11", bytes.fromhex("3ce36b445566")),
        ("1.3.6.1.2.1.4.35.1.4.3.1.4.198.18.16.12", b"garbage"),
    ],
}


def _answer(agent: str, credential: SnmpCredential, column: str) -> Sequence[Varbind]:
    if credential.community != "lab":
        raise TimeoutError(f"SNMP agent {agent} did not answer")
    return TABLES.get(column, [])


def _ctx(transport: ReplayTransport, agents: Sequence[str] = (ROUTER,)) -> ProbeContext:
    return ProbeContext(
        interface=Interface("ccfake0", IPv4Interface("198.18.0.1/23")),
        hosts=tuple(IPv4Address(f"198.18.16.{n}") for n in range(1, 255)),
        transport=transport,
        timeout_s=0.2,
        snmp_agents=frozenset(agents),
    )


async def test_a_routers_arp_cache_gives_its_subnets_and_macs() -> None:
    transport = ReplayTransport(snmp=_answer)
    (read,) = await snmp.harvest(_ctx(transport), [ROUTER], CREDS)
    assert read.ok
    assert read.version == "2c"
    assert read.subnets == (IPv4Network("198.18.16.0/24"),)
    assert [(e.ip, e.mac) for e in read.arp] == [
        ("198.18.16.10", "c0:56:e3:11:22:33"),
        ("198.18.16.11", "3c:e3:6b:44:55:66"),
    ]
    assert read.skipped == 1
    assert read.warnings == (f"SNMP agent {ROUTER}: 1 rows not understood were left out",)
    # one walk a column, to the router only, in order: subnets, ARP, forwarding tables
    assert next(what for kind, what in transport.sent if kind == "snmp") == (
        ROUTER,
        "1.3.6.1.2.1.4.20.1.3",
    )
    assert {agent for kind, (agent, _c) in transport.sent if kind == "snmp"} == {ROUTER}  # type: ignore[misc]
    evidence = snmp.mac_evidence([read], frozenset({"198.18.16.10"}))
    assert [(e.key, e.value, e.source, e.address) for e in evidence] == [
        ("mac", "c0:56:e3:11:22:33", "snmp-arp", "198.18.16.10"),
        ("snmp.arp_agent", f"{ROUTER} ifIndex 3", "snmp-arp", "198.18.16.10"),
    ]


async def test_a_wrong_community_costs_that_agent_only() -> None:
    wrong = SnmpCredentials((SnmpCredential("2c", community="nope"),))
    (read,) = await snmp.harvest(_ctx(ReplayTransport(snmp=_answer)), [ROUTER], wrong)
    assert not read.ok
    assert read.arp == ()
    assert "did not answer" in (read.error or "")
    assert "wrong community" in (read.error or "")
    assert "nope" not in (read.error or "")


async def test_rejected_v3_credentials_are_named_as_such() -> None:
    def reject(agent: str, credential: SnmpCredential, column: str) -> Sequence[Varbind]:
        raise CredentialsError(f"SNMP agent {agent} rejected the credentials (wrongDigest)")

    v3 = SnmpCredentials((SnmpCredential("3", user="u", auth_key="k" * 8, priv_key="p" * 8),))
    (read,) = await snmp.harvest(_ctx(ReplayTransport(snmp=reject)), [ROUTER], v3)
    assert read.error == f"SNMP agent {ROUTER} rejected the credentials (wrongDigest)"


async def test_a_slow_agent_is_cut_off_at_its_deadline_and_the_others_are_read() -> None:
    class Slow(ReplayTransport):
        async def snmp_walk(self, agent: str, *args: object, **kwargs: object) -> list[Varbind]:
            if agent == "198.18.0.253":
                await asyncio.sleep(3600)
            return await super().snmp_walk(agent, *args, **kwargs)  # type: ignore[arg-type]

    ctx = _ctx(Slow(snmp=_answer), agents=(ROUTER, "198.18.0.253"))
    loop = asyncio.get_running_loop()
    started = loop.time()
    fast, slow = await snmp.harvest(ctx, [ROUTER, "198.18.0.253"], CREDS)
    assert loop.time() - started < 10 * snmp.AGENT_DEADLINE_FACTOR * ctx.timeout_s
    assert fast.ok
    assert len(fast.arp) == 2
    assert not slow.ok
    assert "longer than" in (slow.error or "")


async def test_an_agent_no_entry_is_for_gets_no_login() -> None:
    only_core = SnmpCredentials(
        (SnmpCredential("2c", community="lab", agents=(IPv4Network("198.18.0.254/32"),)),)
    )
    transport = ReplayTransport(snmp=_answer)
    (read,) = await snmp.harvest(_ctx(transport, ("198.18.0.250",)), ["198.18.0.250"], only_core)
    assert read.error == "no entry of the SNMP credentials file is for it"
    assert transport.sent == []


async def test_the_send_guard_refuses_an_agent_the_runner_did_not_admit() -> None:
    transport = ReplayTransport(snmp=_answer)
    with pytest.raises(ScopeError, match="not one of this scan's agents"):
        await _io.snmp_walk(
            _ctx(transport, ()), ROUTER, CREDS.entries[0], ["1.3"], timeout_s=1, max_rows=1
        )
    assert transport.sent == []
