"""The routed lab's SNMP agents: Debian's net-snmp ``snmpd`` in the router namespace,
and a second one in the bridge namespace acting as the access switch of the first
routed subnet.

Real agents, so what a scanner reads over SNMP is real kernel tables: the router's ARP
cache (IP-MIB ipNetToPhysicalTable), and the switch's Linux bridge forwarding table
(BRIDGE-MIB dot1dTpFdbTable), which the switch's ``snmpd`` hands to
``camcensus.lab.bridge_mib`` through ``pass_persist`` (see that module for why not
net-snmp's own ``snmp-bridge-mib``). Each agent listens only on its address on the
admin segment and answers only the admin segment: SNMPv2c with a community and
SNMPv3 with an authPriv user (SHA/AES),
one site-wide pair for both agents, made fresh at every ``lab up`` and written to 0600
files in the lab's state directory (never on a command line, never logged). No traps
are configured, so the agents never send unasked.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Final

from camcensus.base.errors import LabError

__all__ = [
    "SNMPD",
    "bridge_mib_config",
    "check_installed",
    "make_credentials",
    "start_agent",
    "stop_agent",
]

SNMPD: Final = "/usr/sbin/snmpd"
READY_TIMEOUT_S: Final = 15.0
V3_USER: Final = "cclab"
_DIR: Final = "snmp"
_SWITCH_DIR: Final = "snmp-switch"


def check_installed() -> None:
    """LabError unless Debian's snmpd is installed (``make install`` adds it)."""
    if not Path(SNMPD).exists() and shutil.which("snmpd") is None:
        raise LabError("a routed lab needs net-snmp's snmpd (apt-get install snmpd; make install)")


def bridge_mib_config(bridge: str) -> str:
    """snmpd.conf lines handing BRIDGE-MIB dot1dTpFdbTable of *bridge* to
    ``camcensus.lab.bridge_mib`` (run by snmpd, in its namespace, with this Python)."""
    return (
        f"pass_persist .1.3.6.1.2.1.17.4.3 {sys.executable} -m camcensus.lab.bridge_mib {bridge}\n"
    )


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def make_credentials(state_dir: Path) -> dict[str, str]:
    """Fresh site-wide SNMP credentials, written to 0600 ``snmp-v2c.toml`` and
    ``snmp-v3.toml`` in *state_dir*; returns the secrets (for the agents' own
    configuration only, never stored in the lab state) and the two paths."""
    community = secrets.token_hex(8)
    auth_key, priv_key = secrets.token_hex(12), secrets.token_hex(12)
    v2c = state_dir / "snmp-v2c.toml"
    v3 = state_dir / "snmp-v3.toml"
    _write_private(v2c, f'[[snmp]]\nversion = "2c"\ncommunity = "{community}"\n')
    _write_private(
        v3,
        f'[[snmp]]\nversion = "3"\nuser = "{V3_USER}"\nauth_protocol = "SHA"\n'
        f'auth_key = "{auth_key}"\npriv_protocol = "AES"\npriv_key = "{priv_key}"\n',
    )
    return {
        "community": community,
        "auth_key": auth_key,
        "priv_key": priv_key,
        "credentials_v2c": str(v2c),
        "credentials_v3": str(v3),
    }


def start_agent(
    netns: str,
    address: str,
    clients: str,
    state_dir: Path,
    credentials: dict[str, str] | None = None,
    *,
    name: str = _DIR,
    sys_name: str = "cclab-router",
    sys_descr: str = "camcensus lab router (Linux, net-snmp)",
    extra_config: str = "",
) -> dict[str, Any]:
    """Start snmpd in *netns* on udp *address*:161 answering *clients* (a CIDR) only,
    with *credentials* (``make_credentials``; fresh ones when None) and *extra_config*
    lines (the switch's ``bridge_mib_config``).

    Returns what the lab state records: the agent's address, pid and the paths of the
    credential files (``snmp-v2c.toml``, ``snmp-v3.toml``), never the secrets.
    """
    directory = state_dir / name
    directory.mkdir(mode=0o700, exist_ok=True)
    creds = credentials or make_credentials(state_dir)
    config = directory / "snmpd.conf"
    _write_private(
        config,
        f"agentAddress udp:{address}:161\n"
        f"rocommunity {creds['community']} {clients}\n"
        f'createUser {V3_USER} SHA "{creds["auth_key"]}" AES "{creds["priv_key"]}"\n'
        f"rouser {V3_USER} priv\n"
        f"sysName {sys_name}\n"
        f"sysDescr {sys_descr}\n"
        "sysLocation camcensus lab (network namespace)\n"
        "sysServices 72\n" + extra_config,
    )
    pid_file = directory / "snmpd.pid"
    log_file = directory / "snmpd.log"
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "SNMP_PERSISTENT_DIR": str(directory),
        "MIBS": "",  # the agent needs no MIB files (and logs pages about missing ones)
        "MIBDIRS": str(directory),
    }
    # -C: read no other configuration (not /etc/snmp); -p/-Lf: pid and log in the state
    # directory; the endpoint is the config's agentAddress (naming it on the command line
    # too would bind it twice). snmpd daemonises; its pid is read back from the pid file.
    proc = subprocess.run(
        [
            "ip", "netns", "exec", netns, SNMPD, "-C", "-c", str(config), "-p", str(pid_file),
            "-Lf", str(log_file),
        ],
        env=env, capture_output=True, text=True, check=False, timeout=READY_TIMEOUT_S,
    )  # fmt: skip
    if proc.returncode != 0:
        raise LabError(f"snmpd did not start: {proc.stderr.strip()[:300]}")
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        with contextlib.suppress(FileNotFoundError, ValueError):
            pid = int(pid_file.read_text(encoding="ascii").strip())
            found: dict[str, Any] = {
                "address": address,
                "pid": pid,
                "credentials_v2c": creds["credentials_v2c"],
                "credentials_v3": creds["credentials_v3"],
            }
            return found
        time.sleep(0.05)
    raise LabError(f"snmpd wrote no pid file within {READY_TIMEOUT_S} s (see {log_file})")


def _stop(pid_file: Path, marker: bytes, state_dir: Path) -> None:
    try:
        pid = int(pid_file.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return
    if marker not in cmdline or (marker == b"snmpd" and str(state_dir).encode() not in cmdline):
        return  # the pid was reused by something else
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def stop_agent(state_dir: Path) -> None:
    """Stop the agents a lab started, if any (idempotent): the switch's and the
    router's snmpd (snmpd stops its pass_persist program)."""
    _stop(state_dir / _SWITCH_DIR / "snmpd.pid", b"snmpd", state_dir)
    _stop(state_dir / _DIR / "snmpd.pid", b"snmpd", state_dir)
