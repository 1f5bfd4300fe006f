"""Which addresses may be scanned: target parsing, the authorised scope, and the checks.

A scan only starts when every target lies inside the operator's scope (a file of
CIDRs/ranges, or a named built-in scope), is not multicast/broadcast/unspecified, is
private or reserved unless public addresses were explicitly allowed, and adds up to
no more than MAX_HOSTS addresses unless a large scan was explicitly allowed.
IPv4 only.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import shlex
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from typing import Final

from camcensus.base.errors import ScopeError

__all__ = [
    "BUILTIN_SCOPES",
    "MAX_HOSTS",
    "MAX_OCTET_COMBINATIONS",
    "SNMP_AGENT",
    "Scope",
    "SiteRange",
    "Target",
    "builtin_scope",
    "check_site_name",
    "check_targets",
    "exclude_targets",
    "expand_hosts",
    "nmap_target_specs",
    "parse_target",
    "parse_targets",
]

SNMP_AGENT: Final = "snmp-agent"
"""The scope-file keyword naming a router or switch to read over SNMP."""
MAX_HOSTS: Final = 65_536
"""Most addresses a scan may cover without an explicit large-scan flag (one /16)."""

BUILTIN_SCOPES: Final = {
    "lab": "198.18.0.0/15",  # RFC 2544 benchmarking range; the emulated lab lives here
    "loopback": "127.0.0.0/8",
}

_NON_PUBLIC: Final = tuple(
    IPv4Network(n)
    for n in (
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # RFC 6598 shared address space
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # TEST-NET-1
        "192.168.0.0/16",  # RFC 1918
        "198.18.0.0/15",  # RFC 2544 benchmarking
        "198.51.100.0/24",  # TEST-NET-2
        "203.0.113.0/24",  # TEST-NET-3
    )
)
_SITE_NAME: Final = re.compile(r"^[^\x00-\x1f\x7f/:]{1,64}$")
_ENTRY_KEYS: Final = ("site", "location")
_OCTET_ITEM: Final = re.compile(r"^(?:\*|(\d{1,3})(?:-(\d{1,3}))?)$")
_ADDRESS_CHARS: Final = re.compile(r"^[0-9.,*/\-\s]+$")
MAX_OCTET_COMBINATIONS: Final = 256 * 256
"""Most first-three-octet combinations one nmap-style spec may name (``10.0-255.0-255.1``)."""
_NEVER_SCAN: Final = (
    (IPv4Network("0.0.0.0/8"), "unspecified"),
    (IPv4Network("224.0.0.0/4"), "multicast"),
    (IPv4Network("255.255.255.255/32"), "broadcast"),
)


@dataclass(frozen=True, slots=True)
class Target:
    """One target as the operator wrote it: an inclusive address range.

    ``cidr`` is set when the spec was a CIDR or a single address; ``expand_hosts``
    then leaves out the network and broadcast addresses of prefixes shorter than /31.
    A ``first-last`` range is scanned in full.
    """

    spec: str
    first: IPv4Address
    last: IPv4Address
    cidr: IPv4Network | None = None

    @property
    def num_addresses(self) -> int:
        """How many addresses the range spans."""
        return int(self.last) - int(self.first) + 1

    def networks(self) -> list[IPv4Network]:
        """The range as the fewest CIDR blocks."""
        if self.cidr is not None:
            return [self.cidr]
        return list(ipaddress.summarize_address_range(self.first, self.last))

    def contains(self, address: str) -> bool:
        """True when ``address`` (text) is an IPv4 address inside this range."""
        try:
            parsed = IPv4Address(address)
        except ValueError:
            return False
        return self.first <= parsed <= self.last


def _address(text: str, spec: str) -> IPv4Address:
    try:
        parsed = ipaddress.ip_address(text.strip())
    except ValueError as exc:
        raise ScopeError(f"not an IPv4 address in target {spec!r}: {text.strip()!r}") from exc
    if not isinstance(parsed, IPv4Address):
        raise ScopeError(f"IPv6 targets are not supported: {spec!r}")
    return parsed


def parse_target(spec: str) -> Target:
    """``198.18.0.0/23``, ``198.18.0.7``, ``198.18.0.10-198.18.0.50`` or ``198.18.0.10-50``.

    A CIDR with host bits set means its whole network (as nmap reads it). Raises
    ScopeError for anything else, IPv6, or a range that runs backwards.
    """
    text = spec.strip()
    if not text:
        raise ScopeError("empty target")
    if "/" in text:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise ScopeError(f"not a CIDR network: {spec!r}") from exc
        if not isinstance(network, IPv4Network):
            raise ScopeError(f"IPv6 targets are not supported: {spec!r}")
        return Target(text, network.network_address, network.broadcast_address, network)
    if "-" in text:
        start_text, end_text = (part.strip() for part in text.split("-", 1))
        first = _address(start_text, spec)
        if end_text.isascii() and end_text.isdigit() and len(end_text) <= 3:
            if int(end_text) > 255:
                raise ScopeError(f"last octet over 255 in target {spec!r}")
            last = IPv4Address((int(first) & 0xFFFFFF00) | int(end_text))
        else:
            last = _address(end_text, spec)
        if last < first:
            raise ScopeError(f"range runs backwards: {spec!r}")
        return Target(text, first, last)
    address = _address(text, spec)
    return Target(text, address, address, IPv4Network(address))


def parse_targets(specs: str | Iterable[str]) -> list[Target]:
    """Parse every target spec (a string holds several, separated by whitespace).

    The one target grammar of camcensus: the CLI, the scope file, the runner and the
    inventory's record of what a scan covered all read targets here.  ScopeError names
    the first bad one.
    """
    items = specs.split() if isinstance(specs, str) else specs
    return [parse_target(spec) for spec in items]


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _without(
    pieces: list[tuple[int, int]], ranges: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The inclusive ranges ``pieces`` less every one of ``ranges``."""
    for low, high in ranges:
        pieces = [
            part
            for start, end in pieces
            for part in ((start, min(end, low - 1)), (max(start, high + 1), end))
            if part[0] <= part[1]
        ]
    return pieces


def _covered(target: Target, merged: list[tuple[int, int]]) -> bool:
    first, last = int(target.first), int(target.last)
    return any(low <= first and last <= high for low, high in merged)


def check_site_name(name: str) -> str:
    """``name`` stripped, when it can name a site: 1 to 64 characters, no ``/`` (it
    separates the site from the rest of a device key), no ``:`` (so no site name reads
    as the ``mac:``/``ip:`` of a key) and no control characters.  ScopeError otherwise."""
    stripped = name.strip()
    if not _SITE_NAME.match(stripped):
        raise ScopeError(
            f"not a site name: {name!r} (1 to 64 characters, no '/' or ':', no control characters)"
        )
    return stripped


@dataclass(frozen=True, slots=True)
class SiteRange:
    """A scope entry that names the site its addresses belong to (and, optionally,
    where or what that site is)."""

    target: Target
    site: str
    location: str = ""


def _entry(words: Sequence[str], sites: list[SiteRange]) -> Target:
    """One scope entry: a target, then optional ``site=NAME`` and ``location=TEXT``."""
    target = parse_target(words[0])
    values: dict[str, str] = {}
    for word in words[1:]:
        key, equals, value = word.partition("=")
        if not equals or key not in _ENTRY_KEYS:
            raise ScopeError(f"after the target write site=NAME or location=TEXT, not {word!r}")
        if key in values:
            raise ScopeError(f"{key}= given twice")
        values[key] = value
    if "location" in values and "site" not in values:
        raise ScopeError("location= needs a site=NAME on the same line")
    if "site" in values:
        location = values.get("location", "").strip()
        if any(c < " " or c == "\x7f" for c in location):
            raise ScopeError("a location may hold no control characters")
        sites.append(SiteRange(target, check_site_name(values["site"]), location))
    return target


@dataclass(frozen=True, slots=True)
class Scope:
    """The address ranges the operator is authorised to scan, and the sites the scope
    file names for some of them."""

    name: str
    targets: tuple[Target, ...]
    snmp_agents: tuple[str, ...] = ()
    sites: tuple[SiteRange, ...] = ()

    @classmethod
    def load(cls, text: str, name: str = "scope file") -> Scope:
        """One CIDR, address or range a line; ``#`` starts a comment; blank lines skipped.
        A line ``snmp-agent ADDRESS`` names a router or switch whose ARP or forwarding
        table a scan with SNMP credentials reads; it must lie inside the scope too.
        A target may be followed by ``site=NAME`` and ``location=TEXT`` (quote a value
        with spaces: ``198.18.16.0/24 site=Utrecht-CS location="platform 5"``): its
        devices belong to that site.

        Raises ScopeError naming the line of a bad entry, or when nothing is in scope.
        """
        targets: list[Target] = []
        agents: list[tuple[int, Target]] = []
        sites: list[SiteRange] = []
        for number, line in enumerate(text.splitlines(), start=1):
            entry = line.split("#", 1)[0].strip()
            if not entry:
                continue
            try:
                try:
                    words = shlex.split(entry)
                except ValueError as exc:
                    raise ScopeError(str(exc)) from exc
                if words[0] == SNMP_AGENT:
                    if len(words) != 2:
                        raise ScopeError(f"write '{SNMP_AGENT} ADDRESS'")
                    agent = parse_target(words[1])
                    if agent.num_addresses != 1:
                        raise ScopeError(f"an SNMP agent is one address, not {words[1]}")
                    agents.append((number, agent))
                else:
                    targets.append(_entry(words, sites))
            except ScopeError as exc:
                raise ScopeError(f"{name}, line {number}: {exc}") from exc
        if not targets:
            raise ScopeError(f"{name}: no addresses in scope")
        for first, second in itertools.combinations(sites, 2):
            if first.site != second.site and _overlap(first.target, second.target):
                raise ScopeError(
                    f"{name}: {first.target.spec} (site {first.site}) and "
                    f"{second.target.spec} (site {second.site}) overlap"
                )
        scope = cls(name, tuple(targets), tuple(str(a.first) for _n, a in agents), tuple(sites))
        for number, agent in agents:
            if not scope.contains(agent):
                raise ScopeError(
                    f"{name}, line {number}: SNMP agent {agent.first} is outside the scope"
                )
        return scope

    def contains(self, target: Target) -> bool:
        """True when every address of ``target`` is inside the scope."""
        merged = _merged((int(t.first), int(t.last)) for t in self.targets)
        return _covered(target, merged)

    def site_of(self, targets: Iterable[Target], default: str | None = None) -> str | None:
        """The one site a scan of ``targets`` belongs to: the site the scope file names
        for them, else ``default`` (``scan --site``), else None.

        A scan covers one site: ScopeError when the targets lie in two sites (or in a
        site and outside every site, unless ``default`` names that same site), or when
        one target lies partly inside a site's ranges and partly outside them.
        """
        found: dict[str | None, str] = {}
        for target in targets:
            named = {s.site for s in self.sites if _overlap(s.target, target)}
            if not named:
                site = default
            else:
                site = named.pop()
                ranges = [s.target for s in self.sites if s.site == site]
                if named or not _covered(target, _merged(_span(t) for t in ranges)):
                    raise ScopeError(
                        f"target {target.spec!r} lies partly outside site {site} "
                        "of the scope file; a scan covers one site"
                    )
            found.setdefault(site, target.spec)
        if len(found) > 1:
            listed = ", ".join(
                f"{spec} in site {site}" if site is not None else f"{spec} in no site"
                for site, spec in found.items()
            )
            raise ScopeError(f"targets lie in more than one site ({listed}); scan one at a time")
        return next(iter(found), None)

    def location_of(self, site: str) -> str:
        """The location the scope file gives ``site`` ("" when none)."""
        return next((s.location for s in self.sites if s.site == site and s.location), "")


def _span(target: Target) -> tuple[int, int]:
    return int(target.first), int(target.last)


def _overlap(one: Target, other: Target) -> bool:
    return int(one.first) <= int(other.last) and int(other.first) <= int(one.last)


def builtin_scope(name: str) -> Scope:
    """A named built-in scope (``lab`` = 198.18.0.0/15, ``loopback`` = 127.0.0.0/8)."""
    cidr = BUILTIN_SCOPES.get(name)
    if cidr is None:
        known = ", ".join(sorted(BUILTIN_SCOPES))
        raise ScopeError(f"unknown built-in scope {name!r} (known: {known})")
    return Scope(f"built-in scope {name!r}", (parse_target(cidr),))


def _never_scan_reason(target: Target) -> str | None:
    for network, reason in _NEVER_SCAN:
        if int(target.first) <= int(network.broadcast_address) and int(
            network.network_address
        ) <= int(target.last):
            return reason
    return None


def check_targets(
    targets: Iterable[Target],
    scope: Scope,
    *,
    allow_public: bool,
    allow_large: bool = False,
    max_hosts: int = MAX_HOSTS,
) -> None:
    """Raise ScopeError, naming the first offending target, unless the scan is allowed.

    Refused: no targets; a target touching multicast, limited broadcast or 0.0.0.0/8;
    a target not wholly inside ``scope``; a target with public addresses when
    ``allow_public`` is false; more than ``max_hosts`` addresses in total when
    ``allow_large`` is false.
    """
    checked = list(targets)
    if not checked:
        raise ScopeError("no targets given")
    non_public = _merged((int(n.network_address), int(n.broadcast_address)) for n in _NON_PUBLIC)
    total = 0
    for target in checked:
        reason = _never_scan_reason(target)
        if reason is not None:
            raise ScopeError(f"target {target.spec!r} includes {reason} addresses; refusing")
        if not scope.contains(target):
            raise ScopeError(f"target {target.spec!r} is outside the {scope.name}")
        if not allow_public and not _covered(target, non_public):
            raise ScopeError(
                f"target {target.spec!r} includes public addresses; "
                "pass the allow-public option if you own them"
            )
        total += target.num_addresses
    if total > max_hosts and not allow_large:
        raise ScopeError(
            f"targets cover {total} addresses, more than {max_hosts}; "
            "pass the large-scan option to confirm"
        )


def expand_hosts(targets: Iterable[Target]) -> Iterator[IPv4Address]:
    """Every address to probe, in order; CIDRs shorter than /31 skip network/broadcast.

    Addresses named by more than one target are yielded once.
    """
    done: list[tuple[int, int]] = []
    for target in targets:
        first, last = int(target.first), int(target.last)
        if target.cidr is not None and target.cidr.prefixlen < 31:
            first, last = first + 1, last - 1
        pieces = _without([(first, last)] if first <= last else [], done)
        for start, end in pieces:
            for number in range(start, end + 1):
                yield IPv4Address(number)
        if first <= last:
            done.append((first, last))


def _octet_items(part: str, spec: str) -> list[tuple[int, int]]:
    """One octet of an nmap-style spec (``10``, ``10-20``, ``*``, ``1,5,7-9``) as ranges."""
    ranges: list[tuple[int, int]] = []
    for item in part.split(","):
        found = _OCTET_ITEM.match(item.strip())
        if found is None:
            raise ScopeError(f"not an address or nmap octet range in target {spec!r}: {item!r}")
        low = int(found.group(1)) if found.group(1) is not None else 0
        high = int(found.group(2)) if found.group(2) is not None else low
        if found.group(1) is None:
            high = 255
        if high > 255:
            raise ScopeError(f"octet over 255 in target {spec!r}")
        if high < low:
            raise ScopeError(f"octet range runs backwards in target {spec!r}: {item!r}")
        ranges.append((low, high))
    return ranges


def nmap_target_specs(spec: str) -> list[str] | None:
    """camcensus target specs for one target written as nmap reads it, or None for a
    hostname (anything with a letter in it: the caller resolves it).

    Beyond ``parse_target``'s grammar, each octet may be a comma list of numbers and
    ranges, or ``*``: ``198.18.0.10,11,12``, ``198.18.0-1.5``, ``198.18.0.*``.  A ``*``
    last octet means that /24 (its network and broadcast addresses are left out, as
    for any CIDR target).  ScopeError when the spec is neither.
    """
    text = spec.strip()
    if not _ADDRESS_CHARS.match(text):
        if any(c.isalpha() for c in text):
            return None
        raise ScopeError(f"not an IPv4 address, range or hostname: {spec!r}")
    try:
        parse_target(text)
    except ScopeError:
        if "/" in text or text.count(".") != 3:
            raise  # a CIDR or an address range: parse_target's word on it stands
    else:
        return [text]
    parts = text.split(".")
    if len(parts) != 4:
        raise ScopeError(f"not an IPv4 address or nmap octet range: {spec!r}")
    octets = [_octet_items(part, spec) for part in parts]
    leading = [sorted({v for low, high in o for v in range(low, high + 1)}) for o in octets[:3]]
    if len(leading[0]) * len(leading[1]) * len(leading[2]) > MAX_OCTET_COMBINATIONS:
        raise ScopeError(f"target {spec!r} names too many ranges; write it as CIDRs")
    whole = parts[3].strip() == "*"
    specs: list[str] = []
    for a, b, c in itertools.product(*leading):
        if whole:
            specs.append(f"{a}.{b}.{c}.0/24")
            continue
        for low, high in octets[3]:
            specs.append(f"{a}.{b}.{c}.{low}" + (f"-{high}" if high != low else ""))
    return specs


def _host_range(target: Target) -> tuple[int, int]:
    """The addresses ``expand_hosts`` yields for ``target``, as one inclusive range."""
    first, last = int(target.first), int(target.last)
    if target.cidr is not None and target.cidr.prefixlen < 31:
        first, last = first + 1, last - 1
    return first, last


def exclude_targets(targets: Sequence[Target], excluded: Sequence[Target]) -> list[Target]:
    """``targets`` without the addresses of ``excluded`` (nmap's ``--exclude``).

    A target no exclusion touches is kept as written; one that is cut becomes the
    address ranges left of the hosts it would scan (a CIDR's network and broadcast
    addresses stay out).  Pieces are specs ``parse_target`` reads back alike.
    """
    cut = _merged((int(t.first), int(t.last)) for t in excluded)
    kept: list[Target] = []
    for target in targets:
        first, last = int(target.first), int(target.last)
        if not any(low <= last and first <= high for low, high in cut):
            kept.append(target)
            continue
        for start, end in _without([_host_range(target)], cut):
            text = str(IPv4Address(start))
            if end != start:
                text += f"-{IPv4Address(end)}"
            kept.append(parse_target(text))
    return kept
