from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import defusedxml.ElementTree
import pytest

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.scanner.core import onvif

ADDRESS = "198.18.0.11"
NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
}
UT_PATH = "s:Header/wsse:Security/wsse:UsernameToken"


def test_password_digest_matches_onvif_programmers_guide_example() -> None:
    nonce = base64.b64decode("LKqI6G/AikKCQrN0zqZFlg==")
    digest = onvif.password_digest(nonce, "2010-09-16T07:50:45Z", "userpassword")
    assert digest == "tuOSpGlFlIXsozq4HFNeeGeFLEI="


def test_build_request_with_username_token() -> None:
    nonce = base64.b64decode("LKqI6G/AikKCQrN0zqZFlg==")
    created = datetime(2010, 9, 16, 9, 50, 45, 123456, tzinfo=timezone(timedelta(hours=2)))
    packet = onvif.build_request("GetDeviceInformation", "user&1", "userpassword", created, nonce)
    root = defusedxml.ElementTree.fromstring(packet)
    assert root.find("s:Body/tds:GetDeviceInformation", NS) is not None
    assert root.findtext(f"{UT_PATH}/wsse:Username", namespaces=NS) == "user&1"
    assert root.findtext(f"{UT_PATH}/wsu:Created", namespaces=NS) == "2010-09-16T07:50:45Z"
    assert root.findtext(f"{UT_PATH}/wsse:Nonce", namespaces=NS) == "LKqI6G/AikKCQrN0zqZFlg=="
    password = root.find(f"{UT_PATH}/wsse:Password", NS)
    assert password is not None
    assert password.text == "tuOSpGlFlIXsozq4HFNeeGeFLEI="
    assert password.get("Type", "").endswith("#PasswordDigest")


def test_build_request_without_username_has_no_security_header() -> None:
    packet = onvif.build_request("GetNetworkInterfaces", None, None, datetime.now(UTC), b"")
    root = defusedxml.ElementTree.fromstring(packet)
    assert root.find("s:Header", NS) is None
    assert root.find("s:Body/tds:GetNetworkInterfaces", NS) is not None


@pytest.mark.parametrize(
    ("operation", "created", "nonce", "message"),
    [
        ("Get<x/>", datetime.now(UTC), b"n", "operation"),
        ("getDeviceInformation x", datetime.now(UTC), b"n", "operation"),
        ("GetDeviceInformation", datetime(2024, 1, 1), b"n", "timezone-aware"),
        ("GetDeviceInformation", datetime.now(UTC), b"", "nonce"),
    ],
)
def test_build_request_refuses_bad_arguments(
    operation: str, created: datetime, nonce: bytes, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        onvif.build_request(operation, "admin", "pw", created, nonce)


def test_build_get_system_date_and_time() -> None:
    root = defusedxml.ElementTree.fromstring(onvif.build_get_system_date_and_time())
    assert root.find("s:Body/tds:GetSystemDateAndTime", NS) is not None
    assert root.find("s:Header", NS) is None


def test_parse_system_date_and_time_utc(capture: Callable[[str], bytes]) -> None:
    parsed = onvif.parse_system_date_and_time(capture("onvif_system_date_and_time.xml"))
    assert parsed == datetime(2024, 3, 1, 6, 30, 15, tzinfo=UTC)


def test_parse_system_date_and_time_local_with_posix_tz(capture: Callable[[str], bytes]) -> None:
    parsed = onvif.parse_system_date_and_time(capture("onvif_system_date_and_time_local_only.xml"))
    assert parsed == datetime(2024, 2, 29, 18, 5, 0, tzinfo=UTC)  # 02:05 at UTC+8


def _time_reply(inner: str) -> bytes:
    return (
        f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:tds="{NS["tds"]}"><s:Body>'
        f"<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>{inner}"
        "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse></s:Body></s:Envelope>"
    ).encode()


LOCAL_NOON = (
    "<LocalDateTime><Time><Hour>12</Hour><Minute>0</Minute><Second>0</Second></Time>"
    "<Date><Year>2024</Year><Month>1</Month><Day>1</Day></Date></LocalDateTime>"
)


@pytest.mark.parametrize(
    ("tz", "expected_hour"),
    [("EST5EDT,M3.2.0,M11.1.0", 17), ("UTC0", 12), ("&lt;+0330&gt;-3:30", 8)],
)
def test_posix_tz_offsets(tz: str, expected_hour: int) -> None:
    reply = _time_reply(f"<TimeZone><TZ>{tz}</TZ></TimeZone>{LOCAL_NOON}")
    assert onvif.parse_system_date_and_time(reply).hour == expected_hour


@pytest.mark.parametrize(
    "inner",
    [
        LOCAL_NOON,  # local time without a zone
        "<TimeZone><TZ>???</TZ></TimeZone>" + LOCAL_NOON,
        LOCAL_NOON.replace("<Month>1</Month>", "<Month>13</Month>").replace("Local", "UTC"),
        LOCAL_NOON.replace("<Hour>12</Hour>", "<Hour>\u00b2</Hour>").replace("Local", "UTC"),
        LOCAL_NOON.replace("<Hour>12</Hour>", "").replace("Local", "UTC"),
    ],
)
def test_parse_system_date_and_time_garbage(inner: str) -> None:
    with pytest.raises(MalformedReplyError):
        onvif.parse_system_date_and_time(_time_reply(inner))


def test_parse_system_date_and_time_fault_raises(capture: Callable[[str], bytes]) -> None:
    with pytest.raises(MalformedReplyError, match="Fault"):
        onvif.parse_system_date_and_time(capture("onvif_fault_not_authorized.xml"))


def test_clock_skew_evidence() -> None:
    ours = datetime(2024, 3, 1, 6, 30, 0, tzinfo=UTC)
    evidence = onvif.clock_skew_evidence(ours - timedelta(seconds=90.4), ours, ADDRESS)
    assert (evidence.key, evidence.value, evidence.source) == ("onvif.clock_skew_s", "-90", "onvif")
    with pytest.raises(ValueError, match="aware"):
        onvif.clock_skew_evidence(datetime(2024, 1, 1), ours, ADDRESS)


def test_parse_device_information(capture: Callable[[str], bytes]) -> None:
    found = onvif.parse_device_information(capture("onvif_device_information.xml"), ADDRESS)
    assert {e.key: e.value for e in found} == {
        "onvif.manufacturer": "HIKVISION",
        "onvif.model": "DS-2CD2143G2-I",
        "onvif.firmware": "V5.7.3 build 220112",
        "onvif.serial": "DS-2CD2143G2-I20230101AAWRJ00001",
        "onvif.hardware_id": "88",
    }


def test_parse_network_interfaces(capture: Callable[[str], bytes]) -> None:
    found = onvif.parse_network_interfaces(capture("onvif_network_interfaces.xml"), ADDRESS)
    assert [(e.key, e.value) for e in found] == [
        ("onvif.mac", "bc:ad:28:0a:0b:0c"),
        ("mac", "bc:ad:28:0a:0b:0c"),
        ("onvif.mac", "bc:ad:28:0a:0b:0d"),
        ("mac", "bc:ad:28:0a:0b:0d"),
    ]


def test_faults_give_no_evidence_and_are_classified(capture: Callable[[str], bytes]) -> None:
    not_authorized = capture("onvif_fault_not_authorized.xml")
    not_supported = capture("onvif_fault_action_not_supported.xml")
    assert onvif.parse_device_information(not_authorized, ADDRESS) == []
    assert onvif.parse_network_interfaces(not_supported, ADDRESS) == []
    assert onvif.is_fault(not_authorized)
    assert onvif.is_auth_fault(not_authorized)
    assert not onvif.is_auth_fault(not_supported)
    assert not onvif.is_auth_fault(capture("onvif_device_information.xml"))
    assert not onvif.is_fault(capture("onvif_device_information.xml"))


def test_http_401_is_an_auth_fault_whatever_the_body() -> None:
    assert onvif.is_auth_fault(b"<html>401</html>", status=401)
    assert onvif.is_auth_fault(b"", status=401)


def test_soap11_style_faultcode_is_recognised() -> None:
    reply = (
        f'<s:Envelope xmlns:s="{NS["s"]}"><s:Body><s:Fault>'
        "<faultcode>wsse:FailedAuthentication</faultcode></s:Fault></s:Body></s:Envelope>"
    ).encode()
    assert onvif.is_auth_fault(reply)


@pytest.mark.parametrize(
    "xml",
    [
        b"<html><body>Not ONVIF</body></html>",
        f'<s:Envelope xmlns:s="{NS["s"]}"/>'.encode(),
        f'<s:Envelope xmlns:s="{NS["s"]}"><s:Body><Other/></s:Body></s:Envelope>'.encode(),
        b"\x89PNG\r\n",
    ],
)
def test_garbage_raises_malformed(xml: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        onvif.parse_device_information(xml, ADDRESS)


def test_hostile_xml(billion_laughs: bytes, external_entity: bytes) -> None:
    for xml in (billion_laughs, external_entity):
        with pytest.raises(MalformedReplyError):
            onvif.parse_device_information(xml, ADDRESS)
        with pytest.raises(MalformedReplyError):
            onvif.is_auth_fault(xml)
    with pytest.raises(ReplyTooLargeError):
        onvif.parse_network_interfaces(b"<a>" + b"x" * 10_000_000 + b"</a>", ADDRESS)


# The head of a Hikvision DS-2CD3T45P1-I envelope (github:liyanhui1998/go-onvif@966cbae8:
# examples/GetDeviceInfo/old_test.go), namespace list cut to a few standard and all vendor
# declarations, around a GetSystemDateAndTime answer.
HIK_ENVELOPE = b"""<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"
 xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"
 xmlns:wsa="http://www.w3.org/2005/08/addressing" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"
 xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"
 xmlns:tnshik="http://www.hikvision.com/2011/event/topics"
 xmlns:hikwsd="http://www.onvifext.com/onvif/ext/ver10/wsdl"
 xmlns:hikxsd="http://www.onvifext.com/onvif/ext/ver10/schema">
<env:Body>%s</env:Body></env:Envelope>"""
HIK_VENDOR_NAMESPACES = [
    "http://www.hikvision.com/2011/event/topics",
    "http://www.onvifext.com/onvif/ext/ver10/wsdl",
    "http://www.onvifext.com/onvif/ext/ver10/schema",
]


def test_namespace_evidence_keeps_only_vendor_namespaces() -> None:
    reply = HIK_ENVELOPE % b"<tds:GetSystemDateAndTimeResponse/>"
    found = onvif.namespace_evidence(reply, ADDRESS)
    assert [(e.key, e.value) for e in found] == [
        *(("onvif.namespace", uri) for uri in HIK_VENDOR_NAMESPACES),
        ("onvif.namespace_prefixes", "tnshik, hikwsd, hikxsd"),
    ]
    assert onvif.parse_reply(reply, ADDRESS) == found  # an operation without own fields


def test_namespaces_come_with_the_fields_and_with_a_fault() -> None:
    info = (
        b"<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer>"
        b"</tds:GetDeviceInformationResponse>"
    )
    keys = [e.key for e in onvif.parse_reply(HIK_ENVELOPE % info, ADDRESS)]
    assert keys == ["onvif.manufacturer", *["onvif.namespace"] * 3, "onvif.namespace_prefixes"]
    fault = b"<env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code></env:Fault>"
    found = onvif.parse_reply(HIK_ENVELOPE % fault, ADDRESS)
    assert [e.value for e in found if e.key == "onvif.namespace"] == HIK_VENDOR_NAMESPACES


def test_a_standard_only_envelope_gives_no_namespace() -> None:
    reply = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        b"xmlns:tds='http://www.onvif.org/ver10/device/wsdl' "
        b'xmlns:x="urn:oasis:names:tc:SAML:2.0:assertion"><s:Body/></s:Envelope>'
    )
    assert onvif.namespace_evidence(reply, ADDRESS) == []
