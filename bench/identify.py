"""Identification on replies of real devices: camcensus beside nmap's service probes.

Run: .venv/bin/python bench/identify.py [--half test|rules] [--misses]

Every item of the real-device corpus (tests/corpus: replies as published, with their
source and a truth written without camcensus) is read through the scanner's own parsers
(``identify --reply``) and identified; the same reply bytes go through the match lines
of the locally installed nmap's ``nmap-service-probes`` (bench/nmap_probes.py).
Reported per family (Hikvision and Dahua with their white labels, other Chinese makers,
other makers) and overall: maker recall, flag recall on makers of concern, and false
flags on the others.  nmap flags nothing, so only its maker recall is comparable.

The figures that count are the *test* half's: that half is never read while writing
fingerprints.  ``--misses`` lists the items camcensus gets wrong, and refuses to for the
test half; for the rules half it also lists the items of a maker of concern whose maker
is right but which are not flagged (``possible``: weak evidence only).  ``devices``:
the items of one source that name the same model, their replies taken together as a
scan takes a device's, beside the same replies one at a time.  Writes
bench/results/identify.json.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests" / "corpus"), str(HERE)]

import corpus  # type: ignore[import-not-found]  # noqa: E402
import nmap_probes  # noqa: E402
from _peer import write_json  # noqa: E402

from camcensus.base.errors import MalformedReplyError  # noqa: E402
from camcensus.scanner.core.replies import wire_form  # noqa: E402
from camcensus.vendor_db.identify import identify  # noqa: E402

RESULTS: Final = HERE / "results" / "identify.json"
GOALS: Final = {"Hikvision": 0.95, "Dahua": 0.95, "all": 0.90, "flag": 0.95}


def _camcensus(item: Any) -> tuple[str | None, bool, str, str]:
    """Maker, flagged, parse error and flag level (``possible``: weak evidence only)."""
    try:
        evidence = corpus.evidence(item)
    except MalformedReplyError as exc:
        return None, False, f"parse: {exc}", "no"
    result = identify(evidence)
    return result.maker, result.flag.flagged, "", result.flag.level


def _nmap(item: Any) -> str | None:
    if item.data is None or item.kind not in nmap_probes.PROBES_BY_KIND:
        return None
    hit = nmap_probes.match_reply(item.kind, wire_form(item.kind, item.data))
    if hit is None:
        return None
    vendors = [c.split(":")[2] for c in hit.cpes if c.count(":") >= 2]
    for text in (hit.product, *vendors, hit.info):
        if text:
            for maker in corpus.makers():
                if corpus.names_maker(text, maker) and maker == item.maker:
                    return maker
    return hit.product or None


def _figures(score: Any) -> dict[str, Any]:
    return {
        "items": score.total,
        "maker_right": score.maker_right,
        "maker_recall": round(score.maker_recall, 3),
        "flag_expected": score.flag_expected,
        "flag_right": score.flag_right,
        "flag_recall": round(score.flag_recall, 3),
        "false_flags": score.false_flags,
    }


def _devices(items: list[Any], ours: dict[str, tuple[str | None, bool, str, str]]) -> Any:
    """Replies taken together per device, as a scan takes a device's several answers:
    the items of one source group whose truth names the same maker, brand and model
    (model known), where there are two or more. Printed beside the same items scored
    one reply at a time."""
    sets: dict[tuple[str, str, str, str], list[Any]] = {}
    for item in items:
        if item.model:
            sets.setdefault((item.group, item.maker, item.brand, item.model), []).append(item)
    devices = [members for members in sets.values() if len(members) >= 2]
    results = []
    for members in devices:
        found: list[Any] = []
        for item in members:
            try:
                found += corpus.evidence(item)
            except MalformedReplyError:
                continue
        result = identify(found)
        results.append((members[0], result.maker, result.flag.flagged))
    together = corpus.score(results)
    alone = corpus.score((i, ours[i.id][0], ours[i.id][1]) for members in devices for i in members)
    print(
        f"devices ({len(devices)} of 2+ replies in one source naming one model, "
        f"{alone.total} replies): taken together maker {together.maker_recall:.1%}, "
        f"flagged {together.flag_right}/{together.flag_expected}, false flags "
        f"{together.false_flags}; one reply at a time maker {alone.maker_recall:.1%}, "
        f"flagged {alone.flag_right}/{alone.flag_expected}"
    )
    return {
        "devices": len(devices),
        "replies": alone.total,
        "together": _figures(together),
        "one_at_a_time": _figures(alone),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("test", "rules"), default="test")
    parser.add_argument("--misses", action="store_true", help="list misses (rules half only)")
    args = parser.parse_args(argv[1:])
    if args.misses and args.half == "test":
        print("refusing to list the test half's misses: it is held out", file=sys.stderr)
        return 2
    items = corpus.half(args.half)
    started = time.perf_counter()
    ours = {item.id: _camcensus(item) for item in items}
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    theirs = {item.id: _nmap(item) for item in items}
    nmap_s = time.perf_counter() - started
    report: dict[str, Any] = {
        "half": args.half,
        "items": len(items),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "nmap_match_lines": sum(len(v) for v in nmap_probes.probes().values()),
        "camcensus_ms_per_item": round(ours_s * 1000 / max(len(items), 1), 2),
        "nmap_ms_per_item": round(nmap_s * 1000 / max(len(items), 1), 2),
        "parse_errors": sum(1 for r in ours.values() if r[2]),
        "families": {},
    }
    groups = {**corpus.by_family(items), "all": items}
    print(f"corpus {args.half} half: {len(items)} items")
    print(f"{'family':<14} {'items':>5}  {'camcensus maker':>15}  {'nmap maker':>10}  "
          f"{'flag recall':>11}  {'false flags':>11}")  # fmt: skip
    for name, members in groups.items():
        mine = corpus.score((i, ours[i.id][0], ours[i.id][1]) for i in members)
        peer = corpus.score((i, theirs[i.id], False) for i in members)
        report["families"][name] = {"camcensus": _figures(mine), "nmap": _figures(peer)}
        goal = GOALS.get(name)
        mark = "" if goal is None else ("  ok" if mine.maker_recall >= goal else f"  < {goal:.0%}")
        print(
            f"{name:<14} {len(members):>5}  {mine.maker_recall:>14.1%}  {peer.maker_recall:>10.1%}"
            f"  {mine.flag_right:>4}/{mine.flag_expected:<4} {mine.false_flags:>11}{mark}"
        )
    overall = corpus.score((i, ours[i.id][0], ours[i.id][1]) for i in items)
    print(f"flag recall on makers of concern: {overall.flag_recall:.1%} (goal 95%); "
          f"false flags: {overall.false_flags} (goal 0)")  # fmt: skip
    concern = [i for i in items if corpus.makers()[i.maker].of_concern]
    possible = sum(1 for i in concern if ours[i.id][3] == "possible")
    possible_others = sum(1 for i in items if i not in concern and ours[i.id][3] == "possible")
    report["possible"] = {"makers_of_concern": possible, "others": possible_others}
    print(f"not flagged but 'possible' (weak evidence only, flag_level possible): "
          f"{possible} of the makers of concern, {possible_others} others")  # fmt: skip
    print(f"parse errors: {report['parse_errors']} (incomplete published replies)")
    print(f"time: camcensus {report['camcensus_ms_per_item']} ms, nmap match lines "
          f"{report['nmap_ms_per_item']} ms per item")  # fmt: skip
    report["kinds"] = {}
    print("by reply kind (counts only):", end="")
    for kind in sorted({i.kind for i in items}):
        members = [i for i in items if i.kind == kind]
        mine = corpus.score((i, ours[i.id][0], ours[i.id][1]) for i in members)
        errors = sum(1 for i in members if ours[i.id][2])
        report["kinds"][kind] = {
            "items": len(members),
            "maker_right": mine.maker_right,
            "parse_errors": errors,
        }
        print(
            f" {kind} {mine.maker_right}/{len(members)}"
            + (f" ({errors} unparsed)" if errors else ""),
            end="",
        )
    print()
    report["devices"] = _devices(items, ours)
    if args.misses:
        for item in items:
            maker, flagged, error, level = ours[item.id]
            if not corpus.names_maker(maker, item.maker):
                print(f"  miss {item.id} ({item.kind}): {maker!r}, truth {item.maker} {error}")
            elif corpus.makers()[item.maker].of_concern and not flagged:
                print(f"  unflagged {item.id} ({item.kind}): maker {maker!r} right, level {level}")
    if args.half == "test":
        write_json(RESULTS, report)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
