"""``camcensus vendors``, ``policies``, ``identify``, ``oui`` and ``data``: vendor_db from the
command line."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from camcensus.base.errors import CamcensusError, MalformedReplyError, VendorDataError
from camcensus.base.evidence import Evidence
from camcensus.cli.options import add_policy_option, load_policy

if TYPE_CHECKING:
    from camcensus.vendor_db.identify import Identification
    from camcensus.vendor_db.policy import Policy
    from camcensus.vendor_db.vendors import Fact, Vendor

__all__ = ["register"]

_MAX_INPUT_BYTES = 16 * 1024 * 1024
REPLY_KINDS = (
    "wsd", "sadp", "dhip", "netip", "ssdp", "upnp", "onvif", "http", "rtsp", "tls", "ftp",
    "telnet", "isapi", "mdns", "snmp", "favicon",
)  # fmt: skip
"""``identify --reply`` kinds: scanner.core.replies.KINDS (a test holds them equal; the
list is written out here so ``--help`` does not import the scanner)."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the vendor_db commands."""
    p = sub.add_parser("vendors", help="list the vendor-origin table with sources")
    p.add_argument("--json", action="store_true", help="print the full table as JSON")
    p.add_argument("--flagged", action="store_true", help="only vendors the policy flags")
    add_policy_option(p)
    p.set_defaults(func=_cmd_vendors)

    p = sub.add_parser(
        "policies",
        help="list the named flag policies (for --policy NAME) with status, date and source",
    )
    p.add_argument("--json", action="store_true", help="print every policy in full as JSON")
    p.set_defaults(func=_cmd_policies)

    p = sub.add_parser(
        "identify",
        help="identify a device from evidence given as JSON, or from one captured reply",
        description=(
            "Read evidence as JSON: one object of key -> value (or list of values), "
            "a JSON array of such objects, or JSON lines; print identifications as JSON. "
            "With --reply KIND, read one reply as captured instead (bytes as on the wire, "
            "or text with LF line ends, restored to CRLF for http, rtsp, ssdp and ftp) "
            "and parse it with the parser a scan uses."
        ),
        epilog="reply kinds: " + ", ".join(REPLY_KINDS),
    )
    p.add_argument("file", nargs="?", default="-", help="input file, or - for stdin (default)")
    p.add_argument(
        "--reply",
        metavar="KIND",
        choices=REPLY_KINDS,
        help="the input is one captured reply of this kind (see below)",
    )
    p.add_argument(
        "--also",
        nargs=2,
        action="append",
        default=[],
        metavar=("KIND", "FILE"),
        help="with --reply: another captured reply of the same device (repeatable); all "
        "replies are identified together, as a scan takes one device's answers",
    )
    add_policy_option(p)
    p.add_argument("--no-chain", action="store_true", help="leave the evidence chain out")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON (the default)")
    out.add_argument(
        "--text",
        action="store_true",
        help="print origin facts, verdict and vulnerable firmware as text, with sources",
    )
    p.set_defaults(func=_cmd_identify)

    p = sub.add_parser("oui", help="MAC prefix data")
    oui_sub = p.add_subparsers(dest="oui_command", metavar="ACTION", required=True)
    u = oui_sub.add_parser(
        "update",
        help="import IEEE registry CSVs (oui.csv, mam.csv, oui36.csv, iab.csv) for offline use",
    )
    u.add_argument(
        "--from",
        dest="sources",
        type=Path,
        action="append",
        required=True,
        metavar="FILE",
        help="an IEEE CSV file; repeat for several",
    )
    _add_data_dir_option(u, "oui", "them")
    u.set_defaults(func=_cmd_oui_update)

    p = sub.add_parser("data", help="the offline CVE data pack (vulnerable firmware)")
    data_sub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    d = data_sub.add_parser(
        "update",
        help="import NVD CVE API 2.0, CISA KEV and ENISA EUVD JSON files downloaded elsewhere",
    )
    d.add_argument(
        "--from",
        dest="source_dir",
        type=Path,
        required=True,
        metavar="DIR",
        help="a folder of downloaded *.json files (each NVD CVE 2.0, CISA KEV or ENISA EUVD)",
    )
    _add_data_dir_option(d, "cve", "the pack")
    d.set_defaults(func=_cmd_data_update)


def _add_data_dir_option(parser: argparse.ArgumentParser, kind: str, what: str) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"where to store {what} (default: $CAMCENSUS_DATA_DIR/{kind} if set; as root "
        f"/var/lib/camcensus/{kind}, which every scan reads, sudo ones too; else "
        f"~/.local/share/camcensus/{kind})",
    )


def _note_root_readers(target: Path, system_dir: Path, chosen: Path | None, command: str) -> None:
    """Warn that scans run as root will not read a user's own import."""
    if target != system_dir and chosen is None:
        print(
            f"note: scans run as root (sudo) read {system_dir} and root's own folder, "
            f"not {target}: run 'sudo camcensus {command}' to import for them",
            file=sys.stderr,
        )


def _fact_cell(fact: Fact) -> str:
    text = fact.value
    if fact.since and fact.is_yes:
        text = fact.since
    return text + ("?" if not fact.verified else "")


def _vendor_json(vendor: Vendor, urls: dict[str, list[str]], policy: Policy) -> dict[str, Any]:
    facts = {
        name: {
            "value": f.value,
            "since": f.since,
            "verified": f.verified,
            "note": f.note,
            "sources": [u for k in f.sources for u in urls.get(k, [k])],
        }
        for name, f in vendor.facts.items()
    }
    hits = policy.vendor_hits(vendor)
    return {
        "name": vendor.name,
        "kind": vendor.kind,
        "aliases": list(vendor.aliases),
        "unverified_aliases": list(vendor.unverified_aliases),
        "facts": facts,
        "made_by": None
        if vendor.made_by is None
        else {
            "maker": vendor.made_by.maker,
            "strength": vendor.made_by.strength,
            "evidence": vendor.made_by.evidence,
        },
        "list_status": vendor.list_status(),
        "flagged": bool(hits),
        "flag_reason": policy.reason(vendor, hits) if hits else None,
        "confidence": vendor.confidence,
        "notes": vendor.notes,
    }


def _cmd_vendors(args: argparse.Namespace) -> int:
    from camcensus.vendor_db.vendors import load_vendors

    table = load_vendors()
    policy = load_policy(args.policy)
    vendors = [v for v in table.vendors if not args.flagged or policy.vendor_hits(v)]
    if args.json:
        urls = {k: list(s.urls or (s.text,)) for k, s in table.sources.items()}
        print(json.dumps([_vendor_json(v, urls, policy) for v in vendors], indent=2))
        return 0
    header = ("vendor", "kind", "made by", "HQ", "owner", "state", "889", "FCC", "EntityL", "1260H")
    rows = [header]
    for v in vendors:
        f = v.facts
        made_by = f"{v.made_by.maker} ({v.made_by.strength[:3]})" if v.made_by else ""
        rows.append(
            (
                v.name + (" *" if policy.vendor_hits(v) else ""),
                v.kind,
                made_by,
                _fact_cell(f["hq_country"]),
                _fact_cell(f["owner_country"]),
                _fact_cell(f["state_owned"]),
                _fact_cell(f["ndaa_889"]),
                _fact_cell(f["fcc_covered"]),
                _fact_cell(f["entity_list"]),
                _fact_cell(f["dod_1260h"]),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    unverified = [(v.name, fact) for v in vendors for fact in v.unverified_facts()]
    print()
    print("* flagged by policy", repr(policy.name), "| ? = UNVERIFIED fact (see below)")
    print("dates: first listing; every fact cites sources (camcensus vendors --json)")
    if unverified:
        print("UNVERIFIED facts:")
        for name, fact in unverified:
            print(f"  {name}: {fact.name} = {fact.value}: {fact.note}")
    return 0


def _cmd_policies(args: argparse.Namespace) -> int:
    from camcensus.vendor_db.policy import DEFAULT_POLICY, Policy

    policies = [Policy.named(name) for name in Policy.names()]
    if args.json:
        print(json.dumps([p.to_dict() for p in policies], indent=2))
        return 0
    for p in policies:
        default = "  (default)" if p.name == DEFAULT_POLICY else ""
        print(f"{p.name}{default}")
        print(f"  {p.title}")
        status = "PROPOSAL, not law" if p.status == "proposal" else p.status
        print(f"  status: {status} | date: {p.date} | judges: {', '.join(p.judges)}")
        rule = [f"countries {', '.join(sorted(p.countries))}"] if p.countries else []
        rule += [f"lists {', '.join(p.lists)}"] if p.lists else []
        print(f"  flags: {'; '.join(rule) or 'nothing yet'}")
        print(f"  scope: {p.scope}")
        for note in p.not_judged:
            print(f"  not judged: {note}")
        print(f"  source: {p.source_urls()[0]}")
        print()
    print("use: --policy NAME, or --policy FILE (copy a data file and edit it);")
    print("every fact of a policy cites its sources: camcensus policies --json")
    return 0


def _read_text(spec: str) -> str:
    if spec == "-":
        text = sys.stdin.read(_MAX_INPUT_BYTES + 1)
    else:
        try:
            with Path(spec).open(encoding="utf-8") as fh:
                text = fh.read(_MAX_INPUT_BYTES + 1)
        except (OSError, UnicodeDecodeError) as exc:
            raise VendorDataError(f"cannot read {spec}: {exc}") from exc
    if len(text) > _MAX_INPUT_BYTES:
        raise VendorDataError(f"{spec}: input over {_MAX_INPUT_BYTES} bytes")
    return text


def _parse_evidence_json(text: str, spec: str) -> tuple[list[dict[str, Any]], bool]:
    """Objects to identify, and whether the input was a single object."""
    stripped = text.strip()
    if not stripped:
        raise VendorDataError(f"{spec}: no JSON input")
    try:
        doc = json.loads(stripped)
        docs: list[Any] = doc if isinstance(doc, list) else [doc]
        single = not isinstance(doc, list)
    except RecursionError as exc:
        raise VendorDataError(f"{spec}: JSON nested deeper than the parser reads") from exc
    except json.JSONDecodeError as first:
        docs = []
        for lineno, line in enumerate(stripped.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except RecursionError as exc:
                raise VendorDataError(
                    f"{spec}: line {lineno}: JSON nested deeper than the parser reads"
                ) from exc
            except json.JSONDecodeError as exc:
                raise VendorDataError(
                    f"{spec}: not JSON ({first.msg} at line {first.lineno}) nor JSON lines"
                    f" (line {lineno}: {exc.msg})"
                ) from exc
        single = False
    for i, d in enumerate(docs):
        if not isinstance(d, dict):
            raise VendorDataError(f"{spec}: item {i + 1} is not an object of key -> value")
    return docs, single


def _read_bytes(spec: str) -> bytes:
    try:
        if spec == "-":
            data = sys.stdin.buffer.read(_MAX_INPUT_BYTES + 1)
        else:
            with Path(spec).open("rb") as fh:
                data = fh.read(_MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise VendorDataError(f"cannot read {spec}: {exc}") from exc
    if len(data) > _MAX_INPUT_BYTES:
        raise VendorDataError(f"{spec}: input over {_MAX_INPUT_BYTES} bytes")
    return data


def _fact_line(label: str, name: str | None, country: str | None, basis: str) -> str:
    who = "unknown" if name is None else f"{name} ({country or 'country unknown'})"
    return f"{label:<19}{who}\n{'':<19}basis: {basis}"


def identify_text(ident: Identification, policy: Policy) -> str:
    """``identify --text``: identity, origin facts with sources, verdict, vulnerable firmware."""
    origin = ident.origin
    flag = ident.flag
    lines = [
        f"model              {ident.model or 'unknown'}   firmware {ident.firmware or 'unknown'}"
        f" ({ident.vulnerabilities.firmware_source or 'no source'})",
        _fact_line("hardware maker", origin.hardware_maker.name, origin.hardware_maker.country,
                   origin.hardware_maker.basis),
        _fact_line("firmware developer", origin.firmware_developer.name,
                   origin.firmware_developer.country, origin.firmware_developer.basis),
        _fact_line("brand", origin.brand.name, origin.brand.country, origin.brand.basis),
        *(
            [_fact_line("SoC/SDK vendor", origin.sdk.name, origin.sdk.country, origin.sdk.basis)]
            if origin.sdk is not None
            else []
        ),
        "owner              " + (origin.owner_text or "unknown"),
        "origin sources     " + ("; ".join(origin.sources) or "none"),
        f"verdict            {flag.level.upper()} under {policy.label}"
        f" ({policy.status}, {policy.date})",
    ]  # fmt: skip
    lines += [f"  reason: {r}" for r in flag.reasons]
    lines += [f"  not judged: {n}" for n in flag.not_judged]
    lines += [f"  unverified: {u}" for u in flag.unverified]
    vulns = ident.vulnerabilities
    lines.append(f"vulnerable firmware {vulns.text} (data pack {vulns.pack_date})")
    for finding in vulns.findings:
        lines.append(f"  {finding.line()}")
        lines.append(f"    sources: {'; '.join(finding.sources)}")
    return "\n".join(lines)


def mac_organisation(evidence: Sequence[Evidence]) -> str:
    """The IEEE organisation of the first MAC in ``evidence`` ("" for none, or a
    randomised one): what a scan shows as the maker of a host it could not identify
    (``Device.maker``), so ``identify`` says it too."""
    from camcensus.vendor_db.oui import lookup_mac

    for item in evidence:
        if item.key == "mac" and item.value:
            try:
                info = lookup_mac(item.value)
            except CamcensusError:
                continue
            return "" if info.randomised else (info.organisation or "")
    return ""


def _print_identification(
    args: argparse.Namespace, ident: Identification, policy: Policy, organisation: str
) -> None:
    if args.text:
        print(identify_text(ident, policy))
        return
    result = ident.to_dict() | {"mac_organisation": organisation}
    if args.no_chain:
        del result["chain"]
    print(json.dumps(result, indent=2, ensure_ascii=False))


def _identify_reply(args: argparse.Namespace, policy: Policy) -> int:
    from camcensus.scanner.core.replies import CRLF_KINDS, parse_reply, restore_crlf
    from camcensus.vendor_db.identify import identify

    evidence: list[Evidence] = []
    for kind, spec in [(args.reply, args.file), *args.also]:
        if kind not in REPLY_KINDS:
            raise VendorDataError(f"--also {kind}: not a reply kind ({', '.join(REPLY_KINDS)})")
        data = _read_bytes(spec)
        if kind in CRLF_KINDS and b"\r\n" not in data:
            data = restore_crlf(data.lstrip(b"\n"))
        try:
            evidence += parse_reply(kind, data)
        except MalformedReplyError as exc:
            if not args.also:
                raise
            raise MalformedReplyError(f"{spec} ({kind}): {exc}") from exc
    _print_identification(args, identify(evidence, policy), policy, mac_organisation(evidence))
    return 0


def _cmd_identify(args: argparse.Namespace) -> int:
    from camcensus.vendor_db.identify import evidence_from_mapping, identify

    policy = load_policy(args.policy)
    if args.reply is not None:
        return _identify_reply(args, policy)
    if args.also:
        raise VendorDataError("--also needs --reply KIND: it adds replies to a captured one")
    docs, single = _parse_evidence_json(_read_text(args.file), args.file)
    if args.text:
        for n, doc in enumerate(docs):
            if n:
                print()
            if "_id" in doc:
                print(f"_id                {doc['_id']}")
            evidence = evidence_from_mapping(doc)
            print(identify_text(identify(evidence, policy), policy))
            block = mac_organisation(evidence) or "unknown"
            print(f"MAC block          {block} (IEEE registry; a scan shows it as the maker "
                  "of a host it cannot identify)")  # fmt: skip
        return 0
    results: list[dict[str, Any]] = []
    for doc in docs:
        evidence = evidence_from_mapping(doc)
        result = identify(evidence, policy).to_dict() | {
            "mac_organisation": mac_organisation(evidence)
        }
        if args.no_chain:
            del result["chain"]
        if "_id" in doc:
            result = {"_id": doc["_id"], **result}
        results.append(result)
    print(json.dumps(results[0] if single else results, indent=2, ensure_ascii=False))
    return 0


def _cmd_oui_update(args: argparse.Namespace) -> int:
    from camcensus.vendor_db.oui import (
        SYSTEM_OUI_DIR,
        format_prefix,
        load_oui_tables,
        oui_data_dir,
        read_ieee_csv_file,
    )

    as_root = os.geteuid() == 0
    target: Path = args.data_dir or oui_data_dir(system=as_root)
    parsed = []
    for path in args.sources:
        entries = read_ieee_csv_file(path)  # validate everything before writing anything
        if not entries:
            raise VendorDataError(f"{path}: no assignments in file")
        parsed.append((path, entries))
    try:
        target.mkdir(parents=True, exist_ok=True)
        for path, entries in parsed:
            shutil.copyfile(path, target / path.name)
            by_reg: dict[str, int] = {}
            for e in entries:
                by_reg[e.registry] = by_reg.get(e.registry, 0) + 1
            counts = ", ".join(f"{n} {r}" for r, n in sorted(by_reg.items()))
            first = entries[0]
            print(
                f"imported {path} -> {target / path.name}: {counts}"
                f" (first: {format_prefix(first.prefix, first.bits)} {first.organisation})"
            )
    except OSError as exc:
        raise VendorDataError(f"cannot store OUI data in {target}: {exc}") from exc
    tables = load_oui_tables(target)
    print("lookup layers now:", json.dumps(tables.counts()))
    _note_root_readers(target, SYSTEM_OUI_DIR, args.data_dir, "oui update")
    return 0


def _cmd_data_update(args: argparse.Namespace) -> int:
    from dataclasses import replace
    from datetime import UTC, datetime

    from camcensus.vendor_db.cve import (
        PACK_FILE,
        CvePack,
        detect_and_parse,
        load_cve_pack,
        merge_packs,
        pack_to_dict,
        read_json_file,
    )
    from camcensus.vendor_db.oui import SYSTEM_DATA_DIR, data_dir
    from camcensus.vendor_db.vendors import load_vendors

    source: Path = args.source_dir
    if not source.is_dir():
        raise VendorDataError(f"{source}: not a folder of downloaded JSON files")
    paths = sorted(source.glob("*.json"))
    if not paths:
        raise VendorDataError(f"{source}: no *.json files (NVD CVE 2.0, CISA KEV, ENISA EUVD)")
    today = datetime.now(UTC).date().isoformat()
    table = load_vendors()
    pack = CvePack("", "imported", {}, "imported")
    parsed: list[tuple[Path, str, CvePack]] = []
    for path in paths:  # every file parses before anything is written
        kind, part = detect_and_parse(read_json_file(path), table, today)
        parsed.append((path, kind, part))
    for path, kind, part in parsed:
        # the pack is as new as its newest download (a KEV catalogue: its release date)
        pack = merge_packs(pack, replace(part, date=max(pack.date, part.date)))
        kev = sum(1 for e in part.entries.values() if e.kev)
        rules = sum(len(e.rules) for e in part.entries.values())
        print(f"read {path} ({kind}, dated {part.date}): {len(part.entries)} CVEs, "
              f"{rules} firmware rules, {kev} KEV marks")  # fmt: skip
    as_root = os.geteuid() == 0
    target: Path = args.data_dir or data_dir("cve", system=as_root)
    try:
        target.mkdir(parents=True, exist_ok=True)
        tmp = target / (PACK_FILE + ".tmp")
        tmp.write_text(json.dumps(pack_to_dict(pack), indent=1, ensure_ascii=False), "utf-8")
        tmp.replace(target / PACK_FILE)
    except OSError as exc:
        raise VendorDataError(f"cannot store the CVE pack in {target}: {exc}") from exc
    merged = load_cve_pack([target])
    print(
        f"stored {target / PACK_FILE}: data pack of {merged.date}, "
        f"{len(merged.entries)} CVEs with the shipped pack"
    )
    _note_root_readers(target, SYSTEM_DATA_DIR / "cve", args.data_dir, "data update")
    return 0
