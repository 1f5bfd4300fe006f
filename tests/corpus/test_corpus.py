"""The real-device corpus: well-formed items, every complete reply parses, and recall
on the held-out test half does not fall below its floors (the goals, once reached).

The floors in ``floors.toml`` are the figures camcensus has reached on the test half;
a change that identifies fewer real devices fails here.  The issue's goals are listed
beside them: until a floor reaches its goal, it is not met, and the note says so.
"""

from __future__ import annotations

import tomllib

import pytest
from corpus import HERE, ITEMS, by_family, evidence, half, items, makers, score, split

from camcensus.base.errors import MalformedReplyError
from camcensus.scanner.core.replies import KINDS
from camcensus.vendor_db.identify import identify

FLOORS = tomllib.loads((HERE / "floors.toml").read_text(encoding="utf-8"))


def test_every_item_is_well_formed() -> None:
    ids = set()
    for path in sorted(ITEMS.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        assert raw["id"] == path.stem
        ids.add(raw["id"])
        assert raw["kind"] in KINDS, path.name
        assert ("reply" in raw) or ("reply_base64" in raw) or raw.get("format") == "fields"
        source, truth = raw["source"], raw["truth"]
        assert {"ref", "group", "what", "redaction"} <= set(source), path.name
        assert source["group"] in split(), path.name
        assert truth["maker"] in makers(), path.name
        if truth["maker"] != truth["brand"]:
            assert truth.get("oem_source"), f"{path.name}: a white label needs its OEM source"
    assert len(ids) >= 300


def test_the_corpus_covers_the_world_it_claims() -> None:
    families = by_family(items())
    assert len({i.maker for i in items()}) >= 30
    assert len(families["Hikvision"]) >= 60
    assert len(families["Dahua"]) >= 60
    assert len(families["other"]) >= 100
    assert {i.half for i in items()} == {"rules", "test"}


@pytest.mark.parametrize("item", [i for i in items() if i.complete], ids=lambda i: i.id)
def test_every_complete_reply_parses(item) -> None:  # type: ignore[no-untyped-def]
    evidence(item)


def test_recall_on_the_test_half_holds_its_floors() -> None:
    test = half("test")
    results = []
    for item in test:
        try:
            found = identify(evidence(item))
        except MalformedReplyError:  # an excerpt that does not parse: identified as nothing
            results.append((item, None, False))
            continue
        results.append((item, found.maker, found.flag.flagged))
    floors = FLOORS["floor"]
    overall = score(results)
    assert overall.maker_recall >= floors["all"]
    assert overall.flag_recall >= floors["flag"]
    assert overall.false_flags <= floors["false_flags"]
    for family, members in by_family(test).items():
        ids = {i.id for i in members}
        family_score = score(r for r in results if r[0].id in ids)
        assert family_score.maker_recall >= floors.get(family, 0.0), family
