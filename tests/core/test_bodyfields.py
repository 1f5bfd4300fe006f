"""Device-describing fields of structured HTTP bodies (camcensus.scanner.core.bodyfields).

Shapes are the vendors' documented answers (sources beside each); the negative and
hostile ones are built here.
"""

from __future__ import annotations

import json

import pytest

from camcensus.scanner.core import http
from camcensus.scanner.core.bodyfields import (
    CONTAINERS,
    NAMES_KEY,
    SYNONYMS,
    body_fields,
    site_name,
)
from camcensus.scanner.core.limits import MAX_HTTP_BODY_BYTES, MAX_JSON_DEPTH
from camcensus.vendor_db.identify import identify

# Axis developer documentation (AXIS OS upgrade page, search index hit 21289497283):
# the VAPIX basicdeviceinfo.cgi getAllProperties answer of an AXIS Q1656
AXIS_BASIC_DEVICE_INFO = """{
  "apiVersion": "1.3",
  "data": {
    "propertyList": {
      "Architecture": "aarch64", "ProdNbr": "Q1656", "HardwareID": "900",
      "ProdFullName": "AXIS Q1656 Box Camera", "Version": "12.0.91", "ProdType": "Box Camera",
      "SocSerialNumber": "4E78C475-010102B7", "Soc": "Axis Artpec-8", "Brand": "AXIS",
      "WebURL": "http://www.axis.com", "ProdVariant": "", "SerialNumber": "B8A44F7D507D",
      "ProdShortName": "AXIS Q1656", "BuildDate": "Sep 26 2024 18:22"
    }
  },
  "context": "Client defined request ID"
}"""

# corpus rules-half item axis-param-brand-fw-trunnion-p5512-fw5517
# (github:trunnion/vapix@eac61ce0bbf80e6c4ab3b9ad55960aab46fc39b1 fixture): param.cgi lines
AXIS_PARAM = """root.Brand.Brand=AXIS
root.Brand.ProdFullName=AXIS P5512 PTZ Dome Network Camera
root.Brand.ProdShortName=AXIS P5512
root.Brand.ProdNbr=P5512
root.Brand.ProdType=PTZ Dome Network Camera
root.Brand.WebURL=http://www.axis.com/
root.Properties.Firmware.BuildNumber=6
root.Properties.Firmware.Version=5.51.7
"""

# Hanwha SUNAPI system.cgi?msubmenu=deviceinfo&action=view, text answer
# (search index hit 58230130297, SUNAPI documentation excerpt)
HANWHA_DEVICEINFO = (
    "Model=XNF-9010RV\r\nSerialNumber=ZLNA70GKA0001JZ\r\n"
    "FirmwareVersion=2.01.00_20200721_R201\r\nBuildDate=2020.07.21\r\n"
    "WebURL=http://www.hanwhavision.com/\r\nDeviceType=NWC\r\nDeviceName=Camera\r\n"
)

# corpus rules-half item reolink-api-getdevinfo-reolinkaio110-rlc423 (reolink_aio issue 110),
# as the batch array api.cgi sends
REOLINK_GETDEVINFO = """[{"cmd": "GetDevInfo", "code": 0, "value": {"DevInfo": {
  "buildDay": "build 16070108", "firmVer": "1120_16070108_v1.0.0.30", "hardVer": "IPC_3816M",
  "model": "RLC-423", "name": "RLC-423", "serial": "00000000000000", "type": "IPC"}}}]"""


def _pairs(text: str) -> dict[str, list[str]]:
    """The device fields of a body (its member names: test_bodyfields_names.py)."""
    out: dict[str, list[str]] = {}
    for key, value in body_fields(text):
        if key != NAMES_KEY:
            out.setdefault(key, []).append(value)
    return out


def test_axis_basicdeviceinfo_json() -> None:
    assert _pairs(AXIS_BASIC_DEVICE_INFO) == {
        "http.field.manufacturer": ["AXIS"],
        "http.field.model": ["Q1656"],
        "http.field.product": ["AXIS Q1656 Box Camera", "AXIS Q1656"],
        "http.field.serial": ["B8A44F7D507D"],
        "http.field.device_type": ["Box Camera"],
        "http.field.site": ["axis"],
    }  # SocSerialNumber is not a serial: names must match whole


def test_axis_param_lines_qualified_version() -> None:
    found = _pairs(AXIS_PARAM)
    assert found["http.field.manufacturer"] == ["AXIS"]
    assert found["http.field.model"] == ["P5512"]
    assert found["http.field.firmware"] == ["5.51.7"]  # Firmware.Version, qualified


def test_hanwha_sunapi_lines() -> None:
    assert _pairs(HANWHA_DEVICEINFO) == {
        "http.field.model": ["XNF-9010RV"],
        "http.field.firmware": ["2.01.00_20200721_R201"],
        "http.field.serial": ["ZLNA70GKA0001JZ"],
        "http.field.device_type": ["NWC"],
        "http.field.site": ["hanwha"],
    }


def test_reolink_batch_array() -> None:
    found = _pairs(REOLINK_GETDEVINFO)
    assert found["http.field.model"] == ["RLC-423"]
    assert found["http.field.firmware"] == ["1120_16070108_v1.0.0.30"]


def test_dahua_magicbox_lines() -> None:
    # corpus rules-half items dahua-http-getvendor-rrollerdahua and
    # dahua-http-getsysteminfo-rrollerdahua-ipchdw5831rze (rroller/dahua client.py docstrings)
    assert body_fields("vendor=Dahua\r\n") == [("http.field.manufacturer", "Dahua")]
    found = _pairs("deviceType=IPC-HDW5831R-ZE\nprocessor=S3LM\nserialNumber=4X7C5A1ZAG21L3F\n")
    assert found == {
        "http.field.serial": ["4X7C5A1ZAG21L3F"],
        "http.field.device_type": ["IPC-HDW5831R-ZE"],
    }
    assert body_fields("deviceType=31\n") == []  # a numeric code names nothing
    # dahua-http-getdevicetype-rrollerdahua-ipchdw5831rze: getDeviceType
    assert body_fields("type=IPC-HDW5831R-ZE\r\n") == [
        ("http.field.device_type", "IPC-HDW5831R-ZE")
    ]


def test_xml_any_prefix_and_cdata() -> None:
    soap = (
        '<?xml version="1.0"?><s:Envelope xmlns:s="x"><s:Body><tds:GetDeviceInformationResponse>'
        "<tds:Manufacturer>Acme</tds:Manufacturer><tds:Model>X1</tds:Model>"
        "<tds:FirmwareVersion>1.0</tds:FirmwareVersion></tds:GetDeviceInformationResponse>"
        "</s:Body></s:Envelope>"
    )
    assert _pairs(soap) == {
        "http.field.manufacturer": ["Acme"],
        "http.field.model": ["X1"],
        "http.field.firmware": ["1.0"],
    }
    # QNAP manaRequest.cgi sysinfo shape (corpus rules-half qnap-sysinfo-qnapstats-ts-451-fw422)
    qnap = (
        '<?xml version="1.0" encoding="UTF-8" ?><QDocRoot version="1.0"><model>'
        "<modelName><![CDATA[TS-X51]]></modelName><displayModelName><![CDATA[TS-451]]>"
        "</displayModelName></model><firmware><version><![CDATA[4.2.2]]></version></firmware>"
        "<func><ownContent><root><mem_dimm_manufacturer><![CDATA[Crucial Technology]]>"
        "</mem_dimm_manufacturer></root></ownContent></func></QDocRoot>"
    )
    assert _pairs(qnap) == {
        "http.field.model": ["TS-X51", "TS-451"],
        "http.field.firmware": ["4.2.2"],
    }


def test_js_and_colon_lines() -> None:
    page = '<html><head><script>var devType = "IPC-HFW1230S"; var x = 1;</script></head></html>'
    assert body_fields(page) == [("http.field.device_type", "IPC-HFW1230S")]
    assert _pairs("Model Name: DIR-850L\nBrand: D-Link\n") == {
        "http.field.manufacturer": ["D-Link"],
        "http.field.model": ["DIR-850L"],
    }
    assert _pairs('ModelName="SNC-CH110"&Serial="0123"&SoftVersion="1.30"') == {
        "http.field.model": ["SNC-CH110"],
        "http.field.firmware": ["1.30"],
        "http.field.serial": ["0123"],
    }


def test_xml_attributes_are_fields_of_their_element() -> None:
    doc = (
        '<?xml version="1.0"?><DeviceInfo model="ABC-123" vendor="Acme">'
        '<Camera vendor="X"/></DeviceInfo>'
    )
    assert _pairs(doc) == {"http.field.manufacturer": ["Acme"], "http.field.model": ["ABC-123"]}


def test_page_copyright_is_left_to_identify() -> None:
    # corpus rules-half item brother-http-ztag-brothermfc8950dtw (the page footer): the
    # notice is read by identify() in http.body, not as a field here
    brother = (
        '<html><body><div id="copyright">Copyright(C) 2000-2012 Brother Industries, Ltd. '
        "All Rights Reserved.</div></body></html>"
    )
    assert body_fields(brother) == []


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("http://www.axis.com/", "axis"),  # root.Brand.WebURL of the trunnion/vapix fixture
        ("http://www.hanwhavision.com/", "hanwha"),  # SUNAPI deviceinfo WebURL (hit 58230130297)
        ("https://www.hikvision.com.cn/en/", "hikvision"),
        ("http://192.168.1.108/", None),
        ("http://localhost:8080/", None),
        ("https://get.adobe.com/flashplayer/", None),
        ("http://www.microsoft.com/download", None),
        ("not a url", None),
    ],
)
def test_site_name(url: str, name: str | None) -> None:
    assert site_name(url) == name


def test_page_links_name_one_site() -> None:
    page = (
        '<html><body><a href="http://www.synology.com/">Synology</a>'
        '<a href="https://get.adobe.com/flash">Flash</a>'
        '<script>location.href = "http://www.hikvision.com/";</script></body></html>'
    )
    assert body_fields(page) == [("http.field.site", "synology")]
    two = '<html><body><a href="http://www.synology.com/">S</a><a href="http://www.qnap.com">Q</a>'
    assert body_fields(two) == []
    raw = b"HTTP/1.1 200 OK\r\n\r\n" + page.encode()
    result = identify(http.parse_http(raw, "198.18.0.11"))
    assert result.maker == "Synology"
    hik = b'HTTP/1.1 200 OK\r\n\r\n<html><body><a href="http://www.hikvision.com/">x</a>'
    alone = identify(http.parse_http(hik, "198.18.0.11"))
    assert alone.maker == "Hikvision"
    assert not alone.flag.flagged  # a link alone: only "possible"


@pytest.mark.parametrize(
    "body",
    [
        # a recorder listing the cameras it manages: the cameras' makers are not its own
        '{"data": {"cameras": [{"vendor": "Hikvision", "model": "DS-2CD2143G2-I"}]}}',
        '{"channels": {"manufacturer": "Hikvision"}}',
        "<Root><DeviceList><Device><Manufacturer>Hikvision</Manufacturer></Device></DeviceList></Root>",
        "root.Channels.C0.Vendor=Hikvision\n",
        # a recorder's answer about one of its channels, at the top level
        '{"channel": 1, "vendor": "Hikvision", "model": "DS-2CD2143G2-I"}',
        '{"data": {"ip": "192.168.1.64", "manufacturer": "Hikvision"}}',
        # a VMS's record of a camera it pulls from, by address or stream URL (review:
        # Milestone API Gateway hardware objects carry address and model)
        '{"data": {"displayName": "Gate", "address": "http://10.0.0.5/", "manufacturer":'
        ' "Hikvision"}}',
        '{"result": {"name": "Lobby", "manufacturer": "Dahua", "url": "rtsp://10.1.1.20/"}}',
        '{"host": "10.1.1.20", "vendor": "Hikvision"}',
        # a root array's own answers are items, not the device
        '[{"vendor": "Hikvision", "model": "DS-2CD2143G2-I"}]',
        # names that only end in a synonym
        '{"osVendor": "Hikvision", "mem_dimm_manufacturer": "Hikvision", "os": {"vendor": "x"}}',
        # two makers at device level: ambiguous
        '{"data": {"vendor": "Hikvision"}, "info": {"vendor": "Axis"}}',
    ],
)
def test_listed_devices_name_no_maker(body: str) -> None:
    assert "http.field.manufacturer" not in _pairs(body)


def test_non_concern_device_listing_a_hikvision_camera_is_not_flagged() -> None:
    body = json.dumps(
        {
            "success": True,
            "data": {
                "vendor": "Synology",
                "model": "DS918+",
                "cameras": [{"vendor": "Hikvision", "model": "DS-2CD2143G2-I", "id": 1}],
            },
        }
    )
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + body.encode()
    evidence = http.parse_http(raw, "198.18.0.11")
    assert ("http.field.manufacturer", "Synology") in [(e.key, e.value) for e in evidence]
    assert not any("Hikvision" in e.value for e in evidence if e.key.startswith("http.field."))
    result = identify(evidence)
    assert result.maker == "Synology"
    assert not result.flag.flagged


def test_vendor_field_alone_names_the_maker() -> None:
    raw = b"HTTP/1.1 200 OK\r\n\r\n" + HANWHA_DEVICEINFO.encode()
    result = identify(http.parse_http(raw, "198.18.0.11"))
    assert result.maker == "Hanwha Vision"
    assert result.device_type == "camera"
    dahua = identify(http.parse_http(b"HTTP/1.1 200 OK\r\n\r\nvendor=Dahua\r\n", "198.18.0.11"))
    assert dahua.maker == "Dahua"
    assert dahua.flag.flagged


def test_unknown_manufacturer_is_named_weakly() -> None:
    raw = b'HTTP/1.1 200 OK\r\n\r\n{"manufacturer": "Zorbotronics", "model": "ZX-1"}'
    result = identify(http.parse_http(raw, "198.18.0.11"))
    assert result.maker == "Zorbotronics"
    assert result.confidence < 0.5
    assert any("origin unknown" in c for c in result.conflicts)
    assert not result.flag.flagged


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        "{" * (MAX_JSON_DEPTH + 1) + "}" * (MAX_JSON_DEPTH + 1),
        '{"model": ' + "9" * 10_000 + "}",
        "<a>" * 50_000,
        "</a>" * 50_000 + "<model>x</model>",
        "<" * 100_000,
        "model=" + "x" * 100_000,
        "model=" + "'" * 3,
        "\x00\ud800<model>\x00</model>",
        '{"model": {"model": {"model": "x"}}}',
        "var model = '" + "a" * 1000 + "'",
        ("a=b&" * 50_000),
        "<html>" + "<script>" * 50_000,
        "<!--" * 60_000,
        "<?xml?><r>" + "<![CDATA[" * 25_000,
        "<r " + 'a="' * 80_000,
        '<r a="1" ' * 25_000,
        "<?" * 100_000,
        "<html>" + "\u00a9 " * 50_000,
        "<html>" + "<meta name=model content=" * 10_000,
        "",
        "\ufeff",
    ],
)
def test_hostile_bodies_never_raise(body: str) -> None:
    pairs = body_fields(body)  # the time it takes: bench/hostile.py
    assert all(len(value) <= 128 for _key, value in pairs)


def test_huge_body_is_bounded() -> None:
    body = "\n".join(f"model=M{n}" for n in range(MAX_HTTP_BODY_BYTES // 8))
    assert len(body_fields(body)) <= 3  # at most three values a meaning
    many = json.dumps({"data": {f"k{n}": {"model": f"M{n}"} for n in range(5000)}})
    assert body_fields(many) == []  # k<n> is no container


def test_tables_are_normalised() -> None:
    for names in SYNONYMS.values():
        assert all(n == n.casefold() and n.isalnum() for n in names)
    assert all(c == c.casefold() and c.isalnum() for c in CONTAINERS)


def test_a_vms_hardware_record_names_no_maker_of_its_camera() -> None:
    body = json.dumps(
        {"data": {"displayName": "Front gate", "address": "http://10.0.0.5/",
                  "model": "Hikvision DS-2CD2143G2-I", "id": "2b1f"}}
    )  # fmt: skip
    assert "http.field.model" not in _pairs(body)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        # review: a maker's short name under a country's domain was read as the host's
        # first label ("www" -> None, "schemas")
        ("http://www.tvt.cn/", "tvt"),
        ("http://schemas.hp.de/x", "hp"),
        ("www.sony.co.jp", "sony"),  # a WebURL field written without its scheme
        ("ftp://ftp.hikvision.com/", None),  # only web sites are sites
    ],
)
def test_site_name_by_the_registered_label(url: str, name: str | None) -> None:
    assert site_name(url) == name


@pytest.mark.parametrize(
    "body",
    [
        # review: the remote-device rule held for JSON only; XML elements and key=value
        # documents about another device named its maker, wherever the marker stood
        "<result><name>Lobby</name><address>10.0.0.5</address>"
        "<manufacturer>Hikvision</manufacturer></result>",
        "<Response><Device><manufacturer>Dahua</manufacturer><ipAddress>10.0.0.7</ipAddress>"
        "</Device></Response>",
        '<data vendor="Hikvision" ip="10.0.0.5"/>',
        "vendor=Hikvision\nip=10.0.0.5\nchannel=1\n",
        "table.Camera.vendor=Hikvision\ntable.Camera.ip=10.0.0.5\n",
    ],
)
def test_a_record_about_another_device_names_no_maker_in_any_shape(body: str) -> None:
    assert "http.field.manufacturer" not in _pairs(body)


def test_a_remote_field_elsewhere_leaves_the_devices_own_fields() -> None:
    # Axis param.cgi: the network group's address is not beside the brand
    body = "root.Brand.Brand=AXIS\nroot.Network.eth0.IPAddress=192.168.0.90\n"
    assert _pairs(body)["http.field.manufacturer"] == ["AXIS"]


# ---------------------------------------------------------------- nested fields (built shapes)


def _nested(doc: object) -> list[tuple[str, str]]:
    return [(k, v) for k, v in body_fields(json.dumps(doc)) if k.startswith("http.field.nested.")]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        # a manufacturer two objects below a non-container: the device's own hardware block
        (
            {"result": {"config": {"hw": {"manufacturer": "Acme", "modelName": "AX-100"}}}},
            [("http.field.nested.manufacturer", "Acme"), ("http.field.nested.model", "AX-100")],
        ),
        # a type field deep in a settings tree
        (
            {"settings": {"unit": {"identity": {"deviceType": "NVR"}}}},
            [("http.field.nested.device_type", "NVR")],
        ),
        # a one-record list naming one device (no address, no channel)
        (
            {"data": {"units": [{"vendor": "Acme", "productName": "AX-100 Dome"}]}},
            [
                ("http.field.nested.manufacturer", "Acme"),
                ("http.field.nested.model", "AX-100 Dome"),
            ],
        ),
        # records repeating the same device (one per stream) still name it
        (
            {"media": {"profiles": [{"model": "AX-100"}, {"model": "AX-100"}]}},
            [("http.field.nested.model", "AX-100")],
        ),
    ],
)
def test_nested_device_info_counts(doc: object, expected: list[tuple[str, str]]) -> None:
    assert _nested(doc) == expected


@pytest.mark.parametrize(
    "doc",
    [
        # a VMS camera list (addresses), even with one camera
        {
            "data": {
                "items": [
                    {"vendor": "Hikvision", "model": "DS-2CD2143G2-I", "ipAddress": "10.0.0.21"}
                ]
            }
        },
        {"result": {"cameras": [{"vendor": "Hikvision", "model": "DS-2CD2143G2-I"}]}},
        # a recorder's channel list
        {"data": {"records": [{"chn": 1, "model": "IPC-HDW1230S", "manufacturer": "Dahua"}]}},
        {"data": {"channelList": [{"manufacturer": "Dahua"}]}},
        # several records naming different devices: a listing, whatever the key
        {
            "data": {
                "records": [
                    {"manufacturer": "Axis", "model": "P3245"},
                    {"manufacturer": "Hikvision", "model": "DS-2CD2143G2-I"},
                ]
            }
        },
        {"data": {"entries": [{"model": "P3245"}, {"model": "DS-2CD2143G2-I"}]}},
        # a NAS's disks, a controller's adopted devices, a client, an OS block
        {"data": {"system": {"hw": {"disks": [{"vendor": "Seagate", "model": "ST4000VN008"}]}}}},
        {"data": {"hardware": {"devices": [{"manufacturer": "Hikvision"}]}}},
        {"meta": {"client": {"device": {"manufacturer": "Apple", "model": "iPhone14,2"}}}},
        {"data": {"os": {"vendor": "Hikvision"}}},
        # a stream source naming the camera it pulls from
        {"config": {"source": {"brand": "Dahua", "url": "rtsp://10.0.0.9/cam"}}},
        {"config": {"pull": {"remote": {"brand": "Dahua"}}}},
    ],
)
def test_nested_records_of_other_devices_do_not_count(doc: object) -> None:
    assert [(k, v) for k, v in _nested(doc) if k != "http.field.nested.text"] == []
    assert not any("Hikvision" in v or "Dahua" in v for _, v in body_fields(json.dumps(doc)))


def test_a_device_level_field_leaves_the_nested_one_of_its_meaning_unread() -> None:
    doc = {
        "manufacturer": "Axis",
        "model": "P3245",
        "extra": {"peerInfo": {"manufacturer": "Hikvision", "model": "DS-2CD2143G2-I"}},
    }
    assert [(k, v) for k, v in body_fields(json.dumps(doc)) if k != NAMES_KEY] == [
        ("http.field.manufacturer", "Axis"),
        ("http.field.model", "P3245"),
    ]


def test_two_nested_makers_name_none() -> None:
    doc = {"a": {"x": {"vendor": "Acme"}}, "b": {"y": {"vendor": "Other"}}}
    assert _nested(doc) == []


def test_file_paths_and_words_are_kept_for_product_lines() -> None:
    doc = {
        "cfg": {"web": {"root": "/usr/share/unifi-protect/app"}},
        "info": {"os": {"versionString": "DSM 7.1.1-42962"}},
    }
    assert _nested(doc) == [
        ("http.field.nested.path", "/usr/share/unifi-protect/app"),
        ("http.field.nested.text", "DSM 7.1.1-42962"),
    ]
    # a hardware part's words are not the device's; a remote record's neither
    assert _nested({"disks": [{"fw": "UniFi build"}], "peer": {"n": "/x/unifi/y"}}) == []
    assert _nested({"cam": {"path": "/usr/share/unifi/app", "ip": "10.0.0.2"}}) == []
    # words are read only when no field names the maker
    assert _nested({"manufacturer": "Acme", "info": {"os": {"name": "DSM 7.1"}}}) == []


def test_nested_reading_is_bounded() -> None:
    deep: dict[str, object] = {"manufacturer": "Acme"}
    for _ in range(MAX_JSON_DEPTH - 2):
        deep = {"level": deep}
    assert _nested(deep) == [("http.field.nested.manufacturer", "Acme")]
    wide = {"data": {"things": [{"k": {"model": f"M{i}"}} for i in range(10_000)]}}
    assert _nested(wide) == []  # a listing; and at most _MAX_FIELDS_SEEN values are looked at
