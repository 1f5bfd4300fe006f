"""Product tokens of Server-like values: a maker named after the OS and protocol tokens.

Layouts: RFC 9110 sec. 10.2.4 (``Server = product *( RWS ( product / comment ) )``,
``product = token [ "/" product-version ]``, its example ``CERN/3.0 libwww/2.17``) and
UPnP Device Architecture 2.0 sec. 1.1.2 (SSDP ``SERVER: OS/version UPnP/2.0
product/version``).  The maker tokens are put into those layouts here; the library
values are the ones servers are known to send: libupnp's ``Portable SDK for UPnP
devices/1.6.18`` (pupnp upnp/inc/upnpconfig.h's SERVER string), Windows' UPnP device
host (``Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0``), GoAhead ``GoAhead-Webs``,
Boa, mini_httpd and Xiongmai's ``uc-httpd``.
"""

from __future__ import annotations

import pytest

from camcensus.base.evidence import Evidence
from camcensus.vendor_db.identify import identify


def maker_and_level(key: str, value: str) -> tuple[str | None, str]:
    result = identify([Evidence(key, value, "test")])
    return result.maker, result.flag.to_dict()["level"]


@pytest.mark.parametrize(
    ("key", "value", "maker"),
    [
        ("ssdp.server", "Linux/3.10 UPnP/1.0 Hikvision/1.0", "Hikvision"),
        ("ssdp.server", "Linux/3.0.8, UPnP/1.0, Dahua/2.0", "Dahua"),
        ("http.server", "Linux/2.6.18 UPnP/1.0 DLNADOC/1.50 Synology/DSM6", "Synology"),
        ("rtsp.server", "Linux/4.9 RTSP/1.0 Grandstream/1.0.3.5", "Grandstream"),
        ("http.server", "Linux/3.x (armv7l) UPnP/1.0 Sony/1.0", "Sony"),
        ("ssdp.server", "Linux/3.4 UPnP/2.0 TP-LINK/1.0", "TP-Link"),
        ("ssdp.server", "Linux/3.10 UPnP/1.0 Hikvision", "Hikvision"),  # a product, no version
        ("http.server", "Linux, UPnP/1.0, Dahua", "Dahua"),
    ],
)
def test_a_maker_token_after_os_and_protocol_tokens_names_the_maker(
    key: str, value: str, maker: str
) -> None:
    assert maker_and_level(key, value)[0] == maker


def test_a_product_token_alone_makes_a_maker_of_concern_only_possible() -> None:
    maker, level = maker_and_level("ssdp.server", "Linux/3.10 UPnP/1.0 Hikvision/1.0")
    assert (maker, level) == ("Hikvision", "possible")
    leading = identify([Evidence("http.server", "Hikvision/1.0", "test")])
    token = identify([Evidence("http.server", "Linux/3.10 UPnP/1.0 Hikvision/1.0", "test")])
    lead_weight = max(c.weight for c in leading.chain if c.field == "maker")
    token_weight = max(c.weight for c in token.chain if c.field == "maker")
    assert 0 < token_weight < lead_weight


@pytest.mark.parametrize(
    "value",
    [
        "Linux/3.0.8, UPnP/1.0, Portable SDK for UPnP devices/1.6.18",
        "Linux/2.6 UPnP/1.0 GoAhead-Webs/2.5",
        "Linux/2.4 UPnP/1.0 Boa/0.94.14rc21",
        "Linux/3.x UPnP/1.0 mini_httpd/1.19 19dec2003",
        "Linux/3.x UPnP/1.0 uc-httpd/1.0.0",
        "Linux/2.6 UPnP/1.0 thttpd/2.25b",
        "Linux/3.x UPnP/1.0 Webs/2.5",
        "Linux/3.x UPnP/1.0 Intel SDK for UPnP devices/1.2",
        "Linux/3.x UPnP/1.0 HiSilicon/1.0",  # a chip maker names no device maker
        "Linux/3.x (Hikvision) UPnP/1.0 lighttpd/1.4",  # a comment is not a product
        "Linux/3.10/Hikvision UPnP/1.0",  # a path's segment is not a product
        "Linux/3.x UPnP/1.0 Sony/1.0 Hikvision/1.0",  # two makers: neither
        "lwIP/1.4.1 UPnP/1.0 IPCamera/1.0",
        "IPCamera/2.0 Hikvision Web",  # a bare name after a product that is no OS is not read
        "Linux/3.x UPnP/1.0 IPCam Hikvision",  # a bare name only right after an OS or protocol
        "Linux/3.x UPnP/1.0 Hikvision;",
    ],
)
def test_library_os_and_protocol_tokens_name_no_maker(value: str) -> None:
    for key in ("http.server", "ssdp.server", "rtsp.server"):
        assert maker_and_level(key, value)[0] is None, (key, value)


def test_product_tokens_are_read_only_in_server_like_values() -> None:
    assert (
        identify([Evidence("http.title", "Linux/3.10 UPnP/1.0 Hikvision/1.0", "t")]).maker is None
    )
