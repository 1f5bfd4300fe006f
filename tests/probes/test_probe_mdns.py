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
        ("mdns.txt_record", "_axis-video._tcp.local.: macaddress=ACCC8E012345; empty"),
    }
    assert {e.address for e in found} == {CAMERA}


async def test_each_txt_value_stays_tied_to_the_service_that_announced_it() -> None:
    # one device, two services with a TXT key in common: the per-key items cannot tell
    # which path is whose, the record of each instance does
    web = MdnsService(
        "_http._tcp.local.", "cam._http._tcp.local.", (CAMERA,), (("path", "/index.html"),)
    )
    stream = MdnsService(
        "_rtsp._tcp.local.",
        "cam._rtsp._tcp.local.",
        (CAMERA,),
        (("path", "/Streaming/Channels/101"), ("Model", "DS-2CD2143G2-I")),
    )
    found = await mdns.run(context(ReplayTransport(mdns_services=[web, stream])))
    records = sorted(e.value for e in found if e.key == "mdns.txt_record")
    assert records == [
        "_http._tcp.local.: path=/index.html",
        "_rtsp._tcp.local.: path=/Streaming/Channels/101; model=DS-2CD2143G2-I",
    ]
    assert sorted(e.value for e in found if e.key == "mdns.txt.path") == [
        "/Streaming/Channels/101",
        "/index.html",
    ]
    assert [e.value for e in found if e.key == "mdns.txt.model"] == ["DS-2CD2143G2-I"]


async def test_an_instance_without_txt_pairs_has_no_record() -> None:
    bare = MdnsService(
        "_http._tcp.local.", "cam._http._tcp.local.", (CAMERA,), (("Bad Key!", "x"),)
    )
    found = await mdns.run(context(ReplayTransport(mdns_services=[bare])))
    assert not [e for e in found if e.key.startswith("mdns.txt")]


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
