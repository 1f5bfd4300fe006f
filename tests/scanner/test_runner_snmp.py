"""run_scan with SNMP harvesting, on a replayed router: which agents it reads, what their
ARP caches add, and what a failed agent costs. No network at all."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

import pytest
from test_runner import FakeDiscovery, _config

from camcensus.base.errors import ScopeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.scope import Scope, builtin_scope
from camcensus.scanner.core.snmp_tables import Route, SnmpCredential, SnmpCredentials, Varbind
from camcensus.scanner.probes.context import Interface
from camcensus.scanner.probes.transport import ReplayTransport
from camcensus.scanner.runner import choose_snmp_agents, run_scan
from camcensus.scanner.store import Inventory

ROUTER = "198.18.0.254"
LAB_IF = Interface("ccfake0", IPv4Interface("198.18.0.1/23"))
CREDS = SnmpCredentials((SnmpCredential("2c", community="lab"),))
ROUTES = [
    Route("ccfake0", IPv4Network("198.18.0.0/23"), None),
    Route("ccfake0", IPv4Network("198.18.16.0/20"), IPv4Address(ROUTER)),
    Route("eth0", IPv4Network("0.0.0.0/0"), IPv4Address("192.168.1.1")),  # another interface
]
HIK_MAC = bytes.fromhex("c056e3112233")
LAPTOP_MAC = bytes.fromhex("3ce36b445566")
SWITCH_ONLY = ".".join(str(b) for b in bytes.fromhex("0012f2aabbcc"))
TABLES: dict[str, list[Varbind]] = {
    "1.3.6.1.2.1.4.20.1.3": [("1.3.6.1.2.1.4.20.1.3.198.18.16.1", bytes([255, 255, 255, 0]))],
    "1.3.6.1.2.1.4.35.1.4": [
        ("1.3.6.1.2.1.4.35.1.4.3.1.4.198.18.16.10", HIK_MAC),
        ("1.3.6.1.2.1.4.35.1.4.3.1.4.198.18.16.11", LAPTOP_MAC),
        ("1.3.6.1.2.1.4.35.1.4.2.1.4.198.18.0.1", bytes.fromhex("02aabbccddee")),  # us
    ],
    "1.3.6.1.2.1.17.4.3.1.2": [
        (f"1.3.6.1.2.1.17.4.3.1.2.{SWITCH_ONLY}", 5),
        (f"1.3.6.1.2.1.17.4.3.1.2.{'.'.join(str(b) for b in HIK_MAC)}", 7),
    ],
}


def _router(agent: str, credential: SnmpCredential, column: str) -> Sequence[Varbind]:
    if agent != ROUTER or credential.community != "lab":
        raise TimeoutError(f"SNMP agent {agent} did not answer")
    return TABLES.get(column, [])


def _via_lab_if(address: str) -> str | None:
    return "198.18.0.1" if address.startswith(("198.18.1", "198.18.0.")) else None


def _snmp_config(
    targets: tuple[str, ...], scope: Scope | None = None, **kwargs: object
) -> tuple[object, ReplayTransport]:
    transport = ReplayTransport(snmp=_router)
    defaults: dict[str, object] = {
        "interfaces": lambda: [LAB_IF],
        "route": _via_lab_if,
        "routes": lambda: ROUTES,
        "transport": lambda interface, is_root: transport,
        "snmp_credentials": CREDS,
    }
    defaults.update(kwargs)
    return _config(targets, scope or builtin_scope("lab"), **defaults), transport


@pytest.fixture
def inventory() -> Inventory:
    return Inventory.memory()


async def test_a_routers_arp_cache_gives_routed_devices_their_macs(inventory: Inventory) -> None:
    sweep = FakeDiscovery("ports", [Evidence("tcp.ports", "554", "ports", "198.18.16.10")])
    config, transport = _snmp_config(("198.18.16.0/24",), sweep=sweep)
    result = await run_scan(config, inventory)  # type: ignore[arg-type]
    assert result.warnings == []
    by_ip = {d.ip: d for d in result.devices}
    # the camera and a laptop that opened no port: both known by their link-layer MAC
    assert set(by_ip) == {"198.18.16.10", "198.18.16.11"}
    assert by_ip["198.18.16.10"].mac == "c0:56:e3:11:22:33"
    assert by_ip["198.18.16.10"].device_key != by_ip["198.18.16.11"].device_key
    assert by_ip["198.18.16.10"].mac_organisation  # the IEEE block of the MAC
    assert {e.source for e in by_ip["198.18.16.11"].evidence} == {"snmp-arp"}
    # the switch table puts the camera's MAC behind port 7
    ports = [e.value for e in by_ip["198.18.16.10"].evidence if e.key == "snmp.switch_port"]
    assert ports == [f"{ROUTER} port 7"]
    # the gateway of the routed target's route was read; the other interface's was not
    assert {what[0] for kind, what in transport.sent if kind == "snmp"} == {ROUTER}  # type: ignore[index]
    (row,) = result.coverage
    assert (row.reached, row.addresses, row.answered, row.snmp_macs) == ("routed", 254, 2, 2)
    (agent,) = result.snmp
    assert (agent.agent, agent.error, agent.arp_entries, agent.fdb_entries, agent.in_targets) == (
        ROUTER, None, 3, 2, 2,
    )  # fmt: skip
    # our own MAC (not a target) and a MAC only the switch table has match no device
    assert agent.unmapped_macs == ("00:12:f2:aa:bb:cc", "02:aa:bb:cc:dd:ee")
    stored = inventory.scan(result.scan_id)
    assert stored.options["snmp_configured"] is True
    assert "lab" not in str(stored.options)  # never the community


async def test_sweeping_only_listed_addresses_skips_the_rest_of_the_routers_subnet(
    inventory: Inventory,
) -> None:
    sweep = FakeDiscovery("ports")
    config, _transport = _snmp_config(
        ("198.18.16.0/24", "198.18.17.0/24"), sweep=sweep, routed_sweep="snmp"
    )
    result = await run_scan(config, inventory)  # type: ignore[arg-type]
    (ctx,) = sweep.calls
    swept = {str(h) for h in ctx.hosts}
    # 198.18.16.0/24 is the router's own subnet: just what its ARP cache lists; the router
    # is not connected to 198.18.17.0/24, so every address of it
    assert {h for h in swept if h.startswith("198.18.16.")} == {"198.18.16.10", "198.18.16.11"}
    assert len([h for h in swept if h.startswith("198.18.17.")]) == 254
    assert [(c.target, c.reached, c.addresses) for c in result.coverage] == [
        ("198.18.16.0/24", "snmp", 2),
        ("198.18.17.0/24", "routed", 254),
    ]


async def test_a_wrong_community_costs_only_the_snmp_source(inventory: Inventory) -> None:
    sweep = FakeDiscovery("ports", [Evidence("tcp.ports", "554", "ports", "198.18.16.10")])
    wrong = SnmpCredentials((SnmpCredential("2c", community="not-it"),))
    config, _transport = _snmp_config(("198.18.16.0/24",), sweep=sweep, snmp_credentials=wrong)
    result = await run_scan(config, inventory)  # type: ignore[arg-type]
    assert result.status == "complete"
    assert [d.ip for d in result.devices] == ["198.18.16.10"]
    assert result.devices[0].mac is None
    (warning,) = result.warnings
    assert warning.startswith(f"SNMP agent {ROUTER} not read (SNMP agent {ROUTER} did not answer")
    assert "not-it" not in warning
    (outcome,) = [o for o in result.outcomes if o.name == "snmp"]
    assert not outcome.ok
    assert outcome.failures == 1


def test_gateways_outside_the_scope_or_off_the_interface_are_left_out_with_a_warning() -> None:
    scope = Scope.load("198.18.0.0/15\n")
    routes = [*ROUTES, Route("ccfake0", IPv4Network("10.0.0.0/8"), IPv4Address("10.0.0.1"))]
    agents, notes = choose_snmp_agents((), routes, LAB_IF, scope, _via_lab_if)
    assert agents == (ROUTER,)
    assert len(notes) == 1
    assert notes[0].startswith("gateway 10.0.0.1 not read over SNMP")
    # an agent in scope but not reached through the scan's interface
    agents, notes = choose_snmp_agents(("198.19.0.1",), (), LAB_IF, scope, _via_lab_if)
    assert agents == ()
    assert "not reached through ccfake0" in notes[0]
    # named agents only
    agents, _ = choose_snmp_agents(("198.18.0.200",), ROUTES, LAB_IF, scope, use_gateways=False)
    assert agents == ("198.18.0.200",)


def test_an_snmp_agent_outside_the_scope_is_refused() -> None:
    with pytest.raises(ScopeError, match=r"line 2: SNMP agent 10\.0\.0\.1 is outside the scope"):
        Scope.load("198.18.0.0/15\nsnmp-agent 10.0.0.1\n")
    with pytest.raises(ScopeError, match="one address"):
        Scope.load("198.18.0.0/15\nsnmp-agent 198.18.0.0/24\n")
    scope = Scope.load("198.18.0.0/15\nsnmp-agent 198.18.0.254  # core router\n")
    assert scope.snmp_agents == ("198.18.0.254",)
    with pytest.raises(ScopeError, match="outside"):
        choose_snmp_agents(("10.0.0.1",), (), LAB_IF, scope)


async def test_credentials_without_any_agent_warn(inventory: Inventory) -> None:
    config, transport = _snmp_config(("198.18.16.0/24",), routes=lambda: [])
    result = await run_scan(config, inventory)  # type: ignore[arg-type]
    assert any("no router or switch to read" in w for w in result.warnings)
    assert not [s for s in transport.sent if s[0] == "snmp"]
