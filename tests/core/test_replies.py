"""One captured reply of a named kind into evidence: the parsers a scan uses, and the
partial forms people publish."""

from __future__ import annotations

import base64
import json

import pytest
from builders import self_signed_der

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import known_keys
from camcensus.cli.vendors_cmd import REPLY_KINDS
from camcensus.scanner.core import ftp, telnet
from camcensus.scanner.core.replies import (
    KINDS,
    fields_evidence,
    parse_reply,
    restore_crlf,
    unhex,
    wire_form,
)
from camcensus.scanner.core.ssdp import upnp_info_fields

DEVICE_INFO = b"""<?xml version="1.0" encoding="UTF-8"?>
<DeviceInfo version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<deviceName>IP CAMERA</deviceName>
<model>DS-2CD2143G2-I</model>
<serialNumber>DS-2CD2143G2-I20230101AAWRJ00001</serialNumber>
<macAddress>bc:ad:28:0a:0b:0c</macAddress>
<firmwareVersion>V5.7.3</firmwareVersion>
<firmwareReleasedDate>build 220112</firmwareReleasedDate>
<deviceType>IPCamera</deviceType>
</DeviceInfo>"""


def values(found: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(e.key, e.value) for e in found}


def test_the_cli_offers_every_kind() -> None:
    assert REPLY_KINDS == KINDS


def test_isapi_device_info_and_the_same_fields_published_as_json() -> None:
    found = values(parse_reply("isapi", DEVICE_INFO))
    assert ("isapi.model", "DS-2CD2143G2-I") in found
    assert ("isapi.firmware", "V5.7.3 build 220112") in found
    assert ("isapi.namespace", "http://www.hikvision.com/ver20/XMLSchema") in found
    assert ("mac", "bc:ad:28:0a:0b:0c") in found
    fields = {"model": "DS-2CD2143G2-I", "firmwareVersion": "V5.7.3"}
    assert ("isapi.model", "DS-2CD2143G2-I") in values(fields_evidence("isapi", fields))


def test_an_isapi_refusal_still_shows_the_api() -> None:
    refusal = b'<ResponseStatus version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><statusCode>4</statusCode></ResponseStatus>'
    assert values(parse_reply("isapi", refusal)) == {
        ("isapi.document", "ResponseStatus"),
        ("isapi.namespace", "http://www.isapi.org/ver20/XMLSchema"),
        ("http.body", refusal.decode()),  # the body of the HTTP answer it came in
        ("http.field_names", "<ResponseStatus> statusCode"),
    }


def test_isapi_cut_short_keeps_the_fields_that_survive() -> None:
    cut = DEVICE_INFO[: DEVICE_INFO.index(b"<macAddress>") + 8]
    assert ("isapi.model", "DS-2CD2143G2-I") in values(parse_reply("isapi", cut))


def test_ftp_greeting_lines_and_telnet_negotiation() -> None:
    greeting = b"220-Welcome\r\n220 AXIS P1346 Network Camera 5.50 (2014) ready.\r\n"
    assert values(ftp.parse_banner(greeting, "")) == {
        ("ftp.banner", "Welcome AXIS P1346 Network Camera 5.50 (2014) ready.")
    }
    with pytest.raises(MalformedReplyError):
        ftp.parse_banner(b"421 Too many users\r\n", "")
    negotiated = b"\xff\xfd\x18\xff\xfb\x01\r\nFLEXIDOME IP\r\n(none) login: "
    assert values(telnet.parse_banner(negotiated, "")) == {
        ("telnet.banner", "FLEXIDOME IP | (none) login:")
    }


def test_rtsp_describe_with_a_session_description() -> None:
    sdp = b"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=Media Presentation\r\ni=cam\r\na=tool:LIVE555\r\n"
    reply = b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n\r\n" + sdp
    found = values(parse_reply("rtsp", reply))
    assert {
        ("rtsp.sdp.session", "Media Presentation"),
        ("rtsp.sdp.info", "cam"),
        ("rtsp.sdp.origin", "-"),
        ("rtsp.sdp.tool", "LIVE555"),
    } <= found
    assert ("rtsp.sdp.session", "Media Presentation") in values(parse_reply("rtsp", sdp))


def test_sdp_attributes_outside_the_registered_set_are_kept_the_first_eight() -> None:
    own = [f"a=x-vendor-{n}:v{n}" for n in range(12)]
    sdp = "\r\n".join(
        [
            *("v=0", "s=x", "a=control:*", "a=rtpmap:96 H264/90000", "a=recvonly"),
            *("a=packetization-supported:DH", "a=x-qt-text-nam:x", *own),
        ]
    ).encode()
    found = [v for k, v in values(parse_reply("rtsp", sdp)) if k == "rtsp.sdp.attribute"]
    assert "packetization-supported:DH" in found
    assert not any(v.startswith(("control", "rtpmap", "recvonly", "x-qt-text")) for v in found)
    assert len(found) == 8


def test_rfc7273_clock_attributes_of_gst_rtsp_server_are_not_kept_as_its_own() -> None:
    # gst-rtsp-server 1.22's SDP (Debian bookworm), as the reverse check's server sent it
    sdp = (
        b"v=0\r\no=- 6179640177629798664 1 IN IP4 198.18.0.10\r\n"
        b"s=Session streamed with GStreamer\r\ni=rtsp-server\r\nt=0 0\r\n"
        b"a=tool:GStreamer\r\na=type:broadcast\r\na=control:*\r\na=range:npt=now-\r\n"
        b"m=video 0 RTP/AVP 26\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:26 JPEG/90000\r\n"
        b"a=framerate:5.000000\r\na=control:stream=0\r\na=ts-refclk:local\r\n"
        b"a=mediaclk:sender\r\na=ssrc:106800461 cname:user4216289522@host-42e75a66\r\n"
        b"a=x-own:kept\r\n"
    )
    found = values(parse_reply("rtsp", sdp))
    assert [v for k, v in found if k == "rtsp.sdp.attribute"] == ["x-own:kept"]
    assert {("rtsp.sdp.tool", "GStreamer"), ("rtsp.sdp.info", "rtsp-server")} <= found


def test_partial_http_replies_are_read_as_headers_or_body() -> None:
    assert values(parse_reply("http", b"Server: App-webs/\r\n")) >= {("http.server", "App-webs/")}
    body = values(parse_reply("http", b"root.Brand.Brand=AXIS\n"))
    assert ("http.body", "root.Brand.Brand=AXIS") in body
    assert wire_form("ftp", b"AXIS 241Q Video Server 4.47.2 ready.") == (
        b"220 AXIS 241Q Video Server 4.47.2 ready.\r\n"
    )


def test_line_ends_are_restored_in_the_head_only() -> None:
    assert restore_crlf(b"HTTP/1.1 200 OK\nServer: x\n\nline1\nline2") == (
        b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\nline1\nline2"
    )
    counted = b"RTSP/1.0 200 OK\nContent-Length: 17\n\nv=0\ns=x\nt=0 0\n"
    assert restore_crlf(counted) == (
        b"RTSP/1.0 200 OK\r\nContent-Length: 17\r\n\r\nv=0\r\ns=x\r\nt=0 0\r\n"
    )
    as_sent = b"HTTP/1.1 200 OK\nContent-Length: 11\n\nline1\nline2"
    assert restore_crlf(as_sent).endswith(b"\r\n\r\nline1\nline2")


def test_tls_pem_der_and_a_subject_line() -> None:
    der = self_signed_der("IPC-HFW2431S", "Dahua")
    pem = (
        b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der) + b"-----END CERTIFICATE-----\n"
    )
    subject = ("tls.subject", "CN=IPC-HFW2431S,O=Dahua,C=CN")
    assert subject in values(parse_reply("tls", pem))
    assert subject in values(parse_reply("tls", der))
    assert values(parse_reply("tls", b"CN=axis-accc8e000000,O=Axis Communications AB")) == {
        ("tls.subject", "CN=axis-accc8e000000,O=Axis Communications AB")
    }
    printed = b"subject: CN=198.18.0.9; C=CN\nissuer= CN = NVR, O = Example Ltd\n"
    assert values(parse_reply("tls", printed)) == {
        ("tls.subject", "CN=198.18.0.9,C=CN"),
        ("tls.issuer", "CN=NVR, O=Example Ltd"),
    }


@pytest.mark.parametrize(
    ("printed", "subject", "issuer"),
    [
        # openssl s_client before 1.1: slashed names, the chain's issuer lines unnumbered;
        # a PEM cut short where it was pasted; a CA further up the chain is not the device
        (
            b"CONNECTED(00000003)\ndepth=0 /C=CN/O=Acme Video/CN=198.18.0.9\n---\n"
            b"Certificate chain\n 0 s:/C=CN/O=Acme Video/CN=198.18.0.9\n"
            b"   i:/C=CN/O=Acme Video CA/CN=Root\n 1 s:/C=CN/O=Huawei/CN=Other CA\n"
            b"   i:/C=CN/O=Huawei/CN=Other CA\n---\nServer certificate\n"
            b"-----BEGIN CERTIFICATE-----\nMIIC",
            "C=CN,O=Acme Video,CN=198.18.0.9",
            "C=CN,O=Acme Video CA,CN=Root",
        ),
        # openssl s_client 1.1 and later
        (
            b"depth=1 C = US, O = Huawei, CN = Other CA\ndepth=0 C = CN, O = Acme Video, "
            b"CN = cam\n---\nCertificate chain\n 0 s:C = CN, O = Acme Video, CN = cam\n"
            b"   i:C = US, O = Huawei, CN = Other CA\n",
            "C=CN, O=Acme Video, CN=cam",
            "C=US, O=Huawei, CN=Other CA",
        ),
        # nmap's ssl-cert script: long attribute names, a comma inside a value
        (
            b"443/tcp open  ssl/http\n| ssl-cert: Subject: commonName=cam/organizationName="
            b"Acme Video Co., Ltd./countryName=CN\n| Subject Alternative Name: DNS:cam\n"
            b"| Issuer: commonName=cam/organizationName=Acme Video Co., Ltd./countryName=CN\n"
            b"|_Not valid after:  2039-01-01T00:00:00",
            "CN=cam,O=Acme Video Co.\\, Ltd.,C=CN",
            "CN=cam,O=Acme Video Co.\\, Ltd.,C=CN",
        ),
        # curl -v, and openssl x509 -subject -issuer before 1.1
        (
            b"* Server certificate:\n*  subject: C=CN; O=Acme Video; CN=cam\n"
            b"*  start date: Jan  1 00:00:00 2019 GMT\n*  issuer: C=CN; O=Acme Video; CN=cam",
            "C=CN,O=Acme Video,CN=cam",
            "C=CN,O=Acme Video,CN=cam",
        ),
        (
            b"subject= /C=CN/O=Acme Video Co.,Ltd/CN=cam\nissuer= /C=CN/O=Acme CA/CN=ca\n",
            "C=CN,O=Acme Video Co.\\,Ltd,CN=cam",
            "C=CN,O=Acme CA,CN=ca",
        ),
        # openssl x509 -subject -issuer -nameopt multiline: an attribute a line
        (
            b"subject=\n    countryName               = CN\n    organizationName          = "
            b"Acme Video Co., Ltd.\n    commonName                = cam\nissuer=\n"
            b"    countryName               = CN\n    commonName                = ca\n",
            "C=CN,O=Acme Video Co.\\, Ltd.,CN=cam",
            "C=CN,CN=ca",
        ),
        # a "/" or a comma inside a value stays inside it; EV attributes keep their order
        (
            b"subject=\n    jurisdictionCountryName   = US\n    organizationName          = "
            b"Acme, Inc.\n    commonName                = cam.example.net/O=Hikvision\n"
            b"issuer=\n    commonName                = ca\n",
            "jurisdictionCountryName=US,O=Acme\\, Inc.,CN=cam.example.net/O=Hikvision",
            "CN=ca",
        ),
        # x509 -text -nameopt multiline: the block ends at the next field
        (
            b"        Issuer:\n            commonName                = ca\n        Validity\n"
            b"            Not Before: Jan  1 00:00:00 2019 GMT\n        Subject:\n"
            b"            commonName                = cam\n        Subject Public Key Info:\n"
            b"            Public Key Algorithm: rsaEncryption\n",
            "CN=cam",
            "CN=ca",
        ),
    ],
)
def test_tls_names_as_clients_print_them(printed: bytes, subject: str, issuer: str) -> None:
    assert values(parse_reply("tls", printed)) == {("tls.subject", subject), ("tls.issuer", issuer)}


def test_tls_names_nmap_printed_for_several_hosts_are_the_first_hosts() -> None:
    report = (
        b"Nmap scan report for 198.18.0.10\n443/tcp open  https\n"
        b"| ssl-cert: Subject: commonName=cam/organizationName=Acme Video/countryName=CN\n"
        b"Nmap scan report for 198.18.0.11\n443/tcp open  https\n"
        b"| ssl-cert: Subject: commonName=nvr/organizationName=Other Ltd/countryName=US\n"
    )
    assert values(parse_reply("tls", report)) == {("tls.subject", "CN=cam,O=Acme Video,C=CN")}


def test_tls_text_without_a_name_or_a_whole_certificate_is_an_error() -> None:
    with pytest.raises(MalformedReplyError):
        parse_reply("tls", b"-----BEGIN CERTIFICATE-----\nMIIC")
    with pytest.raises(MalformedReplyError):
        parse_reply("tls", b"CONNECTED(00000003)\n-----BEGIN CERTIFICATE-----\nMIIC")


def test_onvif_scopes_and_media_uris() -> None:
    envelope = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>{}</s:Body></s:Envelope>'
    scopes = envelope.format(
        "<GetScopesResponse><Scopes><ScopeItem>onvif://www.onvif.org/hardware/P3245</ScopeItem>"
        "</Scopes></GetScopesResponse>"
    )
    assert ("onvif.scope.hardware", "P3245") in values(parse_reply("onvif", scopes.encode()))
    stream = envelope.format(
        "<GetStreamUriResponse><MediaUri><Uri>rtsp://x/Streaming/Channels/101</Uri></MediaUri>"
        "</GetStreamUriResponse>"
    )
    assert ("onvif.uri", "rtsp://x/Streaming/Channels/101") in values(
        parse_reply("onvif", stream.encode())
    )
    assert parse_reply("onvif", envelope.format("<GetVideoSourcesResponse/>").encode()) == []


def test_mdns_snmp_and_wsd_scopes_as_published() -> None:
    service = json.dumps(
        {
            "service": "_axis-video._tcp.local.",
            "name": "AXIS P3245 - ACCC8E._axis-video._tcp.local.",
            "txt": {"macaddress": "ACCC8E000001"},
        }
    ).encode()
    assert ("mdns.name", "AXIS P3245 - ACCC8E") in values(parse_reply("mdns", service))
    snmp = b'{"sysDescr": "Canon Network Camera VB-C60", "sysObjectID": ".1.3.6.1.4.1.1602.4.1"}'
    assert ("snmp.sysobjectid", "1.3.6.1.4.1.1602.4.1") in values(parse_reply("snmp", snmp))
    scopes = b"onvif://www.onvif.org/name/AXIS onvif://www.onvif.org/hardware/M1034-W"
    assert ("wsd.scope.hardware", "M1034-W") in values(parse_reply("wsd", scopes))


def test_every_key_a_reply_gives_is_in_the_vocabulary() -> None:
    keys = known_keys()
    found = [
        *parse_reply("isapi", DEVICE_INFO),
        *parse_reply("ftp", b"220 ready\r\n"),
        *parse_reply("telnet", b"login:"),
        *parse_reply("rtsp", b"v=0\r\ns=x\r\ni=y\r\no=u 1 1 IN IP4 0.0.0.0\r\na=tool:t\r\n"),
    ]
    assert {e.key for e in found} <= keys


def test_unknown_kind_and_garbage() -> None:
    with pytest.raises(ValueError, match="unknown reply kind"):
        parse_reply("gopher", b"x")
    for kind in ("sadp", "onvif", "isapi", "mdns", "snmp", "wsd"):
        with pytest.raises(MalformedReplyError):
            parse_reply(kind, b"\x00\x01 garbage")


def test_cut_or_unbound_replies_keep_what_can_be_read_by_name() -> None:
    fragment = (
        b"<d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:1</wsa:Address>"
        b"</wsa:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>"
        b"<d:XAddrs>http://x/onvif/device_service</d:XAddrs></d:ProbeMatch>"
    )
    assert values(parse_reply("wsd", fragment)) == {
        ("wsd.types", "dn:NetworkVideoTransmitter"),
        ("wsd.xaddrs", "http://x/onvif/device_service"),
        ("wsd.endpoint", "urn:uuid:1"),
    }
    capabilities = b"<tt:Device><tt:XAddr>http://x:2020/onvif/service</tt:XAddr></tt:Device>"
    assert values(parse_reply("onvif", capabilities)) == {
        ("onvif.xaddr", "http://x:2020/onvif/service")
    }
    cut = b'{"method":"client.notifyDevInfo","params":{"deviceInfo":{"DeviceType":"IPC-X1","Ser'
    assert values(parse_reply("dhip", cut)) == {
        ("dhip.method", "client.notifyDevInfo"),  # cut short: the method is kept too
        ("dhip.device_type", "IPC-X1"),
    }


def test_wsd_and_ssdp_fields_by_their_wire_names() -> None:
    scopes = "onvif://www.onvif.org/name/AXIS%20P3245 onvif://www.onvif.org/hardware/P3245"
    assert values(fields_evidence("wsd", {"d:Scopes": scopes, "Types": "dn:NVT"})) == {
        ("wsd.scope.name", "AXIS P3245"),
        ("wsd.scope.hardware", "P3245"),
        ("wsd.types", "dn:NVT"),
    }
    assert values(fields_evidence("ssdp", {"Server": "Linux UPnP/1.0", "usn": "uuid:x"})) == {
        ("ssdp.server", "Linux UPnP/1.0"),
        ("ssdp.usn", "uuid:x"),
    }


@pytest.mark.parametrize(
    "printed",
    [  # GetDeviceInformation as zeep prints it, as JSON, and as "Name: value" lines
        "{\n    'Manufacturer': 'HIKVISION',\n    'Model': 'DS-2CD2042WD-I',\n"
        "    'FirmwareVersion': 'V5.4.5 build 170124',\n}",
        '{"Manufacturer": "HIKVISION", "Model": "DS-2CD2042WD-I", '
        '"FirmwareVersion": "V5.4.5 build 170124"}',
        "Manufacturer: HIKVISION\nModel: DS-2CD2042WD-I\nFirmwareVersion: V5.4.5 build 170124\n",
    ],
)
def test_onvif_device_information_as_a_client_library_prints_it(printed: str) -> None:
    found = parse_reply("onvif", printed.encode())
    assert [(e.key, e.value) for e in found] == [
        ("onvif.manufacturer", "HIKVISION"),
        ("onvif.model", "DS-2CD2042WD-I"),
        ("onvif.firmware", "V5.4.5 build 170124"),
    ]


def test_dhip_device_info_printed_as_a_python_dict_and_cut() -> None:
    printed = (
        b"{'method': 'client.notifyDevInfo', 'params': {'deviceInfo': {'DeviceType': 'NVR4108'"
    )
    assert [(e.key, e.value) for e in parse_reply("dhip", printed)] == [
        ("dhip.device_type", "NVR4108")
    ]


def test_onvif_interfaces_and_profiles_cut_out_of_their_envelope() -> None:
    cut = (
        b"<tds:NetworkInterfaces token='eth0'><tt:Info><tt:HwAddress>bc:ad:28:0a:0b:0c"
        b"</tt:HwAddress></tt:Info></tds:NetworkInterfaces>"
        b'<trt:Profiles token="Profile_1" fixed="true"><tt:Name>mainStream</tt:Name>'
        b"<tt:VideoSourceConfiguration><tt:Name>VideoSourceConfig</tt:Name>"
    )
    found = [(e.key, e.value) for e in parse_reply("onvif", cut)]
    assert found == [
        ("onvif.mac", "bc:ad:28:0a:0b:0c"),
        ("mac", "bc:ad:28:0a:0b:0c"),
        ("onvif.profile", "mainStream"),
    ]


def _dhip_frame() -> bytes:
    body = json.dumps(
        {"method": "client.notifyDevInfo", "params": {"deviceInfo": {"DeviceType": "NVR4108"}}}
    ).encode()
    size = len(body).to_bytes(8, "little")
    return (32).to_bytes(4, "little") + b"DHIP" + bytes(8) + size + size + body


def _hexdump_c(data: bytes) -> bytes:
    lines = []
    for offset in range(0, len(data), 16):
        chunk = data[offset : offset + 16]
        values = (
            " ".join(f"{b:02x}" for b in chunk[:8]) + "  " + " ".join(f"{b:02x}" for b in chunk[8:])
        )
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {values:<49} |{text}|")
    return "\n".join(lines).encode()


@pytest.mark.parametrize("dump", ["bare", "spaced", "hexdump -C"])
def test_a_binary_reply_published_as_a_hex_dump_is_read_as_its_bytes(dump: str) -> None:
    frame = _dhip_frame()
    text = {
        "bare": frame.hex().encode(),
        "spaced": " ".join(f"{b:02x}" for b in frame).encode(),
        "hexdump -C": _hexdump_c(frame),
    }[dump]
    assert [(e.key, e.value) for e in parse_reply("dhip", text)] == [
        ("dhip.device_type", "NVR4108")
    ]
    assert unhex(b'{"method": "x"}') is None  # JSON is not a dump
    assert unhex(b"deadbeef") is None  # too short to be a reply


def test_ws_discovery_scopes_a_library_parsed_out_by_kind() -> None:
    """A discovery library's output (name, hardware, location fields, no Scopes list) is
    read as the scopes it came from."""
    fields = {"Name": "AXIS P1346", "Hardware": "P1346", "Location": "country/sweden"}
    assert [(e.key, e.value) for e in fields_evidence("wsd", fields)] == [
        ("wsd.scope.hardware", "P1346"),
        ("wsd.scope.location", "country/sweden"),
        ("wsd.scope.name", "AXIS P1346"),
    ]


def test_onvif_fields_under_an_integrations_names_are_the_protocols() -> None:
    """Home Assistant's ONVIF diagnostics write manufacturer, model, fw_version,
    serial_number and mac for GetDeviceInformation's and GetNetworkInterfaces' fields."""
    fields = {"manufacturer": "Dahua", "model": "IPC-HDW2431T-AS-S2", "fw_version": "2.800.1"}
    assert [
        (e.key, e.value) for e in fields_evidence("onvif", {**fields, "mac": "3c:ef:8c:00:00:01"})
    ] == [
        ("onvif.manufacturer", "Dahua"),
        ("onvif.model", "IPC-HDW2431T-AS-S2"),
        ("onvif.firmware", "2.800.1"),
        ("onvif.mac", "3c:ef:8c:00:00:01"),
        ("mac", "3c:ef:8c:00:00:01"),
    ]


def test_a_wsd_reply_may_be_a_hello_or_a_resolve_match_as_captures_hold_them() -> None:
    envelope = (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Body>{}</s:Body></s:Envelope>'
    )
    match = (
        "<a:EndpointReference><a:Address>urn:uuid:1</a:Address></a:EndpointReference>"
        "<d:Scopes>onvif://www.onvif.org/name/Dahua onvif://www.onvif.org/hardware/IPC-HFW2431S"
        "</d:Scopes>"
    )
    want = [
        ("wsd.endpoint", "urn:uuid:1"),
        ("wsd.scope.name", "Dahua"),
        ("wsd.scope.hardware", "IPC-HFW2431S"),
    ]
    for body in (
        f"<d:Hello>{match}</d:Hello>",
        f"<d:ResolveMatches><d:ResolveMatch>{match}</d:ResolveMatch></d:ResolveMatches>",
        f"<d:ProbeMatches><d:ProbeMatch>{match}</d:ProbeMatch></d:ProbeMatches>",
    ):
        found = parse_reply("wsd", envelope.format(body).encode())
        assert [(e.key, e.value) for e in found] == want, body[:20]
    # a Bye carries the endpoint only: that, read by element name, and nothing more
    bye = envelope.format(f"<d:Bye>{match.split('<d:Scopes>')[0]}</d:Bye>")
    assert [(e.key, e.value) for e in parse_reply("wsd", bye.encode())] == want[:1]


def test_an_isapi_document_is_also_the_body_of_the_http_answer_a_scan_got_it_in() -> None:
    doc = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="1.0" '
        b'xmlns="urn:psialliance-org"><statusCode>4</statusCode></ResponseStatus>'
    )
    found = parse_reply("isapi", doc)
    assert [(e.key, e.source) for e in found] == [
        ("isapi.document", "isapi"),
        ("isapi.namespace", "isapi"),
        ("http.body", "http"),
        ("http.field_names", "http"),
    ]
    assert found[-2].value == doc.decode()


def test_a_json_reply_printed_with_trailing_commas_or_as_a_python_literal() -> None:
    # hass-xmeye's test module prints NetIP objects as Python dict literals with a
    # trailing comma (corpus item xiongmai-netip-systeminfo-hassxmeye-nbd8008r-u)
    printed = b'SYSTEM_INFO = {\n    "HardWare": "NBD8008R-U",\n    "DeviceType": 4,\n}\n'
    assert ("netip.hardware", "NBD8008R-U") in values(parse_reply("netip", printed))
    literal = b"{'sysDescr': 'Linux cam 3.10', 'sysObjectID': '1.3.6.1.4.1.39165.1.1', 'up': True}"
    assert ("snmp.sysobjectid", "1.3.6.1.4.1.39165.1.1") in values(parse_reply("snmp", literal))
    with pytest.raises(MalformedReplyError):
        parse_reply("snmp", b"{'sysDescr': __import__('os').system('true')}")
    with pytest.raises(MalformedReplyError):
        parse_reply("snmp", b"[" * 5000)


def test_an_http_api_answer_published_as_its_fields_is_read_as_that_json_body() -> None:
    # property names of Axis VAPIX basic device information (getAllProperties), as the
    # API documentation lists them; the values are illustrative
    fields = {
        "Brand": "AXIS",
        "ProdNbr": "M3106-L Mk II",
        "ProdFullName": "AXIS M3106-L Mk II Network Camera",
        "ProdType": "Network Camera",
        "SerialNumber": "ACCC8E000000",
        "WebURL": "http://www.axis.com",
    }
    found = {(e.key, e.value) for e in fields_evidence("http", fields)}
    assert ("http.field.manufacturer", "AXIS") in found
    assert ("http.field.model", "M3106-L Mk II") in found
    assert ("http.field.serial", "ACCC8E000000") in found
    assert all(key.startswith("http.field.") for key, _value in found)  # no made-up body
    with pytest.raises(MalformedReplyError, match="not read from fields"):
        fields_evidence("rtsp", fields)


def test_a_printed_object_that_is_no_literal_warns_no_one(
    recwarn: pytest.WarningsRecorder,
) -> None:
    # Python's compiler warns of "1if" ("invalid decimal literal"); the reader asks it
    # whether a text is a literal, and the answer is no, not a warning on the terminal
    with pytest.raises(MalformedReplyError):
        parse_reply("snmp", b"{'sysDescr': 1if 1 else 2}")
    assert not [w for w in recwarn if issubclass(w.category, SyntaxWarning)]


UPNP_INFO = b"""Nmap scan report for 198.18.0.5
1900/udp open  upnp
| upnp-info:
| 198.18.0.5
|     Server: Linux/3.0.8, UPnP/1.0, Portable SDK for UPnP devices/1.6.18
|     Location: http://198.18.0.5:49152/description.xml
|       Webserver: Linux/3.0.8, UPnP/1.0, Portable SDK for UPnP devices/1.6.18
|       Name: Gate camera
|       Manufacturer: Acme Video
|       Model Descr: IP Camera
|       Model Name: AV-100
|_      Model Version: V5.5.0
Nmap scan report for 198.18.0.6
| upnp-info:
| 198.18.0.6
|       Manufacturer: Other Ltd
"""


@pytest.mark.parametrize("kind", ["upnp", "ssdp"])
def test_nmap_upnp_info_as_printed_is_the_first_hosts_device(kind: str) -> None:
    # nmap's upnp.lua prints these names (the layout of nmap 7.93's normal output)
    assert values(parse_reply(kind, UPNP_INFO)) == {
        ("ssdp.server", "Linux/3.0.8, UPnP/1.0, Portable SDK for UPnP devices/1.6.18"),
        ("http.server", "Linux/3.0.8, UPnP/1.0, Portable SDK for UPnP devices/1.6.18"),
        ("upnp.friendly_name", "Gate camera"),
        ("upnp.manufacturer", "Acme Video"),
        ("upnp.model_description", "IP Camera"),
        ("upnp.model_name", "AV-100"),
        ("upnp.model_number", "V5.5.0"),
    }
    with pytest.raises(MalformedReplyError):
        parse_reply(kind, b"| upnp-info:\n|_  ERROR: Script execution failed")


def test_upnp_info_of_two_devices_of_one_host_gives_the_first() -> None:
    output = (
        "198.18.0.5\n    Server: A/1\n      Manufacturer: Acme Video\n"
        "    Server: B/2\n      Manufacturer: Other Ltd\n"
    )
    assert upnp_info_fields(output) == [("ssdp.server", "A/1"), ("upnp.manufacturer", "Acme Video")]


def test_nmap_http_headers_and_title_as_printed_are_the_first_hosts_reply() -> None:
    printed = (
        b"Nmap scan report for 198.18.0.5\n80/tcp open  http\n"
        b"|_http-title: Acme & Co Login\n| http-headers: \n"
        b"|   Date: Fri, 04 Dec 2026 00:00:00 GMT\n|   Server: Acme-Webs/2.1\n"
        b"|   Connection: close\n|   \n|_  (Request type: HEAD)\n"
        b"Nmap scan report for 198.18.0.6\n| http-headers: \n|_  Server: Other/1\n"
    )
    found = values(parse_reply("http", printed))
    assert ("http.server", "Acme-Webs/2.1") in found
    assert ("http.title", "Acme & Co Login") in found
    assert not any(value == "Other/1" for _, value in found)
    redirect = (
        b"|_http-title: Did not follow redirect to https://x/\n| http-headers: \n|_  Server: A/1"
    )
    assert not any(key == "http.title" for key, _ in values(parse_reply("http", redirect)))


def test_tls_printed_names_a_tools_other_lines_and_utf8() -> None:
    # nmap's -oN header and s_client's verify line are no subject
    header = b"# Nmap 7.93 scan initiated as: nmap --script=ssl-cert 198.18.0.9\n"
    assert values(parse_reply("tls", header + b"| ssl-cert: Subject: organizationName=Acme")) == {
        ("tls.subject", "O=Acme")
    }
    with pytest.raises(MalformedReplyError):
        parse_reply("tls", b"verify error:num=20:unable to get local issuer certificate")
    # OpenSSL 3 prints a name's UTF-8 as it is; a BOM before it
    printed = "\ufeffsubject=C = CN, O = 浙江宇视科技有限公司, CN = IPC".encode()
    assert values(parse_reply("tls", printed)) == {
        ("tls.subject", "C=CN, O=浙江宇视科技有限公司, CN=IPC")
    }


def test_nmap_output_without_http_headers_is_the_first_hosts_and_prescan_is_no_hosts() -> None:
    # -sC's usual shape: titles only; the second host's redirect is not the first's
    printed = (
        b"Nmap scan report for 198.18.0.5\n80/tcp open  http    lighttpd\n"
        b"|_http-title: Login\n"
        b"Nmap scan report for 198.18.0.7\n80/tcp open  http\n"
        b"| http-title: Site doesn't have a title\n"
        b"|_Requested resource was /doc/page/login.asp?_1733270400\n"
    )
    found = values(parse_reply("http", printed))
    assert ("http.title", "Login") in found
    assert not any("/doc/page" in value for _, value in found)
    # a pre-scan script's devices (broadcast-upnp-info) are not the first host's
    prescan = (
        b"Pre-scan script results:\n| broadcast-upnp-info: \n|   198.18.0.7\n"
        b"|       Server: Linux, UPnP/1.0\n|         Manufacturer: Other Ltd\n"
        b"Nmap scan report for 198.18.0.5\n| upnp-info: \n| 198.18.0.5\n"
        b"|     Server: Acme/1\n|_      Manufacturer: Acme Video\n"
    )
    assert ("upnp.manufacturer", "Acme Video") in values(parse_reply("upnp", prescan))
    assert not any(v == "Other Ltd" for _, v in values(parse_reply("upnp", prescan)))
    # two http-headers blocks (two ports): the first's
    two = b"| http-headers: \n|   Server: A/1\n|_  x\n| http-headers: \n|   Server: B/2\n|_  x\n"
    assert [v for k, v in values(parse_reply("http", two)) if k == "http.server"] == ["A/1"]
