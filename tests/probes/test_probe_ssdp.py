"""SSDP over a replay transport: M-SEARCH to the group, then the same-host description."""

from __future__ import annotations

from replay import CAMERA, OTHER, capture, context, http_reply, sent

from camcensus.scanner.core import ssdp as core
from camcensus.scanner.probes import ssdp
from camcensus.scanner.probes.transport import ReplayTransport

RESPONSE = capture("ssdp_response.txt")  # LOCATION http://198.18.0.11:49152/upnp/description.xml
DESCRIPTION = capture("upnp_description.xml")


def _device(response: bytes = RESPONSE, source: str = CAMERA) -> ReplayTransport:
    return ReplayTransport(
        udp=lambda payload, dest: [(response, source)],
        tcp=lambda ip, port, request: http_reply(
            "200 OK", ["Content-Type: text/xml; charset=utf-8"], DESCRIPTION
        ),
        open_ports={CAMERA: frozenset({49152}), OTHER: frozenset({49152})},
    )


async def test_search_then_the_description_of_the_answering_host() -> None:
    transport = _device()
    found = await ssdp.run(context(transport))

    ((payload, destination),) = sent(transport, "udp")
    assert destination == (core.MULTICAST_GROUP, core.PORT)
    assert payload.startswith(b"M-SEARCH * HTTP/1.1\r\n")
    ((ip, port, request),) = sent(transport, "tcp")
    assert (ip, port) == (CAMERA, 49152)
    assert request.startswith(b"GET /upnp/description.xml HTTP/1.1\r\n")
    keys = {e.key for e in found}
    assert {"ssdp.server", "ssdp.usn", "upnp.manufacturer", "upnp.model_name"} <= keys
    assert {e.address for e in found} == {CAMERA}


async def test_a_location_on_another_host_is_never_fetched() -> None:
    elsewhere = RESPONSE.replace(b"198.18.0.11:49152", b"198.18.0.12:49152")
    transport = _device(elsewhere)
    found = await ssdp.run(context(transport))
    assert sent(transport, "tcp") == []
    assert "ssdp.server" in {e.key for e in found}  # the response itself still counts


async def test_a_description_that_is_not_200_adds_nothing() -> None:
    transport = ReplayTransport(
        udp=lambda payload, dest: [(RESPONSE, CAMERA)],
        tcp=lambda ip, port, request: http_reply("404 Not Found"),
        open_ports={CAMERA: frozenset({49152})},
    )
    found = await ssdp.run(context(transport))
    assert not any(e.key.startswith("upnp.") for e in found)


async def test_a_refused_description_port_is_silence_not_an_error() -> None:
    transport = ReplayTransport(udp=lambda payload, dest: [(RESPONSE, CAMERA)])
    found = await ssdp.run(context(transport))
    assert "ssdp.server" in {e.key for e in found}
