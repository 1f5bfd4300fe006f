"""TLS of the lab per profile, as ``openssl s_client`` (Debian openssl) sees it: the key
type and size, the highest TLS version, the subject, the issuer and the validity each
profile's ``[tls]`` chooses are what the device serves."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from conformance_util import devices_with, in_admin, lab_only, nmap_host_section, require

from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance, Profile, render

pytestmark = pytest.mark.lab

# One of each choice: Dahua (RSA, TLS 1.2, a device CA as issuer, 30 years), TP-Link (RSA,
# TLS 1.2, self-signed), Axis (the defaults: ECDSA P-256, TLS 1.3, self-signed, 10 years).
MIX = {"dahua-ipc-hdw2431t-as-s2": 1, "tp-link-vigi-c340": 1, "axis-m3106-l-mk-ii": 1}
PKEY = {"rsa2048": ("rsaEncryption", 2048), "ecdsa-p256": ("id-ecPublicKey", 256)}
OPENSSL_TIME = "%b %d %H:%M:%S %Y GMT"


@pytest.fixture(scope="module")
def lab(make_lab: Callable[..., Lab]) -> Lab:
    return make_lab("ccttls", devices=3, mix=MIX)


def _s_client(lab: Lab, ip: str, port: int, *extra: str) -> tuple[int, str]:
    require("openssl")
    lab_only([ip])
    # stdin at EOF: s_client closes once the handshake is done
    done = in_admin(
        lab,
        ["openssl", "s_client", "-connect", f"{ip}:{port}", "-nameopt", "RFC2253", *extra],
        timeout_s=30,
        check=False,
        stdin="",
    )
    return done.returncode, done.stdout


def _line(pattern: str, out: str, where: str) -> re.Match[str]:
    found = re.search(pattern, out, re.M)
    assert found, f"s_client printed no {pattern!r} line for {where}: {out[:1500]}"
    return found


def _names(rfc2253: str) -> dict[str, str]:
    """``CN=a,O=b\\, c`` -> {"CN": "a", "O": "b, c"}."""
    parts = re.split(r"(?<!\\),", rfc2253.strip())
    return dict((key, value.replace("\\,", ",")) for key, value in (p.split("=", 1) for p in parts))


def _rendered(names: Mapping[str, Any], device: DeviceInstance) -> dict[str, str]:
    return {str(k): render(str(v), device.values()) for k, v in names.items()}


def _served(lab: Lab) -> list[tuple[DeviceInstance, Profile, int]]:
    found = [
        (device, profile, int(port))
        for device, profile in devices_with(lab, "tls")
        for port in (profile.section("tls") or {}).get("ports", [443])
    ]
    assert {p.id for _, p, _ in found} == set(MIX), "every profile of the mix serves TLS"
    return found


def test_s_client_reads_each_profiles_key_issuer_and_validity(lab: Lab) -> None:
    for device, profile, port in _served(lab):
        table = profile.section("tls") or {}
        rc, out = _s_client(lab, device.ip, port)
        where = f"{profile.id} at {device.ip}:{port}"
        assert rc == 0, f"openssl s_client failed against {where}: {out[-1500:]}"
        subject = _line(r"^ 0 s:(.*)$", out, where)
        issuer = _line(r"^   i:(.*)$", out, where)
        pkey = _line(r"^   a:PKEY: ([\w-]+), (\d+) \(bit\)", out, where)
        valid = _line(r"^   v:NotBefore: (.*?); NotAfter: (.*)$", out, where)
        want_subject = _rendered(table["subject"], device)
        assert _names(subject[1]) == want_subject, where
        # no issuer in the profile: self-signed, the issuer is the subject
        assert _names(issuer[1]) == _rendered(table.get("issuer", table["subject"]), device), where
        algorithm, bits = PKEY[table.get("key", "ecdsa-p256")]
        assert (pkey[1], int(pkey[2])) == (algorithm, bits), where
        not_before = dt.datetime.strptime(valid[1].strip(), OPENSSL_TIME)
        not_after = dt.datetime.strptime(valid[2].strip(), OPENSSL_TIME)
        assert (not_after - not_before).days == table.get("valid_days", 3650), where


def test_s_client_negotiates_each_profiles_highest_version_and_no_higher(lab: Lab) -> None:
    for device, profile, port in _served(lab):
        highest = (profile.section("tls") or {}).get("max_version", "1.3")
        where = f"{profile.id} at {device.ip}:{port}"
        rc, out = _s_client(lab, device.ip, port)  # openssl 3 offers 1.2 and 1.3
        assert rc == 0, where
        # "New, <version>, Cipher is ...": printed once the handshake is done (the
        # SSL-Session block's Protocol line waits for a TLS 1.3 session ticket)
        assert re.search(rf"^New, TLSv{re.escape(highest)}, Cipher is ", out, re.M), (
            f"{where}: want TLSv{highest}, s_client says {re.findall(r'^New, .*', out, re.M)}"
        )
        rc13, _ = _s_client(lab, device.ip, port, "-tls1_3")
        assert (rc13 == 0) == (highest == "1.3"), f"{where}: a TLS 1.3-only hello"
        rc12, _ = _s_client(lab, device.ip, port, "-tls1_2")
        assert rc12 == 0, f"{where}: every profile still speaks TLS 1.2"


def test_camcensus_records_the_subject_and_issuer_openssl_reads(
    lab: Lab, tmp_path: pathlib.Path
) -> None:
    done = subprocess.run(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, "-m", "camcensus", "scan",
         "198.18.0.0/24", "--scope", "lab", "--db", str(tmp_path / "inv.db"), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    recorded = {
        device["ip"]: {e["key"]: e["value"] for e in device["evidence"]}
        for device in json.loads(done.stdout)["devices"]
    }
    for device, profile, port in _served(lab):
        _, out = _s_client(lab, device.ip, port)
        where = f"{profile.id} at {device.ip}:{port}"
        seen = recorded.get(device.ip, {})
        # both RFC 4514 / RFC 2253 strings: compared as names, attribute by attribute
        for key, line in (("tls.subject", r"^ 0 s:(.*)$"), ("tls.issuer", r"^   i:(.*)$")):
            assert key in seen, f"camcensus recorded no {key} for {where}: {seen}"
            assert _names(seen[key]) == _names(_line(line, out, where)[1]), f"{key}, {where}"


NSE_KEY = {"rsa2048": ("rsa", 2048), "ecdsa-p256": ("ec", 256)}


def test_nmap_ssl_cert_reads_each_profiles_subject_and_key(lab: Lab) -> None:
    """nmap's ``ssl-cert`` NSE script (Debian nmap) on the port each profile serves TLS on."""
    require("nmap")
    served = _served(lab)
    ips = sorted({device.ip for device, _, _ in served})
    lab_only(ips)
    ports = sorted({str(port) for _, _, port in served})
    argv = ["nmap", "-Pn", "-p", ",".join(ports), "--script", "ssl-cert", *ips]
    out = in_admin(lab, argv, timeout_s=120).stdout
    for device, profile, port in served:
        section = nmap_host_section(out, device.ip)
        where = f"{profile.id} at {device.ip}:{port}"
        assert "ssl-cert: Subject: " in section, f"ssl-cert decoded nothing for {where}"
        table = profile.section("tls") or {}
        want = _rendered(table["subject"], device)
        subject = _line(r"ssl-cert: Subject: (.*)$", section, where)[1]
        if "CN" in want:
            assert f"commonName={want['CN']}" in subject, f"{where}: {subject}"
        key_type, bits = NSE_KEY[table.get("key", "ecdsa-p256")]
        assert _line(r"Public Key type: (\w+)", section, where)[1] == key_type, where
        assert int(_line(r"Public Key bits: (\d+)", section, where)[1]) == bits, where
