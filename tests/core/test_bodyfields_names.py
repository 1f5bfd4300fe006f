"""A device's own document with its address at the top level, the member names of a
structured body (``http.field_names``) and the field-set rules on them
(vendor_db/data/fingerprints/http_field_names.toml), and type fields read as models.

Shapes are built here after the vendors' documented answers (sources in the rule file).
"""

from __future__ import annotations

import json

import pytest

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import http
from camcensus.scanner.core.bodyfields import MAX_FIELD_NAMES_CHARS, NAMES_KEY, body_fields
from camcensus.scanner.core.limits import MAX_HTTP_BODY_EVIDENCE_CHARS
from camcensus.vendor_db.identify import identify


def _pairs(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in body_fields(text):
        out.setdefault(key, []).append(value)
    return out


def _names(text: str) -> str | None:
    return dict(body_fields(text)).get(NAMES_KEY)


def _identify_body(body: str) -> tuple[str | None, bool]:
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + body.encode()
    result = identify(http.parse_http(raw, "198.18.0.11"))
    return result.maker, result.flag.flagged


# ---------------------------------------------------------------- own address at the top


@pytest.mark.parametrize(
    "body",
    [
        '{"ip": "192.168.0.90", "manufacturer": "AXIS", "model": "P1346",'
        ' "firmwareVersion": "5.40.9"}',
        "<DeviceInfo><ipAddress>192.168.0.90</ipAddress><manufacturer>AXIS</manufacturer>"
        "<model>P1346</model><firmwareVersion>5.40.9</firmwareVersion></DeviceInfo>",
        "ip=192.168.0.90\nmanufacturer=AXIS\nmodel=P1346\nfirmwareVersion=5.40.9\n",
        # airOS keeps its identity in a "host" object: a container, not an address
        '{"host": {"manufacturer": "AXIS", "model": "P1346"}, "interfaces":'
        ' [{"ifname": "eth0"}], "ip": "192.168.0.90", "firmwareVersion": "5.40.9"}',
    ],
)
def test_own_address_at_the_top_leaves_the_document_readable(body: str) -> None:
    pairs = _pairs(body)
    assert pairs.get("http.field.firmware") == ["5.40.9"]
    manufacturer = pairs.get("http.field.manufacturer") or pairs.get(
        "http.field.nested.manufacturer"
    )
    assert manufacturer == ["AXIS"]


def test_own_address_at_the_top_reads_maker_or_model_weakly() -> None:
    # the same shape is a VMS's record of one camera: its fields are read at the nested
    # tier, the maker field, else the model field, never both (two weak hints would flag),
    # and a maker field alone stays "possible"
    body = '{"ip": "10.0.0.5", "manufacturer": "Hikvision", "model": "DS-2CD2143G2-I"}'
    pairs = _pairs(body)
    assert "http.field.manufacturer" not in pairs
    assert "http.field.model" not in pairs
    assert pairs["http.field.nested.manufacturer"] == ["Hikvision"]
    assert "http.field.nested.model" not in pairs
    pairs = _pairs('{"ip": "10.0.0.5", "model": "DS-2CD2143G2-I"}')
    assert pairs["http.field.nested.model"] == ["DS-2CD2143G2-I"]
    maker, flagged = _identify_body('{"ip": "10.0.0.5", "manufacturer": "Hikvision"}')
    assert maker == "Hikvision"
    assert not flagged


@pytest.mark.parametrize(
    "body",
    [
        # an address beside other device records: a listing, not the device
        '{"ip": "10.0.0.2", "vendor": "Hikvision", "cameras": [{"ip": "10.0.0.5"}]}',
        '{"address": "10.0.0.2", "manufacturer": "Dahua", "list": [{"model": "X1"}]}',
        '{"ip": "10.0.0.2", "vendor": "Hikvision", "channels": {"1": {"name": "a"}}}',
        "<Root><ipAddress>10.0.0.2</ipAddress><manufacturer>Hikvision</manufacturer>"
        "<Camera><name>a</name></Camera></Root>",
        "<Root><ipAddress>10.0.0.2</ipAddress><manufacturer>Hikvision</manufacturer>"
        "<Item><a>1</a></Item><Item><a>2</a></Item></Root>",
        "ip=10.0.0.2\nvendor=Hikvision\ncamera.0.name=a\n",
        # a stream URL or channel at the top level is still another device's record
        '{"rtspUrl": "rtsp://10.0.0.5/", "manufacturer": "Hikvision"}',
        '{"channel": 2, "ip": "10.0.0.5", "manufacturer": "Dahua"}',
    ],
)
def test_top_level_listings_with_addresses_name_no_maker(body: str) -> None:
    pairs = _pairs(body)
    assert "http.field.manufacturer" not in pairs
    assert "http.field.nested.manufacturer" not in pairs
    maker, flagged = _identify_body(body)
    assert maker is None
    assert not flagged


# ---------------------------------------------------------------- http.field_names


def test_names_by_level_and_the_xml_root() -> None:
    doc = [{"cmd": "GetDevInfo", "code": 0, "value": {"DevInfo": {"model": "m", "type": "t"}}}]
    assert _names(json.dumps(doc)) == "cmd code value | DevInfo | model type"
    xml = '<?xml version="1.0"?><x:Status xmlns:x="u"><a>1</a><b><c>2</c></b><a>3</a></x:Status>'
    assert _names(xml) == "<Status> a b | c"
    assert _names("<html><body>x</body></html>") is None
    assert _names("model=x\n") is None


def test_names_come_from_the_whole_body_not_its_first_4k() -> None:
    padding = {f"note{n}": "x" * 200 for n in range(40)}
    body = json.dumps({**padding, "ConnectedMACAddress": "00:09:18:00:00:01"})
    assert len(body) > 2 * MAX_HTTP_BODY_EVIDENCE_CHARS
    names = _names(body)
    assert names is not None
    assert names.endswith("ConnectedMACAddress")
    maker, _flagged = _identify_body(body)
    assert maker == "Hanwha Vision"


def test_names_are_capped_and_odd_names_left_out() -> None:
    doc: dict[str, object] = {"a b": 1, "1.2.3.4": 1, "x" * 65: 1}
    doc.update({f"field{n}": {f"sub{n}_{m}": 1 for m in range(5)} for n in range(300)})
    names = _names(json.dumps(doc))
    assert names is not None
    assert len(names) <= MAX_FIELD_NAMES_CHARS
    assert names.startswith("field0 field1 ")  # blanks, an address, an over-long name: out
    assert "|" not in names  # the top level alone fills the cap


@pytest.mark.parametrize(
    ("body", "maker"),
    [
        (
            '{"requestURL": "/ISAPI/System/time", "statusCode": 4, "statusString": "Invalid'
            ' Operation", "subStatusCode": "notSupport"}',
            "Hikvision",
        ),
        (
            '{"Response": {"ResponseURL": "/x", "CreatedID": -1, "ResponseCode": 0,'
            ' "SubResponseCode": 0, "ResponseString": "Succeed"}}',
            "Uniview",
        ),
        (
            '{"host": {"hostname": "ap", "devmodel": "LBE-M5", "fwprefix": "XW"}}',
            "Ubiquiti",
        ),
    ],
)
def test_field_sets_name_their_maker(body: str, maker: str) -> None:
    assert _identify_body(body)[0] == maker


@pytest.mark.parametrize(
    "body",
    [
        # JSON-RPC 2.0 with a session is no Dahua RPC2 answer
        '{"jsonrpc": "2.0", "id": 1, "session": "abc", "result": true}',
        # Google's JSON style envelope without an Axis result list
        '{"apiVersion": "2.0", "method": "people.get", "data": {"items": []}}',
        # ISAPI status names one level too deep (a platform relaying a device's answer)
        '{"devices": {"d1": {"last": {"requestURL": "/x", "statusCode": 1,'
        ' "statusString": "fine", "subStatusCode": "ok"}}}}',
        # a generic error document
        '{"error": {"code": 1, "message": "x"}, "status": 400}',
    ],
)
def test_field_sets_of_other_apis_name_no_maker(body: str) -> None:
    assert _identify_body(body)[0] is None


def test_dahua_rpc2_envelope_stays_possible() -> None:
    body = '{"id": 2, "session": "a1b2c3", "params": {"table": {}}, "result": true}'
    maker, flagged = _identify_body(body)
    assert maker == "Dahua"
    assert not flagged


# ---------------------------------------------------------------- type fields as models


def test_a_type_field_holding_a_model_is_read_with_every_model_scheme() -> None:
    # a short Axis model number: a scheme too weak for free text, whole in a type field
    ev = [Evidence("http.field.device_type", "M1034-W", "http", "198.18.0.11")]
    result = identify(ev)
    assert result.maker == "Axis Communications"
    assert result.model == "M1034-W"
    generic = identify([Evidence("http.field.device_type", "IPC", "http", "198.18.0.11")])
    assert generic.maker is None


def test_dahua_update_serial_is_a_model_field() -> None:
    body = "deviceType=31\nprocessor=ST7108\nupdateSerial=DHI-NVR4108HS-8P-4KS2\n"
    assert _pairs(body)["http.field.model"] == ["DHI-NVR4108HS-8P-4KS2"]
