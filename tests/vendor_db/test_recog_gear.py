"""Rules written from rapid7/recog's banners (bench/negatives.py coverage): each names its
maker from the reply as the scanner reads it, and stays silent on look-alike words of
other makers' devices."""

from __future__ import annotations

import pytest

from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db import identify
from camcensus.vendor_db.identify import evidence_from_mapping


@pytest.mark.parametrize(
    ("kind", "reply", "maker"),
    [
        # telnet banners reach the rules as their lines joined with " | "
        ("telnet", b"User Access Verification\r\n\r\nUsername:\n", "Cisco"),
        (
            "telnet",
            b"Model name       : NE-4110S\r\nMAC address      : 00:90:E8:AA:AA:AA\r\n",
            "Moxa",
        ),
        (
            "telnet",
            b"Warning: Telnet is not a secure protocol, and it is recommended to use Stelnet."
            b"\r\n\r\nLogin authentication\r\n\r\n\r\nUsername:\n",
            "Huawei",
        ),
        (
            "telnet",
            b"TiMOS-C-12.0.R12 cpm/hops64 ALCATEL SR 7750 Copyright (c) 2000-2015 "
            b"Alcatel-Lucent.\r\r\nBanner Shortened For \r\r\nBrevity\r\nLogin:\n",
            "Nokia",
        ),
        ("ftp", b"220 KM23BC97 FTP server (KM FTPD version 1.00) ready.\r\n", "Konica Minolta"),
        (
            "http",
            b"HTTP/1.1 200 OK\r\nServer: Linux, WEBACCESS/1.0, DIR-645 Ver 1.04\r\n\r\n",
            "D-Link",
        ),
        ("tls", b"issuer= CN=NVidia Shield Cast ICA,OU=Widevine,O=Google Inc,L=Kirkland", "NVIDIA"),
    ],
)
def test_reply_as_read_names_its_maker(kind: str, reply: bytes, maker: str) -> None:
    assert identify(parse_reply(kind, reply)).maker == maker


def test_huawei_and_eltex_replies_are_flagged() -> None:
    for kind, reply, maker, level in [
        (
            "telnet",
            b"Warning: Telnet is not a secure protocol, and it is recommended to use Stelnet.",
            "Huawei",
            "flagged",
        ),
        # a login prompt is "<hostname> login:": the model as host name is only possible
        ("telnet", b"TAU-2M.IP login:", "Eltex", "possible"),
        ("http", b"HTTP/1.1 200 OK\r\nServer: SMG1016M\r\n\r\n", "Eltex", "flagged"),
    ]:
        result = identify(parse_reply(kind, reply))
        assert (result.maker, result.flag.level) == (maker, level), reply


@pytest.mark.parametrize(
    ("evidence", "not_maker"),
    [
        # a bare VRP-style prompt without the Stelnet warning is any maker's
        ({"telnet.banner": "Login authentication | Username:"}, "Huawei"),
        # Eltex: a short 'SMG2' and other TAU-words accuse no one
        ({"http.server": "SMG2"}, "Eltex"),
        ({"http.server": "SMG"}, "Eltex"),
        ({"telnet.banner": "TAURUS login:"}, "Eltex"),
        ({"telnet.banner": "TAU login:"}, "Eltex"),
        # Lenovo's XCC subject needs its O=System X; IBM's older IMM is not it
        ({"tls.subject": "CN=XCC-7X06-J1005NEX,O=Example Corp,C=US"}, "Lenovo"),
        ({"tls.subject": "CN=IMM2-6cae8b4e0ad9,O=IBM,C=US"}, "Lenovo"),
        # other makers' routers in the same UPnP / realm / prompt shapes
        ({"http.server": "Debian/4.0 UPnP/1.0 miniupnpd/1.0"}, "Netgear"),
        ({"http.server": "R7000 UPnP/1.0 miniupnpd/1.0"}, "Netgear"),
        ({"http.server": "Linux, WEBACCESS/1.0, XR-100 Ver 1.0"}, "D-Link"),
        ({"http.realm": "DD-WRT"}, "Linksys"),
        ({"http.realm": "WRT160N"}, "Linksys"),
        ({"telnet.banner": "RTX1200 login:"}, "ASUS"),
        ({"telnet.banner": "RT-5 login:"}, "ASUS"),
        ({"telnet.banner": "DSL-2750U DSL Modem Router"}, "TP-Link"),
        # a bare model-like title that is not Bosch's Conettix module
        ({"http.title": "B4260"}, "Bosch Security"),
        ({"http.title": "B450"}, "Bosch Security"),
        # OpenVMS on x86-64 is VMS Software's, not HP hardware
        ({"telnet.banner": "Welcome to OpenVMS (TM) x86_64 Operating System, Version V9.2"}, "HP"),
        # Expressway's two-letter server strings, and a temporary CA whose names differ
        ({"http.server": "CE_X"}, "Cisco"),
        ({"http.server": "CE_E/1.0"}, "Cisco"),
        (
            {"tls.issuer": "CN=Temporary CA 218131fe-8af4-11e7-aa6e-9950d6bbaf74,O=Temporary CA"},
            "Cisco",
        ),
        # a Cast issuer of another TV maker
        ({"tls.issuer": "CN=Cast TV ICA (Vizio),OU=Cast,O=Google Inc"}, "Sony"),
    ],
)
def test_look_alike_words_name_no_one(evidence: dict[str, str], not_maker: str) -> None:
    result = identify(evidence_from_mapping(evidence, "test"))
    assert result.maker != not_maker
    assert result.flag.level == "no"
