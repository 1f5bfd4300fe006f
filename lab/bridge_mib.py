"""The routed lab switch's forwarding table over SNMP: a net-snmp ``pass_persist`` program.

The lab's access switch is a Linux bridge; its real snmpd hands the BRIDGE-MIB
dot1dTpFdbTable subtree (1.3.6.1.2.1.17.4.3, RFC 4188) to this program, which answers
from the bridge's real forwarding database (``bridge -j fdb show``, iproute2):

* ``dot1dTpFdbAddress`` (.1.<mac>), ``dot1dTpFdbPort`` (.2.<mac>: the bridge port
  number, ``/sys/class/net/<port>/brport/port_no``) and ``dot1dTpFdbStatus`` (.3.<mac>:
  learned(3) for a MAC the bridge learned on a port, self(4) for a port's own address);
* the bridge's own multicast/broadcast entries are not a port's and are left out.

Why not net-snmp's own ``snmp-bridge-mib`` (Debian's ``snmp`` package): in 5.9 it reads
the kernel's ``brforward`` records with their ``is_local`` flag inverted (include/uapi/
linux/if_bridge.h ``struct __fdb_entry``), so every learned MAC comes out as self(4)
with no port, and a real switch does not answer like that.

The protocol (snmpd.conf(5), ``pass_persist``): ``PING`` -> ``PONG``; ``get``/``getnext``
and an OID -> the OID, a type and a value on three lines, or ``NONE``; ``set`` ->
``not-writable``. The table is re-read at most every ``REFRESH_S`` seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Final, TextIO

__all__ = ["FDB_TABLE", "Q_FDB_TABLE", "REFRESH_S", "fdb_rows", "serve"]

FDB_TABLE: Final = (1, 3, 6, 1, 2, 1, 17, 4, 3)
Q_FDB_TABLE: Final = (1, 3, 6, 1, 2, 1, 17, 7, 1, 2, 2)
REFRESH_S: Final = 5.0
_LEARNED: Final = 3
_SELF: Final = 4

Row = tuple[tuple[int, ...], str, str]


def _port_no(port: str) -> int | None:
    try:
        return int(Path(f"/sys/class/net/{port}/brport/port_no").read_text().strip(), 16)
    except (OSError, ValueError):
        return None


def fdb_rows(entries: list[dict[str, object]], bridge: str) -> list[Row]:
    """The tables' rows, sorted by OID, from ``bridge -j fdb show br BRIDGE`` entries."""
    rows: dict[tuple[int, ...], Row] = {}
    for entry in entries:
        mac, port = str(entry.get("mac", "")), str(entry.get("ifname", ""))
        flags = entry.get("flags") or []
        if port in ("", bridge) or "self" in (flags if isinstance(flags, list) else []):
            continue  # the bridge's own (multicast, broadcast) entries
        octets = bytes.fromhex(mac.replace(":", ""))
        if len(octets) != 6 or octets[0] & 1:
            continue
        number = _port_no(port)
        if number is None:
            continue
        status = str(_SELF if entry.get("state") == "permanent" else _LEARNED)
        index = tuple(octets)
        for oid, kind, value in (
            ((*FDB_TABLE, 1, 1, *index), "octet", " ".join(f"{b:02x}" for b in octets)),
            ((*FDB_TABLE, 1, 2, *index), "integer", str(number)),
            ((*FDB_TABLE, 1, 3, *index), "integer", status),
        ):
            rows.setdefault(oid, (oid, kind, value))  # one dot1d row a MAC, whatever VLAN
        vlan = entry.get("vlan")
        if isinstance(vlan, int) and 0 < vlan < 4095:
            for column, value in ((2, str(number)), (3, status)):
                oid = (*Q_FDB_TABLE, 1, column, vlan, *index)
                rows[oid] = (oid, "integer", value)
    return sorted(rows.values())


def _read(bridge: str) -> list[Row]:
    done = subprocess.run(
        ["bridge", "-j", "fdb", "show", "br", bridge],
        capture_output=True, text=True, check=False, timeout=10,
    )  # fmt: skip
    try:
        entries = json.loads(done.stdout or "[]")
    except ValueError:
        return []
    return fdb_rows(entries if isinstance(entries, list) else [], bridge)


def _oid(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.strip().strip(".").split("."))
    except ValueError:
        return ()


def serve(bridge: str, stdin: TextIO, stdout: TextIO) -> None:
    """Answer snmpd's requests on *stdin* until it closes it."""
    rows: list[Row] = []
    read_at = -REFRESH_S

    def table() -> list[Row]:
        nonlocal rows, read_at
        if time.monotonic() - read_at >= REFRESH_S:
            rows, read_at = _read(bridge), time.monotonic()
        return rows

    def answer(row: Row | None) -> None:
        if row is None:
            stdout.write("NONE\n")
        else:
            stdout.write("." + ".".join(map(str, row[0])) + f"\n{row[1]}\n{row[2]}\n")

    for line in stdin:
        command = line.strip()
        if command == "PING":
            stdout.write("PONG\n")
        elif command in ("get", "getnext"):
            wanted = _oid(stdin.readline())
            if command == "get":
                answer(next((r for r in table() if r[0] == wanted), None))
            else:
                answer(next((r for r in table() if r[0] > wanted), None))
        elif command == "set":
            stdin.readline()
            stdin.readline()
            stdout.write("not-writable\n")
        elif command:
            stdout.write("NONE\n")
        stdout.flush()


if __name__ == "__main__":
    serve(sys.argv[1], sys.stdin, sys.stdout)
