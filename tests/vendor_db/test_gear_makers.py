"""Office, network, power and building gear is named by its real maker and never flagged.

A census meets far more switches, printers and UPS cards than cameras; each must be
named (so it is not mistaken for a maker of concern) from the reply that names it:
an IANA PEN in sysObjectID, a leading maker name, or a *_gear.toml fingerprint.
"""

from __future__ import annotations

import pytest

from camcensus.vendor_db import identify, load_vendors
from camcensus.vendor_db.identify import evidence_from_mapping

CASES = [
    # (evidence, maker) -- strings as in the fingerprints' examples or vendors.toml PENs
    ({"snmp.sysobjectid": "1.3.6.1.4.1.641.2.1"}, "Lexmark"),
    ({"snmp.sysobjectid": ".1.3.6.1.4.1.318.1.3.27"}, "APC"),
    ({"snmp.sysobjectid": "1.3.6.1.4.1.4526.100.4.10"}, "Netgear"),
    ({"snmp.sysobjectid": "1.3.6.1.4.1.890.1.15"}, "Zyxel"),
    ({"snmp.sysdescr": "APC Web/SNMP Management Card (MB:v3.6.8 PF:v2.6.4)"}, "APC"),
    ({"snmp.sysdescr": "ProCurve J9145A 2910al-24G Switch, revision W.14.03"}, "HP"),
    ({"snmp.sysdescr": "RouterOS RB751U-2HnD"}, "MikroTik"),
    ({"snmp.sysdescr": "KONICA MINOLTA bizhub C252"}, "Konica Minolta"),
    ({"ftp.banner": "AP7932 Network Management Card AOS v3.3.4 FTP server ready."}, "APC"),
    ({"ftp.banner": "NRG MP C2800 FTP server (8.25) ready."}, "Ricoh"),
    ({"http.title": "Web Image Monitor"}, "Ricoh"),
    ({"http.server": "Niagara Web Server/3.8.111"}, "Tridium"),
    ({"http.server": "debut/1.30"}, "Brother"),
    ({"tls.subject": "CN=FG100D3G13803999,O=Fortinet Ltd."}, "Fortinet"),
    ({"mdns.txt.ty": "Lexmark MS310dn"}, "Lexmark"),
]


@pytest.mark.parametrize(("evidence", "maker"), CASES, ids=[m for _, m in CASES])
def test_gear_is_named_and_not_flagged(evidence: dict[str, str], maker: str) -> None:
    result = identify(evidence_from_mapping(evidence, "test"))
    assert result.maker == maker
    assert not result.flag.flagged
    assert result.flag.level == "no"


def test_gear_vendors_are_not_of_concern() -> None:
    table = load_vendors()
    for name in ("Lexmark", "Xerox", "Ricoh", "Kyocera", "Netgear", "MikroTik", "Zyxel",
                 "APC", "Eaton", "Dell", "Tridium", "Moxa", "DrayTek"):  # fmt: skip
        vendor = table[name]
        assert vendor.fact("hq_country").value not in ("CN", "RU", "IR", "KP"), name
        assert not vendor.list_status(), name


def test_tridium_is_not_tied_to_honeywell_camera_oems() -> None:
    # Niagara controllers are Honeywell's Tridium, a vendor of its own: naming the
    # Honeywell brand would drag in the reported Dahua/Hikvision camera OEMs
    result = identify(evidence_from_mapping({"http.server": "Niagara Web Server/4.7"}, "t"))
    assert result.maker == "Tridium"
    assert all(c.value != "Dahua" for c in result.chain)


@pytest.mark.parametrize(
    ("evidence", "maker"),
    [
        # a banner's greeting comes before the name the leading-name rule reads
        ({"ftp.banner": "Welcome to SONY Network Camera"}, "Sony"),
        ({"ftp.banner": "220 Welcome to the Seagate Central FTP service."}, "Seagate"),
        # Lexmark-built printers' default host name, ET + MAC, comes first
        ({"ftp.banner": "ET000400CEA560 Lexmark T640 FTP Server NS.NP.N219 ready."}, "Lexmark"),
        (
            {"ftp.banner": "ET0021B71A1111 Dell 2350dn Laser Printer FTP Server ready."},
            "Dell",
        ),
        # OpenSSL's one-line subject form puts a space after each comma
        (
            {"tls.subject": "C=, ST=, L=, O=KONICA MINOLTA, OU=KONICA MINOLTA bizhub C454e"},
            "Konica Minolta",
        ),
    ],
)
def test_leading_name_past_greeting_and_spaced_subject(
    evidence: dict[str, str], maker: str
) -> None:
    assert identify(evidence_from_mapping(evidence, "test")).maker == maker


def test_greeting_is_not_stripped_from_other_keys() -> None:
    # a page title "Welcome to Sony" is not a banner: the title rules decide it
    result = identify(evidence_from_mapping({"http.server": "Welcome to Sony"}, "test"))
    assert result.maker is None
