"""A routed lab scanned with SNMP credentials: the router's real net-snmp agent gives
every routed device its link-layer MAC (its kernel ARP cache), so the routed scan knows
as much as a scan on the link; wrong credentials or a dead agent cost only that source.

The lab: 104 devices on 4 subnets behind a router namespace that runs Debian's snmpd
(lab/snmp.py); the scanner runs in the admin namespace, so multicast and ARP never
reach a device. Truth comes from the lab's own state (the MAC each veth was given) and
its profiles' [truth] tables, judged by tests/scanner_lab/truth_check.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from truth_check import mismatches

from camcensus.lab.api import Lab

pytestmark = pytest.mark.lab

SUBNETS = 4
DEVICES = 104
TARGETS = [f"198.18.{16 + k}.0/24" for k in range(SUBNETS)]


@pytest.fixture(scope="module")
def routed(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("cctsnmp", devices=DEVICES, mix="default", routed_subnets=SUBNETS)


def _beyond_multicast(lab: Lab, problems: list[str]) -> list[str]:
    """The mismatches a routed scan must not have: all but a model or firmware that is
    missing (never wrong) on a Hikvision-family profile that announces it only in SADP,
    a multicast protocol that does not cross a router."""
    profiles = lab.profiles()
    by_ip = {d.ip: profiles[d.profile_id] for d in lab.devices}
    kept = []
    for line in problems:
        ip = line.split()[0]
        sadp_only = "sadp" in by_ip[ip].data
        missing = (": model ''," in line) or (": firmware None," in line)
        if not (sadp_only and missing):
            kept.append(line)
    return kept


def _scan(lab: Lab, tmp_path: Path, *args: str, targets: list[str] = TARGETS) -> dict[str, Any]:
    done = subprocess.run(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         *targets, "--json", "--db", str(tmp_path / "inventory.db"), *args],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert result["status"] == "complete"
    return result


def _private(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def _credentials(lab: Lab, version: str) -> str:
    return str(lab.state()["routed"]["snmp"][f"credentials_{version}"])


@pytest.mark.parametrize("version", ["v3", "v2c"])
def test_with_snmp_every_routed_device_is_found_named_and_has_its_mac(
    routed: Lab, tmp_path: Path, version: str
) -> None:
    result = _scan(
        routed, tmp_path, "--scope", "lab", "--snmp-credentials", _credentials(routed, version)
    )
    assert result["warnings"] == []
    devices = result["devices"]
    # every device, the laptops and phones that open no port included: the router's
    # ARP cache lists them all
    assert len(routed.devices) == DEVICES
    assert sorted(d["ip"] for d in devices) == sorted(d.ip for d in routed.devices)
    # named as the truth says, with the same check as the flat lab's scan
    assert _beyond_multicast(routed, mismatches(routed, devices)) == []
    by_ip = {d["ip"]: d for d in devices}
    for instance in routed.devices:
        found = by_ip[instance.ip]
        assert found["mac"] == instance.mac, instance.ip
        first_octet = int(instance.mac.split(":")[0], 16)
        if not first_octet & 2:  # a universally administered MAC names an IEEE block
            assert found["mac_organisation"], instance.ip
    per_subnet = {c["target"]: c for c in result["coverage"]}
    for target in TARGETS:
        row = per_subnet[target]
        prefix = target.rsplit(".", 1)[0] + "."
        expected = sum(1 for d in routed.devices if d.ip.startswith(prefix))
        assert (row["reached"], row["addresses"], row["snmp_macs"]) == ("routed", 254, expected)
        assert row["answered"] == expected
    (agent,) = result["snmp"]
    assert agent["agent"] == "198.18.0.254"
    assert agent["error"] is None
    assert agent["in_targets"] == DEVICES
    # the router's ARP cache holds the admin host too: not a target, so unmapped
    assert agent["unmapped_macs"]
    assert len(agent["unmapped_macs"]) == agent["arp_entries"] - DEVICES
    probes = {p["name"]: p for p in result["probes"]}
    assert probes["snmp"]["ok"]
    assert probes["snmp"]["hosts"] >= DEVICES


def test_sweeping_only_what_the_router_lists_finds_the_same_devices(
    routed: Lab, tmp_path: Path
) -> None:
    result = _scan(
        routed, tmp_path, "--scope", "lab", "--snmp-credentials", _credentials(routed, "v3"),
        "--routed-sweep", "snmp",
    )  # fmt: skip
    assert sorted(d["ip"] for d in result["devices"]) == sorted(d.ip for d in routed.devices)
    assert _beyond_multicast(routed, mismatches(routed, result["devices"])) == []
    assert {c["reached"] for c in result["coverage"]} == {"snmp"}
    assert sum(c["addresses"] for c in result["coverage"]) == DEVICES


def _unicast_only(lab: Lab, result: dict[str, Any]) -> None:
    """Without the router's table the scan still finds what answers unicast, and its
    cameras and recorders still get their maker (and flag) from unicast evidence."""
    assert "snmp" in {p["name"] for p in result["probes"]}
    devices = result["devices"]
    assert len(devices) >= 15
    assert not any(e["source"] == "snmp-arp" for d in devices for e in d["evidence"])
    profiles = lab.profiles()
    cameras = {d.ip for d in lab.devices if profiles[d.profile_id].truth["device_type"] != "other"}
    found = [d for d in devices if d["ip"] in cameras]
    assert len(found) >= 10
    problems = [
        line for line in mismatches(lab, found)
        if line.split()[0] in {d["ip"] for d in found}
        and (": maker " in line or ": flagged " in line)
    ]  # fmt: skip
    assert problems == []


def test_a_wrong_community_costs_only_the_snmp_source(routed: Lab, tmp_path: Path) -> None:
    wrong = _private(tmp_path / "wrong.toml", '[[snmp]]\nversion = "2c"\ncommunity = "not-it"\n')
    started = time.monotonic()
    result = _scan(
        routed, tmp_path, "--scope", "lab", "--snmp-credentials", str(wrong), targets=TARGETS[:1]
    )
    elapsed_s = time.monotonic() - started
    assert any("198.18.0.254" in w and "did not answer" in w for w in result["warnings"])
    assert "not-it" not in json.dumps(result)
    (agent,) = result["snmp"]
    assert agent["error"]
    assert agent["arp_entries"] == 0
    _unicast_only(routed, result)
    plain = tmp_path / "plain"
    plain.mkdir()
    without = _scan(routed, plain, "--scope", "lab", targets=TARGETS[:1])
    assert sorted(d["ip"] for d in result["devices"]) == sorted(d["ip"] for d in without["devices"])
    assert elapsed_s < 120  # a bound against hanging, not a speed goal


def test_a_wrong_v3_key_is_reported_as_rejected(routed: Lab, tmp_path: Path) -> None:
    wrong = _private(
        tmp_path / "wrong-v3.toml",
        '[[snmp]]\nversion = "3"\nuser = "cclab"\nauth_protocol = "SHA"\n'
        'auth_key = "definitely-wrong"\npriv_protocol = "AES"\npriv_key = "also-wrong-key"\n',
    )
    result = _scan(
        routed, tmp_path, "--scope", "lab", "--snmp-credentials", str(wrong), targets=TARGETS[:1]
    )
    assert any("198.18.0.254" in w and "rejected the credentials" in w for w in result["warnings"])
    assert "definitely-wrong" not in json.dumps(result)
    _unicast_only(routed, result)


def test_an_agent_that_is_not_there_costs_only_itself(routed: Lab, tmp_path: Path) -> None:
    scope = tmp_path / "scope.txt"
    scope.write_text("198.18.0.0/15\nsnmp-agent 198.18.0.253  # nothing answers here\n")
    result = _scan(
        routed, tmp_path, "--scope", str(scope), "--no-gateways",
        "--snmp-credentials", _credentials(routed, "v2c"), targets=TARGETS[:1],
    )  # fmt: skip
    assert [a["agent"] for a in result["snmp"]] == ["198.18.0.253"]
    assert any("198.18.0.253" in w and "did not answer" in w for w in result["warnings"])
    _unicast_only(routed, result)


def test_the_access_switchs_table_puts_each_device_behind_its_port(
    routed: Lab, tmp_path: Path
) -> None:
    switch = routed.state()["routed"]["switch"]
    scope = tmp_path / "scope.txt"
    scope.write_text(f"198.18.0.0/15\nsnmp-agent {switch['address']}  # access switch\n")
    result = _scan(
        routed, tmp_path, "--scope", str(scope), "--snmp-credentials", switch["credentials_v3"],
        targets=TARGETS[:1],
    )  # fmt: skip
    assert result["warnings"] == []
    agents = {a["agent"]: a for a in result["snmp"]}
    assert set(agents) == {switch["address"], "198.18.0.254"}  # named, and the gateway
    on_switch = [d for d in routed.devices if d.ip.startswith("198.18.16.")]
    assert switch["devices"] == len(on_switch)
    assert agents[switch["address"]]["fdb_entries"] >= len(on_switch)
    by_ip = {d["ip"]: d for d in result["devices"]}
    ports = {}
    for instance in on_switch:
        (where,) = [
            e["value"] for e in by_ip[instance.ip]["evidence"] if e["key"] == "snmp.switch_port"
        ]
        assert where.startswith(f"{switch['address']} port ")
        ports[instance.ip] = where
    assert len(set(ports.values())) == len(on_switch)  # one port a device
