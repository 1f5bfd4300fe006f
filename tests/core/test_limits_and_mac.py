from __future__ import annotations

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core.limits import MAX_TEXT_VALUE_CHARS, clean_text
from camcensus.scanner.core.mac import (
    eui64_macs,
    is_locally_administered,
    is_unicast_assigned,
    normalise_mac,
)


def test_clean_text_drops_nuls_and_edge_whitespace_only() -> None:
    assert clean_text("  DS-2CD\x002143\x00\x00 \n") == "DS-2CD2143"
    assert clean_text("a\tb\x1b[31mc") == "a\tb\x1b[31mc"  # escaping is the display's job


def test_clean_text_caps_length() -> None:
    assert clean_text("x" * 10_000) == "x" * MAX_TEXT_VALUE_CHARS
    assert clean_text("abcdef", 3) == "abc"


def test_clean_text_replaces_lone_surrogates_so_value_encodes() -> None:
    cleaned = clean_text("model\ud800x")
    assert cleaned == "model\ufffdx"
    cleaned.encode("utf-8")


def test_clean_text_rejects_negative_cap() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        clean_text("x", -1)


@pytest.mark.parametrize(
    "text",
    [
        "BC-AD-28-0A-0B-0C",
        "bc:ad:28:0a:0b:0c",
        "bcad.280a.0b0c",
        "BCAD280A0B0C",
        " bc:ad:28:0a:0b:0c\n",
    ],
)
def test_normalise_mac_accepts_common_spellings(text: str) -> None:
    assert normalise_mac(text) == "bc:ad:28:0a:0b:0c"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "bc:ad:28:0a:0b",
        "bc:ad-28:0a:0b:0c",
        "zz:ad:28:0a:0b:0c",
        "bcad280a0b0c0d",
        "bc:ad:28:0a:0b:0c:",
    ],
)
def test_normalise_mac_rejects_garbage(text: str) -> None:
    with pytest.raises(MalformedReplyError):
        normalise_mac(text)


def test_locally_administered_bit() -> None:
    assert is_locally_administered("02:00:00:00:00:01")
    assert is_locally_administered("DA-A1-19-00-00-01")
    assert not is_locally_administered("bc:ad:28:0a:0b:0c")


def test_unicast_assigned() -> None:
    assert is_unicast_assigned("bc:ad:28:0a:0b:0c")
    assert not is_unicast_assigned("00:00:00:00:00:00")
    assert not is_unicast_assigned("ff:ff:ff:ff:ff:ff")
    assert not is_unicast_assigned("01:00:5e:00:00:fb")


@pytest.mark.parametrize(
    ("text", "macs"),
    [
        (  # RFC 4291 appendix A: ff:fe in the middle, the U/L bit flipped back
            "http://198.18.0.11/onvif/device_service http://[fe80::bead:28ff:fe0a:b0c]/onvif/device_service",
            ["bc:ad:28:0a:0b:0c"],
        ),
        ("http://[fe80::2c0:5fff:fe12:3456%eth0]:80/onvif/device_service", ["00:c0:5f:12:34:56"]),
        ("http://[2001:db8::1]/x http://[fe80::1234:5678:9abc:def0]/x", []),  # not EUI-64
        ("fe80::bead:28ff:fe0a:b0c", []),  # not a bracketed URL host
        ("http://[fe80::1ff:fe00:0]/x", []),  # a group address: never a device's MAC
    ],
)
def test_eui64_macs_are_read_out_of_ipv6_service_addresses(text: str, macs: list[str]) -> None:
    assert eui64_macs(text) == macs
