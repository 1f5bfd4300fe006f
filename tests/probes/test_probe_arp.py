"""Finding live hosts over a replay transport: ARP as root, a connect sweep otherwise."""

from __future__ import annotations

from replay import CAMERA, IFACE, OTHER, context, sent

from camcensus.scanner.probes import arp
from camcensus.scanner.probes.transport import ReplayTransport

OURS = str(IFACE.ip)
SILENT = "198.18.0.13"


async def test_arp_asks_every_target_but_ourselves_and_keeps_usable_macs() -> None:
    transport = ReplayTransport(
        arp_table={CAMERA: "BC-AD-28-0A-0B-0C", OTHER: "01:00:5e:00:00:01"}  # a group MAC
    )
    ctx = context(transport, hosts=(OURS, CAMERA, OTHER, SILENT), is_root=True)
    found = await arp.run(ctx)
    assert sent(transport, "arp") == [CAMERA, OTHER, SILENT, SILENT, SILENT]  # 2 retries
    assert {(e.key, e.value, e.address) for e in found} == {
        ("ip", CAMERA, CAMERA),
        ("mac", "bc:ad:28:0a:0b:0c", CAMERA),
        ("ip", OTHER, OTHER),  # alive, but a multicast MAC is no identity
    }
    assert {e.source for e in found} == {"arp"}


async def test_without_root_a_connect_sweep_finds_hosts_that_accept_or_refuse() -> None:
    warnings: list[str] = []
    transport = ReplayTransport(
        open_ports={CAMERA: frozenset({554}), OTHER: frozenset()}  # OTHER refuses (RST)
    )
    ctx = context(transport, hosts=(OURS, CAMERA, OTHER, SILENT), warn=warnings.append)
    found = await arp.run(ctx)
    assert {e.value for e in found if e.key == "ip"} == {CAMERA, OTHER}
    assert not any(e.key == "mac" for e in found)
    assert any("not root" in w for w in warnings)
    tried = sent(transport, "connect")
    assert (OURS, 80) not in tried
    assert [port for ip, port in tried if ip == SILENT] == list(arp.CONNECT_PORTS)
    # a refusal (RST) on the first port already proves the camera is there
    assert [port for ip, port in tried if ip == CAMERA] == [arp.CONNECT_PORTS[0]]


async def test_without_root_the_kernels_arp_cache_gives_the_macs_of_hosts_that_answered() -> None:
    transport = ReplayTransport(
        open_ports={CAMERA: frozenset({554}), OTHER: frozenset()},
        neighbour_table={
            CAMERA: "BC-AD-28-0A-0B-0C",
            OTHER: "01:00:5e:00:00:01",
            SILENT: "bc:ad:28:00:00:13",
        },
    )
    ctx = context(transport, hosts=(OURS, CAMERA, OTHER, SILENT))
    found = await arp.run(ctx)
    # OTHER's group MAC is no identity; SILENT never answered (and the replay's kernel
    # never resolved it)
    assert [(e.value, e.source, e.address) for e in found if e.key == "mac"] == [
        ("bc:ad:28:0a:0b:0c", "kernel-arp", CAMERA)
    ]
    assert sent(transport, "arp") == []  # nothing sent for it


async def test_arp_asks_only_the_silent_hosts_again() -> None:
    # CAMERA misses the first request (busy under a flood) and answers the second
    transport = ReplayTransport(
        arp_table={CAMERA: "BC-AD-28-0A-0B-0C", OTHER: "bc:ad:28:0a:0b:0d"},
        arp_ignored={CAMERA: 1},
    )
    ctx = context(transport, hosts=(OURS, CAMERA, OTHER, SILENT), is_root=True)
    found = await arp.run(ctx)
    assert {(e.value, e.address) for e in found if e.key == "mac"} == {
        ("bc:ad:28:0a:0b:0c", CAMERA),
        ("bc:ad:28:0a:0b:0d", OTHER),
    }
    # round 1 asks all; round 2 the two silent ones; round 3 only the one still silent
    assert sent(transport, "arp") == [CAMERA, OTHER, SILENT, CAMERA, SILENT, SILENT]
    assert arp.RETRIES == 2
