"""Replies out of the service fingerprints nmap prints (``nmapfp``), and
``identify --reply`` on them.

Published examples are quoted as their pages show them (cited per case); the shapes of
our own follow nmap's escaping and wrapping as service_scan.cc writes them
(``ServiceNFO::addToServiceFingerprint``, nmap/nmap@008d3d6ea7852926b0cf2bd2c3a60a8716ef8131),
with device values made up for the test."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.cli import main
from camcensus.scanner.core import nmapfp
from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db.identify import identify


def values(found: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(e.key, e.value) for e in found}


def nmap_escape(reply: bytes) -> str:
    """A reply escaped by the rules service_scan.cc writes (our own encoder, for shapes)."""
    out = []
    for n, byte in enumerate(reply):
        char = chr(byte)
        if char.isascii() and char.isalnum():
            out.append(char)
        elif byte == 0:
            following = reply[n + 1 : n + 2]
            out.append("\\x00" if following.isdigit() else "\\0")
        elif char in '\\?"[]().*+$^|':
            out.append("\\" + char)
        elif char in string.punctuation:
            out.append(char)
        elif char in "\r\n\t":
            out.append({"\r": "\\r", "\n": "\\n", "\t": "\\t"}[char])
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


def fingerprint(port: str, *responses: tuple[str, bytes]) -> bytes:
    """An ``SF-Port`` fingerprint of the responses, wrapped every 75 characters onto
    ``SF:`` lines as nmap wraps it (anywhere, escapes included), ended by ``;``."""
    text = f"SF-Port{port}:V=7.93%I=7%D=12/2%Time=6740A1B2%P=x86_64-pc-linux-gnu"
    for probe, reply in responses:
        text += f'%r({probe},{len(reply):X},"{nmap_escape(reply)}")'
    lines = [text[n : n + 74] for n in range(0, len(text), 74)]
    return ("\nSF:".join(lines) + ";\n").encode()


BOOK_FTP = rb"""SF-Port21-TCP:V=3.40PVT16%D=9/6%Time=3F5A961C%r(NULL,3F,"220\x20stage\x20F
SF:TP\x20server\x20\(Version\x202\.1WU\(1\)\+SCO-2\.6\.1\+-sec\)\x20ready\
SF:.\r\n")%r(GenericLines,81,"220\x20stage\x20FTP\x20server\x20\(Version\x
SF:202\.1WU\(1\)\+SCO-2\.6\.1\+-sec\)\x20ready\.\r\n500\x20'':\x20command\
SF:x20not\x20understood\.\r\n500\x20'':\x20command\x20not\x20understood\.\
SF:r\n");
"""
"""The example fingerprint of the nmap book, https://nmap.org/book/vscan-community.html."""


def test_the_nmap_books_example_gives_each_probes_reply_exactly() -> None:
    found = nmapfp.replies(BOOK_FTP)
    assert found is not None
    assert [r.probes for r in found] == [("NULL",), ("GenericLines",)]
    greeting = b"220 stage FTP server (Version 2.1WU(1)+SCO-2.6.1+-sec) ready.\r\n"
    assert found[0].data == greeting
    assert len(greeting) == 0x3F
    assert not found[0].cut
    assert found[1].data.startswith(greeting)
    assert len(found[1].data) == 0x81
    assert found[0].port == "21/tcp"


def test_ftp_identify_reads_the_null_probes_greeting() -> None:
    found = values(parse_reply("ftp", BOOK_FTP))
    assert found == {("ftp.banner", "stage FTP server (Version 2.1WU(1)+SCO-2.6.1+-sec) ready.")}


def test_every_byte_round_trips_through_nmaps_escaping() -> None:
    reply = bytes(range(256)) + b"\x001\x00a"  # NUL before a digit is written \x00
    found = nmapfp.replies(fingerprint("9000-TCP", ("NULL", reply)))
    assert found is not None
    assert found[0].data == reply
    assert not found[0].cut


@pytest.mark.parametrize(
    ("escaped", "raw"),
    [
        (r"\0", b"\x00"),
        (r"\x001", b"\x001"),
        (r"\r\n\t", b"\r\n\t"),
        (r"\\", b"\\"),
        (r"\"", b'"'),
        (r"\.\?\[\]\(\)\*\+\$\^\|", b".?[]()*+$^|"),
        (r"\x20\xff\xAB", b" \xff\xab"),
        (r"\x7", b"\x07"),  # one hex digit, as nmap's NSE reads it
        (r"a:b,c;d'e", b"a:b,c;d'e"),  # punctuation nmap leaves as it is
    ],
)
def test_each_escape(escaped: str, raw: bytes) -> None:
    text = f'SF-Port1-TCP:V=7.93%r(NULL,{len(raw):X},"{escaped}");'.encode()
    found = nmapfp.replies(text)
    assert found is not None
    assert found[0].data == raw


CAMERA_RTSP = (
    b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n"
    b'WWW-Authenticate: Digest realm="IP Camera(C2189)", nonce="5e35a0c0"\r\n'
    b"Server: DNVRS-Webs\r\n\r\n"
)
CAMERA_HTTP = b"HTTP/1.1 200 OK\r\nServer: DNVRS-Webs\r\nContent-Length: 2\r\n\r\nok"


def test_a_camera_fingerprint_identifies_as_its_bare_replies_do() -> None:
    printed = fingerprint("554-TCP", ("GetRequest", CAMERA_HTTP), ("RTSPRequest", CAMERA_RTSP))
    assert printed.count(b"\nSF:") >= 3  # wrapped
    for kind, bare in (("rtsp", CAMERA_RTSP), ("http", CAMERA_HTTP)):
        assert values(parse_reply(kind, printed)) == values(parse_reply(kind, bare))
    result = identify(parse_reply("http", printed))
    assert result.maker is not None
    assert result.maker == identify(parse_reply("http", CAMERA_HTTP)).maker


def test_the_status_line_decides_the_kind_not_the_probe() -> None:
    # an RTSP server answering nmap's HTTP probes (as cameras do on 554)
    printed = fingerprint("554-TCP", ("GetRequest", CAMERA_RTSP), ("HTTPOptions", CAMERA_RTSP))
    assert ("rtsp.server", "DNVRS-Webs") in values(parse_reply("rtsp", printed))
    with pytest.raises(MalformedReplyError, match=r"no http reply.*GetRequest, HTTPOptions"):
        parse_reply("http", printed)


def test_wrapped_lines_with_crlf_indentation_and_other_text_around() -> None:
    printed = fingerprint("554-TCP", ("RTSPRequest", CAMERA_RTSP)).decode()
    quoted = (
        "1 service unrecognized despite returning data:\r\n"
        + "".join("    " + line + "\r\n" for line in printed.splitlines())
        + "MAC Address: 00:11:22:33:44:55 (Unknown)\r\n"
    )
    found = nmapfp.replies(quoted.encode())
    assert found is not None
    assert [r.data for r in found] == [CAMERA_RTSP]


def test_several_services_fingerprints_each_with_its_port() -> None:
    text = (
        b"==============NEXT SERVICE FINGERPRINT (SUBMIT INDIVIDUALLY)==============\n"
        + fingerprint("554-TCP", ("RTSPRequest", CAMERA_RTSP))
        + b"==============NEXT SERVICE FINGERPRINT (SUBMIT INDIVIDUALLY)==============\n"
        + fingerprint("8001-TCP", ("GetRequest", CAMERA_HTTP))
    )
    found = nmapfp.replies(text)
    assert found is not None
    assert [(r.port, r.data) for r in found] == [
        ("554/tcp", CAMERA_RTSP),
        ("8001/tcp", CAMERA_HTTP),
    ]


def test_a_cut_fingerprint_gives_the_replies_as_far_as_they_go() -> None:
    printed = fingerprint("554-TCP", ("RTSPRequest", CAMERA_RTSP), ("GetRequest", CAMERA_HTTP))
    at = printed.index(b"DNVRS")  # inside the first reply
    found = nmapfp.replies(printed[:at])
    assert found is not None
    assert len(found) == 1
    assert found[0].cut
    assert CAMERA_RTSP.startswith(found[0].data)
    assert found[0].data.endswith(b"Server: ")
    inside_escape = printed[: printed.index(b"\\r", at) + 1]  # ends on the escape's "\"
    cut = nmapfp.replies(inside_escape)
    assert cut is not None
    assert cut[0].data.endswith(b"DNVRS-Webs")
    assert cut[0].cut


def test_a_reply_nmap_truncated_is_marked_cut() -> None:
    text = b'SF-Port80-TCP:V=7.93%r(GetRequest,1A2B,"HTTP/1\\.1\\x20200\\x20OK\\r\\n");'
    found = nmapfp.replies(text)
    assert found is not None
    assert found[0].cut
    assert found[0].data == b"HTTP/1.1 200 OK\r\n"


HISILICON_DVR = b"""10000/tcp open  snet-sensor-mgmt?

| fingerprint-strings:

|   DNSStatusRequestTCP, DNSVersionBindReqTCP, Help, Kerberos, LDAPBindReq, LDAPSearchReq, \
LPDString, RPCCheck, SIPOptions, SMBProgNeg, SSLSessionReq, TLSSessionReq, \
TerminalServerCookie, X11Probe:

|     HTTP/1.0 403 Forbidden

|     content-type: text/html

|     content-length: 38

|_    <html><body><h1>403</h1></body></html>

1 service unrecognized despite returning data. If you know the service/version, please \
submit the following fingerprint at https://nmap.org/cgi-bin/submit.cgi?new-service :

SF-Port10000-TCP:V=7.80%I=7%D=11/10%Time=5FAA65B6%P=i686-pc-windows-window

SF:s%r(RPCCheck,6D,"HTTP/1\\.0\\x20403\\x20Forbidden\\r\\ncontent-type:\\x20text

SF:/html\\r\\ncontent-length:\\x2038\\r\\n\\r\\n<html><body><h1>403</h1></body></

SF:html>")%r(DNSVersionBindReqTCP,6D,"HTTP/1\\.0\\x20403\\x20Forbidden\\r\\"""
"""A DVR's nmap output as https://github.com/Snawoot/hisilicon-dvr-telnet/issues/3
shows it: every line double-spaced, the quote ending inside the second response (its two
longest lines broken here with a backslash-newline, which the bytes do not hold)."""


def test_a_double_spaced_published_fingerprint_cut_inside_an_escape() -> None:
    found = nmapfp.replies(HISILICON_DVR)
    assert found is not None
    whole = b"HTTP/1.0 403 Forbidden\r\ncontent-type: text/html\r\ncontent-length: 38\r\n\r\n"
    whole += b"<html><body><h1>403</h1></body></html>"
    assert (found[0].probes, found[0].data, found[0].cut) == (("RPCCheck",), whole, False)
    assert found[1].cut
    assert whole.startswith(found[1].data)
    assert ("http.body", "<html><body><h1>403</h1></body></html>") in values(
        parse_reply("http", HISILICON_DVR)
    )


CAMERADAR_181 = b"""PORT     STATE  SERVICE  VERSION
554/tcp  open   rtsp
| fingerprint-strings:
|   FourOhFourRequest:
|     RTSP/1.0 505 RTSP Version Not Supported
|     Server: ALi feng/2.1.0_rc1
|     Date: Week 4, 1 Mon0 0070 22:12:16 GMT
|   GetRequest:
|     RTSP/1.0 505 RTSP Version Not Supported
|     Server: ALi feng/2.1.0_rc1
|     Date: Week 4, 1 Mon0 0070 22:12:01 GMT
|   HTTPOptions:
|     RTSP/1.0 505 RTSP Version Not Supported
|     Server: ALi feng/2.1.0_rc1
|     Date: Week 4, 1 Mon0 0070 22:12:11 GMT
|   RTSPRequest:
|     RTSP/1.0 400 Bad Request
|     Server: ALi feng/2.1.0_rc1
|     Date: Week 4, 1 Mon0 0070 22:12:06 GMT
|   SIPOptions:
|     RTSP/1.0 505 RTSP Version Not Supported
|     Server: ALi feng/2.1.0_rc1
|_    Date: Week 4, 1 Mon0 0070 22:12:21 GMT
|_rtsp-methods: OPTIONS,DESCRIBE,SETUP,PLAY,PAUSE,TEARDOWN
8554/tcp closed rtsp-alt
"""
"""https://github.com/Ullaakut/cameradar/issues/181 (a camera's nmap -A output)."""


def test_fingerprint_strings_rebuilds_each_reply() -> None:
    found = nmapfp.replies(CAMERADAR_181)
    assert found is not None
    assert [r.probes for r in found] == [
        ("FourOhFourRequest",), ("GetRequest",), ("HTTPOptions",), ("RTSPRequest",), ("SIPOptions",)
    ]  # fmt: skip
    assert found[3].data == (
        b"RTSP/1.0 400 Bad Request\r\nServer: ALi feng/2.1.0_rc1\r\n"
        b"Date: Week 4, 1 Mon0 0070 22:12:06 GMT\r\n\r\n"
    )
    assert all(r.port == "554/tcp" and r.cut for r in found)  # the script's strings: lossy
    assert ("rtsp.server", "ALi feng/2.1.0_rc1") in values(parse_reply("rtsp", CAMERADAR_181))
    with pytest.raises(MalformedReplyError, match="no http reply"):
        parse_reply("http", CAMERADAR_181)


ZSGX1HACKS_35 = b"""23/tcp   open  telnet
| fingerprint-strings:
|   GenericLines:
|     CAMERA login:
|     CAMERA login: IP CAMERA login:
|   GetRequest:
|     HTTP/1.0
|     CAMERA login:
|   NULL:
|_    CAMERA login:
843/tcp  open  unknown
"""
"""https://github.com/ant-thomas/zsgx1hacks/issues/35 (a camera's telnet port; the
script's other probes left out)."""


def test_telnet_takes_the_null_probes_banner() -> None:
    assert values(parse_reply("telnet", ZSGX1HACKS_35)) == {("telnet.banner", "CAMERA login:")}
    trailing = ZSGX1HACKS_35.replace(b":\n", b": \n")  # the blank nmap leaves after labels
    assert values(parse_reply("telnet", trailing)) == {("telnet.banner", "CAMERA login:")}
    # "HTTP/1.0" alone is no status line: GetRequest's reply is not http
    with pytest.raises(MalformedReplyError, match="no http reply"):
        parse_reply("http", ZSGX1HACKS_35)


def test_of_several_services_banners_each_kind_takes_its_own() -> None:
    text = (
        fingerprint("22-TCP", ("NULL", b"SSH-2.0-dropbear_2019.78\r\n"))
        + fingerprint("23-TCP", ("NULL", b"\xff\xfd\x01\xff\xfd\x1f(none) login: "))
        + fingerprint("21-TCP", ("GenericLines", b"220 NVR FTP server ready.\r\n500 ?\r\n"))
    )
    assert values(parse_reply("ftp", text)) == {("ftp.banner", "NVR FTP server ready.")}
    assert values(parse_reply("telnet", text)) == {("telnet.banner", "(none) login:")}


def _xml_host(address: str, port: int, servicefp: str = "", output: str = "") -> str:
    """A ``<host>`` as nmap -oX writes one (attributes by nmap.dtd), XML-escaped."""
    service = f'<service name="rtsp" servicefp="{servicefp}" method="table" conf="3"/>'
    script = f'<script id="fingerprint-strings" output="{output}"/>' if output else ""
    return (
        f'<host><address addr="{address}" addrtype="ipv4"/><ports>'
        f'<port protocol="tcp" portid="{port}"><state state="open"/>{service}{script}</port>'
        "</ports></host>"
    )


def _xml_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        .replace(">", "&gt;").replace("\n", "&#xa;")
    )  # fmt: skip


def test_nmap_xml_servicefp_first_host_only() -> None:
    first = fingerprint("554-TCP", ("RTSPRequest", CAMERA_RTSP)).decode().rstrip("\n")
    other = fingerprint("554-TCP", ("RTSPRequest", CAMERA_RTSP.replace(b"DNVRS", b"Other")))
    xml = (
        '<?xml version="1.0"?><nmaprun scanner="nmap">'
        + _xml_host("198.18.0.10", 554, _xml_escape(first))
        + _xml_host("198.18.0.11", 554, _xml_escape(other.decode()))
        + "</nmaprun>"
    )
    found = nmapfp.replies(xml.encode())
    assert found is not None
    assert [r.data for r in found] == [CAMERA_RTSP]
    assert ("rtsp.server", "DNVRS-Webs") in values(parse_reply("rtsp", xml.encode()))


def test_normal_output_of_several_hosts_gives_the_first_hosts_fingerprints_only() -> None:
    other = CAMERA_RTSP.replace(b"DNVRS", b"Other")
    text = (
        b"Starting Nmap 7.93 ( https://nmap.org )\nNmap scan report for 198.18.0.10\n"
        b"PORT    STATE SERVICE VERSION\n554/tcp open  rtsp?\n"
        b"1 service unrecognized despite returning data.\n"
        + fingerprint("554-TCP", ("RTSPRequest", CAMERA_RTSP))
        + b"\nNmap scan report for 198.18.0.11\n554/tcp open  rtsp?\n"
        + fingerprint("554-TCP", ("RTSPRequest", other))
    )
    found = nmapfp.replies(text)
    assert found is not None
    assert [r.data for r in found] == [CAMERA_RTSP]
    # no report line, or one: the whole text, as before
    single = fingerprint("554-TCP", ("RTSPRequest", other))
    found = nmapfp.replies(b"Nmap scan report for 198.18.0.11\n" + single)
    assert found is not None
    assert [r.data for r in found] == [other]


def test_nmap_xml_script_output_when_there_is_no_servicefp() -> None:
    output = "\n  RTSPRequest: \n    RTSP/1.0 200 OK\n    CSeq: 0\n    Server: DNVRS-Webs"
    xml = "<nmaprun>" + _xml_host("198.18.0.10", 8554, output=_xml_escape(output)) + "</nmaprun>"
    found = nmapfp.replies(xml.encode())
    assert found is not None
    assert found[0].port == "8554/tcp"
    assert found[0].data == b"RTSP/1.0 200 OK\r\nCSeq: 0\r\nServer: DNVRS-Webs\r\n\r\n"


def test_text_without_a_fingerprint_is_none_and_parsed_as_before() -> None:
    assert nmapfp.replies(CAMERA_HTTP) is None
    assert nmapfp.replies(b"SF-Port is a word here, no responses") is None
    assert nmapfp.replies(b"| fingerprint-strings:\n|_  nothing\n") is None


# hostile input: bounded, and a clear answer (times are in bench/hostile.py)


def test_a_megabyte_of_escapes_is_bounded() -> None:
    text = b'SF-Port1-TCP:V=7.93%r(NULL,10,"' + b"\\x" * (512 * 1024)
    found = nmapfp.replies(text)
    assert found is not None
    assert len(found[0].data) == nmapfp.MAX_REPLY_BYTES
    assert found[0].cut


def test_unbalanced_quotes_and_openings() -> None:
    text = b'SF-Port1-TCP:V=7.93%r(NULL,10,"\\"' + b'%r(X,1,\\"' * 2000  # never closed
    found = nmapfp.replies(text)
    assert found is not None
    assert len(found) == 1
    assert found[0].cut
    assert found[0].data.startswith(b'"%r(X,1,"')
    assert len(found[0].data) <= nmapfp.MAX_REPLY_BYTES
    closing = b"SF-Port1-TCP:V=7.93" + b'%r(NULL,10,"\\"' * 2000 + b'%r(X,1,"' * 2000
    found = nmapfp.replies(closing)
    assert found is not None
    assert len(found) == nmapfp.MAX_REPLIES
    bare = b"SF-Port1-TCP:V=7.93" + b"%r(NULL,10," * 50_000  # no quote ever opened
    assert nmapfp.replies(bare) is None


def test_a_hundred_thousand_sf_lines() -> None:
    text = b'SF-Port1-TCP:V=7.93%r(NULL,5,"' + b"\nSF:" * 100_000 + b'hello");'
    found = nmapfp.replies(text)  # lines past MAX_LINES are not read: the reply is cut
    assert found is not None
    assert found[0].data == b""
    assert found[0].cut
    many = b"".join(b'SF-Port1-TCP:V=7.93%r(NULL,1,"a");\n' for _ in range(20_000))
    found = nmapfp.replies(many)
    assert found is not None
    assert len(found) == nmapfp.MAX_REPLIES


def test_hostile_fingerprint_gives_a_clear_error_not_a_traceback() -> None:
    text = b'SF-Port1-TCP:V=7.93%r(GetRequest,10,"\\x00\\xff' + b"(" * 5000
    with pytest.raises(MalformedReplyError):
        parse_reply("http", text)


def test_identify_reply_cli_on_a_saved_fingerprint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "nmap.txt"  # LF line ends: the CLI restores CRLF before reading
    saved.write_bytes(fingerprint("554-TCP", ("GetRequest", CAMERA_HTTP)))
    assert main(["identify", "--reply", "http", str(saved), "--no-chain"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["maker"] == identify(parse_reply("http", CAMERA_HTTP)).maker
    assert main(["identify", "--reply", "ftp", str(saved)]) == 2
    assert "nmap fingerprint: no ftp reply in it (replies to GetRequest)" in capsys.readouterr().err
