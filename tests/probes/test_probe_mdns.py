"""mDNS over a replay transport: instances resolved, bound to in-scope addresses."""

from __future__ import annotations

from replay import CAMERA, OUTSIDER, context, sent

from camcensus.scanner.probes import mdns
from camcensus.scanner.probes.transport import MdnsService, ReplayTransport

AXIS = MdnsService(
    "_axis-video._tcp.local.",
    "AXIS M3106-L Mk II - ACCC8E012345._axis-video._tcp.local.",
    (CAMERA, OUTSIDER),
    (("macaddress", "ACCC8E012345"), ("Bad Key!", "x"), ("empty", None)),
)


async def test_instances_become_evidence_for_scan_hosts_only() -> None:
    transport = ReplayTransport(mdns_services=[AXIS])
    found = await mdns.run(context(transport))
    assert sent(transport, "mdns") == [mdns.SERVICE_TYPES]
    assert {(e.key, e.value) for e in found} == {
        ("mdns.service", "_axis-video._tcp.local."),
        ("mdns.name", "AXIS M3106-L Mk II - ACCC8E012345"),
        ("mdns.txt.macaddress", "ACCC8E012345"),
    }
    assert {e.address for e in found} == {CAMERA}


async def test_names_are_kept_verbatim_but_without_nuls_and_capped() -> None:
    # device text stays as sent (escaped only where it is shown), minus NUL padding
    hostile = MdnsService(
        "_http._tcp.local.", "cam\x1b[2J\x00" + "x" * 400 + "._http._tcp.local.", (CAMERA,)
    )
    found = await mdns.run(context(ReplayTransport(mdns_services=[hostile])))
    (name,) = [e.value for e in found if e.key == "mdns.name"]
    assert name.startswith("cam\x1b[2Jxxx")
    assert "\x00" not in name
    assert len(name) == 256
