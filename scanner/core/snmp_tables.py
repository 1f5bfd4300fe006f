"""What routers and switches tell over SNMP (pure): their ARP and forwarding tables.

A router's ARP cache maps the addresses on its connected subnets to the MACs that
answered for them, so it gives a scanner behind the router what ARP gives one on the
link: the link-layer MAC of each device (and so its IEEE block and a stable key).
A switch's forwarding table lists the MACs learned on its ports, without addresses.

Tables read (column OIDs, RFC numbers):

* IP-MIB ``ipNetToPhysicalPhysAddress`` 1.3.6.1.2.1.4.35.1.4 and ``...Type`` .6
  (RFC 4293), indexed ``ifIndex.addressType.length.address``; only IPv4 rows
  (``addressType`` 1, length 4) are kept;
* the older ``ipNetToMediaPhysAddress`` 1.3.6.1.2.1.4.22.1.2 and ``...Type`` .4
  (RFC 1213), indexed ``ifIndex.a.b.c.d``: agents that predate RFC 4293 have only it;
* ``ipAdEntNetMask`` 1.3.6.1.2.1.4.20.1.3 (RFC 1213), indexed by the agent's own
  address: the subnets the router is connected to, so its ARP cache speaks for them;
* BRIDGE-MIB ``dot1dTpFdbPort`` 1.3.6.1.2.1.17.4.3.1.2 and ``...Status`` .3 (RFC
  4188), indexed by the MAC; Q-BRIDGE-MIB ``dot1qTpFdbPort`` 1.3.6.1.2.1.17.7.1.2.2.1.2
  and ``...Status`` .3 (RFC 4363), indexed ``vlan.mac``.

Rows are what an agent sent, so hostile input: an OID outside the column, an index of
the wrong shape, a value of the wrong type, a multicast or all-zero MAC, or a row the
agent marks invalid is skipped and counted, never an exception.  Also here: the SNMP
credentials file (parsed, secrets kept out of ``repr``) and the kernel's IPv4 routes
(``/proc/net/route``), whose gateways are the routers a scan may read.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network
from typing import Final, Literal

from camcensus.base.errors import CredentialsError, MalformedReplyError
from camcensus.scanner.core._entries import credential_entries, networks

__all__ = [
    "ARP_COLUMNS",
    "FDB_COLUMNS",
    "MAX_TABLE_ROWS",
    "SUBNET_COLUMNS",
    "ArpEntry",
    "AuthProtocol",
    "FdbEntry",
    "PrivProtocol",
    "Route",
    "SnmpCredential",
    "SnmpCredentials",
    "SnmpVersion",
    "TableRead",
    "Varbind",
    "parse_arp",
    "parse_fdb",
    "parse_proc_net_route",
    "parse_snmp_credentials",
    "parse_subnets",
]

Varbind = tuple[str, bytes | int | str]
"""One row an agent returned: the dotted OID and its value (octets, integer or text)."""

MAX_TABLE_ROWS: Final = 65_536
"""Most rows read from one table of one agent (a /16 of ARP entries)."""

_IP_NET_TO_PHYSICAL_ADDRESS: Final = "1.3.6.1.2.1.4.35.1.4"
_IP_NET_TO_PHYSICAL_TYPE: Final = "1.3.6.1.2.1.4.35.1.6"
_IP_NET_TO_MEDIA_ADDRESS: Final = "1.3.6.1.2.1.4.22.1.2"
_IP_NET_TO_MEDIA_TYPE: Final = "1.3.6.1.2.1.4.22.1.4"
_IP_AD_ENT_NET_MASK: Final = "1.3.6.1.2.1.4.20.1.3"
_DOT1D_FDB_PORT: Final = "1.3.6.1.2.1.17.4.3.1.2"
_DOT1D_FDB_STATUS: Final = "1.3.6.1.2.1.17.4.3.1.3"
_DOT1Q_FDB_PORT: Final = "1.3.6.1.2.1.17.7.1.2.2.1.2"
_DOT1Q_FDB_STATUS: Final = "1.3.6.1.2.1.17.7.1.2.2.1.3"

ARP_COLUMNS: Final = (
    _IP_NET_TO_PHYSICAL_ADDRESS,
    _IP_NET_TO_PHYSICAL_TYPE,
    _IP_NET_TO_MEDIA_ADDRESS,
    _IP_NET_TO_MEDIA_TYPE,
)
SUBNET_COLUMNS: Final = (_IP_AD_ENT_NET_MASK,)
FDB_COLUMNS: Final = (_DOT1D_FDB_PORT, _DOT1D_FDB_STATUS, _DOT1Q_FDB_PORT, _DOT1Q_FDB_STATUS)

_INVALID_TYPE: Final = 2  # ipNetToPhysicalType / ipNetToMediaType invalid(2)
_FDB_SKIPPED_STATUS: Final = frozenset({2, 4})  # invalid(2), self(4): not a port's device


@dataclass(frozen=True, slots=True)
class ArpEntry:
    """One IPv4 address and the MAC an agent's ARP cache holds for it."""

    ip: str
    mac: str
    if_index: int


@dataclass(frozen=True, slots=True)
class FdbEntry:
    """One MAC a switch learned on a port (``vlan`` 0 for the BRIDGE-MIB table)."""

    mac: str
    port: int
    vlan: int = 0


@dataclass(frozen=True, slots=True)
class TableRead:
    """Rows of one table kept, and how many were skipped as not understood."""

    arp: tuple[ArpEntry, ...] = ()
    fdb: tuple[FdbEntry, ...] = ()
    subnets: tuple[IPv4Network, ...] = ()
    skipped: int = 0


def _index(oid: str, column: str) -> tuple[int, ...] | None:
    prefix = column + "."
    text = oid.lstrip(".")
    if not text.startswith(prefix):
        return None
    try:
        parts = tuple(int(p) for p in text[len(prefix) :].split("."))
    except ValueError:
        return None
    return parts if all(0 <= p < 2**32 for p in parts) else None


def _mac(value: bytes | int | str) -> str | None:
    """A unicast, non-zero MAC from six octets (or six octets written as hex text)."""
    if isinstance(value, str):
        digits = value.replace(":", "").replace("-", "").replace(" ", "").removeprefix("0x")
        try:
            value = bytes.fromhex(digits)
        except ValueError:
            return None
    if not isinstance(value, bytes) or len(value) != 6:
        return None
    if value[0] & 1 or not any(value):
        return None  # multicast/broadcast or all-zero: not a device
    return ":".join(f"{b:02x}" for b in value)


def _ipv4(octets: Sequence[int]) -> str | None:
    if len(octets) != 4 or any(o > 255 for o in octets):
        return None
    return ".".join(str(o) for o in octets)


def _int(value: bytes | int | str) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def parse_arp(varbinds: Iterable[Varbind]) -> TableRead:
    """ARP entries from ipNetToPhysicalTable and ipNetToMediaTable rows (see module)."""
    found: dict[tuple[int, str], str] = {}
    invalid: set[tuple[int, str]] = set()
    skipped = 0
    for oid, value in varbinds:
        if (index := _index(oid, _IP_NET_TO_PHYSICAL_ADDRESS)) is not None:
            if len(index) >= 2 and index[1] == 2:
                continue  # an IPv6 neighbour: fine, just not ours
            if len(index) != 7 or index[1:3] != (1, 4) or (ip := _ipv4(index[3:])) is None:
                skipped += 1
                continue
            mac = _mac(value)
            if mac is None:
                skipped += 1
            else:
                found[(index[0], ip)] = mac
        elif (index := _index(oid, _IP_NET_TO_MEDIA_ADDRESS)) is not None:
            if len(index) != 5 or (ip := _ipv4(index[1:])) is None:
                skipped += 1
                continue
            mac = _mac(value)
            if mac is None:
                skipped += 1
            else:
                found.setdefault((index[0], ip), mac)
        elif (index := _index(oid, _IP_NET_TO_PHYSICAL_TYPE)) is not None:
            ipv4 = len(index) == 7 and index[1:3] == (1, 4)
            if ipv4 and (ip := _ipv4(index[3:])) and _int(value) == _INVALID_TYPE:
                invalid.add((index[0], ip))
        elif (index := _index(oid, _IP_NET_TO_MEDIA_TYPE)) is not None:
            if len(index) == 5 and (ip := _ipv4(index[1:])) and _int(value) == _INVALID_TYPE:
                invalid.add((index[0], ip))
        else:
            skipped += 1
    entries = tuple(
        ArpEntry(ip, mac, if_index)
        for (if_index, ip), mac in sorted(
            found.items(), key=lambda kv: (kv[0][0], _order(kv[0][1]))
        )
        if (if_index, ip) not in invalid
    )
    return TableRead(arp=entries, skipped=skipped)


def _order(ip: str) -> int:
    return int(IPv4Address(ip))


def parse_subnets(varbinds: Iterable[Varbind]) -> TableRead:
    """The agent's own connected IPv4 subnets from ipAdEntNetMask rows."""
    subnets: dict[IPv4Network, None] = {}
    skipped = 0
    for oid, value in varbinds:
        index = _index(oid, _IP_AD_ENT_NET_MASK)
        address = _ipv4(index) if index is not None else None
        mask = _mask(value)
        if address is None or mask is None:
            skipped += 1
            continue
        network = IPv4Network(f"{address}/{mask}", strict=False)
        if not network.is_loopback and network.prefixlen > 0:
            subnets[network] = None
    return TableRead(subnets=tuple(subnets), skipped=skipped)


def _mask(value: bytes | int | str) -> str | None:
    if isinstance(value, bytes) and len(value) == 4:
        text = ".".join(str(b) for b in value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    try:
        return str(IPv4Network(f"0.0.0.0/{text}").netmask)
    except ValueError:
        return None


def parse_fdb(varbinds: Iterable[Varbind]) -> TableRead:
    """MACs learned on switch ports, from BRIDGE-MIB and Q-BRIDGE-MIB rows."""
    ports: dict[tuple[int, str], int] = {}
    skip_status: set[tuple[int, str]] = set()
    skipped = 0
    for oid, value in varbinds:
        for port_column, status_column, vlan_parts in (
            (_DOT1D_FDB_PORT, _DOT1D_FDB_STATUS, 0),
            (_DOT1Q_FDB_PORT, _DOT1Q_FDB_STATUS, 1),
        ):
            index = _index(oid, port_column)
            status_index = None if index is not None else _index(oid, status_column)
            chosen = index if index is not None else status_index
            if chosen is None:
                continue
            if len(chosen) != 6 + vlan_parts or any(p > 255 for p in chosen[vlan_parts:]):
                skipped += 1
                break
            vlan = chosen[0] if vlan_parts else 0
            mac = _mac(bytes(chosen[vlan_parts:]))
            number = _int(value)
            if mac is None or number is None:
                skipped += 1
            elif index is not None:
                ports[(vlan, mac)] = number
            elif number in _FDB_SKIPPED_STATUS:
                skip_status.add((vlan, mac))
            break
        else:
            skipped += 1
    kept = {key: port for key, port in ports.items() if key not in skip_status}
    per_vlan = {mac for vlan, mac in kept if vlan}
    entries = tuple(
        FdbEntry(mac, port, vlan)
        for (vlan, mac), port in sorted(kept.items())
        if vlan or mac not in per_vlan  # a MAC the Q-BRIDGE table has: its VLAN row only
    )
    return TableRead(fdb=entries, skipped=skipped)


SnmpVersion = Literal["2c", "3"]
AuthProtocol = Literal["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"]
PrivProtocol = Literal["DES", "AES"]
_AUTH: Final = ("MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512")
_PRIV: Final = ("DES", "AES")  # AES is AES-128 (RFC 3826); DES (RFC 3414) for old agents


@dataclass(frozen=True, slots=True)
class SnmpCredential:
    """One SNMP login: v2c ``community``, or a v3 ``user`` with authPriv keys.

    ``agents`` are the networks it is for (empty: any agent without a more specific
    entry). ``repr`` never shows a community or key.
    """

    version: SnmpVersion
    community: str = field(default="", repr=False)
    user: str = ""
    auth_protocol: AuthProtocol = "SHA"
    auth_key: str = field(default="", repr=False)
    priv_protocol: PrivProtocol = "AES"
    priv_key: str = field(default="", repr=False)
    agents: tuple[IPv4Network, ...] = ()


@dataclass(frozen=True, slots=True)
class SnmpCredentials:
    """The entries of a credentials file; ``for_agent`` picks one per agent."""

    entries: tuple[SnmpCredential, ...]

    def for_agent(self, address: str) -> SnmpCredential | None:
        """The entry whose ``agents`` holds ``address`` most specifically, else the
        first entry without ``agents``; None when no entry is for it. One entry, so one
        login attempt an agent."""
        ip = IPv4Address(address)
        best: tuple[int, SnmpCredential] | None = None
        for entry in self.entries:
            for network in entry.agents:
                if ip in network and (best is None or network.prefixlen > best[0]):
                    best = (network.prefixlen, entry)
        if best is not None:
            return best[1]
        return next((e for e in self.entries if not e.agents), None)


def _text_field(entry: Mapping[str, object], key: str, where: str, *, required: bool) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value):
        raise CredentialsError(f"{where}: '{key}' must be a non-empty string")
    return value


def parse_snmp_credentials(text: str, name: str = "SNMP credentials file") -> SnmpCredentials:
    """Parse ``[[snmp]]`` entries (TOML). CredentialsError naming the entry at fault;
    the message never quotes a secret."""
    entries: list[SnmpCredential] = []
    for where, entry in credential_entries(text, "snmp", name):
        agents = networks(entry.get("agents", []), where, "agents")
        version = str(entry.get("version", ""))
        if version in ("2c", "2"):
            community = _text_field(entry, "community", where, required=True)
            entries.append(SnmpCredential("2c", community=community, agents=agents))
        elif version == "3":
            auth = str(entry.get("auth_protocol", "SHA")).upper()
            priv = str(entry.get("priv_protocol", "AES")).upper()
            if auth not in _AUTH or priv not in _PRIV:
                raise CredentialsError(
                    f"{where}: auth_protocol must be one of {', '.join(_AUTH)} and "
                    f"priv_protocol one of {', '.join(_PRIV)} (authPriv only)"
                )
            auth_key = _text_field(entry, "auth_key", where, required=True)
            priv_key = _text_field(entry, "priv_key", where, required=True)
            if len(auth_key) < 8 or len(priv_key) < 8:
                raise CredentialsError(f"{where}: SNMPv3 keys need at least 8 characters")
            entries.append(
                SnmpCredential(
                    "3",
                    user=_text_field(entry, "user", where, required=True),
                    auth_protocol=auth,  # type: ignore[arg-type]  # checked above
                    auth_key=auth_key,
                    priv_protocol=priv,  # type: ignore[arg-type]
                    priv_key=priv_key,
                    agents=agents,
                )
            )
        else:
            raise CredentialsError(f'{where}: version must be "2c" or "3"')
    return SnmpCredentials(tuple(entries))


@dataclass(frozen=True, slots=True)
class Route:
    """One IPv4 route of the kernel table: destination network, gateway, interface."""

    interface: str
    network: IPv4Network
    gateway: IPv4Address | None


def _le_address(hex_text: str) -> IPv4Address:
    value = int(hex_text, 16)
    return IPv4Address(value.to_bytes(4, "little"))


def parse_proc_net_route(text: str) -> list[Route]:
    """The routes of ``/proc/net/route`` (addresses in little-endian hex), in order.

    MalformedReplyError when the header is not the kernel's.
    """
    lines = text.splitlines()
    if not lines or lines[0].split()[:4] != ["Iface", "Destination", "Gateway", "Flags"]:
        raise MalformedReplyError("not a /proc/net/route table")
    routes: list[Route] = []
    for line in lines[1:]:
        words = line.split()
        if len(words) < 8:
            continue
        try:
            destination = _le_address(words[1])
            gateway = _le_address(words[2])
            mask = _le_address(words[7])
            network = ipaddress.IPv4Network(f"{destination}/{mask}", strict=False)
        except ValueError:
            continue
        routes.append(Route(words[0], network, gateway if int(gateway) else None))
    return routes
