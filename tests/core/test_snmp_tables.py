"""Router and switch tables read over SNMP: rows as the MIBs define them (RFC 4293 IP-MIB,
RFC 1213, RFC 4188 BRIDGE-MIB, RFC 4363 Q-BRIDGE-MIB), hostile rows, credentials files and
the kernel route table."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network

import pytest

from camcensus.base.errors import CredentialsError, MalformedReplyError
from camcensus.scanner.core.snmp_tables import (
    ArpEntry,
    FdbEntry,
    parse_arp,
    parse_fdb,
    parse_proc_net_route,
    parse_snmp_credentials,
    parse_subnets,
)

PHYS = "1.3.6.1.2.1.4.35.1.4"
PHYS_TYPE = "1.3.6.1.2.1.4.35.1.6"
MEDIA = "1.3.6.1.2.1.4.22.1.2"
MEDIA_TYPE = "1.3.6.1.2.1.4.22.1.4"
MAC_A = bytes.fromhex("c056e3112233")
MAC_B = bytes.fromhex("3ce36b445566")


def test_ip_net_to_physical_rows_give_ipv4_neighbours() -> None:
    # index: ifIndex . addressType(1 = ipv4) . length(4) . address
    read = parse_arp(
        [
            (f"{PHYS}.3.1.4.198.18.16.10", MAC_A),
            (f"{PHYS}.4.1.4.198.18.17.20", MAC_B),
            (f"{PHYS}.3.2.16.254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1", MAC_A),  # IPv6: not ours
            (f"{PHYS_TYPE}.3.1.4.198.18.16.10", 3),  # dynamic(3)
        ]
    )
    assert read.arp == (
        ArpEntry("198.18.16.10", "c0:56:e3:11:22:33", 3),
        ArpEntry("198.18.17.20", "3c:e3:6b:44:55:66", 4),
    )
    assert read.skipped == 0


def test_invalid_entries_and_non_device_macs_are_left_out() -> None:
    read = parse_arp(
        [
            (f"{PHYS}.3.1.4.198.18.16.10", MAC_A),
            (f"{PHYS_TYPE}.3.1.4.198.18.16.10", 2),  # invalid(2): the agent says ignore it
            (f"{PHYS}.3.1.4.198.18.16.11", bytes(6)),  # incomplete entry: all zero
            (f"{PHYS}.3.1.4.198.18.16.12", bytes.fromhex("01005e000001")),  # multicast
            (f"{PHYS}.3.1.4.198.18.16.13", b"\x00\x11"),  # not six octets
            (f"{PHYS}.3.1.4.198.18.16.999", MAC_B),  # not an address
            ("1.3.6.1.2.1.1.1.0", b"a router"),  # another column altogether
        ]
    )
    assert read.arp == ()
    assert read.skipped == 5


def test_the_older_ip_net_to_media_table_is_read_too() -> None:
    read = parse_arp(
        [
            (f"{MEDIA}.2.198.18.16.10", MAC_A),
            (f"{MEDIA}.2.198.18.16.11", MAC_B),
            (f"{MEDIA_TYPE}.2.198.18.16.11", 2),
        ]
    )
    assert read.arp == (ArpEntry("198.18.16.10", "c0:56:e3:11:22:33", 2),)


def test_an_entry_in_both_tables_is_one_entry_and_hex_text_is_understood() -> None:
    read = parse_arp(
        [
            (f"{PHYS}.2.1.4.198.18.16.10", MAC_A),
            (f"{MEDIA}.2.198.18.16.10", "C0:56:E3:11:22:33"),
        ]
    )
    assert read.arp == (ArpEntry("198.18.16.10", "c0:56:e3:11:22:33", 2),)


def test_connected_subnets_come_from_the_agents_own_addresses() -> None:
    mask = "1.3.6.1.2.1.4.20.1.3"
    read = parse_subnets(
        [
            (f"{mask}.198.18.0.254", bytes([255, 255, 254, 0])),
            (f"{mask}.198.18.16.1", "255.255.255.0"),
            (f"{mask}.127.0.0.1", bytes([255, 0, 0, 0])),  # loopback: nothing behind it
            (f"{mask}.198.18.17.1", bytes([255, 0, 255, 0])),  # not a mask
        ]
    )
    assert read.subnets == (IPv4Network("198.18.0.0/23"), IPv4Network("198.18.16.0/24"))
    assert read.skipped == 1


def test_bridge_forwarding_tables_list_learned_macs_but_not_the_switch_itself() -> None:
    port, status = "1.3.6.1.2.1.17.4.3.1.2", "1.3.6.1.2.1.17.4.3.1.3"
    qport = "1.3.6.1.2.1.17.7.1.2.2.1.2"
    a = ".".join(str(b) for b in MAC_A)
    b = ".".join(str(x) for x in MAC_B)
    read = parse_fdb(
        [
            (f"{port}.{a}", 7),
            (f"{status}.{a}", 3),  # learned(3)
            (f"{port}.{b}", 0),
            (f"{status}.{b}", 4),  # self(4): the switch's own MAC
            (f"{qport}.20.{b}", 12),  # VLAN 20
            (f"{qport}.20.1.2.3", 12),  # index too short
        ]
    )
    assert read.fdb == (
        FdbEntry("c0:56:e3:11:22:33", 7, 0),
        FdbEntry("3c:e3:6b:44:55:66", 12, 20),
    )
    assert read.skipped == 1
    # a MAC in both tables (a VLAN-aware switch answers both): its VLAN row only
    both = parse_fdb([(f"{port}.{a}", 7), (f"{qport}.1.{a}", 7)])
    assert both.fdb == (FdbEntry("c0:56:e3:11:22:33", 7, 1),)


def test_credentials_files_give_one_entry_an_agent_and_hide_their_secrets() -> None:
    creds = parse_snmp_credentials(
        '[[snmp]]\nversion = "2c"\ncommunity = "site-wide"\n\n'
        '[[snmp]]\nversion = "3"\nuser = "ops"\nauth_protocol = "sha256"\n'
        'auth_key = "auth-secret-1"\npriv_protocol = "AES"\npriv_key = "priv-secret-1"\n'
        'agents = ["198.18.0.0/24"]\n\n'
        '[[snmp]]\nversion = "2c"\ncommunity = "core"\nagents = ["198.18.0.254"]\n'
    )
    assert creds.for_agent("198.18.0.254").community == "core"  # type: ignore[union-attr]
    ops = creds.for_agent("198.18.0.1")
    assert ops is not None
    assert ops.user == "ops"
    assert ops.auth_protocol == "SHA256"
    assert creds.for_agent("198.18.5.1").community == "site-wide"  # type: ignore[union-attr]
    shown = repr(creds)
    assert "secret" not in shown
    assert "site-wide" not in shown
    assert "core'" not in shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml [", "not readable TOML"),
        ('[snmp]\nversion = "2c"\n', "at least one [[snmp]] entry"),
        ('[[snmp]]\nversion = "1"\ncommunity = "x"\n', 'version must be "2c" or "3"'),
        ('[[snmp]]\nversion = "2c"\n', "'community' must be a non-empty string"),
        (
            '[[snmp]]\nversion = "3"\nuser = "u"\nauth_key = "short"\npriv_key = "also-short"\n',
            "at least 8 characters",
        ),
        (
            '[[snmp]]\nversion = "3"\nuser = "u"\npriv_protocol = "none"\n'
            'auth_key = "12345678"\npriv_key = "12345678"\n',
            "authPriv only",
        ),
        ('[[snmp]]\nversion = "2c"\ncommunity = "x"\nagents = "10.0.0.1"\n', "must be a list"),
    ],
)
def test_bad_credentials_files_are_refused_without_quoting_secrets(text: str, message: str) -> None:
    with pytest.raises(CredentialsError) as caught:
        parse_snmp_credentials(text)
    assert message in str(caught.value)
    assert "12345678" not in str(caught.value)


# as the kernel writes it (lines padded to 127 characters), captured in a lab namespace
ROUTE_TABLE = "".join(
    f"{line:<127}\n"
    for line in (
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
        "ccadm0\t000012C6\t00000000\t0001\t0\t0\t0\t00FEFFFF\t0\t0\t0",
        "ccadm0\t001012C6\tFE0012C6\t0003\t0\t0\t0\t00F0FFFF\t0\t0\t0",
        "ccadm0\t000000E0\t00000000\t0001\t0\t0\t0\t000000F0\t0\t0\t0",
        "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
    )
)


def test_the_kernel_route_table_gives_gateways_per_interface() -> None:
    routes = parse_proc_net_route(ROUTE_TABLE)
    assert [(r.interface, str(r.network), r.gateway) for r in routes] == [
        ("ccadm0", "198.18.0.0/23", None),
        ("ccadm0", "198.18.16.0/20", IPv4Address("198.18.0.254")),
        ("ccadm0", "224.0.0.0/4", None),
        ("eth0", "0.0.0.0/0", IPv4Address("192.168.0.1")),
    ]


def test_a_file_that_is_not_the_route_table_is_refused() -> None:
    with pytest.raises(MalformedReplyError):
        parse_proc_net_route("hello\nworld\n")
