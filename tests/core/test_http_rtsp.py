from __future__ import annotations

from collections.abc import Callable

import pytest

from camcensus import __version__
from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core import http, rtsp
from camcensus.scanner.core.limits import MAX_HTTP_BODY_EVIDENCE_CHARS, MAX_HTTP_HEAD_BYTES

ADDRESS = "198.18.0.11"
UA = f"User-Agent: camcensus/{__version__}".encode()  # every request names the version


def test_build_request() -> None:
    assert http.build_request("198.18.0.11:8080", "/doc/page/login.asp") == (
        b"GET /doc/page/login.asp HTTP/1.1\r\nHost: 198.18.0.11:8080\r\n"
        + UA
        + b"\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    )


@pytest.mark.parametrize(
    ("host", "path"), [("h\r\nX: y", "/"), ("h", "/a b"), ("h", "relative"), ("", "/")]
)
def test_build_request_refuses_injection(host: str, path: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        http.build_request(host, path)


def test_parse_response_head_multi_values() -> None:
    status, headers = http.parse_response_head(
        b"HTTP/1.1 401 Unauthorized\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n"
        b"X-Long: part1\r\n  part2\r\nbroken line\r\n\r\nbody"
    )
    assert status == 401
    assert headers.get_all("SET-COOKIE") == ["a=1", "b=2"]
    assert headers.get("x-long") == "part1 part2"
    assert headers.get("missing") is None


@pytest.mark.parametrize(
    "data", [b"", b"SSH-2.0-OpenSSH_9.6\r\n", b"HTTP/1.1 abc\r\n\r\n", b"RTSP/1.0 200 OK\r\n\r\n"]
)
def test_parse_response_head_garbage(data: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        http.parse_response_head(data)


def test_head_over_cap_refused() -> None:
    data = b"HTTP/1.1 200 OK\r\nX: " + b"a" * MAX_HTTP_HEAD_BYTES + b"\r\n\r\n"
    with pytest.raises(ReplyTooLargeError):
        http.parse_response_head(data)
    with pytest.raises(ReplyTooLargeError):
        http.parse_response_head(data[:-4])  # no blank line either


def test_parse_http_uc_httpd(capture: Callable[[str], bytes]) -> None:
    found = http.parse_http(capture("http_uc_httpd.txt"), ADDRESS)
    values = {e.key: e.value for e in found}
    assert values["http.server"] == "uc-httpd 1.0.0"
    assert values["http.title"] == "NETSurveillance WEB"
    assert values["http.body"].startswith("<!DOCTYPE html>")
    assert "Sign in &amp; watch" in values["http.body"]  # the body stays verbatim
    assert {e.source for e in found} == {"http"}


def test_parse_http_chunked_body(capture: Callable[[str], bytes]) -> None:
    found = http.parse_http(capture("http_app_webs_chunked.txt"), ADDRESS, source="https")
    values = {e.key: e.value for e in found}
    assert values["http.server"] == "App-webs/"
    assert values["http.title"] == "Index"
    assert values["http.body"].endswith("login.asp'\"></body></html>")
    assert "\r\n" not in values["http.body"]
    assert {e.source for e in found} == {"https"}


def test_parse_http_realms(capture: Callable[[str], bytes]) -> None:
    found = http.parse_http(capture("http_401_digest.txt"), ADDRESS)
    assert [(e.key, e.value) for e in found] == [
        ("http.server", "webserver"),
        ("http.realm", "IP Camera(C1234)"),
        ("http.header_names", "Date, Server, WWW-Authenticate, WWW-Authenticate, Content-Length"),
    ]


def test_realm_forms() -> None:
    headers = http.Headers(
        (
            ("WWW-Authenticate", 'Digest realm="a \\"q\\" b", nonce="1"'),
            ("WWW-Authenticate", "Basic realm=token"),
        )
    )
    assert http.auth_realms(headers) == ['a "q" b', "token"]


def test_location_and_title_entities() -> None:
    data = (
        b"HTTP/1.1 302 Found\r\nLocation: /doc/page/login.asp?_1\r\n"
        b"Content-Type: text/html; charset=gb2312\r\n\r\n"
        b"<TITLE lang=zh>\xb5\xc7\xc2\xbc &lt;NVR&gt;\n\n x</TITLE>"
    )
    values = {e.key: e.value for e in http.parse_http(data, ADDRESS)}
    assert values["http.location"] == "/doc/page/login.asp?_1"
    assert values["http.title"] == "\u767b\u5f55 <NVR> x"


def test_body_non_utf8_without_charset_falls_back_to_latin1() -> None:
    values = {
        e.key: e.value
        for e in http.parse_http(b"HTTP/1.0 200 OK\r\n\r\ncaf\xe9 <title>t\xe9</title>", ADDRESS)
    }
    assert values["http.title"] == "t\u00e9"
    assert values["http.body"].startswith("caf\u00e9")


def test_huge_body_is_truncated_not_refused() -> None:
    data = b"HTTP/1.1 200 OK\r\n\r\n<title>big</title>" + b"A" * 10_000_000
    values = {e.key: e.value for e in http.parse_http(data, ADDRESS)}
    assert values["http.title"] == "big"
    assert len(values["http.body"]) == MAX_HTTP_BODY_EVIDENCE_CHARS


def test_title_scan_is_linear_on_hostile_markup() -> None:
    data = b"HTTP/1.1 200 OK\r\n\r\n" + b"<title" * 40_000
    assert [e.key for e in http.parse_http(data, ADDRESS)] == ["http.body"]


def test_unterminated_title_is_bounded() -> None:
    data = b"HTTP/1.1 200 OK\r\n\r\n<title>" + b"x " * 50_000
    title = {e.key: e.value for e in http.parse_http(data, ADDRESS)}["http.title"]
    assert len(title) <= 256


def test_broken_chunking_keeps_what_arrived() -> None:
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nrest"
    values = {e.key: e.value for e in http.parse_http(data, ADDRESS)}
    assert values["http.body"] == "hello"


def test_rtsp_requests() -> None:
    assert rtsp.build_options("rtsp://198.18.0.12:554/", 1) == (
        b"OPTIONS rtsp://198.18.0.12:554/ RTSP/1.0\r\nCSeq: 1\r\n" + UA + b"\r\n\r\n"
    )
    assert rtsp.build_describe("rtsp://198.18.0.12/", 2) == (
        b"DESCRIBE rtsp://198.18.0.12/ RTSP/1.0\r\nCSeq: 2\r\n"
        + UA
        + b"\r\nAccept: application/sdp\r\n\r\n"
    )


@pytest.mark.parametrize("url", ["http://x/", "rtsp://x/\r\nCSeq: 9", "rtsp://x /"])
def test_rtsp_request_refuses_bad_url(url: str) -> None:
    with pytest.raises(ValueError, match="unsafe"):
        rtsp.build_options(url, 1)


def test_parse_rtsp_401(capture: Callable[[str], bytes]) -> None:
    found = rtsp.parse_rtsp(capture("rtsp_describe_401.txt"), "198.18.0.12")
    assert [(e.key, e.value) for e in found] == [
        ("rtsp.server", "Dahua Rtsp Server"),
        ("rtsp.realm", "Login to 7B0123PAZ00002"),
        ("rtsp.header_names", "CSeq, WWW-Authenticate, Server"),
    ]


def test_parse_rtsp_public(capture: Callable[[str], bytes]) -> None:
    values = {e.key: e.value for e in rtsp.parse_rtsp(capture("rtsp_options_200.txt"), ADDRESS)}
    assert values["rtsp.public"] == (
        "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER"
    )


HIK_PLAY_LAYOUT = (  # a Hikvision PLAY reply's layout (retina testdata hikvision_play.txt)
    b"RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession:        708345999\r\n"
    b"RTP-Info: url=rtsp://x/trackID=1;seq=1\r\nDate:  Wed, May 05 2021 21:51:17 GMT\r\n"
    b"X-Odd:\tvalue\r\nEmpty:\r\n\r\nv=0\r\ns=Session:  not a header\r\n"
)
HIK_SETUP_SSRC = (  # a Hikvision SETUP reply (retina testdata hikvision_setup_ssrc_space.txt)
    b"RTSP/1.0 200 OK\r\nCSeq: 3\r\n"
    b"Transport: RTP/AVP/TCP;unicast;interleaved=0-1;ssrc= d6d6627\r\n"
    b"Session: 708886412;timeout=60\r\n\r\n"
)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (
            HIK_PLAY_LAYOUT,
            {
                "rtsp.header_gap": "Session 8, Date 2, X-Odd 1 tab",
                # a stack's extension header reaches the rules by name, in arrival order
                "rtsp.header_names": "CSeq, Session, RTP-Info, Date, X-Odd, Empty",
            },
        ),
        (
            HIK_SETUP_SSRC,
            {
                "rtsp.transport": "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc= d6d6627",
                "rtsp.header_gap": None,
            },
        ),
    ],
)
def test_parse_rtsp_layout(reply: bytes, expected: dict[str, str | None]) -> None:
    values = {e.key: e.value for e in rtsp.parse_rtsp(reply, ADDRESS)}
    assert {key: values.get(key) for key in expected} == expected


def test_parse_rtsp_one_space_layout_has_no_gap(capture: Callable[[str], bytes]) -> None:
    found = rtsp.parse_rtsp(capture("rtsp_options_200.txt"), ADDRESS)
    assert not [e for e in found if e.key == "rtsp.header_gap"]


@pytest.mark.parametrize("data", [b"HTTP/1.1 200 OK\r\n\r\n", b"", b"\x00\x01\x02"])
def test_parse_rtsp_garbage(data: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        rtsp.parse_rtsp(data, ADDRESS)
