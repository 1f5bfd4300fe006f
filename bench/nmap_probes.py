"""nmap's service fingerprints, read from the locally installed nmap, applied to a reply.

The peer in ``bench/identify.py``: nmap's ``nmap-service-probes`` (Debian's nmap package,
``/usr/share/nmap``) holds, per probe, ``match`` lines of a PCRE and version fields
(``p/product/ v/version/ i/info/ d/device type/ cpe:/...``).  ``match_reply`` runs a
reply through the match lines of the probes nmap would have sent to get it (the first
hard match of a probe wins, as in nmap), so camcensus and nmap are judged on the same
bytes.  nmap's data is read where nmap installed it and never copied into the repo.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

PROBES_FILE: Final = Path("/usr/share/nmap/nmap-service-probes")
PROBES_BY_KIND: Final = {
    "http": ("GetRequest", "HTTPOptions", "FourOhFourRequest", "GenericLines", "NULL"),
    "isapi": ("GetRequest", "FourOhFourRequest", "GenericLines"),
    "rtsp": ("RTSPRequest", "GenericLines", "NULL"),
    "ftp": ("NULL", "GenericLines"),
    "telnet": ("NULL", "GenericLines"),
}
"""The probes whose replies a reply of each kind stands for (nmap's own probe names)."""
_FIELD: Final = re.compile(r"\s*(p|v|i|h|o|d|cpe:)(.)")


@dataclass(frozen=True, slots=True)
class Match:
    """One match line: the service, the compiled pattern, its version templates."""

    service: str
    pattern: re.Pattern[bytes]
    fields: tuple[tuple[str, str], ...]
    soft: bool


@dataclass(frozen=True, slots=True)
class Hit:
    """What nmap would print for a reply: service, product, info, device type, CPEs."""

    service: str
    product: str
    info: str
    device_type: str
    cpes: tuple[str, ...]


def _fields(text: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        found = _FIELD.match(text, pos)
        if found is None:
            break
        name, delimiter = found.group(1), found.group(2)
        end = text.find(delimiter, found.end())
        if end < 0:
            break
        out.append((name, text[found.end() : end]))
        pos = end + 1
        while pos < len(text) and text[pos] == "a":  # cpe:/.../a flag
            pos += 1
    return tuple(out)


def _parse_match(line: str) -> Match | None:
    soft = line.startswith("softmatch ")
    rest = line.split(" ", 1)[1]
    service, _, spec = rest.partition(" ")
    if not spec.startswith("m") or len(spec) < 3:
        return None
    delimiter = spec[1]
    end = spec.find(delimiter, 2)
    if end < 0:
        return None
    pattern_text = spec[2:end]
    flags_end = end + 1
    flags = 0
    while flags_end < len(spec) and spec[flags_end] in "is":
        flags |= re.IGNORECASE if spec[flags_end] == "i" else re.DOTALL
        flags_end += 1
    try:
        pattern = re.compile(pattern_text.encode("latin-1"), flags)
    except (re.error, UnicodeEncodeError, OverflowError):
        return None  # a PCRE construct Python's re does not have: that line is skipped
    return Match(service, pattern, _fields(spec[flags_end:]), soft)


@cache
def probes() -> dict[str, tuple[Match, ...]]:
    """Every TCP probe's match lines, in file order; ``{}`` when nmap is not installed."""
    if not PROBES_FILE.exists():
        return {}
    by_probe: dict[str, list[Match]] = {}
    current: list[Match] | None = None
    for raw in PROBES_FILE.read_text(encoding="latin-1").splitlines():
        if raw.startswith("Probe "):
            parts = raw.split()
            current = by_probe.setdefault(parts[2], []) if parts[1] == "TCP" else None
        elif current is not None and raw.startswith(("match ", "softmatch ")):
            parsed = _parse_match(raw)
            if parsed is not None:
                current.append(parsed)
    return {name: tuple(matches) for name, matches in by_probe.items()}


def _fill(template: str, found: re.Match[bytes]) -> str:
    def group(m: re.Match[str]) -> str:
        index = int(m.group(1))
        try:
            value = found.group(index)
        except IndexError:
            return ""
        return (value or b"").decode("latin-1")

    return re.sub(r"\$(\d)", group, template)


def match_reply(kind: str, data: bytes, probe_names: Sequence[str] | None = None) -> Hit | None:
    """nmap's verdict on one reply, or None when no match line fits it."""
    table = probes()
    soft: Hit | None = None
    for name in probe_names or PROBES_BY_KIND.get(kind, ()):
        for line in table.get(name, ()):
            found = line.pattern.search(data)
            if found is None:
                continue
            values: dict[str, str] = {}
            cpes: list[str] = []
            for field, template in line.fields:
                text = _fill(template, found)
                if field == "cpe:":
                    cpes.append(text)
                else:
                    values[field] = text
            hit = Hit(
                line.service,
                values.get("p", ""),
                values.get("i", ""),
                values.get("d", ""),
                tuple(cpes),
            )
            if not line.soft:
                return hit
            soft = soft or hit
    return soft
