"""The routed lab's SNMP agent: Debian's net-snmp ``snmpd`` in the router namespace.

A real agent, so what a scanner reads over SNMP is the router's real kernel tables
(IP-MIB ipNetToPhysicalTable: its ARP cache). It listens only on the router's address
on the admin segment and answers only the admin segment: SNMPv2c with a community and
SNMPv3 with an authPriv user (SHA/AES), both made fresh at every ``lab up`` and written
to 0600 files in the lab's state directory (never on a command line, never logged).
No traps are configured, so the agent never sends unasked.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Final

from camcensus.base.errors import LabError

__all__ = ["SNMPD", "check_installed", "start_agent", "stop_agent"]

SNMPD: Final = "/usr/sbin/snmpd"
READY_TIMEOUT_S: Final = 15.0
V3_USER: Final = "cclab"
_DIR: Final = "snmp"


def check_installed() -> None:
    """LabError unless Debian's snmpd is installed (``make install`` adds it)."""
    if not Path(SNMPD).exists() and shutil.which("snmpd") is None:
        raise LabError("a routed lab needs net-snmp's snmpd (apt-get install snmpd; make install)")


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)


def start_agent(netns: str, address: str, clients: str, state_dir: Path) -> dict[str, Any]:
    """Start snmpd in *netns* on udp *address*:161 answering *clients* (a CIDR) only.

    Returns what the lab state records: the agent's address, pid and the paths of the
    credential files (``snmp-v2c.toml``, ``snmp-v3.toml``), never the secrets.
    """
    directory = state_dir / _DIR
    directory.mkdir(mode=0o700, exist_ok=True)
    community = secrets.token_hex(8)
    auth_key, priv_key = secrets.token_hex(12), secrets.token_hex(12)
    config = directory / "snmpd.conf"
    _write_private(
        config,
        f"agentAddress udp:{address}:161\n"
        f"rocommunity {community} {clients}\n"
        f'createUser {V3_USER} SHA "{auth_key}" AES "{priv_key}"\n'
        f"rouser {V3_USER} priv\n"
        "sysName cclab-router\n"
        "sysDescr camcensus lab router (Linux, net-snmp)\n"
        "sysLocation camcensus lab (network namespace)\n"
        "sysServices 72\n",
    )
    v2c = state_dir / "snmp-v2c.toml"
    v3 = state_dir / "snmp-v3.toml"
    _write_private(v2c, f'[[snmp]]\nversion = "2c"\ncommunity = "{community}"\n')
    _write_private(
        v3,
        f'[[snmp]]\nversion = "3"\nuser = "{V3_USER}"\nauth_protocol = "SHA"\n'
        f'auth_key = "{auth_key}"\npriv_protocol = "AES"\npriv_key = "{priv_key}"\n',
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
            return {
                "address": address,
                "pid": pid,
                "credentials_v2c": str(v2c),
                "credentials_v3": str(v3),
            }
        time.sleep(0.05)
    raise LabError(f"snmpd wrote no pid file within {READY_TIMEOUT_S} s (see {log_file})")


def stop_agent(state_dir: Path) -> None:
    """Stop the agent a lab started, if any (idempotent)."""
    pid_file = state_dir / _DIR / "snmpd.pid"
    try:
        pid = int(pid_file.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return
    if b"snmpd" not in cmdline or str(state_dir).encode() not in cmdline:
        return  # the pid was reused by something else
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
