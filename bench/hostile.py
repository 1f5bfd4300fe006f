"""Hostile replies: how long the pure readers take on inputs built to make them slow.

Run: .venv/bin/python bench/hostile.py

Devices are hostile input, and so is what an admin pastes into ``identify --reply``.
Every case here is an input that once took a reader far longer than its size warrants
(0.6 to 99 s: runs of one character, repeated openings, nesting, many lines), or the
like of one.  The peer, run beside each case, is the same reader on ordinary text of the
same size (lines of prose): the ratio is what the hostile shape costs beyond its size,
and a reader that is linear again stays within a small multiple of it.  The tests
check what these readers return on the same inputs (tests/core/test_transcript.py,
test_wsd_shapes.py, test_bodyfields.py, test_nmapfp.py, tests/base/test_domains.py,
tests/vendor_db/test_identify.py); the times are here, not there.
Writes bench/results/hostile.json.
"""

from __future__ import annotations

import contextlib
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from camcensus.base.domains import registered_name
from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core import nmapfp, transcript
from camcensus.scanner.core._json import cut_json
from camcensus.scanner.core.bodyfields import body_fields
from camcensus.scanner.core.replies import parse_reply
from camcensus.vendor_db.identify import identify

RESULTS: Final = Path(__file__).resolve().parent / "results" / "hostile.json"
MB: Final = 1 << 20


def _reply(kind: str) -> Callable[[bytes], object]:
    def run(data: bytes) -> object:
        with contextlib.suppress(MalformedReplyError):
            return parse_reply(kind, data)
        return None

    return run


def _body(data: bytes) -> object:
    return body_fields(data.decode("utf-8"))


def _identify_body(data: bytes) -> object:
    return identify([Evidence("http.body", data.decode("utf-8"), "http", "")])


def _identify_names(data: bytes) -> object:
    return identify([Evidence("http.field_names", data.decode("utf-8"), "http", "")])


def _cut(data: bytes) -> object:
    return cut_json(data.decode("utf-8"))


def _domain(data: bytes) -> object:
    return registered_name(data.decode("utf-8"))


_WSD_HEAD: Final = (
    b'<?xml version="1.0"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"'
    b' xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><e:Body><d:ProbeMatches>'
    b"<d:ProbeMatch><d:Scopes>a:"
)
_WSD_TAIL: Final = b"</d:Scopes></d:ProbeMatch></d:ProbeMatches></e:Body></e:Envelope>"

CASES: Final[list[tuple[str, Callable[[bytes], object], bytes]]] = [
    ("transcript: 1 MB of empty lines", transcript.replies, b"\n" * MB),
    ("transcript: curl marks, 60,000 lines", transcript.replies,
     b"< HTTP/1.1 200 OK\n" + b"<\n" * 60_000),
    ("http reply: status lines in text, 20,000 lines", _reply("http"),
     b"x HTTP/1.1 200 OK\n" * 20_000),
    ("wsd reply: 1 MB of '<'", _reply("wsd"), b"<" * MB),
    ("onvif reply: 1 MB of '<'", _reply("onvif"), b"<" * MB),
    ("body fields: 60,000 unclosed comments", _body, b"<!--" * 60_000),
    ("body fields: an attribute opened 80,000 times", _body, b'<r a="' * 80_000),
    ("body fields: 100,000 processing instructions", _body, b"<?" * 100_000),
    ("body fields: 50,000 copyright signs", _body, ("<html>" + "\u00a9 " * 50_000).encode()),
    ("identify: a body of 4,096 newlines", _identify_body, b"\n" * 4096),
    ("identify: a body of 820 '<rcp>'", _identify_body, b"<rcp>" * 820),
    ("identify: a body of 455 '(c) 2019 '", _identify_body, b"(c) 2019 " * 455),
    ("identify: 1,024 chars of near-miss names", _identify_names,
     b"ProdNbr1 session1 statusCode1 " * 34),
    ("identify: 1,024 chars of ' |'", _identify_names, b" |" * 512),
    ("body fields: 3,000 JSON members, 3 levels", _body,
     json.dumps({f"k{n}": {f"j{m}": {"x": 1} for m in range(5)} for n in range(600)}).encode()),
    ("domain: 500,000 'a-'", _domain, b"http://" + b"a-" * 500_000),
    ("domain: 500,000 'a.'", _domain, b"http://" + b"a." * 500_000 + b"x"),
    ("favicon: 585 empty comments, no <svg>", _reply("favicon"), b"<!---->" * 585),
    ("favicon: a page of 50,000 '<link'", _reply("http"),
     b"HTTP/1.1 200 OK\r\n\r\n" + b"<link" * 50_000),
    ("favicon: an icon link 200,000 wide", _reply("http"),
     b"HTTP/1.1 200 OK\r\n\r\n<link rel=icon href=" + b"x" * 200_000 + b">"),
    ("cut JSON: 60,000 numbers, then 128 KB of NULs", _cut,
     b"[" + b"1," * 60_000 + b"\0" * 131_072),
    ("favicon: 200,000 blanks, then no base64", _reply("favicon"), b" " * 200_000 + b"!"),
    ("wsd reply: a scope of 60,000 ';'", _reply("wsd"), _WSD_HEAD + b";" * 60_000 + _WSD_TAIL),
    ("nmap fingerprint: 1 MB of '\\x' escapes", nmapfp.replies,
     b'SF-Port1-TCP:V=7.93%r(NULL,10,"' + b"\\x" * (MB // 2)),
    ("nmap fingerprint: 100,000 'SF:' lines", _reply("http"),
     b'SF-Port1-TCP:V=7.93%r(GetRequest,5,"' + b"\nSF:" * 100_000),
    ("nmap fingerprint: 60,000 unclosed '%r('", _reply("rtsp"),
     b"SF-Port1-TCP:V=7.93" + b"%r(NULL,10," * 60_000),
    ("nmap fingerprint-strings: 100,000 label lines", _reply("http"),
     b"| fingerprint-strings:\n" + b"|   GetRequest:\n" * 100_000),
    ("snmp printed: a name, 64,000 blanks, no '='", _reply("snmp"), b"a" + b" " * 64_000 + b"x"),
    ("snmp printed: a quoted sysDescr never closed", _reply("snmp"),
     b'iso.3.6.1.2.1.1.1.0 = STRING: "' + b"x\n" * 30_000),
    ("snmp printed: 30,000 Hex-STRING lines", _reply("snmp"),
     b"SNMPv2-MIB::sysDescr.0 = Hex-STRING: 41\n" + b"41 42\n" * 10_000),
    ("mdns printed: an avahi line of 64,000 blanks", _reply("mdns"),
     b"=   eth0 IPv4 " + b" " * 64_000 + b"x local"),
    ("mdns printed: 6,000 'can be reached at'", _reply("mdns"),
     b"a._http._tcp.local. can be reached at h:1\n" * 1_500),
    ("tls printed: a subject of 20,000 '/a='", _reply("tls"), b"subject=" + b"/a=" * 20_000),
    ("tls printed: 20,000 chain lines", _reply("tls"), b" 0 s:/O=x\n" * 20_000),
    ("tls printed: a subject with 400,000 blanks", _reply("tls"),
     b"subject=CN=a" + b" " * 400_000 + b"b"),
    ("tls printed: ssl-cert, 60,000 blanks, '='", _reply("tls"),
     b"| ssl-cert:" + b" " * 60_000 + b"x="),
    ("tls printed: -nameopt multiline, 60,000 attribute lines", _reply("tls"),
     b"subject=\n" + b"    organizationName = a,b\\c\n" * 60_000),
    ("snmp printed: 4,000 -Oqn lines of other variables", _reply("snmp"),
     b".1.3.6.1.2.1.1.1.0 x\n" + b".1.3.6.1.2.1.2.2.1.2.1 eth0 " * 50 + b"\n" * 1
     + b".1.3.6.1.2.1.2.2.1.2.1 eth0\n" * 4_000),
    ("mdns printed: 40,000 dns-sd -B Add and Rmv lines", _reply("mdns"),
     b" 1:00:00.001  Add        3   4 local.   _http._tcp.    cam\n"
     b" 1:00:00.002  Rmv        3   4 local.   _http._tcp.    cam\n" * 20_000),
    ("ssdp: a USN type of 60,000 characters", _reply("ssdp"),
     b"HTTP/1.1 200 OK\r\nUSN: uuid:1::urn:" + b"a-" * 30_000 + b"com:device:x:1\r\n\r\n"),
    ("nmap http-title: a title of 60,000 blanks", _reply("http"),
     b"| http-headers: \n|_  Server: A/1\n|_http-title: x" + b" " * 60_000 + b"y"),
    ("nmap upnp-info: a value of 60,000 blanks", _reply("upnp"),
     b"| upnp-info:\n|     Server: x" + b" " * 60_000 + b"y"),
]  # fmt: skip


def _best_of(run: Callable[[bytes], object], data: bytes, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run(data)
        best = min(best, time.perf_counter() - start)
    return best


_PROSE: Final = b"The camera on the north gate records to the recorder in the hall.\n"


def _ordinary(size: int) -> bytes:
    """Ordinary text of ``size`` bytes: the peer input of a case."""
    return (_PROSE * (size // len(_PROSE) + 1))[:size]


def main() -> int:
    rows = []
    for name, run, data in CASES:
        mine, peer = _best_of(run, data), _best_of(run, _ordinary(len(data)))
        rows.append({"case": name, "bytes": len(data), "camcensus_s": mine, "peer_s": peer,
                     "ratio": mine / peer if peer else None})  # fmt: skip
        print(f"{name:52} {len(data):>9} B  {mine * 1000:8.1f} ms  ordinary text"
              f" {peer * 1000:6.1f} ms  x{mine / peer if peer else float('nan'):.1f}")  # fmt: skip
    slowest = max(rows, key=lambda r: r["camcensus_s"])
    print(f"slowest: {slowest['case']}: {slowest['camcensus_s'] * 1000:.1f} ms")
    RESULTS.write_text(
        json.dumps({"python": platform.python_version(), "cases": rows}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"written: {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
