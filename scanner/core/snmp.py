"""SNMP system group values as evidence: sysDescr and sysObjectID (MIB-II, RFC 1213).

``printed_system`` reads the two values out of what SNMP tools print, as admins and
issue threads publish them: net-snmp's ``snmpget``/``snmpwalk`` (``SNMPv2-MIB::sysDescr.0
= STRING: ...``, numeric ``-On`` names, ``-Oq``'s lines without ``= TYPE:``,
``Hex-STRING:`` values, a string going on over several lines), pysnmp's ``name = value``
lines, snmpsim's ``.snmprec`` records (``1.3.6.1.2.1.1.1.0|4|...``) and nmap's
``snmp-sysdescr`` script.
"""

from __future__ import annotations

import re
from typing import Final

from camcensus.base.evidence import Evidence
from camcensus.scanner.core import nmapfp
from camcensus.scanner.core._evidence import EvidenceList

__all__ = ["SOURCE", "printed_system", "system_evidence"]

SOURCE: Final = "snmp"
_OID: Final = re.compile(r"\.?\d+(?:\.\d+){1,127}")
_SYS_DESCR: Final = "1.3.6.1.2.1.1.1.0"
_SYS_OBJECT_ID: Final = "1.3.6.1.2.1.1.2.0"
_NAMES: Final = {"sysdescr.0": _SYS_DESCR, "sysobjectid.0": _SYS_OBJECT_ID}
_MAX_LINES: Final = 4000
_MAX_LINE_CHARS: Final = 4096
_MAX_VALUE_CHARS: Final = 2048
_MAX_PENDING_LINES: Final = 16
_VARBIND: Final = re.compile(
    r"^\s*(?P<name>[\w.:-]{1,200}?)\s+=\s+"
    r"(?:(?P<type>STRING|Hex-STRING|OID|INTEGER|Timeticks|Gauge32|Counter32|Counter64|"
    r"IpAddress|OCTET STRING|OBJECT IDENTIFIER|BITS|Opaque):\s?)?(?P<value>.*)$"
)
_QUICK: Final = re.compile(
    r"^\s*(?P<name>[\w-]{1,64}::[\w.-]{1,128}|\.?(?:1|iso)(?:\.\d{1,10}){2,127})"
    r"(?P<type>)[ \t]+(?P<value>[^\s=].*)$"
)
"""net-snmp's ``-Oq`` line: the name, a blank and the value, no ``= TYPE:``
(``SNMPv2-MIB::sysDescr.0 Linux ...``, ``.1.3.6.1.2.1.1.1.0 "Linux ..."`` with ``-Oqn``);
only a module-qualified or numeric name counts (a bare ``sysDescr.0`` starts prose too),
and only in a text of one line or of two such lines or more (prose can start with a
variable's name; a walk's output does not stop after one)."""
_NO_VALUE: Final = re.compile(
    r"\s*(?:No Such (?:Object|Instance)|No more variables left)", re.IGNORECASE
)
"""What net-snmp prints in place of a value the agent does not have: no sysDescr."""
_SNMPREC: Final = re.compile(
    r"^\s*(?P<name>\.?\d+(?:\.\d+){1,127})\|(?P<tag>\d{1,3}x?)\|(?P<value>.*)$"
)
_NMAP_DESCR: Final = re.compile(r"^[|_\s]*snmp-sysdescr:\s*(?P<value>.*)$")
_NMAP_MORE: Final = re.compile(r"^\|_?\s+(?P<value>.*)$")
_NMAP_UPTIME: Final = re.compile(r"System uptime:", re.IGNORECASE)
_PROMPT: Final = re.compile(r"\s*(?:[$#>%] |\S+@\S+[:~$#])")
"""A shell's prompt (``$ snmpget ...``, ``user@host:~$``): the admin's, not the agent's."""
_PREFIXES: Final = (
    (".iso.org.dod.internet.private.enterprises.", "1.3.6.1.4.1."),
    ("iso.org.dod.internet.private.enterprises.", "1.3.6.1.4.1."),
    (".iso.org.dod.internet.mgmt.mib-2.", "1.3.6.1.2.1."),
    ("iso.org.dod.internet.mgmt.mib-2.", "1.3.6.1.2.1."),
    ("iso.", "1."),
    ("SNMPv2-SMI::enterprises.", "1.3.6.1.4.1."),
    ("SNMPv2-SMI::mib-2.", "1.3.6.1.2.1."),
    ("enterprises.", "1.3.6.1.4.1."),
)
_HEX_BYTES: Final = re.compile(r"(?:[0-9A-Fa-f]{2}\s*)+")


def system_evidence(
    sys_descr: str | None, sys_object_id: str | None, address: str
) -> list[Evidence]:
    """``snmp.sysdescr`` and ``snmp.sysobjectid`` (only when it is a dotted OID)."""
    found = EvidenceList(SOURCE, address)
    found.add("snmp.sysdescr", sys_descr)
    oid = (sys_object_id or "").strip()
    if _OID.fullmatch(oid):
        found.add("snmp.sysobjectid", oid.lstrip("."))
    return found.items()


def _numeric(name: str) -> str:
    """An OID as net-snmp or pysnmp names it, dotted (``iso.3.6.1...``, the MIB-II and
    enterprises prefixes; ``sysDescr.0`` under any module or path prefix: ``-Of``'s
    ``.iso.org...system.sysDescr.0``, ``-Ou``'s ``system.sysDescr.0``); other MIB
    names are left as they are."""
    name = name.strip().strip('"')
    last = re.split(r"::|\.(?=[A-Za-z])", name)[-1]
    if (known := _NAMES.get(last.casefold())) is not None:
        return known
    for prefix, dotted in _PREFIXES:
        if name.startswith(prefix):
            return dotted + name[len(prefix) :]
    return name.lstrip(".")


_QUOTED_END: Final = re.compile(r'(?<!\\)(?:\\\\)*"\s*$')
"""A line that closes a quoted value: a quote not escaped by a backslash (net-snmp
writes ``\\"`` and ``\\\\`` inside quotes)."""


def _unquote(value: str) -> str:
    return re.sub(r"\\([\\\"])", r"\1", value)


def _string(kind: str, value: str) -> str:
    value = value.strip()
    if kind.casefold() in ("hex-string", "4x") and _HEX_BYTES.fullmatch(value):
        raw = bytes.fromhex(re.sub(r"\s+", "", value))
        return raw.rstrip(b"\0").decode("utf-8", errors="replace").strip()
    if len(value) >= 2 and value[0] == '"' and _QUOTED_END.search(value[1:]):
        value = _unquote(value[1:].rstrip()[:-1])
    return value


def printed_system(text: str) -> tuple[str | None, str | None]:
    """sysDescr.0 and sysObjectID.0 as an SNMP tool printed them (see the module's
    docstring), of the first host's report of nmap's output; ``(None, None)`` when the
    text holds neither.

    A quoted value goes on to its closing quote; an unquoted one over the lines up to
    the next value only (net-snmp prints a multi-line string so, between two values):
    lines after the last value are someone's words, not the agent's."""
    values: dict[str, str] = {}
    quoted: list[str] | None = None  # a quoted sysDescr's lines, its closing quote to come
    quoted_chars = 0
    pending: list[str] | None = None  # an unquoted sysDescr's further lines: kept when a
    # value follows them, dropped at a blank line, past 16 lines or at the text's end
    hex_text: str | None = None  # a Hex-STRING sysDescr, its bytes going on over lines
    in_nmap = False  # nmap's snmp-sysdescr output, going on to its "|_" line
    lines = nmapfp.first_report(text).splitlines()[:_MAX_LINES]
    quick = len(lines) == 1 or sum(1 for line in lines if _QUICK.match(line[:_MAX_LINE_CHARS])) > 1
    for line in lines:
        line = line[:_MAX_LINE_CHARS]
        if quoted is not None:
            quoted.append(line)
            quoted_chars += len(line) + 1
            if _QUOTED_END.search(line) or quoted_chars > _MAX_VALUE_CHARS:
                joined = "\n".join(quoted).rstrip()
                values[_SYS_DESCR] = _unquote(joined[:-1] if joined.endswith('"') else joined)
                quoted = None
            continue
        if hex_text is not None:
            if _HEX_BYTES.fullmatch(line.strip()):
                hex_text += " " + line.strip()
                continue
            values[_SYS_DESCR], hex_text = _string("hex-string", hex_text), None
        if in_nmap:
            more = _NMAP_MORE.match(line)
            if more is not None:
                if not _NMAP_UPTIME.match(more["value"]):
                    values[_SYS_DESCR] += "\n" + more["value"].strip()
                in_nmap = not line.startswith("|_")
                continue
            in_nmap = False
        rec, nmap = _SNMPREC.match(line), _NMAP_DESCR.match(line)
        bind = _VARBIND.match(line) or (_QUICK.match(line) if quick else None)
        if rec is None and nmap is None and bind is None:
            if (
                pending is not None
                and line.strip()
                and len(pending) < _MAX_PENDING_LINES
                and not _PROMPT.match(line)
            ):
                pending.append(line.strip())
            else:
                pending = None
            continue
        follows = (
            _numeric(bind["name"]) if bind is not None else _numeric(rec["name"]) if rec else ""
        )
        if pending and follows not in values:  # a further value: the lines were the string's
            values[_SYS_DESCR] += "\n" + "\n".join(pending)
        pending = None
        if rec is not None:
            name, tag = _numeric(rec["name"]), rec["tag"]
            kind = "4x" if tag.endswith("x") else tag
            values.setdefault(name, _string(kind, rec["value"]))
        elif nmap is not None:
            in_nmap = _SYS_DESCR not in values and not line.lstrip().startswith("|_")
            values.setdefault(_SYS_DESCR, nmap["value"].strip())
        elif bind is not None:
            name, kind, value = _numeric(bind["name"]), bind["type"] or "", bind["value"].strip()
            if name not in (_SYS_DESCR, _SYS_OBJECT_ID) or name in values:
                continue
            if _NO_VALUE.match(value):
                continue
            if name == _SYS_OBJECT_ID:
                values[name] = _numeric(value)
            elif kind.casefold() == "hex-string" and _HEX_BYTES.fullmatch(value):
                values[name], hex_text = "", value
            elif value.startswith('"') and not _QUOTED_END.search(value[1:]):
                values[name], quoted, quoted_chars = "", [value[1:]], len(value)
            else:
                values[name] = _string(kind, value)
                pending = None if value.startswith('"') else []
    if quoted is not None:  # never closed: as far as it goes
        values[_SYS_DESCR] = _unquote("\n".join(quoted))
    if hex_text is not None:
        values[_SYS_DESCR] = _string("hex-string", hex_text)
    descr = (values.get(_SYS_DESCR) or "")[:_MAX_VALUE_CHARS].strip()
    oid = values.get(_SYS_OBJECT_ID, "").strip()
    return descr or None, oid or None
