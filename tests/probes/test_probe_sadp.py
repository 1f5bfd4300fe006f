"""Hikvision SADP over a replay transport: the inquiry, the group, the replies kept."""

from __future__ import annotations

from replay import CAMERA, OTHER, OUTSIDER, capture, context, sent

from camcensus.scanner.core import sadp as core
from camcensus.scanner.probes import _io, sadp
from camcensus.scanner.probes.transport import (
    MAX_DATAGRAMS,
    MAX_DATAGRAMS_PER_SOURCE,
    ReplayTransport,
)


async def test_one_inquiry_to_the_group_and_the_camera_s_match_is_read() -> None:
    reply = capture("sadp_probematch.xml")
    transport = ReplayTransport(udp=lambda payload, dest: [(reply, CAMERA), (reply, OUTSIDER)])
    found = await sadp.run(context(transport))

    ((payload, destination),) = sent(transport, "udp")
    assert destination == (core.GROUP, core.PORT)
    assert b"<Types>inquiry</Types>" in payload
    assert transport.sockets == [(core.PORT, core.GROUP)]  # replies go to the group
    values = {(e.key, e.value) for e in found}
    assert ("sadp.model", "DS-2CD2143G2-I") in values
    assert ("mac", "bc:ad:28:0a:0b:0c") in values
    assert {e.address for e in found} == {CAMERA}  # the outsider's copy is dropped
    assert {e.source for e in found} == {"sadp"}


async def test_a_garbled_reply_costs_only_itself() -> None:
    good = capture("sadp_probematch.xml")
    transport = ReplayTransport(
        udp=lambda payload, dest: [(b"<ProbeMatch><Uuid>", CAMERA), (good, CAMERA)]
    )
    found = await sadp.run(context(transport))
    assert ("sadp.model", "DS-2CD2143G2-I") in {(e.key, e.value) for e in found}


async def test_silence_is_an_empty_result() -> None:
    assert await sadp.run(context(ReplayTransport())) == []


async def test_one_flooding_device_cannot_crowd_out_the_others() -> None:
    reply = capture("sadp_probematch.xml")
    many = [
        (reply.replace(b"</ProbeMatch>", f"<n>{i}</n></ProbeMatch>".encode()), CAMERA)
        for i in range(MAX_DATAGRAMS + 10)
    ]
    # the flood arrives first; OTHER's one answer comes after all of it
    transport = ReplayTransport(udp=lambda payload, dest: [*many, (reply, OTHER)])
    found = await sadp.run(context(transport))
    assert {e.address for e in found} == {CAMERA, OTHER}
    heard = await _io.datagrams(context(transport), [(b"x", (core.GROUP, core.PORT))], listen_s=0)
    assert sum(1 for _, source in heard if source == CAMERA) == MAX_DATAGRAMS_PER_SOURCE
    assert [source for _, source in heard].count(OTHER) == 1
