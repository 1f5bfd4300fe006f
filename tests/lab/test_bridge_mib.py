"""The lab switch's BRIDGE-MIB pass_persist program: rows from iproute2's JSON fdb
listing, and the snmpd.conf(5) pass_persist protocol (no network, no namespace)."""

from __future__ import annotations

import io

import pytest

from camcensus.lab import bridge_mib

# shaped as `bridge -j fdb show br ccbr1` prints them (iproute2 6.1.0, seen in a lab run)
ENTRIES = [
    {
        "mac": "00:04:63:00:00:03",
        "ifname": "p003",
        "vlan": 1,
        "flags": [],
        "master": "ccbr1",
        "state": "",
    },
    {
        "mac": "06:2d:83:18:f0:ba",
        "ifname": "p003",
        "flags": [],
        "master": "ccbr1",
        "state": "permanent",
    },
    {"mac": "33:33:00:00:00:01", "ifname": "ccbr1", "flags": ["self"], "state": "permanent"},
    {"mac": "01:00:5e:00:00:01", "ifname": "p003", "flags": [], "master": "ccbr1", "state": ""},
]
FDB = ".1.3.6.1.2.1.17.4.3.1"
QFDB = ".1.3.6.1.2.1.17.7.1.2.2.1"


@pytest.fixture(autouse=True)
def _ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bridge_mib, "_port_no", lambda port: {"p003": 4}.get(port))
    monkeypatch.setattr(bridge_mib, "_read", lambda bridge: bridge_mib.fdb_rows(ENTRIES, bridge))


def test_learned_and_own_addresses_become_rows_and_the_bridges_own_do_not() -> None:
    rows = bridge_mib.fdb_rows(ENTRIES, "ccbr1")
    by_oid = {".".join(map(str, oid)): (kind, value) for oid, kind, value in rows}
    assert by_oid["1.3.6.1.2.1.17.4.3.1.1.0.4.99.0.0.3"] == ("octet", "00 04 63 00 00 03")
    assert by_oid["1.3.6.1.2.1.17.4.3.1.2.0.4.99.0.0.3"] == ("integer", "4")
    assert by_oid["1.3.6.1.2.1.17.4.3.1.3.0.4.99.0.0.3"] == ("integer", "3")  # learned
    assert by_oid["1.3.6.1.2.1.17.4.3.1.3.6.45.131.24.240.186"] == ("integer", "4")  # self
    # the VLAN-aware bridge's entry is in the Q-BRIDGE table too, per VLAN
    q = "1.3.6.1.2.1.17.7.1.2.2.1"
    assert by_oid[f"{q}.2.1.0.4.99.0.0.3"] == ("integer", "4")
    assert by_oid[f"{q}.3.1.0.4.99.0.0.3"] == ("integer", "3")
    assert len(rows) == 8  # the bridge's own multicast entry and a multicast MAC left out
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)


def _session(text: str) -> str:
    out = io.StringIO()
    bridge_mib.serve("ccbr1", io.StringIO(text), out)
    return out.getvalue()


def test_the_pass_persist_protocol_is_spoken() -> None:
    reply = _session(
        "PING\n"
        f"getnext\n{FDB}\n"  # the table's first row
        f"get\n{FDB}.2.0.4.99.0.0.3\n"
        f"get\n{FDB}.2.1.2.3.4.5.6\n"  # no such row
        f"getnext\n{FDB}.3.6.45.131.24.240.186\n"  # past dot1d: on to the Q-BRIDGE table
        f"getnext\n{QFDB}.3.1.0.4.99.0.0.3\n"  # past the end
        f"set\n{FDB}.2.0.4.99.0.0.3\ninteger 9\n"
    )
    assert reply.splitlines() == [
        "PONG",
        f"{FDB}.1.0.4.99.0.0.3", "octet", "00 04 63 00 00 03",
        f"{FDB}.2.0.4.99.0.0.3", "integer", "4",
        "NONE",
        f"{QFDB}.2.1.0.4.99.0.0.3", "integer", "4",
        "NONE",
        "not-writable",
    ]  # fmt: skip
