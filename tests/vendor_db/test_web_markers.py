"""Web-page markers carried over from Greenbone detect scripts and FingerprintHub.

Each reply goes through the scan's own HTTP parser, so the markers are checked where a
scan meets them (Server header, realm, <title>, body), and the words a marker is made of
are checked not to name anyone on their own.
"""

from __future__ import annotations

import pytest

from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db import identify
from camcensus.vendor_db.identify import Identification


def _reply(body: str = "", *, server: str | None = None, realm: str | None = None) -> bytes:
    status = "401 Unauthorized" if realm is not None else "200 OK"
    head = f"HTTP/1.1 {status}\r\n"
    if server is not None:
        head += f"Server: {server}\r\n"
    if realm is not None:
        head += f'WWW-Authenticate: Basic realm="{realm}"\r\n'
    return (head + "Content-Type: text/html\r\n\r\n" + body).encode()


def _ident(data: bytes) -> Identification:
    return identify(parse_reply("http", data))


def _page(title: str, body: str = "") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


NAMED = [
    # (reply, maker, flag level): strings of the fingerprints' cited examples, in a page
    (
        _reply("<div style=\"background:url('images/ind_log_kedacom.png')\"></div>"),
        "Kedacom",
        "flagged",
    ),
    (_reply('<script>if(a.indexOf("/hikvision://")!==-1){b=1}</script>'), "Hikvision", "flagged"),
    (_reply('initProdNbr="N100";\nBrandCopyright="Beward R&D Co., Ltd.";'), "Beward", "flagged"),
    (_reply('<script src="/doc/script/inc.js"></script>'), "Hikvision", "flagged"),
    (_reply('<string id="IDS_HEARD_LIVE">Live Video</string>'), "Foscam", "flagged"),
    (_reply(_page("Remote Surveillance, Any time &amp; Any where")), "AVTECH", "no"),
    (_reply(_page("GeoWebServer")), "GeoVision", "no"),
    (_reply('<link href="/oncam.ico" rel="shortcut icon">', realm="IP Camera"), "Oncam", "no"),
    (_reply('var var_brand="Arecont Vision";'), "Arecont Vision", "no"),
    (_reply("var _nr_nginx_user_lang_='en';"), "Vivotek", "no"),
    (_reply('codebase="NettunoVisionWEB.cab#version=1,6,0,6"'), "March Networks", "no"),
]


@pytest.mark.parametrize(("data", "maker", "level"), NAMED, ids=[m for _, m, _ in NAMED])
def test_a_page_marker_names_its_maker(data: bytes, maker: str, level: str) -> None:
    result = _ident(data)
    assert result.maker == maker
    assert result.flag.level == level


@pytest.mark.parametrize(
    "data",
    [
        _reply(server="face-webs"),
        _reply('seajs.web_version = "V4.0.1build180904";'),
        # a multi-vendor script switching on brands: Hikvision is only one of its cases
        _reply('switch(v){case"HIKVISION":a=1;break;case"DAHUA":a=2;break}'),
    ],
    ids=["face-webs", "seajs-version", "brand-switch"],
)
def test_unverified_hikvision_markers_alone_are_only_possible(data: bytes) -> None:
    result = _ident(data)
    assert result.maker == "Hikvision"
    assert result.flag.level == "possible"
    assert not result.flag.flagged


@pytest.mark.parametrize(
    "data",
    [
        _reply("<p>Open hikvision://device in the app</p>"),  # the scheme in prose, unquoted
        _reply('seajs.web_version = "1.0.0";'),  # sea.js itself, without Hikvision's form
        _reply(server="Face-Webs-Proxy"),
        _reply(server="Webs"),
        _reply(_page("Remote Surveillance")),
        _reply("<p>AVTECH dealer: www.avtech.com.tw</p>"),  # the site, not the DVR's pointer
        _reply('<img src="images/logo.png">'),
        _reply('<string id="IDS_LIVE">Live Video</string>'),  # another UI's string table
        _reply('initProdNbr="N100";\ninitBrand="Beward";'),  # no copyright line: a clone's page
        _reply(realm="Remote Viewer"),
        _reply('<script src="/doc/script/app.js"></script>'),  # not one of the detected files
    ],
    ids=[
        "scheme-prose",
        "seajs-plain",
        "face-webs-proxy",
        "webs",
        "remote-surveillance",
        "avtech-site",
        "logo",
        "ids-live",
        "beward-brand-only",
        "remote-viewer",
        "doc-script-other",
    ],
)
def test_the_words_of_a_marker_alone_name_no_one(data: bytes) -> None:
    result = _ident(data)
    assert result.maker is None
    assert result.flag.level == "no"


def test_the_oem_profile_names_the_brand_it_carries_not_another_maker() -> None:
    tplink = _ident(_reply('initProdNbr="TL-SC3130";\nBrandCopyright="TP-Link ";'))
    assert tplink.maker == "TP-Link"
    zavio = _ident(_reply('initProdNbr="F3102";\nBrandCopyright="Zavio ";'))
    assert zavio.maker is None  # Zavio is not in the vendor table: a camera, no maker
    assert zavio.brand == "Zavio"
    assert zavio.device_type == "camera"
    assert zavio.flag.level == "no"


def test_device_type_markers_of_makers_outside_the_table_name_no_maker() -> None:
    for data, kind in [
        (_reply(realm="WEB Remote Viewer"), "nvr"),
        (_reply("<div class='log-dvr-logo'></div>"), "nvr"),
        (_reply('<span lxc_lang="index_Remember_me">Remember me</span></p>'), "nvr"),
        (_reply(_page("SANYO NETWORK CAMERA")), "camera"),
        (_reply(realm="PLANET IP CAM"), "camera"),
        (_reply('url: "/device.rsp?opt=user&cmd=list"'), "nvr"),
    ]:
        result = _ident(data)
        assert result.maker is None, data
        assert result.device_type == kind, data
        assert result.flag.level == "no", data


def test_a_brickcom_realm_takes_a_model_only_when_it_has_a_digit() -> None:
    assert _ident(_reply(realm="Brickcom FB-100Ae")).model == "FB-100Ae"
    corporate = _ident(_reply(realm="Brickcom Corporation"))
    assert corporate.model is None
    assert corporate.device_type != "camera"


def test_xiongmai_dvr_page_gives_its_firmware_and_dahua_names_its_rtsp_realm() -> None:
    page = _reply('var g_SoftWareVersion="V4.02.R11.34500140.12001.131600.00000";')
    xm = _ident(page)
    assert xm.maker == "Xiongmai"
    assert xm.firmware == "V4.02.R11.34500140.12001.131600.00000"
    assert identify(parse_reply("rtsp", _rtsp_401("dahuartsp"))).maker == "Dahua"
    # the realm word inside another realm names no one
    assert identify(parse_reply("rtsp", _rtsp_401("notdahuartsp"))).maker is None


def _rtsp_401(realm: str) -> bytes:
    head = "RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n"
    return (head + f'WWW-Authenticate: Basic realm="{realm}"\r\n\r\n').encode()
