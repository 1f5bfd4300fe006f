"""Hostile encodings, giant numbers and absurd clocks end as MalformedReplyError or text.

The scan runner tolerates only TimeoutError, OSError and CamcensusError from a probe, so
any other exception a parser lets out fails the whole scan (code review, items 1-3, 5).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core import _json, _xml, http, onvif
from camcensus.scanner.core.text import escape_controls


@pytest.mark.parametrize(
    "encoding", ["hex", "rot13", "base64", "zlib", "uu", "utf-32", "utf-7", "idna", "punycode"]
)
def test_parse_xml_refuses_unusable_encoding_declarations(encoding: str) -> None:
    data = f'<?xml version="1.0" encoding="{encoding}"?><a>caf\u00e9</a>'.encode("latin-1")
    with pytest.raises(MalformedReplyError):
        _xml.parse_xml(data, "test reply")


def _headers(content_type: str) -> http.Headers:
    return http.Headers((("Content-Type", content_type),))


@pytest.mark.parametrize(
    "charset", ["hex", "base64", "zlib", "rot13", "uu", "bz2", "idna", "punycode"]
)
def test_decode_body_never_raises_for_a_hostile_charset(charset: str) -> None:
    body = b"<title>Caf\xc3\xa9 \xff\x80</title>"
    text = http.decode_body(_headers(f"text/html; charset={charset}"), body)
    assert isinstance(text, str)
    assert "<title>" in text  # the markup survives; only undecodable bytes become U+FFFD


def test_decode_body_ignores_binary_codecs_but_keeps_text_ones() -> None:
    body = "Caf\u00e9".encode("cp1252")
    assert http.decode_body(_headers("text/html; charset=hex"), b"Caf\xc3\xa9") == "Caf\u00e9"
    assert http.decode_body(_headers("text/html; charset=windows-1252"), body) == "Caf\u00e9"


def test_parse_http_with_hex_charset_gives_evidence() -> None:
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=hex\r\n\r\n<title>cam</title>"
    found = {e.key: e.value for e in http.parse_http(reply, "198.18.0.9")}
    assert found["http.title"] == "cam"


def test_json_number_over_int_max_str_digits_is_malformed() -> None:
    raw = b'{"serial": ' + b"9" * 5000 + b"}"
    with pytest.raises(MalformedReplyError, match="JSON"):
        _json.load_json_object(raw, "test JSON")


def test_json_raw_control_characters_inside_strings_are_kept() -> None:
    raw = b'{"DeviceType": "IPC\tX", "note": "line1\nline2"}'
    assert _json.load_json_object(raw, "test JSON") == {
        "DeviceType": "IPC\tX",
        "note": "line1\nline2",
    }


def _time_reply(inner: str) -> bytes:
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"'
        ' xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Body>'
        f"<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>{inner}"
        "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse></s:Body></s:Envelope>"
    ).encode()


def _date_time(tag: str, year: int, month: int, day: int, hour: int) -> str:
    return (
        f"<{tag}><Time><Hour>{hour}</Hour><Minute>30</Minute><Second>0</Second></Time>"
        f"<Date><Year>{year}</Year><Month>{month}</Month><Day>{day}</Day></Date></{tag}>"
    )


@pytest.mark.parametrize(
    ("tz", "year", "month", "day", "hour"),
    [
        ("EST5", 9999, 12, 31, 23),  # local 9999-12-31 23:30 is UTC year 10000
        ("CST-8", 1, 1, 1, 2),  # local 0001-01-01 02:30 is UTC year 0
    ],
)
def test_local_time_beyond_datetime_range_is_malformed(
    tz: str, year: int, month: int, day: int, hour: int
) -> None:
    inner = f"<TimeZone><TZ>{tz}</TZ></TimeZone>" + _date_time(
        "LocalDateTime", year, month, day, hour
    )
    with pytest.raises(MalformedReplyError, match="out of range"):
        onvif.parse_system_date_and_time(_time_reply(inner))


def test_year_9999_utc_clock_still_parses() -> None:
    reply = _time_reply(_date_time("UTCDateTime", 9999, 12, 31, 23))
    assert onvif.parse_system_date_and_time(reply) == datetime(9999, 12, 31, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("cam\x1b[2J\x07", "cam\\x1b[2J\\x07"),
        ("a\x9bb", "a\\x9bb"),  # C1 CSI
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),  # bidi override
        ("x\u200by\ufeff", "x\\u200by\\ufeff"),
        ("line\nbreak\r", "line\\x0abreak\\x0d"),
        ("Hikvision DS-2CD2143G2-I", "Hikvision DS-2CD2143G2-I"),
        (None, ""),
    ],
)
def test_escape_controls_makes_terminal_controls_visible(raw: str | None, shown: str) -> None:
    assert escape_controls(raw) == shown
