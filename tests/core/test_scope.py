from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest

from camcensus.base.errors import ScopeError
from camcensus.scanner.core.scope import (
    MAX_HOSTS,
    Scope,
    builtin_scope,
    check_targets,
    expand_hosts,
    parse_target,
    parse_targets,
)

LAB = builtin_scope("lab")


def test_parse_cidr_single_and_ranges() -> None:
    cidr, single, full_range, short_range = parse_targets(
        ["198.18.0.0/23", "198.18.0.7", "198.18.0.10-198.18.0.50", " 198.18.0.10 - 50 "]
    )
    assert cidr.networks() == [IPv4Network("198.18.0.0/23")]
    assert cidr.num_addresses == 512
    assert single.networks() == [IPv4Network("198.18.0.7/32")]
    assert (full_range.first, full_range.last) == (
        IPv4Address("198.18.0.10"),
        IPv4Address("198.18.0.50"),
    )
    assert (short_range.first, short_range.last) == (full_range.first, full_range.last)
    assert full_range.num_addresses == 41
    assert sum(n.num_addresses for n in full_range.networks()) == 41


def test_cidr_with_host_bits_means_its_network() -> None:
    assert parse_target("198.18.0.5/24").networks() == [IPv4Network("198.18.0.0/24")]


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "banana",
        "198.18.0.0/33",
        "198.18.0.50-10",
        "198.18.0.10-256",
        "198.18.0.1-x",
        "2001:db8::/64",
        "::1",
        "198.18.0.300",
    ],
)
def test_parse_target_refuses_bad_specs(spec: str) -> None:
    with pytest.raises(ScopeError):
        parse_target(spec)


def test_scope_file_with_comments_and_line_numbers() -> None:
    scope = Scope.load("# site A\n10.1.0.0/16  # cameras\n\n192.168.5.10-20\n", name="site.scope")
    assert scope.contains(parse_target("10.1.2.0/24"))
    assert scope.contains(parse_target("192.168.5.15"))
    assert not scope.contains(parse_target("192.168.5.21"))
    with pytest.raises(ScopeError, match=r"site\.scope, line 3"):
        Scope.load("10.0.0.0/8\n# ok\nnot-an-address\n", name="site.scope")
    with pytest.raises(ScopeError, match="no addresses"):
        Scope.load("# nothing\n\n")


def test_target_spanning_adjacent_scope_entries_is_inside() -> None:
    scope = Scope.load("10.0.0.0/25\n10.0.0.128-10.0.1.255\n")
    assert scope.contains(parse_target("10.0.0.0/23"))
    assert not scope.contains(parse_target("10.0.0.0/22"))


def test_builtin_scopes() -> None:
    assert LAB.contains(parse_target("198.19.255.255"))
    assert not LAB.contains(parse_target("198.20.0.0"))
    assert builtin_scope("loopback").contains(parse_target("127.0.0.1"))
    with pytest.raises(ScopeError, match="known: lab, loopback"):
        builtin_scope("internet")


def test_check_accepts_lab_targets() -> None:
    check_targets(parse_targets(["198.18.0.0/23", "198.18.1.5"]), LAB, allow_public=False)


def test_check_refuses_out_of_scope_naming_the_target() -> None:
    with pytest.raises(ScopeError, match=r"'198\.20\.0\.0/24' is outside the built-in scope 'lab'"):
        check_targets(parse_targets(["198.18.0.0/24", "198.20.0.0/24"]), LAB, allow_public=False)


def test_check_refuses_partly_out_of_scope_range() -> None:
    with pytest.raises(ScopeError, match="outside"):
        check_targets(parse_targets(["198.19.255.250-198.20.0.5"]), LAB, allow_public=True)


def test_check_refuses_public_without_flag() -> None:
    scope = Scope.load("8.8.8.0/24\n")
    targets = parse_targets(["8.8.8.8"])
    with pytest.raises(ScopeError, match=r"'8\.8\.8\.8' includes public addresses"):
        check_targets(targets, scope, allow_public=False)
    check_targets(targets, scope, allow_public=True)


def test_private_and_reserved_ranges_are_not_public() -> None:
    scope = Scope.load("0.0.0.0/0\n")
    for spec in [
        "10.0.0.1",
        "172.16.5.5",
        "192.168.1.0/24",
        "100.64.0.1",
        "169.254.1.1",
        "127.0.0.1",
        "198.18.0.0/15",
        "192.0.2.1",
    ]:
        check_targets(parse_targets([spec]), scope, allow_public=False, allow_large=True)
    with pytest.raises(ScopeError, match="public"):
        check_targets(parse_targets(["172.32.0.1"]), scope, allow_public=False)


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("224.0.0.251", "multicast"),
        ("239.255.255.250", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("0.0.0.0", "unspecified"),
        ("223.255.255.0-224.0.0.5", "multicast"),
    ],
)
def test_check_refuses_multicast_broadcast_unspecified(spec: str, reason: str) -> None:
    with pytest.raises(ScopeError, match=reason):
        check_targets(
            parse_targets([spec]), Scope.load("0.0.0.0/0"), allow_public=True, allow_large=True
        )


def test_check_refuses_large_scans_without_flag() -> None:
    scope = Scope.load("10.0.0.0/8\n")
    check_targets(parse_targets(["10.0.0.0/16"]), scope, allow_public=False)
    too_many = parse_targets(["10.0.0.0/16", "10.1.0.0/31"])
    with pytest.raises(ScopeError, match=f"65538 addresses, more than {MAX_HOSTS}"):
        check_targets(too_many, scope, allow_public=False)
    check_targets(too_many, scope, allow_public=False, allow_large=True)


def test_check_refuses_no_targets() -> None:
    with pytest.raises(ScopeError, match="no targets"):
        check_targets([], LAB, allow_public=False)


def test_expand_hosts_cidr_skips_network_and_broadcast() -> None:
    hosts = list(expand_hosts(parse_targets(["198.18.0.0/30"])))
    assert hosts == [IPv4Address("198.18.0.1"), IPv4Address("198.18.0.2")]
    assert len(list(expand_hosts(parse_targets(["198.18.0.0/23"])))) == 510


def test_expand_hosts_small_prefixes_and_ranges_are_complete() -> None:
    assert [str(a) for a in expand_hosts(parse_targets(["198.18.0.4/31", "198.18.0.9"]))] == [
        "198.18.0.4",
        "198.18.0.5",
        "198.18.0.9",
    ]
    assert [str(a) for a in expand_hosts(parse_targets(["198.18.0.254-198.18.1.1"]))] == [
        "198.18.0.254",
        "198.18.0.255",
        "198.18.1.0",
        "198.18.1.1",
    ]


def test_expand_hosts_yields_overlaps_once() -> None:
    hosts = [
        str(a) for a in expand_hosts(parse_targets(["198.18.0.1-4", "198.18.0.0/29", "198.18.0.3"]))
    ]
    assert hosts == [
        "198.18.0.1",
        "198.18.0.2",
        "198.18.0.3",
        "198.18.0.4",
        "198.18.0.5",
        "198.18.0.6",
    ]


def test_one_string_holds_several_targets_and_a_range_knows_its_addresses() -> None:
    short, cidr = parse_targets("198.18.0.10-20  198.18.1.0/30")
    assert (str(short.first), str(short.last)) == ("198.18.0.10", "198.18.0.20")
    assert short.contains("198.18.0.20")
    assert not short.contains("198.18.0.21")
    assert cidr.contains("198.18.1.0")
    assert not cidr.contains("198.18.1.4")
    assert not cidr.contains("not an address")
    assert not cidr.contains("2001:db8::1")
