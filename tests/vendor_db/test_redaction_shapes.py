"""Realms redacted to a placeholder word, MACs with a redacted low half, and a maker's
company name written as bare words after a Server value's OS and protocol tokens."""

from __future__ import annotations

import pytest

from camcensus.base.evidence import Evidence
from camcensus.scanner.core._evidence import EvidenceList
from camcensus.vendor_db import identify

ADDRESS = "192.0.2.9"


@pytest.mark.parametrize("realm", ["Login to SERIAL", "Login to <serial>", "Login to REDACTED"])
def test_a_realm_redacted_to_a_word_reads_as_digits_weakly(realm: str) -> None:
    result = identify([Evidence("http.realm", realm, "http", ADDRESS)])
    assert result.maker == "Dahua"
    assert result.flag.level == "possible"
    assert all("redacted digits" in c.rule for c in result.chain if c.field == "maker")


@pytest.mark.parametrize("realm", ["Serial", "<serial>", "Login to serial number", "REDACTED"])
def test_a_placeholder_with_too_little_around_it_names_nothing(realm: str) -> None:
    assert identify([Evidence("rtsp.realm", realm, "rtsp", ADDRESS)]).maker is None


def test_a_half_redacted_mac_keeps_its_block_but_no_identity() -> None:
    found = EvidenceList("onvif", ADDRESS)
    for value in ("BC:AD:28:XX:XX:XX", "44-19-b6-**-**-**", "bc:ad:28:xx:xx", "BC:AD:28:XX-XX-XX"):
        found.add_mac("onvif.mac", value)
    items = found.items()
    assert [(e.key, e.value) for e in items] == [("mac_oui", "bc:ad:28"), ("mac_oui", "44:19:b6")]
    result = identify(items[:1])
    assert result.maker == "Hikvision"
    assert all(c.rule.startswith("oui:") for c in result.chain if c.field == "maker")
    # an unregistered or nonsense first half names nothing (and never raises)
    for value in ("12:34:56", "zz:zz:zz", ""):
        assert identify([Evidence("mac_oui", value or "x", "json", ADDRESS)]).maker is None


@pytest.mark.parametrize(
    ("server", "maker"),
    [
        ("Linux, UPnP/1.0, Zhejiang Dahua Technology Co., Ltd", "Dahua"),
        ("Linux/3.10 UPnP/1.0 Hangzhou Hikvision Digital Technology Co. Ltd", "Hikvision"),
        ("Linux UPnP/1.0 Zhejiang Dahua", None),  # no company word: not a company name
        ("Linux/2.6 UPnP/1.0 Acme Technology Co.", None),  # a company the table lacks
    ],
)
def test_a_company_name_after_os_and_protocol_tokens(server: str, maker: str | None) -> None:
    result = identify([Evidence("ssdp.server", server, "ssdp", ADDRESS)])
    assert result.maker == maker
    if maker is not None:
        assert result.flag.level == "possible"  # a product token alone
