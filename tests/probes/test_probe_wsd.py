"""WS-Discovery over a replay transport: Probes, the RelatesTo check, the unicast follow-up."""

from __future__ import annotations

import re

from replay import CAMERA, OTHER, OUTSIDER, capture, context, sent

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import wsd as core
from camcensus.scanner.probes import wsd
from camcensus.scanner.probes.context import HostInfo
from camcensus.scanner.probes.transport import ReplayTransport

MATCH = capture("wsd_probematches.xml")
_RELATES_TO = re.compile(rb"<wsadis:RelatesTo>[^<]*</wsadis:RelatesTo>")


def _answer_as(source: str) -> ReplayTransport:
    """A device at ``source`` that answers each Probe, relating its match to that Probe."""

    def answer(payload: bytes, destination: tuple[str, int]) -> list[tuple[bytes, str]]:
        message_id = re.search(rb"<a:MessageID>([^<]+)</a:MessageID>", payload)
        assert message_id is not None
        relates = b"<wsadis:RelatesTo>" + message_id.group(1) + b"</wsadis:RelatesTo>"
        return [(_RELATES_TO.sub(relates, MATCH), source)]

    return ReplayTransport(udp=answer)


async def test_one_probe_per_device_type_to_the_group_and_the_match_is_read() -> None:
    transport = _answer_as(CAMERA)
    found = await wsd.run(context(transport))

    sends = sent(transport, "udp")
    assert [dest for _payload, dest in sends] == [(core.MULTICAST_GROUP, core.PORT)] * 2
    assert {core.TYPES_NVT.encode() in p or core.TYPES_DEVICE.encode() in p for p, _ in sends} == {
        True
    }
    values = {(e.key, e.value) for e in found}
    assert ("wsd.scope.hardware", "DS-2CD2143G2-I") in values
    assert ("wsd.scope.name", "HIKVISION DS-2CD2143G2-I") in values
    assert {e.address for e in found} == {CAMERA}


async def test_a_match_for_someone_else_s_probe_does_not_count() -> None:
    transport = ReplayTransport(udp=lambda payload, dest: [(MATCH, CAMERA)])  # stale RelatesTo
    assert await wsd.run(context(transport)) == []


async def test_a_match_from_outside_the_scan_is_dropped() -> None:
    assert await wsd.run(context(_answer_as(OUTSIDER))) == []


async def test_the_unicast_follow_up_goes_to_the_host_alone_within_its_budget() -> None:
    transport = _answer_as(CAMERA)
    ctx = context(transport)
    found = await wsd.run_host(ctx, HostInfo(CAMERA))
    assert [dest for _payload, dest in sent(transport, "udp")] == [(CAMERA, core.PORT)] * 2
    assert ctx.budget.used(CAMERA) == 2
    assert "wsd.xaddrs" in {e.key for e in found}


async def test_a_host_that_answered_the_multicast_is_not_probed_again() -> None:
    transport = _answer_as(CAMERA)
    ctx = context(transport)
    seen = HostInfo(CAMERA, evidence=(Evidence("wsd.xaddrs", "x", "wsd", CAMERA),))
    assert await wsd.run_host(ctx, seen) == []
    assert transport.sent == []
    assert ctx.budget.used(CAMERA) == 0


async def test_the_follow_up_keeps_only_the_host_s_own_answer() -> None:
    found = await wsd.run_host(context(_answer_as(OTHER)), HostInfo(CAMERA))
    assert found == []
