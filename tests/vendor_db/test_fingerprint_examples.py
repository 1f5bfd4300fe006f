"""recog-style self-test of vendor_db/data/fingerprints/*.toml: every example is a test."""

from __future__ import annotations

import pytest

from camcensus.base.errors import VendorDataError
from camcensus.base.evidence import known_keys
from camcensus.vendor_db.fingerprints import (
    MAX_EXAMPLES,
    Fingerprint,
    FingerprintDB,
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
    # a rule that names no maker may be overlaid by a later one that does
    own = hit.fingerprint if hit.under is None or "maker" in fp.set else hit.under
    assert own.id == fp.id, f"shadowed by earlier fingerprint {hit.fingerprint.id}"
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


def test_a_rule_that_names_no_maker_yields_to_a_later_one_that_does() -> None:
    text = """
key = "ftp.banner"
[[fingerprint]]
id = "printer"
pattern = '^(?P<model>ACME P[0-9]+) '
set = { device_type = "other" }
[[fingerprint]]
id = "unrelated"
pattern = 'P1'
set = { device_type = "camera" }
[[fingerprint]]
id = "acme"
pattern = '^ACME P[0-9]+ FTP ready'
set = { maker = "Axis" }
"""
    db = FingerprintDB.build(parse_fingerprints(text))
    hit = db.match("ftp.banner", "ACME P10 FTP ready")
    assert hit is not None
    assert hit.fingerprint.id == "acme"
    assert hit.under is not None
    assert hit.under.id == "printer"
    assert dict(hit.fields) == {"device_type": "other", "model": "ACME P10", "maker": "Axis"}
    plain = db.match("ftp.banner", "ACME P10 login")  # no maker rule matches: the first stays
    assert plain is not None
    assert plain.fingerprint.id == "printer"
    assert plain.under is None
