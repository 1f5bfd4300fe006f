"""Camera makers' own HTTP API paths written in a reply body (http_body_api.toml, apimark).

Each reply goes through the scan's own HTTP parser. A maker's API path names the maker
when the device's page names it relative to itself; the same path after another host's
address (an integration's or a VMS's list of cameras), and the generic words and shared
OEM paths beside it, name no one.
"""

from __future__ import annotations

import pytest

from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db import identify


def _maker(body: str) -> str | None:
    data = ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body).encode()
    return identify(parse_reply("http", data)).maker


NAMED = [
    ('<img src="/axis-cgi/jpg/image.cgi?resolution=320x240">', "Axis Communications"),
    ("var u = '/rcp.xml?command=0x0a33&type=P_STRING&direction=READ';", "Bosch Security"),
    ('<img src="/-wvhttp-01-/GetLiveImage?seq=1">', "Canon"),
    ('<script src="/command/inquiry.cgi?inq=system"></script>', "Sony"),
    ('<img src="/SnapshotJPEG?Resolution=320x240&Quality=Clarity">', "Panasonic"),
    ('<form action="/cgi-bin/camctrl/camctrl.cgi">', "Vivotek"),
    ('<img src="/record/current.jpg">', "Mobotix"),
    ('xmlns:p="urn:schemas-pelco-com:service:StreamControl:1"', "Pelco"),
    ("fetch('/proxy/protect/api/cameras')", "Ubiquiti"),
    ("$.get('/api/switch/ctrl?switch=2&action=trigger');", "2N"),
    ("$.post('/cgi-bin/api.values.post', data);", "Grandstream"),
    ('<img src="/h264?res=full&x0=0&y0=0&x1=0&y1=0&doublescan=0&ssn=1">', "Arecont Vision"),
    ('<a href="/webapi/entry.cgi?api=SYNO.SurveillanceStation.Info&method=GetInfo">', "Synology"),
    ('<meta http-equiv="refresh" content="0; url=/ssi.cgi/Login.htm">', "GeoVision"),
    ("$.get('/cgi-bin/main-cgi?json={\"cmd\":110}');", "Uniview"),
    ('{"method":"do","motor":{"move":{"x_coord":"10","y_coord":"0"}}}', "TP-Link"),
    ("xhr.send('action=get&resource=.image.sysimg.basicImgData.extraInfo');", "Teledyne FLIR"),
    ("fetch('/mt/api/rest/v1/cameras?session=' + s)", "Avigilon"),
    # copyright notices with an "@" for the sign (the notice reader, one holder only)
    ("<td>Copyright@2003-2014 ACTi Corporation All Rights Reserved</td>", "ACTi"),
    ("<div>@2019 Grandstream Networks, Inc. All rights reserved.</div>", "Grandstream"),
]


@pytest.mark.parametrize(("body", "maker"), NAMED, ids=[m for _, m in NAMED])
def test_an_api_path_in_the_device_page_names_its_maker(body: str, maker: str) -> None:
    assert _maker(body) == maker


NOT_NAMED = [
    # the same paths after another device's address: a VMS or integration listing cameras
    'cams = ["http://10.1.2.3/axis-cgi/mjpg/video.cgi", "http://10.1.2.4/cgi-bin/guestimage.html"]',
    "url: https://cam.example.org/rcp.xml?command=0x0a51&type=F_FLAG",
    "src=http://192.168.0.10:80/nphMotionJpeg?Resolution=640x480&Quality=Standard",
    "snapshot http://198.51.100.7/-wvhttp-01-/GetOneShot",
    # shared OEM paths and bare words of the same families
    '<form action="/cgi-bin/camctrl.cgi?move=left">',
    '<a href="/command/">Command</a> <a href="/record/">Record</a>',
    "urn:schemas-upnp-org:service:ContentDirectory:1",
    '<a href="/protect/">Protect</a> /proxy/ /api/bootstrap',
    "fetch('/api/system/info'); fetch('/api/camera/snapshot');",
    '<img src="/image?res=full"> <img src="/mjpeg?res=half&fps=5">',
    "$.get('/getreg?page=a'); $.get('/setreg');",
    '<a href="/cgi-bin/ssi.cgi/title.ssi">WAGO</a> /webapi/entry.cgi?api=SYNO',
    "mail: support@acti.com, ACTi Corporation; call @2019 Grandstream meetup",
    "const { data } = await api.values.get({ range: 'A1' });",
    # a legal name with no copyright mark on its line: a client list, a vendor column
    "<tr><td>10.0.0.9</td><td>Hangzhou Hikvision Digital Technology Co.,Ltd.</td></tr>",
    "<td>Zhejiang Dahua Technology Co., Ltd.</td><td>Copyright</td>",
    "<li>Shenzhen TVT Digital Technology Co., Ltd.</li>\n<li>Tiandy Technologies Co., Ltd.</li>",
    # a copyright mark with a tag before the name
    "Copyright &copy; 2024 Example, reseller of <b>Zhejiang Uniview Technologies Co., Ltd.</b>",
]


LISTS_AND_TEMPLATES = [
    # URL templates of a VMS's "add camera" page
    'const url = `http://{ip}/cgi-bin/main-cgi?json={"cmd":116}`;',
    'http://&lt;camera-ip&gt;/cgi-bin/main-cgi?json={"cmd":116}',
    # a page citing several makers' APIs: a client tool's or a VMS's
    "['/axis-cgi/mjpg/video.cgi', '/cgi-bin/main-cgi?json={\"cmd\":116}',"
    " '/SnapshotJPEG?Resolution=640x480']",
    # JSON of other devices with the same member names (a robot, a pan-tilt page)
    '{"robot":{"motor":{"move":{"speed":10}}}}',
    '{"ptz":{"preset":{"goto_preset":3}}}',
    # credits naming several makers' notices
    "Copyright@2003-2012 ACTi Corporation All Rights Reserved. (c) 2015 Axis Communications AB",
]  # error pages quoting a request: test_probe_echo.py


@pytest.mark.parametrize("body", NOT_NAMED + LISTS_AND_TEMPLATES)
def test_templates_lists_of_several_makers_and_other_hosts_name_no_one(body: str) -> None:
    assert _maker(body) is None


def test_the_maker_apis_own_request_envelope_is_only_possible_alone() -> None:
    data = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
        b'{"method":"do","motor":{"move":{"x_coord":"10","y_coord":"0"}}}'
    )
    result = identify(parse_reply("http", data))
    assert (result.maker, result.flag.level) == ("TP-Link", "possible")
    uniview = b"HTTP/1.1 200 OK\r\n\r\n$.get('/cgi-bin/main-cgi?json={\"cmd\":116}');"
    result = identify(parse_reply("http", uniview))
    assert (result.maker, result.flag.level) == ("Uniview", "possible")
