"""run_scan with fake probes and a fake interface list: no network at all."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Sequence
from ipaddress import IPv4Interface
from pathlib import Path

import pytest

from camcensus.base.errors import RequestBudgetExceededError, ScopeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.scope import Scope, builtin_scope
from camcensus.scanner.probes.context import (
    Credentials,
    HostBudget,
    HostInfo,
    Interface,
    ProbeContext,
)
from camcensus.scanner.probes.transport import ReplayTransport
from camcensus.scanner.runner import ScanConfig, run_scan
from camcensus.scanner.store import Inventory

WSD_MATCH = (
    Path(__file__).resolve().parent.parent / "fixtures" / "captures" / "wsd_probematches.xml"
).read_bytes()
LAB_IF = Interface("ccfake0", IPv4Interface("198.18.0.1/23"))


class FakeDiscovery:
    def __init__(
        self, name: str, evidence: Sequence[Evidence] = (), error: BaseException | None = None
    ):
        self.NAME = name
        self.evidence = list(evidence)
        self.error = error
        self.calls: list[ProbeContext] = []

    async def run(self, ctx: ProbeContext) -> list[Evidence]:
        self.calls.append(ctx)
        if self.error is not None:
            raise self.error
        return list(self.evidence)


class FakeHostProbe:
    NAME = "fakehost"

    def __init__(self) -> None:
        self.hosts: list[HostInfo] = []

    async def run_host(self, ctx: ProbeContext, host: HostInfo) -> list[Evidence]:
        self.hosts.append(host)
        if 554 in host.ports:
            return [Evidence("rtsp.realm", "Hikvision", "rtsp", host.ip)]
        return []


class Sleeper:
    NAME = "sleeper"

    async def run(self, ctx: ProbeContext) -> list[Evidence]:
        await asyncio.sleep(3600)
        return []


def _config(targets: tuple[str, ...], scope: Scope, **kwargs: object) -> ScanConfig:
    defaults: dict[str, object] = {
        "discovery": (),
        "routed_discovery": (),
        "sweep": None,
        "follow_up_probes": (),
        "host_probes": (),
        "interfaces": lambda: [LAB_IF, Interface("lo", IPv4Interface("127.0.0.1/8"))],
        "route": lambda address: None,  # no route anywhere unless a test gives one
        "is_root": lambda: False,
        "transport": lambda interface, is_root: ReplayTransport(),  # never the network
        "operator": "tester",
        "host": "testhost",
    }
    defaults.update(kwargs)
    return ScanConfig(targets=targets, scope=scope, **defaults)  # type: ignore[arg-type]


@pytest.fixture
def inventory() -> Inventory:
    return Inventory.memory()


async def test_out_of_scope_target_is_refused_before_any_probe(inventory: Inventory) -> None:
    probe = FakeDiscovery("spy")
    config = _config(("198.18.0.0/23", "10.1.2.3"), builtin_scope("lab"), discovery=(probe,))
    with pytest.raises(ScopeError, match=r"'10\.1\.2\.3' is outside"):
        await run_scan(config, inventory)
    assert probe.calls == []
    assert inventory.scans() == []


async def test_a_target_neither_on_link_nor_routed_is_refused(inventory: Inventory) -> None:
    probe = FakeDiscovery("spy")
    config = _config(("198.19.5.0/24",), builtin_scope("lab"), discovery=(probe,))
    with pytest.raises(ScopeError, match=r"no route from a local interface to 198\.19\.5\.0/24"):
        await run_scan(config, inventory)
    assert probe.calls == []
    assert inventory.scans() == []


def _via_lab_if(address: str) -> str | None:
    """The fake kernel's routes: 198.18.16.0/20 through the lab interface's router."""
    return "198.18.0.1" if address.startswith(("198.18.1", "198.18.0.")) else None


async def test_routed_targets_get_the_sweep_and_no_discovery(inventory: Inventory) -> None:
    link = FakeDiscovery("link", [Evidence("ip", "198.18.0.10", "arp", "198.18.0.10")])
    sweep = FakeDiscovery(
        "ports",
        [
            Evidence("tcp.ports", "80,554", "ports", "198.18.16.10"),
            Evidence("tcp.ports", "80", "ports", "198.18.0.10"),
        ],
    )
    host = FakeHostProbe()
    udp_only = FakeDiscovery("unicast", [Evidence("wsd.types", "dn:NVT", "wsd", "198.18.17.20")])
    config = _config(
        ("198.18.0.0/24", "198.18.16.0/24", "198.18.17.0/24"),
        builtin_scope("lab"),
        discovery=(link,),
        routed_discovery=(udp_only,),
        sweep=sweep,
        host_probes=(host,),
        route=_via_lab_if,
    )
    result = await run_scan(config, inventory)
    # unicast discovery saw every routed address and nothing on the link, without multicast
    (routed_ctx,) = udp_only.calls
    assert {str(h) for h in routed_ctx.hosts} == {
        f"198.18.{n}.{m}" for n in (16, 17) for m in range(1, 255)
    }
    assert not routed_ctx.link_local
    # discovery (ARP, multicast) saw only the on-link target's addresses
    (discovery_ctx,) = link.calls
    assert all(str(h).startswith("198.18.0.") for h in discovery_ctx.hosts)
    assert discovery_ctx.link_local
    # the sweep saw what discovery found on the link and every routed address
    (sweep_ctx,) = sweep.calls
    swept = {str(h) for h in sweep_ctx.hosts}
    assert "198.18.0.10" in swept
    assert not any(h.startswith("198.18.0.") and h != "198.18.0.10" for h in swept)
    assert {f"198.18.16.{n}" for n in range(1, 255)} <= swept
    # a host that answered only a unicast search is live too
    assert {h.ip for h in host.hosts} == {"198.18.0.10", "198.18.16.10", "198.18.17.20"}
    assert [(c.target, c.reached, c.addresses, c.answered) for c in result.coverage] == [
        ("198.18.0.0/24", "on-link", 254, 1),
        ("198.18.16.0/24", "routed", 254, 1),
        ("198.18.17.0/24", "routed", 254, 1),
    ]


async def test_routed_only_scans_send_no_multicast(inventory: Inventory) -> None:
    link = FakeDiscovery("link")
    sweep = FakeDiscovery("ports", [Evidence("tcp.ports", "80", "ports", "198.18.16.10")])
    config = _config(
        ("198.18.16.0/24",), builtin_scope("lab"), discovery=(link,), sweep=sweep,
        route=_via_lab_if,
    )  # fmt: skip
    result = await run_scan(config, inventory)
    assert link.calls == []
    (sweep_ctx,) = sweep.calls
    assert not sweep_ctx.link_local
    assert [d.ip for d in result.devices] == ["198.18.16.10"]


async def test_a_routed_target_behind_another_interface_is_refused(inventory: Inventory) -> None:
    config = _config(
        ("198.18.0.0/24", "198.18.16.0/24"),
        builtin_scope("lab"),
        route=lambda address: "198.18.0.1" if address.startswith("198.18.0.") else "10.9.9.9",
    )
    with pytest.raises(ScopeError, match="not reached through ccfake0"):
        await run_scan(config, inventory)
    assert inventory.scans() == []


async def test_interface_subnet_must_be_wholly_in_scope(inventory: Inventory) -> None:
    probe = FakeDiscovery("spy")
    scope = Scope.load("198.18.0.0/24\n", "scope file")  # the interface is on a /23
    config = _config(("198.18.0.0/24",), scope, discovery=(probe,))
    with pytest.raises(ScopeError, match=r"ccfake0 is on 198\.18\.0\.0/23"):
        await run_scan(config, inventory)
    assert probe.calls == []
    assert inventory.scans() == []


async def test_scan_records_devices_and_turns_expected_failures_into_outcomes(
    inventory: Inventory,
) -> None:
    ip_a, ip_b, outsider = "198.18.0.10", "198.18.0.11", "198.18.1.99"
    arp = FakeDiscovery(
        "arp",
        [
            Evidence("mac", "bc:ad:28:00:00:01", "arp", ip_a),
            Evidence("ip", ip_b, "arp", ip_b),
            Evidence("ip", outsider, "arp", outsider),  # outside the targets: ignored
            Evidence("ip", "198.18.0.1", "arp", "198.18.0.1"),  # ourselves: ignored
        ],
    )
    broken = FakeDiscovery("broken", error=OSError("network unreachable"))
    sweep = FakeDiscovery("ports", [Evidence("tcp.ports", "80,554", "ports", ip_a)])
    host_probe = FakeHostProbe()
    config = _config(
        ("198.18.0.0/24",),
        builtin_scope("lab"),
        discovery=(arp, broken),
        sweep=sweep,
        host_probes=(host_probe,),
        credentials=Credentials("admin", "hunter2"),
    )
    result = await run_scan(config, inventory)

    assert result.status == "complete"
    assert {d.ip for d in result.devices} == {ip_a, ip_b}
    assert [str(h) for h in sweep.calls[0].hosts] == [ip_a, ip_b]
    assert {h.ip: h.ports for h in host_probe.hosts} == {ip_a: (80, 554), ip_b: ()}
    outcomes = {o.name: o for o in result.outcomes}
    assert not outcomes["broken"].ok
    assert "network unreachable" in (outcomes["broken"].error or "")
    assert outcomes["arp"].ok
    assert outcomes["fakehost"].evidence_count == 1
    assert any("broken" in w for w in result.warnings)
    hik = next(d for d in result.devices if d.ip == ip_a)
    assert hik.maker == "Hikvision"
    assert hik.flagged
    scan = inventory.scan(result.scan_id)
    assert scan.status == "complete"
    assert scan.device_count == 2
    assert scan.operator == "tester"
    assert scan.host == "testhost"
    assert "hunter2" not in json.dumps(dict(scan.options))
    assert scan.options["interface"] == "ccfake0"


async def test_a_bug_in_a_probe_propagates_and_fails_the_scan(inventory: Inventory) -> None:
    config = _config(
        ("198.18.0.0/24",),
        builtin_scope("lab"),
        discovery=(FakeDiscovery("bug", error=KeyError("x")),),
    )
    with pytest.raises(KeyError):
        await run_scan(config, inventory)
    (scan,) = inventory.scans()
    assert scan.status == "failed"


async def test_cancelled_scan_finishes_incomplete(inventory: Inventory) -> None:
    config = _config(("198.18.0.0/24",), builtin_scope("lab"), discovery=(Sleeper(),))
    task = asyncio.create_task(run_scan(config, inventory))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (scan,) = inventory.scans()
    assert scan.status == "incomplete"


async def test_host_budget_caps_requests_and_concurrency() -> None:
    budget = HostBudget(max_connections=1, max_requests=3)
    async with budget.slot("198.18.0.10", 2):
        assert budget.used("198.18.0.10") == 2
    async with budget.slot("198.18.0.10"):
        pass
    with pytest.raises(RequestBudgetExceededError):
        async with budget.slot("198.18.0.10"):
            pass
    assert budget.used("198.18.0.10") == 3
    async with budget.slot("198.18.0.11"):  # other hosts have their own budget
        pass


class FakeFollowUp:
    NAME = "fakewsd"

    async def run_host(self, ctx: ProbeContext, host: HostInfo) -> list[Evidence]:
        url = f"http://{host.ip}/onvif/device_service"
        return [Evidence("wsd.xaddrs", url, "wsd", host.ip)]


async def test_host_probes_see_what_the_follow_up_stage_found(inventory: Inventory) -> None:
    """A WS-Discovery reply recovered by the unicast follow-up reaches the ONVIF probe."""
    arp = FakeDiscovery("arp", [Evidence("mac", "bc:ad:28:00:00:01", "arp", "198.18.0.10")])
    host_probe = FakeHostProbe()
    config = _config(
        ("198.18.0.0/24",),
        builtin_scope("lab"),
        discovery=(arp,),
        follow_up_probes=(FakeFollowUp(),),
        host_probes=(host_probe,),
    )
    result = await run_scan(config, inventory)
    (host,) = host_probe.hosts
    assert host.values("wsd.xaddrs") == ["http://198.18.0.10/onvif/device_service"]
    # the follow-up's row is told apart from the discovery probe of the same module
    assert {o.name for o in result.outcomes} >= {"fakewsd (per host)", "fakehost"}


class BannerByHost:
    """A host probe that answers each address with its own Server header."""

    NAME = "banner"

    async def run_host(self, ctx: ProbeContext, host: HostInfo) -> list[Evidence]:
        return [Evidence("http.server", f"App-webs/ on {host.ip}", "http", host.ip)]


async def test_two_addresses_with_one_mac_are_one_device_everywhere(
    inventory: Inventory,
) -> None:
    """A camera answering ARP on two addresses with one MAC: one device in the result, its
    JSON, the summary, the flagged count and the inventory, with both addresses' evidence."""
    from camcensus.cli.scan_cmd import _json_result, _print_summary

    mac, first, second = "bc:ad:28:00:00:01", "198.18.0.20", "198.18.0.10"
    arp = FakeDiscovery(
        "arp",
        [
            Evidence("ip", first, "arp", first),
            Evidence("mac", mac, "arp", first),
            Evidence("ip", second, "arp", second),
            Evidence("mac", mac, "arp", second),
        ],
    )
    sadp = FakeDiscovery("sadp", [Evidence("sadp.model", "DS-2CD2143G2-I", "sadp", first)])
    config = _config(
        ("198.18.0.0/24",),
        builtin_scope("lab"),
        discovery=(arp, sadp),
        host_probes=(BannerByHost(),),
    )
    result = await run_scan(config, inventory)

    (device,) = result.devices
    assert device.device_key == f"mac:{mac}"
    assert (device.ip, device.addresses) == (second, (second, first))
    assert device.model == "DS-2CD2143G2-I"
    assert device.flagged
    servers = {e.value for e in device.evidence if e.key == "http.server"}
    assert servers == {f"App-webs/ on {first}", f"App-webs/ on {second}"}

    document = json.loads(_json_result(result))
    assert [d["device_key"] for d in document["devices"]] == [device.device_key]
    summary = io.StringIO()
    _print_summary(result, summary)
    assert "1 devices, 1 flagged" in summary.getvalue()

    (record,) = inventory.devices()
    assert record.device.addresses == (second, first)
    scan = inventory.scan(result.scan_id)
    assert (scan.device_count, scan.flagged_count) == (1, 1)
    stored = inventory.device(device.device_key).device.evidence
    assert {e.address for e in stored} == {first, second}
    assert {e.value for e in stored if e.key == "http.server"} == servers


async def test_a_probe_that_tries_to_leave_the_scope_fails_the_scan(inventory: Inventory) -> None:
    class Escaping:
        NAME = "escaping"

        async def run(self, ctx: ProbeContext) -> list[Evidence]:
            from camcensus.scanner.probes import _io

            await _io.datagrams(ctx, [(b"x", ("8.8.8.8", 53))], listen_s=0)
            return []

    config = _config(("198.18.0.0/24",), builtin_scope("lab"), discovery=(Escaping(),))
    with pytest.raises(ScopeError, match="refusing to send"):
        await run_scan(config, inventory)
    (scan,) = inventory.scans()
    assert scan.status == "failed"


async def test_a_ws_discovery_flood_stores_at_most_the_evidence_cap(inventory: Inventory) -> None:
    """One device answers each Probe with 5,000 matches, other scopes each: it keeps at
    most the caps, the scan says so, and the other device loses nothing."""
    import re

    from camcensus.scanner.core.merge import MAX_EVIDENCE_PER_HOST
    from camcensus.scanner.probes import wsd

    match = WSD_MATCH
    flooder, other = "198.18.0.11", "198.18.0.12"

    def udp(payload: bytes, dest: tuple[str, int]) -> list[tuple[bytes, str]]:
        found = re.search(rb"<a:MessageID>([^<]+)</a:MessageID>", payload)
        assert found is not None
        reply = re.sub(
            rb"<wsadis:RelatesTo>[^<]*</wsadis:RelatesTo>",
            b"<wsadis:RelatesTo>" + found.group(1) + b"</wsadis:RelatesTo>",
            match,
        )
        flood = [
            (reply.replace(b"location/city/hangzhou", b"location/room-%d" % i), flooder)
            for i in range(5000)
        ]
        theirs = reply.replace(b"198.18.0.11", b"198.18.0.12").replace(b"0a:0b:0c", b"0a:0b:0d")
        return [*flood, (theirs, other)]

    arp = FakeDiscovery("arp", [Evidence("ip", ip, "arp", ip) for ip in (flooder, other)])
    config = _config(
        ("198.18.0.0/24",),
        builtin_scope("lab"),
        discovery=(arp, wsd),
        transport=lambda interface, is_root: ReplayTransport(udp=udp),
    )
    result = await run_scan(config, inventory)
    keys = {d.ip: d.device_key for d in result.devices}
    stored = {ip: inventory.device(keys[ip]).device.evidence for ip in (flooder, other)}
    assert len(stored[flooder]) <= MAX_EVIDENCE_PER_HOST
    assert any(w.startswith(f"{flooder}: kept") for w in result.warnings)
    assert not any(w.startswith(f"{other}:") for w in result.warnings)
    assert {e.value for e in stored[other] if e.key == "wsd.scope.hardware"} == {"DS-2CD2143G2-I"}
