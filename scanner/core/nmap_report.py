"""An nmap XML report (``nmap -oX``) as evidence: each host's ports, nmap's verdicts, and
the device's own words that nmap kept.

Admins often have such reports of their sites already.  Beside its own verdicts
(``<service name product version>``, ``<cpe>``), a report of ``nmap -sV -sC`` (or
``-A``) holds what the device said, as nmap's default scripts print it; those values go
through the parsers and keys a camcensus scan uses, so the same fingerprints judge them:

* ``http-server-header`` (``<elem>`` children, or a ``Server`` table of several):
  ``http.server``; ``http-title`` (``<elem key="title">``): ``http.title``;
* ``ssl-cert``: the certificate's PEM (``<elem key="pem">``) through the TLS parser,
  else its ``subject`` and ``issuer`` tables as RFC 4514 names (``tls.subject``,
  ``tls.issuer``);
* ``banner`` (text with nmap's ``\\xHH`` escapes) on an FTP or telnet port: the FTP or
  telnet parser;
* ``snmp-sysdescr``: ``snmp.sysdescr`` (its first line; nmap adds the uptime below);
* ``upnp-info``: the ``Server:`` line (``ssdp.server``) and the description's
  ``Manufacturer``, ``Name``, ``Model Name``, ``Model Descr`` and ``Model Version``;
* ``http-favicon``: an MD5 nmap did not know (``Unknown favicon MD5: ...``) as
  ``http.favicon.md5``; a name it did know as ``nmap.favicon``;
* the replies of a service nmap did not know: its ``servicefp`` fingerprint, else the
  ``fingerprint-strings`` script's strings (``nmapfp``), each HTTP or RTSP reply by its
  status line through that parser, a banner on an FTP or telnet port through that one.

The forms are those nmap 7.93's scripts document in their ``@output``/``@xmloutput``
(``/usr/share/nmap/scripts/<name>.nse``).  The report is parsed with defusedxml and
capped in size: the bare document type declaration nmap writes (``<!DOCTYPE
nmaprun>``) is accepted, entity declarations and external references are refused.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from collections.abc import Iterator
from typing import Final
from xml.etree.ElementTree import Element

from camcensus.base.errors import MalformedReplyError, ReplyTooLargeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import nmapfp, replies, ssdp, tls
from camcensus.scanner.core.limits import clean_text
from camcensus.scanner.core.mac import normalise_mac

__all__ = ["MAX_REPORT_BYTES", "MAX_SCRIPT_CHARS", "SOURCE", "parse_nmap_xml"]

SOURCE: Final = "nmap"
MAX_REPORT_BYTES: Final = 64 * 1024 * 1024
MAX_SCRIPT_CHARS: Final = 64 * 1024
"""A script's output read at most this long (a device's words, not nmap's listings)."""

_NMAP_ESCAPE: Final = re.compile(rb"\\x([0-9A-Fa-f]{2})")
_UNKNOWN_FAVICON: Final = re.compile(r"Unknown favicon MD5:\s*([0-9A-Fa-f]{32})\b")
_FTP_PORTS: Final = frozenset({21, 2121})
_TELNET_PORTS: Final = frozenset({23, 2323})


def _text(value: str | None, max_chars: int = 1024) -> str:
    return clean_text(value or "", max_chars)


def _answered(host: Element) -> bool:
    """Whether any port of ``host`` answered (open, or closed: a RST came back)."""
    return any(
        state.get("state") in ("open", "closed")
        for port in host.iter("port")
        if (state := port.find("state")) is not None
    )


def _elems(script: Element, key: str | None = None) -> Iterator[str]:
    """The texts of a script's ``<elem>`` children (and of its tables' when ``key`` is
    None), or of the ``<elem key=key>`` ones."""
    for elem in script.iter("elem"):
        if key is None or elem.get("key") == key:
            text = _text(elem.text)
            if text:
                yield text


def _output(script: Element) -> str:
    return (script.get("output") or "")[:MAX_SCRIPT_CHARS]


def _rfc4514(table: Element) -> str:
    """nmap's subject or issuer table as an RFC 4514 name, most specific first."""
    values = {elem.get("key"): _text(elem.text) for elem in table.findall("elem")}
    parts = []
    for long_name, short in tls.NMAP_ATTRIBUTE_NAMES:
        value = values.get(long_name)
        if value:
            escaped = re.sub(r'([,+"\\<>;=])', r"\\\1", value)
            parts.append(f"{short}={escaped}")
    return ",".join(parts)


def _banner(text: str) -> bytes:
    """The banner script's text back as bytes (it prints control bytes as ``\\xHH``)."""
    raw = text.encode("utf-8", "replace")
    return _NMAP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def _script_evidence(script: Element, port: int, service: str, ip: str) -> list[Evidence]:
    name = script.get("id", "")
    found: list[Evidence] = []

    def add(key: str, value: str) -> None:
        if value:
            found.append(Evidence(key, value, SOURCE, ip))

    if name == "http-server-header":
        values = list(_elems(script)) or [_text(line) for line in _output(script).splitlines()]
        for value in values[:8]:
            add("http.server", value)
    elif name == "http-title":
        titles = list(_elems(script, "title"))
        if not titles and not nmapfp.NO_TITLE.search(_output(script)):
            titles = [_text(_output(script).splitlines()[0] if _output(script) else "")]
        for title in titles[:1]:
            add("http.title", title)
    elif name == "ssl-cert":
        pem = next((e.text for e in script.iter("elem") if e.get("key") == "pem" and e.text), "")
        from_pem: list[Evidence] = []
        if pem:
            try:
                from_pem = replies.parse_reply("tls", pem[:MAX_SCRIPT_CHARS].encode("utf-8"), ip)
            except (MalformedReplyError, ReplyTooLargeError):
                from_pem = []
        found += from_pem
        if not from_pem:
            for table in script.findall("table"):
                if table.get("key") in ("subject", "issuer"):
                    add(f"tls.{table.get('key')}", _rfc4514(table))
    elif name == "banner":
        kind = (
            "ftp"
            if port in _FTP_PORTS or service == "ftp"
            else "telnet"
            if port in _TELNET_PORTS or service == "telnet"
            else None
        )
        if kind is not None:
            with contextlib.suppress(MalformedReplyError, ReplyTooLargeError):
                found += replies.parse_reply(kind, _banner(_output(script)), ip)
    elif name == "snmp-sysdescr":
        lines = _output(script).strip().splitlines()
        add("snmp.sysdescr", _text(lines[0]) if lines else "")
    elif name == "upnp-info":
        for key, value in ssdp.upnp_info_fields(_output(script)):
            add(key, value)
    elif name == "http-favicon":
        text = _output(script).strip()
        unknown = _UNKNOWN_FAVICON.search(text)
        if unknown is not None:
            add("http.favicon.md5", unknown.group(1).lower())
        elif text:
            add("nmap.favicon", _text(text.splitlines()[0]))
    return [Evidence(e.key, e.value, SOURCE, ip) for e in found]


def _kinds(port: int, service: str) -> tuple[str, ...]:
    """The reply kinds a port's probe replies are read as: HTTP and RTSP by their own
    status lines, a banner as FTP or telnet only on those services' ports."""
    if port in _FTP_PORTS or service == "ftp":
        return ("http", "rtsp", "ftp")
    if port in _TELNET_PORTS or service == "telnet":
        return ("http", "rtsp", "telnet")
    return ("http", "rtsp")


def _probe_reply_evidence(
    printed: list[nmapfp.ProbeReply], port: int, service: str, ip: str
) -> list[Evidence]:
    """The replies nmap kept of a service it did not know (``servicefp``, else the
    ``fingerprint-strings`` script's strings) through the parser of their kind."""
    found: list[Evidence] = []
    for kind in _kinds(port, service) if printed else ():
        for data in nmapfp.for_kind(printed, kind)[:4]:
            with contextlib.suppress(MalformedReplyError, ReplyTooLargeError):
                found += replies.parse_reply(kind, data, ip)
    return [Evidence(e.key, e.value, SOURCE, ip) for e in found]


def _port_evidence(port: Element, ip: str) -> tuple[int | None, list[Evidence]]:
    """An open port's number (None for another state or protocol than TCP) and evidence."""
    state = port.find("state")
    if state is None or state.get("state") != "open":
        return None, []
    number, protocol = port.get("portid", ""), port.get("protocol", "tcp")
    if not number.isdigit():
        return None, []
    found: list[Evidence] = []
    service = port.find("service")
    name = ""
    if service is not None:
        name = _text(service.get("name"))
        if name:
            found.append(Evidence("nmap.service", f"{number}/{protocol} {name}", SOURCE, ip))
        product = " ".join(
            _text(service.get(a)) for a in ("product", "version") if _text(service.get(a))
        )
        if product:
            found.append(Evidence("nmap.product", f"{number}/{protocol} {product}", SOURCE, ip))
        for cpe in service.findall("cpe")[:8]:
            if _text(cpe.text).startswith("cpe:/"):
                found.append(Evidence("nmap.cpe", _text(cpe.text), SOURCE, ip))
    fingerprint = (service.get("servicefp") or "") if service is not None else ""
    printed = nmapfp.fingerprint_replies(fingerprint) if fingerprint else []
    for script in port.findall("script")[:64]:
        found += _script_evidence(script, int(number), name, ip)
        if not printed and script.get("id") == "fingerprint-strings":
            printed = nmapfp.script_replies(_output(script), f"{number}/{protocol}")
    found += _probe_reply_evidence(printed, int(number), name, ip)
    return (int(number) if protocol == "tcp" else None), found


def _host_evidence(host: Element) -> list[Evidence]:
    ip = ""
    mac = ""
    for address in host.iter("address"):
        kind = address.get("addrtype")
        if kind == "ipv4":
            try:
                ip = str(ipaddress.IPv4Address(address.get("addr", "")))
            except ValueError:
                return []
        elif kind == "mac":
            try:
                mac = normalise_mac(address.get("addr", ""))
            except MalformedReplyError:
                mac = ""
    if not ip:
        return []
    status = host.find("status")
    if status is not None and status.get("state") not in (None, "up"):
        return []
    if (
        status is not None
        and status.get("reason") == "user-set"
        and not mac
        and not _answered(host)
    ):
        return []  # "up" only because -Pn said so, and nothing answered: no host seen
    found = [Evidence("ip", ip, SOURCE, ip)]
    if mac:
        found.append(Evidence("mac", mac, SOURCE, ip))
    open_ports: list[int] = []
    for port in host.iter("port"):
        number, evidence = _port_evidence(port, ip)
        if number is not None:
            open_ports.append(number)
        found += evidence
    if open_ports:
        value = ",".join(str(p) for p in sorted(set(open_ports)))
        found.append(Evidence("tcp.ports", value, SOURCE, ip))
    for hostname in host.iter("hostname"):
        name = _text(hostname.get("name"))
        if name:
            found.append(Evidence("dns.ptr", name, SOURCE, ip))
    return list(dict.fromkeys(e for e in found if e.value))


def parse_nmap_xml(data: bytes) -> list[Evidence]:
    """Evidence for every up host of an nmap XML report (a host nmap calls up only
    because ``-Pn`` told it to, with no port that answered and no MAC, is none).

    Raises ReplyTooLargeError over MAX_REPORT_BYTES and MalformedReplyError for
    non-XML, entity declarations or external references (a bare ``<!DOCTYPE>`` as
    nmap writes it is fine), or a document that is not an nmap report.
    """
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    if len(data) > MAX_REPORT_BYTES:
        raise ReplyTooLargeError(f"nmap report: {len(data)} bytes, cap is {MAX_REPORT_BYTES}")
    try:
        root = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise MalformedReplyError(f"nmap report: not usable XML ({exc})") from exc
    if root.tag != "nmaprun":
        raise MalformedReplyError(f"nmap report: root is <{root.tag[:40]}>, not <nmaprun>")
    return [e for host in root.iter("host") for e in _host_evidence(host)]
