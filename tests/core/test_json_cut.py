"""JSON documents cut short where they were published or captured
(camcensus.scanner.core._json.cut_json and the readers that fall back to it).

Shapes are built here: each is a whole document cut at a chosen point."""

from __future__ import annotations

import json

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core._json import cut_json, load_json_object
from camcensus.scanner.core.bodyfields import body_fields
from camcensus.scanner.core.limits import MAX_JSON_DEPTH
from camcensus.scanner.core.replies import parse_reply

DOC = {
    "data": {
        "deviceInfo": {"manufacturer": "Acme", "model": "AX-100", "serial": "S123"},
        "status": {"uptime": 12, "ok": True, "ports": [80, 443]},
    },
    "name": "front door",
}
TEXT = json.dumps(DOC)


@pytest.mark.parametrize(
    ("cut_after", "expected"),
    [
        ('"model": "AX-1', {"data": {"deviceInfo": {"manufacturer": "Acme"}}}),
        (
            '"model": "AX-100"',
            {"data": {"deviceInfo": {"manufacturer": "Acme", "model": "AX-100"}}},
        ),
        ('"uptime": 1', {"data": {"deviceInfo": DOC["data"]["deviceInfo"], "status": {}}}),
        ('"ok": tr', {"data": {"deviceInfo": DOC["data"]["deviceInfo"], "status": {"uptime": 12}}}),
        (
            '"ports": [80, 4',
            {
                "data": {
                    "deviceInfo": DOC["data"]["deviceInfo"],
                    "status": {"uptime": 12, "ok": True, "ports": [80]},
                }
            },
        ),
        ('"name"', {"data": DOC["data"]}),
    ],
)
def test_a_cut_document_keeps_the_members_complete_before_the_cut(
    cut_after: str, expected: object
) -> None:
    text = TEXT[: TEXT.index(cut_after) + len(cut_after)]
    assert cut_json(text) == expected


def test_a_cut_mark_after_the_last_complete_member_is_a_cut() -> None:
    assert cut_json('{"vendor": "Acme", "model": "AX-100", ...') == {
        "vendor": "Acme",
        "model": "AX-100",
    }
    assert cut_json('[{"a": 1}, {"b": "x"}, \u2026 (truncated)') == [{"a": 1}, {"b": "x"}]


@pytest.mark.parametrize(
    "text",
    [
        '{"vendor": "Acme" "model": "X"}',  # malformed before its end: no cut
        '{"vendor": "Acme", model: "X"',  # a bare key
        '{"vendor": "Acme", "n": 1 2',
        '{"vendor": "Acme"]',
        '{"vend',  # nothing complete before the cut
        "vendor=Acme",
        "",
        '{"a": "\\q", "b": "c"',  # a bad escape is no cut
        "[" * (MAX_JSON_DEPTH + 1),
    ],
)
def test_what_is_not_a_cut_document_is_refused(text: str) -> None:
    assert cut_json(text) is None


def test_a_complete_document_reads_as_json_does() -> None:
    assert cut_json(TEXT) == DOC


def test_the_readers_fall_back_to_the_cut_document() -> None:
    cut = TEXT[: TEXT.index('"serial"')]
    assert load_json_object(cut.encode(), "test") == {
        "data": {"deviceInfo": {"manufacturer": "Acme", "model": "AX-100"}}
    }
    with pytest.raises(MalformedReplyError):
        load_json_object(b'{"vendor": "Acme" "model": "X"}', "test")
    assert body_fields(cut) == [
        ("http.field.manufacturer", "Acme"),
        ("http.field.model", "AX-100"),
        ("http.field_names", "data | deviceInfo | manufacturer model"),
    ]


def test_snmp_and_mdns_replies_cut_short_are_read_as_far_as_they_go() -> None:
    snmp = b'{"sysDescr": "Linux acme-cam 4.9.0 armv7l", "sysObjectID": "1.3.6.1.4.1.99'
    found = parse_reply("snmp", snmp, "192.0.2.5")
    assert [(e.key, e.value) for e in found if e.key == "snmp.sysdescr"] == [
        ("snmp.sysdescr", "Linux acme-cam 4.9.0 armv7l")
    ]
    mdns = b'{"service": "_http._tcp", "name": "Acme Cam", "txt": {"model": "AX-100", "vend'
    keys = {e.key for e in parse_reply("mdns", mdns, "192.0.2.5")}
    assert "mdns.name" in keys


def test_cut_reading_is_bounded_and_never_raises() -> None:
    # a very long flat array cut short: read up to the token cap, no error
    text = "[" + "1," * 50_000
    result = cut_json(text)
    assert isinstance(result, list)
    assert 0 < len(result) < 50_000
    assert set(result) == {1}
    assert cut_json('{"a": 1, "b": ' + "9" * 5000 + ", ") is None  # a number Python refuses


@pytest.mark.parametrize("tail", ["", " ", "\x00\x00", " \r\n\x00 "])
def test_a_last_number_before_blanks_or_nuls_may_be_cut(tail: str) -> None:
    # the number that ends the text (blanks and NULs aside) may have lost digits; the
    # ones before it are whole (bench/hostile.py times 60,000 of them before NULs)
    assert cut_json("[1, 22, 333" + tail) == [1, 22]
    assert cut_json('{"a": 1, "b": 2.5e' + tail) == {"a": 1}
    assert cut_json("[" + "7, " * 3000 + "7" + tail) == [7] * 3000
