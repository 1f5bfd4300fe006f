"""Sites in the scope file: ``TARGET site=NAME location=TEXT``, and the one site a scan
covers."""

from __future__ import annotations

import pytest
from builders import make_device

from camcensus.base.errors import ScopeError
from camcensus.scanner.core.schema import Device, device_key_for, site_of_key
from camcensus.scanner.core.scope import Scope, check_site_name, parse_targets

SCOPE = """\
# two stations with the same address plan would be two scope files; here, two blocks
198.18.0.0/24   site=Utrecht-CS  location="platform 5"   # the station
198.18.1.0/24   site='Amersfoort'
198.18.2.0-198.18.2.99
snmp-agent 198.18.0.254
"""


def test_a_scope_line_names_its_site_and_location() -> None:
    scope = Scope.load(SCOPE, name="sites.scope")
    assert [t.spec for t in scope.targets] == [
        "198.18.0.0/24",
        "198.18.1.0/24",
        "198.18.2.0-198.18.2.99",
    ]
    assert [(s.target.spec, s.site, s.location) for s in scope.sites] == [
        ("198.18.0.0/24", "Utrecht-CS", "platform 5"),
        ("198.18.1.0/24", "Amersfoort", ""),
    ]
    assert scope.snmp_agents == ("198.18.0.254",)
    assert scope.location_of("Utrecht-CS") == "platform 5"
    assert scope.location_of("Amersfoort") == ""


def test_a_scope_file_without_sites_reads_as_before() -> None:
    scope = Scope.load("# site A\n10.1.0.0/16  # cameras\n\n192.168.5.10-20\n")
    assert scope.sites == ()
    assert scope.site_of(parse_targets("10.1.2.0/24")) is None
    assert scope.site_of(parse_targets("10.1.2.0/24"), "Depot") == "Depot"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("198.18.0.0/24 site=", "not a site name"),
        ("198.18.0.0/24 site=a/b", "not a site name"),
        ("198.18.0.0/24 site=mac:x", "not a site name"),
        ("198.18.0.0/24 site=" + "x" * 65, "not a site name"),
        ("198.18.0.0/24 location=hall", "needs a site"),
        ("198.18.0.0/24 rack=3", "site=NAME or location=TEXT"),
        ("198.18.0.0/24 site=A site=B", "given twice"),
        ('198.18.0.0/24 site="A', "quotation"),
        ("198.18.0.0/24 Utrecht", "site=NAME or location=TEXT"),
    ],
)
def test_a_bad_site_entry_names_its_line(line: str, message: str) -> None:
    with pytest.raises(ScopeError, match=rf"line 2: .*{message}"):
        Scope.load(f"10.0.0.0/8\n{line}\n", name="s.scope")


def test_two_sites_may_not_claim_the_same_addresses() -> None:
    with pytest.raises(ScopeError, match=r"198\.18\.0\.0/23 \(site A\) and 198\.18\.1\.0/24"):
        Scope.load("198.18.0.0/23 site=A\n198.18.1.0/24 site=B\n")
    # one site may span several lines, and they may overlap
    scope = Scope.load("198.18.0.0/23 site=A\n198.18.1.0/24 site=A\n")
    assert scope.site_of(parse_targets("198.18.1.7")) == "A"


def test_the_site_of_a_scan_comes_from_the_scope_file_else_the_default() -> None:
    scope = Scope.load(SCOPE)
    assert scope.site_of(parse_targets("198.18.0.0/24")) == "Utrecht-CS"
    assert scope.site_of(parse_targets("198.18.0.10 198.18.0.20-30"), "X") == "Utrecht-CS"
    assert scope.site_of(parse_targets("198.18.2.5")) is None
    assert scope.site_of(parse_targets("198.18.2.5"), "Depot") == "Depot"
    # the default may name the scope file's site for the targets it names none for
    both = parse_targets("198.18.1.5 198.18.2.5")
    assert scope.site_of(both, "Amersfoort") == "Amersfoort"


@pytest.mark.parametrize(
    ("targets", "default", "message"),
    [
        ("198.18.0.5 198.18.1.5", None, "more than one site"),
        ("198.18.0.5 198.18.2.5", None, r"198\.18\.2\.5 in no site"),
        ("198.18.0.5 198.18.2.5", "Depot", r"198\.18\.2\.5 in site Depot"),
        ("198.18.0.0/23", None, "partly outside site"),
        ("198.18.1.200-198.18.2.10", "Amersfoort", "partly outside site Amersfoort"),
    ],
)
def test_a_scan_covers_one_site(targets: str, default: str | None, message: str) -> None:
    with pytest.raises(ScopeError, match=message):
        Scope.load(SCOPE).site_of(parse_targets(targets), default)


def test_a_site_name_is_checked_and_stripped() -> None:
    assert check_site_name("  Utrecht CS ") == "Utrecht CS"
    for bad in ("", " ", "a/b", "a:b", "a\x1bb", "x" * 65):
        with pytest.raises(ScopeError):
            check_site_name(bad)


def test_a_device_key_carries_its_site_only_when_there_is_one() -> None:
    assert device_key_for("AA-BB-CC-00-11-22", "198.18.0.5", "A") == "A/mac:aa:bb:cc:00:11:22"
    assert device_key_for(None, "198.18.0.5", "A") == "A/ip:198.18.0.5"
    assert device_key_for(None, "198.18.0.5", None) == "ip:198.18.0.5"
    assert site_of_key("A/ip:198.18.0.5") == "A"
    assert site_of_key("ip:198.18.0.5") is None
    # a device-reported MAC may hold a '/': it is no site
    hostile = device_key_for("=cmd|' /C calc'!A0", "198.18.0.5")
    assert site_of_key(hostile) is None


@pytest.mark.parametrize("key", ["/ip:198.18.0.5", "A/", "A/B/ip:198.18.0.5", "A/host:x"])
def test_a_device_key_with_a_bad_site_part_is_refused(key: str) -> None:
    good = make_device(5)
    with pytest.raises(ValueError, match="device_key must be"):
        Device(key, good.ip, good.mac, good.identification)
