"""Replies out of the client transcripts people publish: curl -v, FFmpeg's trace,
mediamtx/gortsplib and live555 logs, Android logcat, wget -S, quotes.

The shapes are those the named clients print (seen in public issue threads, cited
per case); the devices' values in them are made up for the test."""

from __future__ import annotations

import contextlib

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core import transcript
from camcensus.scanner.core.replies import parse_reply


def values(found: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(e.key, e.value) for e in found}


CURL_V = b"""*   Trying 198.18.0.10:80...
* Connected to 198.18.0.10 (198.18.0.10) port 80 (#0)
> GET /ISAPI/System/deviceInfo HTTP/1.1
> Host: 198.18.0.10
> User-Agent: curl/7.88.1
>
< HTTP/1.1 401 Unauthorized
< Date: Tue, 01 Dec 2026 10:00:00 GMT
< Server: webserver
< WWW-Authenticate: Digest realm="DS-2CD2043G2-I", nonce="abc", qop="auth"
< Content-Length: 9
<
* Connection #0 to host 198.18.0.10 left intact
"""


def test_curl_verbose_gives_the_reply_lines_not_the_request() -> None:
    found = values(parse_reply("http", CURL_V))
    assert ("http.server", "webserver") in found
    assert ("http.realm", "DS-2CD2043G2-I") in found
    assert not any("curl" in value or "Host" in value for _key, value in found)


def test_curl_verbose_with_digest_gives_both_replies_and_the_body() -> None:
    data = CURL_V.replace(b"* Connection #0 to host 198.18.0.10 left intact\n", b"") + (
        b'> GET / HTTP/1.1\n> Authorization: Digest username="admin"\n>\n'
        b"< HTTP/2 200\n< server: lighttpd/1.4.35\n<\n<html><title>IPC-HFW2431S</title></html>\n"
        b"* Connection #0 left intact\n"
    )
    replies = transcript.replies(data)
    assert replies is not None
    assert len(replies) == 2
    assert replies[1].startswith(b"HTTP/2.0 200\r\nserver: lighttpd/1.4.35\r\n\r\n<html>")
    found = values(parse_reply("http", data))
    assert {("http.realm", "DS-2CD2043G2-I"), ("http.title", "IPC-HFW2431S")} <= found


def test_curl_include_with_two_replies_one_after_the_other() -> None:
    # curl -i -L: the redirect, then the page it led to
    data = (
        b"HTTP/1.1 302 Found\r\nLocation: /doc/page/login.asp\r\nContent-Length: 0\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nServer: App-webs/\r\n\r\n<title>Login</title>\r\n"
    )
    found = values(parse_reply("http", data))
    assert ("http.location", "/doc/page/login.asp") in found
    assert ("http.server", "App-webs/") in found
    assert ("http.title", "Login") in found


def test_a_bare_reply_is_left_as_it_is() -> None:
    bare = b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n<p>the server said HTTP/1.1 404 Not Found</p>\r\n"
    assert transcript.replies(bare) is None
    assert ("http.body", "<p>the server said HTTP/1.1 404 Not Found</p>") in values(
        parse_reply("http", bare)
    )


def test_a_bare_http2_reply_is_read_as_http1_reads_it() -> None:
    assert ("http.server", "nginx") in values(
        parse_reply("http", b"HTTP/2 200\r\nserver: nginx\r\n\r\n")
    )


# ffmpeg -loglevel trace, as in github.com/AlexxIT/StreamAssist/pull/19 and (through mpv)
# github.com/media-kit/media-kit/issues/1177: every reply line as line='...', beside a
# character-by-character trace; the SDP after "SDP:" (verbose level and above)
FFMPEG = """[tcp @ 0x55d0c0a0] Starting connection attempt to 198.18.0.11 port 554
[rtsp @ 0x55d0c0b0] Sending:
DESCRIBE rtsp://198.18.0.11:554/cam/realmonitor?channel=1&subtype=0 RTSP/1.0
Accept: application/sdp
CSeq: 2
--
[rtsp @ 0x55d0c0b0] ret=1 c=52 [R]
[rtsp @ 0x55d0c0b0] ret=1 c=54 [T]
[rtsp @ 0x55d0c0b0] line='RTSP/1.0 200 OK'
[rtsp @ 0x55d0c0b0] line='CSeq: 2'
[rtsp @ 0x55d0c0b0] line='Server: Rtsp Server/3.0'
[rtsp @ 0x55d0c0b0] line='Content-Type: application/sdp'
[rtsp @ 0x55d0c0b0] line='Content-Length: 120'
[rtsp @ 0x55d0c0b0] line=''
[rtsp @ 0x55d0c0b0] SDP:
v=0
o=- 2252 2252 IN IP4 0.0.0.0
s=Media Server
a=control:*
m=video 0 RTP/AVP 96

[rtsp @ 0x55d0c0b0] setting jitter buffer size to 0
"""


def test_ffmpeg_trace_reply_lines_and_its_sdp() -> None:
    replies = transcript.replies(FFMPEG.encode())
    assert replies is not None
    assert len(replies) == 1
    assert replies[0].startswith(b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nServer: Rtsp Server/3.0\r\n")
    found = values(parse_reply("rtsp", FFMPEG.encode()))
    assert ("rtsp.server", "Rtsp Server/3.0") in found
    assert ("rtsp.sdp.session", "Media Server") in found


def test_ffmpeg_verbose_sdp_alone_is_read_as_a_session_description() -> None:
    verbose = "\n".join(
        line for line in FFMPEG.splitlines() if "line='" not in line and "ret=1" not in line
    )
    found = values(parse_reply("rtsp", verbose.encode()))
    assert ("rtsp.sdp.session", "Media Server") in found


MPV = """[ffmpeg/demuxer] rtsp: line='RTSP/1.0 401 Unauthorized'
[ffmpeg/demuxer] rtsp: line='CSeq: 3'
[ffmpeg/demuxer] rtsp: line='WWW-Authenticate: Digest realm="IP Camera(C2189)", nonce="x"'
[ffmpeg/demuxer] rtsp: line=''
"""


def test_mpv_prints_ffmpegs_lines_under_its_own_tag() -> None:
    assert ("rtsp.realm", "IP Camera(C2189)") in values(parse_reply("rtsp", MPV.encode()))


# mediamtx / gortsplib debug log: github.com/bluenviron/mediamtx/issues/3867 (shape)
MEDIAMTX = """2026/12/01 10:00:00 DEB [RTSP source] [c->s] DESCRIBE rtsp://198.18.0.12/s1 RTSP/1.0
Accept: application/sdp
CSeq: 2
User-Agent: gortsplib

2026/12/01 10:00:00 DEB [path cam] [RTSP source] [s->c] RTSP/1.0 401 Unauthorized
CSeq: 2
WWW-Authenticate: Digest realm="TP-LINK IP-Camera", nonce="6100"

2026/12/01 10:00:00 INF [path cam] [RTSP source] ERR: bad status code: 401 (Unauthorized)
"""


def test_a_log_that_marks_only_the_status_line() -> None:
    replies = transcript.replies(MEDIAMTX.encode())
    assert replies == [
        b'RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm="TP-LINK'
        b' IP-Camera", nonce="6100"\r\n\r\n'
    ]


# live555 (openRTSP, webrtc-streamer): github.com/mpromonet/webrtc-streamer/issues/138 (shape)
LIVE555 = """Sending request: DESCRIBE rtsp://198.18.0.13:554/h264/ch1/main/av_stream RTSP/1.0
CSeq: 3
User-Agent: LIVE555 Streaming Media v2018.08.05
Accept: application/sdp


Received 188 new bytes of response data.
Received a complete DESCRIBE response:
RTSP/1.0 200 OK
CSeq: 3
Content-Type: application/sdp
Content-Length: 44

v=0
s=Media Presentation
e=NONE
t=0 0
Opened URL "rtsp://198.18.0.13:554/h264/ch1/main/av_stream", returning a SDP description:
"""


def test_live555_remarks_around_a_reply_and_its_declared_length() -> None:
    replies = transcript.replies(LIVE555.encode())
    assert replies is not None
    assert len(replies) == 1
    assert replies[0].endswith(b"\r\n\r\nv=0\r\ns=Media Presentation\r\ne=NONE\r\nt=0 0")
    assert b"Opened URL" not in replies[0]
    assert b"User-Agent" not in replies[0]


# Android logcat: github.com/iizukanao/node-rtsp-rtmp-server/issues/110 (shape)
LOGCAT = """01-26 19:40:08.080 30772-32229/com.example I/RtspClient: RTSP/1.0 200 OK
                                                    CSeq: 2
                                                    Server: Hikvision RTSP Server
01-26 19:40:08.080 30772-32229/com.example I/RtspClient: ANNOUNCE rtsp://x/live RTSP/1.0
"""


def test_logcat_continuation_lines_indented_to_the_status_lines_column() -> None:
    lines = LOGCAT.splitlines()
    column = lines[0].index("RTSP/1.0")
    fixed = "\n".join([lines[0], *(" " * column + line.strip() for line in lines[1:3]), lines[3]])
    assert transcript.replies(fixed.encode()) == [
        b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nServer: Hikvision RTSP Server\r\n\r\n"
    ]


def test_wget_server_response_and_a_quoted_reply() -> None:
    wget = (
        b"--2026-12-01 10:00:00--  http://198.18.0.14/\nHTTP request sent, awaiting response... \n"
        b"  HTTP/1.1 200 OK\n  Server: Boa/0.94.14rc21\n  Content-Type: text/html\n"
        b"Length: unspecified [text/html]\nSaving to: 'index.html'\n"
    )
    assert transcript.replies(wget) == [
        b"HTTP/1.1 200 OK\r\nServer: Boa/0.94.14rc21\r\nContent-Type: text/html\r\n\r\n"
    ]
    quoted = (
        b"> HTTP/1.1 200 OK\n> Server: uc-httpd 1.0.0\n>\n> <title>NETSurveillance WEB</title>\n"
    )
    found = values(parse_reply("http", quoted))
    assert {("http.server", "uc-httpd 1.0.0"), ("http.title", "NETSurveillance WEB")} <= found


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"< HTTP/1.1",
        b"[rtsp @ 0x1] line='",
        b"[rtsp @ 0x1] SDP:\n",
        b"x HTTP/1.1 200 OK\n" * 20000,
        b"< HTTP/1.1 200 OK\n" * 5000,
        b"\xff\xfe< RTSP/1.0 200 OK\n<\n\xff",
    ],
)
def test_hostile_transcripts_never_raise_beyond_a_malformed_reply(data: bytes) -> None:
    replies = transcript.replies(data)
    assert replies is None or len(replies) <= transcript.MAX_REPLIES
    with contextlib.suppress(MalformedReplyError):
        parse_reply("rtsp", data)


def test_a_text_of_more_lines_than_any_transcript_is_none() -> None:
    # review: 1 MB of empty lines took 0.65 s in the form detection (its time now:
    # bench/hostile.py)
    assert transcript.replies(b"\n" * (1 << 20)) is None
    assert transcript.replies(b"< HTTP/1.1 200 OK\n" + b"<\n" * 60_000) is None


def test_curl_following_a_redirect_to_another_host_keeps_the_first_hosts_replies() -> None:
    data = CURL_V + (
        b"* Issue another request to this URL: 'http://198.18.0.99/'\n"
        b"* Connected to 198.18.0.99 (198.18.0.99) port 80 (#1)\n"
        b"< HTTP/1.1 200 OK\n< Server: Other-Device/1.0\n<\n"
    )
    replies = transcript.replies(data)
    assert replies is not None
    assert len(replies) == 1
    assert b"Other-Device" not in replies[0]
