"""Identification precision and recall over the labelled set (tests/data/identify_labelled.jsonl).

Run: .venv/bin/python bench/identify.py [FILE]

Per field (maker, brand, device_type, flagged) a prediction counts as a true positive when
it equals the label, a false positive when it is set but wrong (or set where the label is
null), and a false negative when the label is set but the prediction is missing or wrong.
Also prints the time per identification.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from camcensus.vendor_db import identify
from camcensus.vendor_db.identify import evidence_from_mapping

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "data" / "identify_labelled.jsonl"
FIELDS = ("maker", "brand", "device_type", "flagged")


def _predicted(result: dict[str, object], field: str) -> object:
    if field == "flagged":
        flag = result["flag"]
        assert isinstance(flag, dict)
        return flag["flagged"]
    value = result[field]
    return None if value == "unknown" else value


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    counts = {f: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for f in FIELDS}
    misses: list[str] = []
    start = time.perf_counter()
    for case in cases:
        result = identify(evidence_from_mapping(case["evidence"])).to_dict()
        for field in FIELDS:
            label = case["expect"].get(field)
            if field == "device_type" and label == "unknown":
                label = None
            got = _predicted(result, field)
            if field == "flagged":  # a binary label: positive = flagged
                key = ("tp" if got else "tn") if got == label else ("fp" if got else "fn")
            elif got == label:
                key = "tp" if label is not None else "tn"
            else:
                key = "fp" if got is not None else "fn"
                if got is not None and label is not None:
                    counts[field]["fn"] += 1
            counts[field][key] += 1
            if got != label:
                misses.append(f"{case['id']}: {field} expected {label!r}, got {got!r}")
    elapsed_s = time.perf_counter() - start
    print(f"labelled set: {path} ({len(cases)} devices)")
    print(f"{'field':<12} {'precision':>9} {'recall':>7}  tp  fp  fn  tn")
    for field, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        print(
            f"{field:<12} {precision:>9.3f} {recall:>7.3f} {c['tp']:>3} {c['fp']:>3}"
            f" {c['fn']:>3} {c['tn']:>3}"
        )
    print(f"time: {elapsed_s * 1000 / max(len(cases), 1):.2f} ms per device (incl. first load)")
    for miss in misses:
        print("  miss:", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
