"""Dahua DHIP over a replay transport: search to the group and the subnet broadcast."""

from __future__ import annotations

from replay import CAMERA, IFACE, OUTSIDER, capture, context, sent

from camcensus.scanner.core import dhip as core
from camcensus.scanner.probes import dhip
from camcensus.scanner.probes.transport import ReplayTransport


async def test_search_goes_to_the_group_and_the_broadcast_and_replies_are_parsed() -> None:
    reply = capture("dhip_notifydevinfo.bin")

    def answer(payload: bytes, destination: tuple[str, int]) -> list[tuple[bytes, str]]:
        # a device hears both the group and the broadcast search and answers each
        return [(reply, CAMERA), (reply, OUTSIDER)]

    transport = ReplayTransport(udp=answer)
    found = await dhip.run(context(transport))

    destinations = [dest for _payload, dest in sent(transport, "udp")]
    assert destinations == [(core.GROUP, core.PORT), (str(IFACE.broadcast), core.PORT)]
    payload, _ = sent(transport, "udp")[0]
    assert payload[4:8] == b"DHIP"
    assert b"DHDiscover.search" in payload
    keys = {e.key for e in found}
    assert {"dhip.device_type", "dhip.serial", "mac"} <= keys
    assert {e.address for e in found} == {CAMERA}
    assert len(found) == len(set(found))  # the two answers are one set of evidence


async def test_bare_json_without_the_header_is_still_read_or_skipped_never_raised() -> None:
    body = capture("dhip_notifydevinfo.bin")[core.HEADER_BYTES :]
    transport = ReplayTransport(udp=lambda payload, dest: [(body, CAMERA), (b"\x00" * 40, CAMERA)])
    found = await dhip.run(context(transport))
    assert all(e.address == CAMERA for e in found)
