"""Put every source group of the corpus into one half, once: ``split.toml``.

Run: .venv/bin/python tests/corpus/make_split.py

A group already in ``split.toml`` keeps its half for good; only groups new to the
corpus are placed, so items added later cannot move old ones across.  The rule:

1. Groups whose text camcensus' fingerprints were written from (rapid7/recog files,
   rroller/dahua, aiodahua, julienblitte/UniversalScanner, OpenIPC/python-dvr,
   hawkeye64/onvif-nvt, liyanhui1998/go-onvif, zmap/ztag,
   faithoflifedev/easy_onvif_workspace) go to the rules half: their strings have been
   read already.
2. Every other group, in the order of the SHA-256 of its name (fixed, and blind to what
   the group holds), goes to the half that has fewer items so far of the family most
   of its items belong to (Hikvision, Dahua, other Chinese, other); ties go to *test*.

No identification result is looked at, so the split cannot favour camcensus.
"""

from __future__ import annotations

import hashlib
import sys
import tomllib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
READ_ALREADY = (
    "github:rapid7/recog",
    "github:rroller/dahua",
    "github:brianegge/aiodahua",
    "github:julienblitte/UniversalScanner",
    "github:OpenIPC/python-dvr",
    "github:hawkeye64/onvif-nvt",  # cited by onvif_hardware.toml and onvif_namespace.toml
    "github:liyanhui1998/go-onvif",  # cited by onvif_namespace.toml
    "github:zmap/ztag",  # scan fixtures labelled by ztag itself; rules half by the lead's decision
    "github:faithoflifedev/easy_onvif_workspace",  # cited by serial.toml, onvif_*.toml
)


def _families() -> dict[str, str]:
    doc = tomllib.loads((HERE / "makers.toml").read_text(encoding="utf-8"))
    concern = {"CN", "RU", "IR", "KP"}
    out: dict[str, str] = {}
    for name, entry in doc["maker"].items():
        if name in ("Hikvision", "Dahua"):
            out[name] = name
        elif entry["country"] in concern or entry.get("owner_country") in concern:
            out[name] = "other Chinese"
        else:
            out[name] = "other"
    return out


def main() -> int:
    families = _families()
    groups: dict[str, Counter[str]] = {}
    for path in sorted((HERE / "items").glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        groups.setdefault(raw["source"]["group"], Counter())[families[raw["truth"]["maker"]]] += 1
    split_path = HERE / "split.toml"
    placed: dict[str, str] = {}
    if split_path.exists():
        placed = dict(tomllib.loads(split_path.read_text(encoding="utf-8"))["groups"])
    counts = {"rules": Counter[str](), "test": Counter[str]()}
    for group, half in placed.items():
        counts[half].update(groups.get(group, Counter()))
    new = sorted(
        (g for g in groups if g not in placed), key=lambda g: hashlib.sha256(g.encode()).digest()
    )
    for group in new:
        if group.startswith(READ_ALREADY):
            half = "rules"
        else:
            main_family = groups[group].most_common(1)[0][0]
            half = (
                "test" if counts["test"][main_family] <= counts["rules"][main_family] else "rules"
            )
        placed[group] = half
        counts[half].update(groups[group])
    lines = [
        "# The half of the corpus each source group is in, decided once by make_split.py",
        "# (its docstring gives the rule). Never move a group: the test half is measured,",
        "# never read while writing fingerprints.",
        "",
        "[groups]",
    ]
    lines += [f'"{group}" = "{placed[group]}"' for group in sorted(placed)]
    split_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for half, counter in counts.items():
        print(half, sum(counter.values()), dict(sorted(counter.items())))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
