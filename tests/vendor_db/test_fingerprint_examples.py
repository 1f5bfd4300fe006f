"""recog-style self-test of vendor_db/data/fingerprints/*.toml: every example is a test."""

from __future__ import annotations

import pytest

from camcensus.base.errors import VendorDataError
from camcensus.base.evidence import known_keys
from camcensus.vendor_db.fingerprints import (
    MAX_EXAMPLES,
    Fingerprint,
    key_matches,
    load_fingerprints,
    parse_fingerprints,
)
from camcensus.vendor_db.vendors import load_vendors

DB = load_fingerprints()
CASES = [
    pytest.param(fp, i, key, id=f"{fp.id}[{i}]@{key}")
    for fp in DB.fingerprints
    for i in range(len(fp.examples))
    for key in fp.keys
]


def test_ids_unique_and_example_counts() -> None:
    ids = [fp.id for fp in DB.fingerprints]
    assert len(ids) == len(set(ids))
    for fp in DB.fingerprints:
        assert 1 <= len(fp.examples) <= MAX_EXAMPLES, fp.id
        texts = [e.text for e in fp.examples]
        assert len(texts) == len(set(texts)), f"{fp.id}: duplicate example"


@pytest.mark.parametrize("fp", DB.fingerprints, ids=lambda fp: fp.id)
def test_keys_and_set_values_are_known(fp: Fingerprint) -> None:
    keys = known_keys()
    for key in fp.keys:
        assert key in keys or any(k.endswith("*") and key_matches(k, key) for k in keys), key
    vendors = load_vendors()
    if "maker" in fp.set:
        assert vendors.get(fp.set["maker"]) is not None, fp.set["maker"]
        assert vendors[fp.set["maker"]].name == fp.set["maker"], "use the table's canonical name"


@pytest.mark.parametrize(("fp", "index", "key"), CASES)
def test_example_matches_own_fingerprint_first(fp: Fingerprint, index: int, key: str) -> None:
    example = fp.examples[index]
    hit = DB.match(key, example.text)
    assert hit is not None, f"{example.text!r} matches nothing"
    assert hit.fingerprint.id == fp.id, f"shadowed by earlier fingerprint {hit.fingerprint.id}"
    m = fp.pattern.search(example.text)
    assert m is not None
    extracted = {k: v.strip() for k, v in m.groupdict().items() if v}
    assert extracted == dict(example.expect)
    assert set(example.expect) <= fp.groups()


def test_real_world_examples_are_cited() -> None:
    cited = [e for fp in DB.fingerprints for e in fp.examples if e.source]
    assert len(cited) >= 30


def test_bad_files_are_rejected() -> None:
    with pytest.raises(VendorDataError, match="bad pattern"):
        parse_fingerprints('key = "http.server"\n[[fingerprint]]\nid = "x"\npattern = "("\n')
    with pytest.raises(VendorDataError, match="not an output field"):
        parse_fingerprints(
            'key = "http.server"\n[[fingerprint]]\nid = "x"\npattern = "(?P<os>a)"\n'
        )
    with pytest.raises(VendorDataError, match="unknown field"):
        parse_fingerprints(
            'key = "http.server"\n[[fingerprint]]\nid = "x"\npattern = "a"\nset = { os = "y" }\n'
        )
    with pytest.raises(VendorDataError, match="needs 'key'"):
        parse_fingerprints('[[fingerprint]]\nid = "x"\npattern = "a"\n')
