"""Mutated real replies: do the readers and identify stay inside the error tree, and fast?

Run: .venv/bin/python bench/fuzz_replies.py [--runs N] [--seed S]

Devices are hostile input.  Each run takes a reply of the corpus's *rules* half (the
test half is not used, here or anywhere rules are tuned), mutates it one to six times
(a byte changed, a piece cut off, removed or repeated up to 50 times, a token inserted
once or up to 5,000 times: angle brackets, quotes, NUL, BOMs, CRLF, a huge
Content-Length, a chunked Transfer-Encoding, a PEM opening, status lines), and passes it
to ``parse_reply`` of the item's kind and the evidence to ``identify``, as
``camcensus identify --reply`` and a scan's probes do.  A run passes when it returns,
or raises an error of camcensus's own tree (``CamcensusError``: the clear error the CLI
prints); any other exception, or a warning (made an error here), is a defect, and its
input is written to
``bench/results/fuzz-<kind>-<n>.bin`` for a test.

The peer, run beside it, is the same two calls on the unmutated replies: the ratio of
the slowest mutated run to the slowest unmutated one is what hostile mutation costs.
A second phase builds texts shaped like what SNMP, mDNS, TLS and nmap tools print (one
to eight lines of pieces of their output at random, ``_PIECES``) and reads each as every
kind that reads printed output.  Seeded and counted (not timed), so a run repeats
exactly.
Writes bench/results/fuzz_replies.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "corpus"), str(ROOT / "tests")]

import corpus  # type: ignore[import-not-found]  # noqa: E402

from camcensus.base.errors import CamcensusError  # noqa: E402
from camcensus.scanner.core.replies import parse_reply  # noqa: E402
from camcensus.vendor_db.identify import identify  # noqa: E402

RESULTS: Final = ROOT / "bench" / "results"
_TOKENS: Final = (
    b"<", b">", b"\r\n", b"\n", b"\x00", b"\xff", b"{", b"}", b"[", b'"', b"=", b":", b";",
    b"/", b"%", b"\\", b"&#", b"]]>", b"<!--", b"\xef\xbb\xbf", b"\xfe\xff",
    b"Content-Length: 99999999\r\n", b"Transfer-Encoding: chunked\r\n",
    b"-----BEGIN CERTIFICATE-----", b"HTTP/1.1 200 OK\r\n", b"RTSP/1.0 401 Unauthorized\r\n",
)  # fmt: skip


_PIECES: Final = (
    "SNMPv2-MIB::sysDescr.0 = STRING: ", 'iso.3.6.1.2.1.1.1.0 = STRING: "', '"', '\\"',
    "1.3.6.1.2.1.1.1.0|4x|", "| snmp-sysdescr: ", "|_", "|  ", "Hex-STRING: 41 42", "= ",
    "=   eth0 IPv4 ", "+   eth0 IPv4 ", " _http._tcp ", " local", '   txt = ["a=b"]',
    "   address = [198.18.0.9]", '=;eth0;IPv4;x;_http._tcp;local;h;198.18.0.9;80;"k=v"',
    " can be reached at ", "a._http._tcp.local.", ":80", "subject=", "issuer=", "/C=CN/O=x",
    " 0 s:", "   i:", "depth=0 ", "organizationName=", "| ssl-cert: Subject: ",
    "Nmap scan report for 198.18.0.9", "| upnp-info:", "|     Server: x", "Manufacturer: y",
    "| http-headers: ", "|   Server: A/1", "|_http-title: ", "\\032", "\\", "\x00",
    "\ufeff", "{", "}", "'", "CN=", "O=", "\t", " ", "x",
    "SNMPv2-MIB::sysDescr.0 ", ".1.3.6.1.2.1.1.1.0 ", "    countryName               = ",
    "    organizationName = ", " 1:00:00.001  Add        3   4 local.   _http._tcp.    ",
    "urn:axis-com:service:BasicService:1", "ST: ", "USN: uuid:1::",
)  # fmt: skip
"""Pieces of what SNMP, mDNS, TLS and nmap tools print, for the second phase: texts of
one to eight lines, each of one to six pieces, read as each printed kind."""
_PRINTED_KINDS: Final = ("snmp", "mdns", "tls", "upnp", "ssdp", "http")


def printed(rnd: random.Random) -> bytes:
    """A text shaped like a tool's output, of ``_PIECES`` at random."""
    lines = (
        "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(1, 6)))
        for _ in range(rnd.randint(1, 8))
    )
    return "\n".join(lines).encode("utf-8")


def mutate(data: bytes, rnd: random.Random) -> bytes:
    """``data`` changed one to six times (see the module's docstring)."""
    out = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        op, at = rnd.randrange(6), rnd.randrange(len(out) + 1)
        if op == 0 and out:
            out[min(at, len(out) - 1)] = rnd.randrange(256)
        elif op == 1:
            out[at:at] = rnd.choice(_TOKENS)
        elif op == 2:
            del out[at:]
        elif op == 3 and out:
            piece = out[at : at + rnd.randint(1, 200)]
            out[at:at] = piece * rnd.randint(2, 50)
        elif op == 4:
            out[at:at] = rnd.choice(_TOKENS) * rnd.randint(100, 5000)
        elif op == 5 and out:
            del out[at : at + rnd.randint(1, 50)]
    return bytes(out)


def _once(kind: str, data: bytes) -> tuple[float, BaseException | None]:
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning on the user's terminal is a defect too
            identify(parse_reply(kind, data))
    except CamcensusError:
        pass
    except Exception as exc:  # the defect this bench looks for
        return time.perf_counter() - start, exc
    return time.perf_counter() - start, None


def _record(defects: Counter[str], label: str, data: bytes, exc: BaseException) -> None:
    """Count a defect by where it was raised; keep the first input of each."""
    where = traceback.extract_tb(exc.__traceback__)[-1]
    key = f"{label}: {type(exc).__name__} at {Path(where.filename).name}:{where.lineno}"
    if not defects[key]:
        (RESULTS / f"fuzz-{label}-{len(defects)}.bin").write_bytes(data)
        print(f"defect: {key}: {exc!r}"[:300])
    defects[key] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    items = [item for item in corpus.half("rules") if item.data]
    for item in items:  # a first pass loads the vendor table, fingerprints and OUI data
        _once(item.kind, item.data or b"")
    peer = max(_once(item.kind, item.data or b"")[0] for item in items)
    rnd = random.Random(args.seed)
    defects: Counter[str] = Counter()
    slowest, slowest_kind, total, slowest_printed = 0.0, "", 0.0, 0.0
    for _ in range(args.runs):
        item = rnd.choice(items)
        assert item.data is not None
        data = mutate(item.data, rnd)
        took, exc = _once(item.kind, data)
        total += took
        if took > slowest:
            slowest, slowest_kind = took, item.kind
        if exc is not None:
            _record(defects, item.kind, data, exc)
    texts = args.runs // 4
    for _ in range(texts):  # second phase: tool-shaped texts, each read as every printed kind
        data = printed(rnd)
        for kind in _PRINTED_KINDS:
            took, exc = _once(kind, data)
            slowest_printed = max(slowest_printed, took)
            if exc is not None:
                _record(defects, f"printed-{kind}", data, exc)
    print(f"{texts} tool-shaped texts, each as {', '.join(_PRINTED_KINDS)}: slowest"
          f" {slowest_printed * 1000:.1f} ms")  # fmt: skip
    print(f"{args.runs} mutated replies of {len(items)} rules-half items (seed {args.seed}):"
          f" {sum(defects.values())} exceptions or warnings outside the error tree,"
          " both phases")  # fmt: skip
    print(f"slowest mutated run {slowest * 1000:.1f} ms ({slowest_kind}); slowest unmutated"
          f" reply {peer * 1000:.1f} ms: x{slowest / peer:.1f}; mean"
          f" {total / args.runs * 1000:.2f} ms")  # fmt: skip
    (RESULTS / "fuzz_replies.json").write_text(
        json.dumps(
            {
                "python": platform.python_version(),
                "seed": args.seed,
                "runs": args.runs,
                "items": len(items),
                "defects": dict(defects),
                "slowest_s": slowest,
                "slowest_kind": slowest_kind,
                "peer_slowest_unmutated_s": peer,
                "mean_s": total / args.runs,
                "printed_texts": texts,
                "printed_kinds": list(_PRINTED_KINDS),
                "printed_slowest_s": slowest_printed,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"written: {RESULTS / 'fuzz_replies.json'}")
    return 1 if defects else 0


if __name__ == "__main__":
    raise SystemExit(main())
