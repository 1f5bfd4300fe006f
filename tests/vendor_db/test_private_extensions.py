"""A firmware's own extensions read by the serial, model and vendor rules, weakly.

* Scopes of a device's own (ONVIF Core sec. 7.3.2.2: "A device may have other scope
  URIs"; onvif/specs issue #350 asks for a serial or MAC scope and quotes
  ``onvif://www.onvif.org/MAC/004084f896ab``): their item goes to the [serial] and
  [model] rules.  The serials are serial.toml's own examples' shapes.
* The prefix of a private namespace (XML Namespaces 1.0 sec. 3, ``xmlns:prefix="URI"``).
* Private extension headers of RTSP (RFC 2326 sec. 12: unknown headers are ignored by a
  client, so servers add their own) and HTTP, by their names.
* Realms whose digits a publisher replaced with X, x or *.

Every vendor name below is put into the layout here, none is a claim about a product.
"""

from __future__ import annotations

import pytest

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import rtsp
from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db.identify import identify

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSD05 = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
HIK_SERIAL = "DS-2CD2143G2-I20240101AAWRK12345678"  # serial.toml hikvision-serial example


def probe_matches(scopes: str, declarations: str = "") -> bytes:
    """A SOAP 1.2 ProbeMatches (WS-Discovery 2005/04 section 5.3) with one match."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP12}"'
        f' xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="{WSD05}"'
        f"{declarations}>"
        f"<s:Header><a:Action>{WSD05}/ProbeMatches</a:Action></s:Header><s:Body>"
        "<d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:1</a:Address>"
        "</a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>"
        f"<d:Scopes>{scopes}</d:Scopes><d:MetadataVersion>1</d:MetadataVersion>"
        "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>"
    ).encode()


@pytest.mark.parametrize(
    ("scope", "maker"),
    [
        (f"onvif://www.onvif.org/serial/{HIK_SERIAL}", "Hikvision"),
        (f"onvif://www.onvif.org/SerialNumber/{HIK_SERIAL}/", "Hikvision"),
        ("onvif://www.onvif.org/extension/sn=4X7C5A1ZAG21L3F", "Dahua"),
        ("http://192.0.2.64/device/model/DS-2CD2143G2-I", "Hikvision"),
    ],
)
def test_a_serial_or_model_in_a_scope_of_the_firmwares_own_names_its_maker_weakly(
    scope: str, maker: str
) -> None:
    result = identify(parse_reply("wsd", probe_matches(f"onvif://www.onvif.org/type/NVT {scope}")))
    assert result.maker == maker
    assert result.flag.to_dict()["level"] == "possible"  # alone: only possible
    assert any("scope item" in c.rule for c in result.chain if c.field == "maker")


@pytest.mark.parametrize(
    "scope",
    [
        "onvif://www.onvif.org/vendor/item1",
        "onvif://www.onvif.org/Profile/Streaming",
        "onvif://www.onvif.org/serial/XXXXXXXXXXXX",
        "http://192.0.2.64/2024/01/01",
    ],
)
def test_a_scope_item_that_fits_no_scheme_names_no_one(scope: str) -> None:
    assert identify(parse_reply("wsd", probe_matches(scope))).maker is None


PRIVATE = "http://192.0.2.1/ns/ext/ver10"  # a namespace whose URI names no one


def test_a_private_namespace_prefix_equal_to_a_vendor_name_names_it_weakly() -> None:
    data = probe_matches("onvif://www.onvif.org/type/NVT", f' xmlns:hikvision="{PRIVATE}"')
    found = parse_reply("wsd", data)
    assert ("wsd.namespace_prefixes", "hikvision") in {(e.key, e.value) for e in found}
    result = identify(found)
    assert (result.maker, result.flag.to_dict()["level"]) == ("Hikvision", "possible")


@pytest.mark.parametrize(
    "declarations",
    [
        ' xmlns:hikvision="http://www.onvif.org/ver10/schema"',  # a standard's namespace
        f' xmlns:ns1="{PRIVATE}" xmlns:ext="{PRIVATE}/b"',
        f' xmlns="{PRIVATE}"',  # the default namespace has no prefix
        f' xmlns:sony="{PRIVATE}" xmlns:axis="{PRIVATE}/b"',  # two vendors: neither
    ],
)
def test_prefixes_that_name_no_one_vendor_stay_silent(declarations: str) -> None:
    data = probe_matches("onvif://www.onvif.org/type/NVT", declarations)
    assert identify(parse_reply("wsd", data)).maker is None


def rtsp_reply(*headers: str) -> bytes:
    return (
        "RTSP/1.0 200 OK\r\nCSeq: 1\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"
    ).encode()


def test_rtsp_extension_header_names_reach_the_rules() -> None:
    found = rtsp.parse_rtsp(rtsp_reply("X-Sony-Stream: 1", "Public: OPTIONS"), "192.0.2.1")
    assert ("rtsp.header_names", "CSeq, X-Sony-Stream, Public") in {(e.key, e.value) for e in found}
    result = identify(found)
    assert result.maker == "Sony"
    assert max(c.weight for c in result.chain if c.field == "maker") < 0.5


@pytest.mark.parametrize(
    "headers",
    [
        # headers many stacks send (RFC 7034 X-Frame-Options, X-Powered-By ...)
        ("X-Frame-Options: DENY", "X-Powered-By: PHP", "X-Content-Type-Options: nosniff"),
        ("X-Accel-Buffering: no", "X-Request-Id: 1"),
        ("Sony-Stream: 1",),  # not an X- extension header
        ("X-Sony-Stream: 1", "X-Axis-Session: 2"),  # two vendors: neither
    ],
)
def test_common_or_ambiguous_header_names_name_no_one(headers: tuple[str, ...]) -> None:
    for kind in ("rtsp", "http"):
        reply = rtsp_reply(*headers)
        if kind == "http":
            reply = reply.replace(b"RTSP/1.0", b"HTTP/1.1", 1)
        assert identify(parse_reply(kind, reply)).maker is None, (kind, headers)


@pytest.mark.parametrize(
    ("realm", "maker"),
    [
        ("DS-2CDXXXXG2-I", "Hikvision"),  # http_auth.toml realm-hikvision-model, digits hidden
        ("bcad28xxxxxx", "Hikvision"),  # realm-hikvision-mac: the block kept, the rest hidden
        ("AXIS_00408C******", "Axis Communications"),  # realm-axis-mac
    ],
)
def test_a_realm_with_redacted_digits_still_meets_its_rule(realm: str, maker: str) -> None:
    for key in ("http.realm", "rtsp.realm"):
        result = identify([Evidence(key, realm, "test")])
        assert result.maker == maker, key
        assert result.model is None  # the stand-in digits make up no model
        rules = [c.rule for c in result.chain if c.field == "maker"]
        assert any("redacted digits" in r for r in rules), rules


@pytest.mark.parametrize(
    "realm",
    [
        "xxxxxxxxxxxxxxxxxxxxxxxx",  # redacted whole
        "3c1bf8xxxxxxxxxxxxxxxxxx",  # a hex shape any digits of that length meet
        "XXXX",
        "Welcome XXXX",
        "Login to Exxon",  # a word's own "xx" is no redaction (Dahua's rule wants digits)
        "Login to Foxxconn-AP",
    ],
)
def test_a_realm_redacted_past_its_shape_names_no_one(realm: str) -> None:
    assert identify([Evidence("http.realm", realm, "test")]).maker is None


@pytest.mark.parametrize(
    ("domain", "maker", "level"),
    [
        ("axis-com", "Axis Communications", "no"),
        ("schemas-sony-com", "Sony", "no"),
        ("sony-co-jp", "Sony", "no"),
        ("tp-link-com", "TP-Link", "possible"),  # a name with a hyphen of its own, whole
        ("samsung.com", None, "no"),  # dotted; a name the table does not hold: no one
        ("schemas-hikvision-com", "Hikvision", "possible"),  # alone: only possible
        ("microsoft-com", None, "no"),  # X_MS_ services run on NAS and routers too
        ("schemas-intel-com", None, "no"),  # Intel's UPnP SDK, in others' devices
        ("schemas-h264-com", None, "no"),  # an alias that is an ordinary word
        ("frontier-silicon-com", None, "no"),  # not "silicon": the whole name
    ],
)
def test_a_upnp_type_under_a_vendors_domain_names_it_weakly(
    domain: str, maker: str | None, level: str
) -> None:
    result = identify([Evidence("upnp.type_domain", domain, "ssdp", "198.18.0.11")])
    assert result.maker == maker
    assert result.flag.to_dict()["level"] == level
    if maker is not None:
        assert result.confidence < 0.5


def test_one_owners_types_and_namespaces_count_once() -> None:
    # a PC cast receiver answers with a phone maker's companion types (two spellings of
    # one domain) and declares its namespace: however many, only "possible"
    evidence = [
        Evidence("upnp.type_domain", "schemas-huawei-com", "ssdp", "198.18.0.11"),
        Evidence("upnp.type_domain", "www-huawei-com", "ssdp", "198.18.0.11"),
        Evidence("onvif.namespace", "urn:schemas-huawei-com:a", "onvif", "198.18.0.11"),
        Evidence("onvif.namespace", "urn:schemas-huawei-com:b", "onvif", "198.18.0.11"),
    ]
    result = identify(evidence)
    assert result.maker == "Huawei"
    assert result.flag.to_dict()["level"] == "possible"
    # beside evidence of another kind they still add: a MAC of the maker's block alone
    # is only possible, with the types flagged
    mac = Evidence("mac", "00:e0:fc:00:00:01", "arp", "198.18.0.11")  # Huawei's MA-L block
    assert identify([mac]).flag.to_dict()["level"] == "possible"
    assert identify([*evidence, mac]).flag.to_dict()["level"] == "flagged"


def test_a_urn_namespace_names_its_domains_owner() -> None:
    ns = "urn:schemas-pelco-com:onvif:device:1"  # onvif_namespace.toml's example shape
    result = identify([Evidence("onvif.namespace", ns.replace("pelco", "mobotix"), "onvif", "x")])
    assert result.maker == "Mobotix"
    hik = identify([Evidence("onvif.namespace", "urn:schemas-hikvision-com:x", "onvif", "x")])
    assert (hik.maker, hik.flag.to_dict()["level"]) == ("Hikvision", "possible")
    assert (
        identify([Evidence("onvif.namespace", "urn:oasis:names:tc:x", "onvif", "x")]).maker is None
    )
