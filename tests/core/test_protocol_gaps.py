"""ONVIF profile/configuration tokens and Fault reasons, RTSP stream URLs (Content-Base,
RTP-Info, a=control) and the scan dropping the stream URLs that echo its own request."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from camcensus.scanner.core import onvif, rtsp
from camcensus.scanner.probes import banner
from camcensus.scanner.probes.transport import Reply
from camcensus.vendor_db import identify

ADDRESS = "192.0.2.7"
_ENV = (
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" '
    'xmlns:tt="http://www.onvif.org/ver10/schema"><s:Body>{}</s:Body></s:Envelope>'
)


def _profiles(*profiles: tuple[str, str, list[tuple[str, str]]]) -> bytes:
    """A GetProfilesResponse: (token, name, [(configuration element, token)]) each; a
    configuration element "SourceToken" is written as the source of the one before."""
    parts = []
    for token, name, configs in profiles:
        inner = "".join(
            f"<tt:SourceToken>{t}</tt:SourceToken>"
            if element == "SourceToken"
            else f'<tt:{element} token="{t}"><tt:Name>n</tt:Name></tt:{element}>'
            for element, t in configs
        )
        parts.append(
            f'<trt:Profiles token="{token}"><tt:Name>{name}</tt:Name>{inner}</trt:Profiles>'
        )
    body = "<trt:GetProfilesResponse>" + "".join(parts) + "</trt:GetProfilesResponse>"
    return _ENV.format(body).encode()


def _pairs(evidence: list[Any], *keys: str) -> list[tuple[str, str]]:
    return [(e.key, e.value) for e in evidence if e.key in keys]


def test_profile_and_configuration_tokens_are_read_in_order_once_each() -> None:
    xml = _profiles(
        ("P_a", "main", [("VideoSourceConfiguration", "vsc"), ("SourceToken", "vs"),
                         ("VideoEncoderConfiguration", "enc1")]),
        ("P_b", "sub", [("VideoSourceConfiguration", "vsc"), ("SourceToken", "vs"),
                        ("VideoEncoderConfiguration", "enc2"), ("PTZConfiguration", " ")]),
    )  # fmt: skip
    found = onvif.parse_reply(xml, ADDRESS)
    assert _pairs(found, "onvif.profile_token", "onvif.config_tokens") == [
        ("onvif.profile_token", "P_a"),
        ("onvif.profile_token", "P_b"),
        ("onvif.config_tokens", "vsc, vs, enc1, enc2"),
    ]


def test_hikvision_configuration_tokens_name_it_weakly_and_shared_ones_nothing() -> None:
    hik = _profiles(
        ("Profile_1", "p1", [("VideoSourceConfiguration", "VideoSourceToken"),
                             ("SourceToken", "VideoSource_1"),
                             ("VideoEncoderConfiguration", "VideoEncoderToken_1"),
                             ("VideoAnalyticsConfiguration", "VideoAnalyticsToken")]),
    )  # fmt: skip
    result = identify(onvif.parse_reply(hik, ADDRESS))
    assert result.maker == "Hikvision"
    assert result.flag.level == "possible"  # token names alone
    shared = _profiles(
        ("Profile_1", "p1", [("VideoSourceConfiguration", "VideoSourceToken"),
                             ("SourceToken", "VideoSourceToken"),
                             ("VideoEncoderConfiguration", "VEToken_1"),
                             ("VideoAnalyticsConfiguration", "VideoAnalyticsToken")]),
    )  # fmt: skip
    assert identify(onvif.parse_reply(shared, ADDRESS)).maker is None


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (
            "<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason>"
            '<s:Text xml:lang="en">Sender not Authorized</s:Text></s:Reason></s:Fault>',
            "Sender not Authorized",
        ),
        ("<s:Fault><faultcode>Client</faultcode><faultstring> no method </faultstring></s:Fault>",
         "no method"),
        ("<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code></s:Fault>", None),
    ],
)  # fmt: skip
def test_a_fault_gives_its_reason_text(fault: str, reason: str | None) -> None:
    found = onvif.parse_reply(_ENV.format(fault).encode(), ADDRESS)
    assert _pairs(found, "onvif.fault") == ([("onvif.fault", reason)] if reason else [])


def _rtsp(head: str, body: str = "") -> bytes:
    extra = f"Content-Length: {len(body)}\r\n" if body else ""
    return f"RTSP/1.0 200 OK\r\nCSeq: 2\r\n{head}{extra}\r\n{body}".encode()


def test_stream_urls_of_an_rtsp_reply_are_read_absolute_only() -> None:
    sdp = (
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=Session\r\nt=0 0\r\na=control:*\r\n"
        "m=video 0 RTP/AVP 96\r\na=control:rtsp://192.0.2.7/cam/realmonitor?channel=1&subtype=0/trackID=0\r\n"
        "m=audio 0 RTP/AVP 8\r\na=control:trackID=1\r\n"
    )
    reply = _rtsp("Content-Base: rtsp://192.0.2.7/unicast/c1/s0/live/\r\n", sdp)
    assert _pairs(rtsp.parse_rtsp(reply, ADDRESS), "rtsp.content_base") == [
        ("rtsp.content_base", "rtsp://192.0.2.7/unicast/c1/s0/live/"),
        ("rtsp.content_base", "rtsp://192.0.2.7/cam/realmonitor?channel=1&subtype=0/trackID=0"),
    ]
    play = _rtsp(
        "RTP-Info: url=rtsp://192.0.2.7/Streaming/Channels/101/trackID=1;seq=1;rtptime=2,"
        "url=trackID=2;seq=3\r\n"
    )
    found = rtsp.parse_rtsp(play, ADDRESS)
    assert _pairs(found, "rtsp.content_base") == [
        ("rtsp.content_base", "rtsp://192.0.2.7/Streaming/Channels/101/trackID=1")
    ]
    assert identify(found).maker == "Hikvision"
    relative = _rtsp("Content-Base: /x/\r\nRTP-Info: url=trackID=0;seq=1\r\n")
    assert _pairs(rtsp.parse_rtsp(relative, ADDRESS), "rtsp.content_base") == []


def test_the_scan_drops_stream_urls_that_echo_its_own_maker_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server that answers any path writes our Hikvision and Dahua DESCRIBE paths back
    in Content-Base and a=control: that must not name either maker."""

    async def exchange(
        _ctx: object, _ip: str, _port: int, requests: list[bytes], **_kw: object
    ) -> Reply:
        replies = []
        for request in requests:
            url = request.split(b" ", 2)[1].decode()
            if url.endswith(":554/"):  # OPTIONS and DESCRIBE of /: no realm, no stream
                replies.append(_rtsp("Public: OPTIONS, DESCRIBE\r\n"))
            else:
                sdp = (
                    "v=0\r\ns=Stream\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\n"
                    f"a=control:{url}/trackID=0\r\n"
                )
                replies.append(_rtsp(f"Content-Base: {url}/\r\n", sdp))
        return Reply(tuple(replies))

    monkeypatch.setattr(banner._io, "exchange", exchange)
    found = asyncio.run(banner._rtsp(object(), ADDRESS, 554))  # type: ignore[arg-type]
    assert [e for e in found if e.key == "rtsp.content_base"] == []
    assert any(e.key == "rtsp.public" for e in found)
    assert identify(found).maker is None
