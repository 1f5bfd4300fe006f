"""The routed lab: device subnets behind a router namespace whose real SNMP agent (Debian's
snmpd) gives its real ARP table; checked with net-snmp's own snmpwalk and plain sockets,
never with camcensus."""

from __future__ import annotations

import ipaddress
import json
import os
import stat
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_lab_network import _wsd_probe, http_get, udp_exchange

from camcensus.lab import netns
from camcensus.lab.api import Lab

pytestmark = pytest.mark.lab

SUBNETS = 4
DEVICES = 24
IP_NET_TO_PHYSICAL_PHYS_ADDRESS = "1.3.6.1.2.1.4.35.1.4"  # IP-MIB ipNetToPhysicalPhysAddress
ROUTER = "198.18.0.254"


@pytest.fixture(scope="module")
def routed(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctrout", devices=DEVICES, mix="default", routed_subnets=SUBNETS)


def _snmpwalk(lab: Lab, namespace: str, *auth: str, oid: str) -> subprocess.CompletedProcess[str]:
    client_dir = lab.state_dir / "snmp-client"  # net-snmp's client state: kept in the lab
    return subprocess.run(
        ["ip", "netns", "exec", namespace, "snmpwalk", *auth, "-On", "-t", "1", "-r", "1",
         ROUTER, oid],
        capture_output=True, text=True, timeout=30, check=False,
        env={**os.environ, "SNMP_PERSISTENT_DIR": str(client_dir), "MIBS": ""},
    )  # fmt: skip


def _credentials(path: str) -> dict[str, Any]:
    entry = tomllib.loads(Path(path).read_text(encoding="utf-8"))["snmp"][0]
    assert isinstance(entry, dict)
    return entry


def _v2c(lab: Lab) -> list[str]:
    community = _credentials(lab.state()["routed"]["snmp"]["credentials_v2c"])["community"]
    return ["-v2c", "-c", community]


def _arp_table(output: str) -> dict[str, str]:
    """ip -> mac from an snmpwalk of ipNetToPhysicalPhysAddress (index: ifIndex, type 1
    = IPv4, length 4, the four octets)."""
    table = {}
    for line in output.splitlines():
        oid, _, value = line.partition(" = Hex-STRING: ")
        if value:
            ip = ".".join(oid.split(".")[-4:])
            table[ip] = ":".join(value.split()).lower()
    return table


def test_devices_are_spread_over_the_routed_subnets(routed: Lab) -> None:
    state = routed.state()
    subnets = [ipaddress.ip_network(s["network"]) for s in state["routed"]["subnets"]]
    assert [str(n) for n in subnets] == [f"198.18.{16 + k}.0/24" for k in range(SUBNETS)]
    assert all(n.subnet_of(ipaddress.ip_network("198.18.0.0/15")) for n in subnets)
    for device in state["devices"]:
        assert ipaddress.ip_address(device["ip"]) in ipaddress.ip_network(device["subnet"])
    counts = [s["devices"] for s in state["routed"]["subnets"]]
    assert sum(counts) == DEVICES
    assert max(counts) - min(counts) <= 1


def test_every_routed_device_answers_the_admin_through_the_router(routed: Lab) -> None:
    profiles = routed.profiles()
    web = [d for d in routed.devices if (profiles[d.profile_id].section("http") or {}).get("ports")]
    assert len({d.ip.rsplit(".", 1)[0] for d in web}) == SUBNETS
    for device in web:
        port = int(profiles[device.profile_id].data["http"]["ports"][0])
        reply = netns.call_in(routed.admin_ns, lambda d=device, p=port: http_get(d.ip, p))
        assert reply.startswith(b"HTTP/1."), device.ip


def test_multicast_does_not_cross_the_router(routed: Lab) -> None:
    replies = netns.call_in(
        routed.admin_ns, lambda: udp_exchange(_wsd_probe(), ("239.255.255.250", 3702))
    )
    assert replies == []
    # while a unicast probe to a routed ONVIF device is answered
    profiles = routed.profiles()
    onvif = next(d for d in routed.devices if profiles[d.profile_id].section("wsd") is not None)
    unicast = netns.call_in(
        routed.admin_ns, lambda: udp_exchange(_wsd_probe(), (onvif.ip, 3702), wait_s=1.0)
    )
    assert [ip for ip, _data in unicast] == [onvif.ip]


def test_no_lab_namespace_routes_out(routed: Lab) -> None:
    for namespace in (
        routed.admin_ns,
        routed.state()["routed"]["router_ns"],
        routed.devices[0].netns,
    ):
        routes = subprocess.run(
            ["ip", "-n", namespace, "route", "show"], capture_output=True, text=True, check=True
        ).stdout
        assert "default" not in routes, namespace
        for line in routes.splitlines():
            destination = line.split()[0]
            network = ipaddress.ip_network(destination)
            lab_or_multicast = network.subnet_of(ipaddress.ip_network("198.18.0.0/15")) or (
                network == ipaddress.ip_network("224.0.0.0/4")
            )
            assert lab_or_multicast, (namespace, line)


def test_snmp_v2c_gives_the_routers_arp_table_with_every_device(routed: Lab) -> None:
    done = _snmpwalk(routed, routed.admin_ns, *_v2c(routed), oid=IP_NET_TO_PHYSICAL_PHYS_ADDRESS)
    assert done.returncode == 0, done.stderr
    table = _arp_table(done.stdout)
    for device in routed.devices:
        assert table.get(device.ip) == device.mac, device.ip


def test_snmp_v3_authpriv_gives_the_same_table(routed: Lab) -> None:
    creds = _credentials(routed.state()["routed"]["snmp"]["credentials_v3"])
    auth = [
        "-v3", "-l", "authPriv", "-u", creds["user"], "-a", creds["auth_protocol"],
        "-A", creds["auth_key"], "-x", creds["priv_protocol"], "-X", creds["priv_key"],
    ]  # fmt: skip
    done = _snmpwalk(routed, routed.admin_ns, *auth, oid=IP_NET_TO_PHYSICAL_PHYS_ADDRESS)
    assert done.returncode == 0, done.stderr
    assert {d.ip for d in routed.devices} <= set(_arp_table(done.stdout))


def test_snmp_refuses_a_wrong_community_and_other_segments(routed: Lab) -> None:
    wrong = _snmpwalk(routed, routed.admin_ns, "-v2c", "-c", "not-it", oid="1.3.6.1.2.1.1")
    assert wrong.returncode != 0
    assert "Timeout" in wrong.stderr
    # the right community from a device subnet: the agent answers the admin segment only
    device_side = _snmpwalk(routed, routed.devices[0].netns, *_v2c(routed), oid="1.3.6.1.2.1.1")
    assert device_side.returncode != 0


def test_credential_files_are_private(routed: Lab) -> None:
    snmp = routed.state()["routed"]["snmp"]
    for key in ("credentials_v2c", "credentials_v3"):
        mode = stat.S_IMODE(os.stat(snmp[key]).st_mode)
        assert mode == 0o600, (key, oct(mode))
    community = _credentials(snmp["credentials_v2c"])["community"]
    state_text = routed.state_path.read_text(encoding="utf-8")
    assert community not in state_text, "secrets stay out of the state file"
    assert _credentials(snmp["credentials_v3"])["priv_key"] not in state_text


def test_down_stops_the_agent(make_lab: Callable[..., Lab]) -> None:
    lab = make_lab("cctrou2", devices=2, mix="default", routed_subnets=1)
    pid = int(lab.state()["routed"]["snmp"]["pid"])
    assert Path(f"/proc/{pid}").exists()
    lab.down()
    assert not Path(f"/proc/{pid}").exists()
    assert not lab.namespaces()


def test_lab_status_json_lists_subnets_devices_and_router(routed: Lab) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "camcensus", "lab", "status", "--name", routed.name, "--json"],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert report["routed"]["router_ip"] == ROUTER
    assert [s["network"] for s in report["routed"]["subnets"]] == [
        f"198.18.{16 + k}.0/24" for k in range(SUBNETS)
    ]
    by_ip = {d["ip"]: d for d in report["device_list"]}
    assert set(by_ip) == {d.ip for d in routed.devices}
    assert all(d["subnet"].startswith("198.18.1") for d in by_ip.values())
