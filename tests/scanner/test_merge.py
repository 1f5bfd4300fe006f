"""merge: evidence grouped into devices by MAC, else by IP, then identified."""

from __future__ import annotations

import pytest

from camcensus.base.evidence import Evidence
from camcensus.scanner.core.merge import Merger, mac_of, merge

IP_A, IP_B, IP_C = "198.18.0.10", "198.18.0.11", "198.18.0.12"


def test_link_layer_mac_wins_over_a_reported_one() -> None:
    items = [
        Evidence("mac", "00:11:22:33:44:55", "wsd", IP_A),
        Evidence("mac", "bc:ad:28:00:00:01", "arp", IP_A),
    ]
    assert mac_of(items) == "bc:ad:28:00:00:01"
    assert mac_of(items[:1]) == "00:11:22:33:44:55"
    assert mac_of([]) is None


def test_addresses_sharing_a_mac_are_one_device_and_others_stay_apart() -> None:
    evidence = [
        Evidence("mac", "bc:ad:28:00:00:01", "arp", IP_B),
        Evidence("mac", "bc:ad:28:00:00:01", "arp", IP_A),
        Evidence("http.server", "App-webs/", "http", IP_B),
        Evidence("tcp.ports", "22", "ports", IP_C),
        Evidence("wsd.types", "dn:NetworkVideoTransmitter", "wsd", ""),  # unbound: dropped
    ]
    devices = merge(evidence)
    assert [(d.ip, d.mac, d.addresses) for d in devices] == [
        (IP_A, "bc:ad:28:00:00:01", (IP_A, IP_B)),
        (IP_C, None, (IP_C,)),
    ]
    assert len(devices[0].evidence) == 3
    assert {e.address for e in devices[0].evidence} == {IP_A, IP_B}
    assert all(e.address for d in devices for e in d.evidence)


def test_a_second_address_of_a_device_returns_that_device_merged() -> None:
    merger = Merger()
    first = merger.add(IP_B, [Evidence("mac", "bc:ad:28:00:00:01", "arp", IP_B)])
    other = merger.add(IP_C, [Evidence("tcp.ports", "22", "ports", IP_C)])
    both = merger.add(
        IP_A,
        [
            Evidence("mac", "bc:ad:28:00:00:01", "arp", IP_A),
            Evidence("sadp.model", "DS-2CD2143G2-I", "sadp", IP_A),
        ],
    )
    assert first.device_key == both.device_key != other.device_key
    assert (both.ip, both.addresses) == (IP_A, (IP_A, IP_B))
    assert both.model == "DS-2CD2143G2-I"
    assert [d.device_key for d in merger.devices()] == [both.device_key, other.device_key]
    with pytest.raises(ValueError, match="merged already"):
        merger.add(IP_A, [])


def test_merge_identifies_and_keys_each_device() -> None:
    evidence = [
        Evidence("mac", "bc:ad:28:00:00:01", "arp", IP_A),
        Evidence("sadp.model", "DS-2CD2143G2-I", "sadp", IP_A),
        Evidence("sadp.firmware", "V5.7.3build 220112", "sadp", IP_A),
        Evidence("tcp.ports", "22", "ports", IP_C),
    ]
    hik, other = merge(evidence)
    assert hik.device_key == "mac:bc:ad:28:00:00:01"
    assert (hik.maker, hik.model, hik.firmware) == (
        "Hikvision",
        "DS-2CD2143G2-I",
        "V5.7.3build 220112",
    )
    assert hik.flagged
    assert hik.flag_reasons
    assert hik.identification.chain
    assert 0 < hik.confidence <= 1
    assert other.device_key == f"ip:{IP_C}"
    assert not other.flagged
    assert other.maker == ""


def test_unknown_maker_falls_back_to_the_mac_organisation_but_not_for_random_macs() -> None:
    dell, phone = merge(
        [
            Evidence("mac", "d0:94:66:00:00:07", "arp", IP_A),
            Evidence("mac", "da:a1:19:00:00:01", "arp", IP_B),  # locally administered
        ]
    )
    assert dell.maker.startswith("Dell")
    assert not dell.flagged
    assert phone.maker == ""


def test_a_mac_only_devices_reported_never_merges_two_addresses() -> None:
    # no ARP (a scan without root): two hosts whose firmware reports the same MAC
    devices = merge(
        [
            Evidence("mac", "bc:ad:28:00:00:01", "sadp", IP_A),
            Evidence("sadp.model", "DS-2CD2143G2-I", "sadp", IP_A),
            Evidence("mac", "bc:ad:28:00:00:01", "onvif", IP_B),
            Evidence("onvif.manufacturer", "AXIS", "onvif", IP_B),
        ]
    )
    assert [(d.device_key, d.addresses) for d in devices] == [
        ("mac:bc:ad:28:00:00:01", (IP_A,)),
        (f"ip:{IP_B}", (IP_B,)),
    ]


def test_a_flooding_address_keeps_at_most_the_caps_and_says_so() -> None:
    from camcensus.scanner.core.merge import MAX_EVIDENCE_PER_HOST, MAX_EVIDENCE_PER_SOURCE

    flood = [Evidence("wsd.scope.name", f"flood {i}", "wsd", IP_A) for i in range(5000)]
    many = [
        Evidence("http.server", f"server {i}", f"probe{i % 10}", IP_A)
        for i in range(10 * MAX_EVIDENCE_PER_SOURCE)
    ]
    link = [Evidence("mac", "bc:ad:28:00:00:01", "arp", IP_A)]
    merger = Merger()
    device = merger.add(IP_A, [*flood, *many, *link])
    assert len(device.evidence) == MAX_EVIDENCE_PER_HOST
    assert sum(1 for e in device.evidence if e.source == "wsd") == MAX_EVIDENCE_PER_SOURCE
    assert device.device_key == "mac:bc:ad:28:00:00:01"  # the link-layer MAC is always kept
    note = merger.cut(IP_A)
    assert note is not None
    assert f"kept {MAX_EVIDENCE_PER_HOST} of its {5000 + 640 + 1}" in note
    assert "wsd 5000" in note
    quiet = merger.add(IP_B, [*link[:0], Evidence("ip", IP_B, "arp", IP_B)])
    assert len(quiet.evidence) == 1
    assert merger.cut(IP_B) is None
