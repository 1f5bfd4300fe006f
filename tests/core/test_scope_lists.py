"""Scope lists in the shapes firmware, libraries and people write them: split into scopes.

WS-Discovery 2005/04 (section 5.1) types Scopes as an xs:list of URIs, one blank
between them; ONVIF Core (section 7.3.2.2) lists onvif://www.onvif.org/<kind>/<value>
scopes.  Published replies also carry the list as one printed value: Python's repr of a
list of str (``['onvif://...', ...]``), a JSON array, URIs joined with commas or
semicolons, or a tool's bulleted lines (python-ws-discovery's ``wsdiscover`` prints
``  - onvif://www.onvif.org/name/VIGI-C350`` a line, github.com/andreikop/
python-ws-discovery/issues/56).  The shapes below are built from those layouts.
"""

from __future__ import annotations

import pytest

from camcensus.scanner.core.replies import fields_evidence, parse_reply
from camcensus.vendor_db.identify import identify

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSD05 = "http://schemas.xmlsoap.org/ws/2005/04/discovery"


def probe_matches(scopes: str) -> str:
    """A SOAP 1.2 ProbeMatches (WS-Discovery 2005/04 section 5.3) with one match."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP12}"'
        ' xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"'
        f' xmlns:d="{WSD05}" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">'
        f"<s:Header><a:Action>{WSD05}/ProbeMatches</a:Action></s:Header><s:Body>"
        "<d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>urn:uuid:1</a:Address>"
        "</a:EndpointReference><d:Types>dn:NetworkVideoTransmitter</d:Types>"
        f"<d:Scopes>{scopes}</d:Scopes>"
        "<d:XAddrs>http://192.0.2.64/onvif/device_service</d:XAddrs>"
        "<d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches>"
        "</s:Body></s:Envelope>"
    )


def onvif_envelope(body: str) -> str:
    """An ONVIF device-service reply in a SOAP 1.2 envelope."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP12}"'
        ' xmlns:tds="http://www.onvif.org/ver10/device/wsdl"'
        ' xmlns:tt="http://www.onvif.org/ver10/schema">'
        f"<env:Body>{body}</env:Body></env:Envelope>"
    )


NAME = "onvif://www.onvif.org/name/HIKVISION DS-2CD2143G2-I"
HARDWARE = "onvif://www.onvif.org/hardware/DS-2CD2143G2-I"
TYPE = "onvif://www.onvif.org/type/video_encoder"
EXPECTED = {
    ("wsd.scope.type", "video_encoder"),
    ("wsd.scope.name", "HIKVISION DS-2CD2143G2-I"),
    ("wsd.scope.hardware", "DS-2CD2143G2-I"),
}
LISTS = {
    "python list repr": f"[{TYPE!r}, {NAME!r}, {HARDWARE!r}]",
    "json array": f'["{TYPE}", "{NAME}", "{HARDWARE}"]'.replace("/", "\\/"),
    "commas": ",".join([TYPE, NAME.replace(" ", "%20"), HARDWARE]),
    "comma and blank": ", ".join([TYPE, NAME.replace(" ", "%20"), HARDWARE]),
    "semicolons": ";".join([TYPE, NAME.replace(" ", "%20"), HARDWARE]),
    "bracketed, unquoted": f"[{TYPE} {NAME.replace(' ', '%20')} {HARDWARE}]",
    "bulleted lines": f"\n  - {TYPE}\n  - {NAME}\n  - {HARDWARE}\n",
    "newlines": f"{TYPE}\n{NAME.replace(' ', '%20')}\r\n{HARDWARE}",
    "quoted whole": f'"{TYPE} {NAME.replace(" ", "%20")} {HARDWARE}"',
}


@pytest.mark.parametrize("shape", sorted(LISTS))
def test_a_scope_list_in_one_value_is_split_into_its_scopes(shape: str) -> None:
    text = probe_matches(LISTS[shape])
    found = {(e.key, e.value) for e in parse_reply("wsd", text.encode())}
    assert found >= EXPECTED
    assert not any(e[0] == "wsd.scope.other" for e in found), found
    assert identify(parse_reply("wsd", text.encode())).maker == "Hikvision"


@pytest.mark.parametrize("shape", sorted(LISTS))
def test_a_scope_list_published_as_a_field_is_split_alike(shape: str) -> None:
    found = {(e.key, e.value) for e in fields_evidence("wsd", {"Scopes": LISTS[shape]})}
    assert found >= EXPECTED


def test_a_printed_list_outside_any_element_is_read_with_its_blanks() -> None:
    printed = f"scopes = [{TYPE!r}, {NAME!r}, {HARDWARE!r}]\n"
    found = {(e.key, e.value) for e in parse_reply("wsd", printed.encode())}
    assert found >= EXPECTED


def test_getscopes_item_holding_a_list_is_split() -> None:
    reply = onvif_envelope(
        "<tds:GetScopesResponse><tds:Scopes><tt:ScopeDef>Fixed</tt:ScopeDef>"
        f"<tt:ScopeItem>{TYPE},{NAME.replace(' ', '%20')}</tt:ScopeItem></tds:Scopes>"
        "</tds:GetScopesResponse>"
    )
    found = {(e.key, e.value) for e in parse_reply("onvif", reply.encode())}
    assert ("onvif.scope.name", "HIKVISION DS-2CD2143G2-I") in found
    assert ("onvif.scope.type", "video_encoder") in found


@pytest.mark.parametrize(
    ("scopes", "value"),
    [
        # a comma, brackets or a quote inside a value that starts no URI stay the value's
        ("onvif://www.onvif.org/name/Gate,North", "Gate,North"),
        ("onvif://www.onvif.org/name/Cam(1) onvif://www.onvif.org/type/NVT", "Cam(1)"),
        ("onvif://www.onvif.org/name/Bob's%20camera", "Bob's camera"),
        # a blank that no URI follows continues the scope, as before
        ("onvif://www.onvif.org/location/Hong Kong", "Hong Kong"),
    ],
)
def test_what_is_no_list_separator_stays_in_the_value(scopes: str, value: str) -> None:
    found = {e.value for e in parse_reply("wsd", probe_matches(scopes).encode())}
    assert value in found


def test_a_long_list_stays_within_the_caps() -> None:
    scopes = ",".join(f"onvif://www.onvif.org/vendor/item{n}" for n in range(1000))
    found = [e for e in parse_reply("wsd", probe_matches(scopes).encode())]
    assert sum(e.key == "wsd.scope.other" for e in found) == 8


def test_a_run_of_separators_is_one_break_and_a_word_of_them_no_scope() -> None:
    # ",;," between two URIs splits once; a value of nothing but separators (a hostile
    # reply's; bench/hostile.py times it) gives no scope and no error
    found = {e.value for e in parse_reply("wsd", probe_matches(f"{TYPE},;,{HARDWARE}").encode())}
    assert {"video_encoder", "DS-2CD2143G2-I"} <= found
    only = parse_reply("wsd", probe_matches("a:" + ";" * 60_000).encode())
    assert not any(e.key.startswith("wsd.scope.") and e.key != "wsd.scope.other" for e in only)
