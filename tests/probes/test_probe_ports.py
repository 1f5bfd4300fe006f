"""The port sweep over a replay transport: one nmap run, or a connect scan without nmap."""

from __future__ import annotations

import pytest
from replay import CAMERA, IFACE, OTHER, context, sent

from camcensus.base.errors import CamcensusError
from camcensus.scanner.probes import ports
from camcensus.scanner.probes.transport import ReplayTransport

OPEN = {CAMERA: frozenset({80, 554, 8000}), OTHER: frozenset({22})}


async def test_one_nmap_run_for_every_live_host_on_the_camera_ports() -> None:
    transport = ReplayTransport(open_ports=OPEN)
    found = await ports.run(context(transport, hosts=(str(IFACE.ip), CAMERA, OTHER)))
    ((hosts, asked, arguments),) = sent(transport, "nmap")
    assert hosts == (CAMERA, OTHER)  # never ourselves
    assert asked == ports.CAMERA_PORTS
    assert arguments.startswith("-sT ")
    assert f"-e {IFACE.name}" in arguments
    assert {(e.address, e.value) for e in found} == {(CAMERA, "80,554,8000"), (OTHER, "22")}


async def test_as_root_nmap_sends_syn() -> None:
    transport = ReplayTransport(open_ports=OPEN)
    await ports.run(context(transport, is_root=True))
    ((_hosts, _ports, arguments),) = sent(transport, "nmap")
    assert arguments.startswith("-sS ")


async def test_without_nmap_a_connect_scan_does_the_same_job_and_says_so() -> None:
    warnings: list[str] = []
    transport = ReplayTransport(open_ports=OPEN, nmap_installed=False)
    found = await ports.run(context(transport, warn=warnings.append))
    assert sent(transport, "nmap") == []
    assert len(sent(transport, "connect")) == 2 * len(ports.CAMERA_PORTS)
    assert {(e.address, e.value) for e in found} == {(CAMERA, "80,554,8000"), (OTHER, "22")}
    assert warnings == ["nmap not found: using an asyncio connect scan"]


async def test_use_nmap_off_scans_by_connect_without_a_warning() -> None:
    warnings: list[str] = []
    transport = ReplayTransport(open_ports=OPEN)
    await ports.run(context(transport, use_nmap=False, warn=warnings.append))
    assert sent(transport, "nmap") == []
    assert warnings == []


async def test_a_failing_nmap_fails_the_sweep_with_its_reason() -> None:
    transport = ReplayTransport(open_ports=OPEN, nmap_error="nmap port sweep failed: bad iface")
    with pytest.raises(CamcensusError, match="bad iface"):
        await ports.run(context(transport))


def test_nmap_gets_the_scans_packet_rate_as_its_cap() -> None:
    from camcensus.scanner.probes.context import PacketRate

    capped = ports.nmap_arguments(context(ReplayTransport(), rate=PacketRate(500.0)))
    assert "--max-rate 500" in capped
    assert "--min-rate 500 " in capped  # never a floor above the cap
    uncapped = ports.nmap_arguments(context(ReplayTransport()))
    assert "--max-rate" not in uncapped
    assert f"--min-rate {ports.MIN_RATE_PPS} " in uncapped


ROUTED_CAMERA, ROUTED_PRINTER, ROUTED_EMPTY = "198.18.16.10", "198.18.16.11", "198.18.16.12"


@pytest.mark.parametrize("use_nmap", [True, False])
async def test_routed_addresses_get_the_other_ports_only_when_they_answered_the_first_few(
    use_nmap: bool,
) -> None:
    """A routed address is asked DISCOVERY_PORTS first; one that answers (open or a RST)
    is asked every camera port, one that stays silent nothing more.  On-link hosts
    (known to be live) get every port at once."""
    transport = ReplayTransport(
        open_ports={
            CAMERA: frozenset({80}),
            ROUTED_CAMERA: frozenset({554, 8443}),
            ROUTED_PRINTER: frozenset({9100}),  # refuses the first ports: it is there
        }
    )
    hosts = (CAMERA, ROUTED_CAMERA, ROUTED_PRINTER, ROUTED_EMPTY)
    found = await ports.run(context(transport, hosts=hosts, use_nmap=use_nmap))
    assert {(e.address, e.value) for e in found} == {
        (CAMERA, "80"), (ROUTED_CAMERA, "554,8443"), (ROUTED_PRINTER, "9100"),
    }  # fmt: skip
    if use_nmap:
        first, second = sent(transport, "nmap")
        assert first[:2] == ((ROUTED_CAMERA, ROUTED_PRINTER, ROUTED_EMPTY), ports.DISCOVERY_PORTS)
        assert second[:2] == ((CAMERA, ROUTED_CAMERA, ROUTED_PRINTER), ports.CAMERA_PORTS)
    else:
        asked = sent(transport, "connect")
        assert {p for ip, p in asked if ip == ROUTED_EMPTY} == set(ports.DISCOVERY_PORTS)
        assert {p for ip, p in asked if ip == ROUTED_PRINTER} == set(ports.CAMERA_PORTS)
