from __future__ import annotations

import json
import struct
from collections.abc import Callable

import pytest

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core import dhip
from camcensus.vendor_db import identify

ADDRESS = "198.18.0.12"


def frame(body: bytes) -> bytes:
    return (
        struct.pack("<I", 32) + b"DHIP" + bytes(8) + struct.pack("<QQ", len(body), len(body)) + body
    )


def test_build_search_frame_layout() -> None:
    packet = dhip.build_search()
    assert packet[:4] == b"\x20\x00\x00\x00"
    assert packet[4:8] == b"DHIP"
    assert packet[8:16] == bytes(8)
    body = packet[32:]
    (length1, length2) = struct.unpack("<QQ", packet[16:32])
    assert length1 == length2 == len(body)
    assert json.loads(body) == {"method": "DHDiscover.search", "params": {"mac": "", "uni": 1}}


def test_parse_reply_fields(capture: Callable[[str], bytes]) -> None:
    found = dhip.parse_reply(capture("dhip_notifydevinfo.bin"), ADDRESS)
    assert {e.key: e.value for e in found} == {
        "dhip.vendor": "General",
        "dhip.manufacturer": "Dahua",
        "dhip.device_class": "IPC",
        "dhip.device_type": "IPC-HDW2431T-AS-S2",
        "dhip.serial": "7B0123PAZ00002",
        "dhip.firmware": "2.800.0000000.26.R",
        "dhip.machine_name": "7B0123PAZ00002",
        "dhip.remote_channels": "0",
        "dhip.video_inputs": "1",
        "dhip.mac": "3c:ef:8c:0a:0b:0c",
        "mac": "3c:ef:8c:0a:0b:0c",
        "ip": "198.18.0.12",
    }
    assert {e.source for e in found} == {"dhip"}


def test_own_search_echo_is_ignored() -> None:
    assert dhip.parse_reply(dhip.build_search(), ADDRESS) == []


def test_a_login_challenge_gives_its_realm_other_calls_nothing() -> None:
    challenge = {
        "result": False,
        "params": {"realm": "Login to 7B0123PAZ00002", "random": "x", "encryption": "Default"},
        "error": {"code": 268632079, "message": "Component error: login challenge!"},
        "id": 0,
    }
    found = dhip.parse_reply(frame(json.dumps(challenge).encode()), ADDRESS)
    assert [(e.key, e.value) for e in found] == [("dhip.realm", "Login to 7B0123PAZ00002")]
    call = {"method": "global.login", "params": {"realm": "Login to X"}}
    assert dhip.parse_reply(frame(json.dumps(call).encode()), ADDRESS) == []


def test_device_info_in_another_methods_answer_is_read() -> None:
    answer = {"method": "DHDiscover.search", "params": {"deviceInfo": {"DeviceType": "NVR4108"}}}
    found = dhip.parse_reply(frame(json.dumps(answer).encode()), ADDRESS)
    assert ("dhip.device_type", "NVR4108") in [(e.key, e.value) for e in found]


def test_header_length_may_vary() -> None:
    body = b'{"method":"client.notifyDevInfo","params":{"deviceInfo":{"SerialNo":"X1"}}}'
    assert [e.value for e in dhip.parse_reply(b"\x00" * 7 + body, ADDRESS)] == ["X1"]


def test_non_string_values_are_skipped_numbers_kept() -> None:
    body = json.dumps(
        {
            "method": "client.notifyDevInfo",
            "params": {"deviceInfo": {"DeviceType": ["x"], "Version": 3, "Vendor": None}},
        }
    ).encode()
    assert [(e.key, e.value) for e in dhip.parse_reply(frame(body), ADDRESS)] == [
        ("dhip.firmware", "3")
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\x20\x00\x00\x00DHIP\x00\x00",  # truncated header
        frame(b""),  # no JSON
        frame(b'{"method":"client.notifyDevInfo","params":{"deviceInfo":{"Serial" "x"'),
        frame(b'{"method":"client.notifyDevInfo","params":{}}'),  # no deviceInfo
        frame(b'{"method":"client.notifyDevInfo","params":"x"}'),
        frame(b"{\xff\xfe}"),  # not UTF-8, not JSON
    ],
)
def test_garbage_raises_malformed(data: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        dhip.parse_reply(data, ADDRESS)


def test_a_reply_cut_short_gives_the_fields_before_the_cut() -> None:
    cut = frame(
        b'{"method":"client.notifyDevInfo","params":{"deviceInfo":{"Vendor":"Dahua",'
        b'"SerialNo":"4F0123PAZ","DeviceType":"IPC-HDW14'
    )
    method = ("dhip.method", "client.notifyDevInfo")
    assert [(e.key, e.value) for e in dhip.parse_reply(cut, ADDRESS)] == [
        method,
        ("dhip.vendor", "Dahua"),
        ("dhip.serial", "4F0123PAZ"),
    ]
    # cut inside the first field of deviceInfo, or before it: only the method is left,
    # and it still says the device speaks Dahua's discovery
    empty = frame(b'{"method":"client.notifyDevInfo","params":{"deviceInfo":{"Serial')
    before = frame(b'{"method":"client.notifyDevInfo","params":{"devi')
    for data in (empty, before):
        evidence = dhip.parse_reply(data, ADDRESS)
        assert [(e.key, e.value) for e in evidence] == [method]
        assert identify(evidence).maker == "Dahua"
    # a complete notifyDevInfo is not cut: the method alone is not added
    whole = frame(b'{"method":"client.notifyDevInfo","params":{"deviceInfo":{"Vendor":"Dahua"}}}')
    assert [e.key for e in dhip.parse_reply(whole, ADDRESS)] == ["dhip.vendor"]


def test_a_framed_answer_cut_before_its_session_keeps_its_shape() -> None:
    cut = frame(b'{"id":2,"params":{"realm":"Login to 4J0')
    evidence = dhip.parse_reply(cut, ADDRESS)
    assert [(e.key, e.value) for e in evidence] == [("dhip.answer", "id,params")]
    assert identify(evidence).maker == "Dahua"
    # unframed, or complete without a session, the same members say nothing
    assert dhip.parse_reply(b'{"id":2,"params":{"realm":"Login to 4J0', ADDRESS) == []
    assert dhip.parse_reply(frame(b'{"id":2,"params":{}}'), ADDRESS) == []


def test_nested_json_bomb_refused_before_recursion() -> None:
    with pytest.raises(MalformedReplyError, match="nested"):
        dhip.parse_reply(frame(b"{" + b'"a":[' * 5_000), ADDRESS)


def test_oversized_reply_refused() -> None:
    with pytest.raises(ReplyTooLargeError):
        dhip.parse_reply(frame(b"{" + b" " * 10_000_000 + b"}"), ADDRESS)


def test_an_rpc_answer_gives_its_shape_and_the_facts_it_answers() -> None:
    """magicBox.getSystemInfo answered over DHIP (camelCase names, in params, with the
    session Dahua's RPC keeps): the shape and the model and serial are evidence."""
    answer = {
        "id": 3,
        "params": {"deviceType": "IPC-HDW2431T-AS-S2", "serialNumber": "7B0123PAZ00002"},
        "result": True,
        "session": 1234567,
    }
    found = dhip.parse_reply(frame(json.dumps(answer).encode()), ADDRESS)
    assert [(e.key, e.value) for e in found] == [
        ("dhip.answer", "id,params,result,session"),
        ("dhip.device_type", "IPC-HDW2431T-AS-S2"),
        ("dhip.serial", "7B0123PAZ00002"),
    ]
    not_rpc = {"id": 3, "result": True, "jsonrpc": "2.0", "session": 1}
    assert dhip.parse_reply(frame(json.dumps(not_rpc).encode()), ADDRESS) == []


def test_a_notification_the_device_pushes_names_its_method() -> None:
    """An event a Dahua VTO pushes to its client over DHIP (tcp 5000): the method is
    Dahua's RPC; a request another client sent (global.login) stays silent."""
    event = {
        "id": 7,
        "method": "client.notifyEventStream",
        "params": {"eventList": [{"Action": "Pulse", "Code": "CallNoAnswered", "Index": 0}]},
        "session": 1234567,
    }
    found = dhip.parse_reply(frame(json.dumps(event).encode()), ADDRESS)
    assert [(e.key, e.value) for e in found] == [("dhip.method", "client.notifyEventStream")]
