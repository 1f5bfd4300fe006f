"""``camcensus export --bundle`` and ``camcensus merge`` through ``camcensus.cli.main``:
a bundle carries a site to the centre; a tampered, truncated or foreign file is refused
with a clear error and nothing of it merged."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest
from builders import make_device

from camcensus.base.errors import BundleError
from camcensus.cli import EXIT_ERROR, EXIT_OK, main
from camcensus.scanner.core.bundle import decode_bundle, encode_bundle
from camcensus.scanner.store import Inventory


def _site_db(path: Path, site: str, hosts: range) -> Path:
    with Inventory.open(path) as inv:
        scan_id = inv.begin_scan(operator="ann", scope="lab", targets="198.18.0.0/24", site=site)
        for host in hosts:
            inv.record_device(scan_id, make_device(host, site=site))
        inv.finish_scan(scan_id)
        inv.set_review(f"{site}/mac:aa:bb:cc:00:00:05", "to_replace", "in the plan", reviewer="ann")
    return path


def _count(db: Path) -> int:
    with Inventory.open(db, create=False, read_only=True) as inv:
        return len(inv.devices())


def test_a_bundle_carries_a_site_to_the_centre(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = _site_db(tmp_path / "train.db", "Train-4011", range(5, 12))
    bundle = tmp_path / "train.bundle"
    assert main(["export", "--db", str(site), "--bundle", str(bundle)]) == EXIT_OK
    manifest, _content = decode_bundle(bundle.read_bytes())
    assert manifest["what"] == "inventory"
    assert manifest["sites"] == ["Train-4011"]
    assert manifest["devices"] == 7
    for fact in (
        "camcensus",
        "vendor_table",
        "fingerprints",
        "oui",
        "content_sha256",
        "created_at",
    ):
        assert manifest[fact], fact
    central = tmp_path / "central.db"
    assert main(["merge", str(bundle), "--into", str(central)]) == EXIT_OK
    assert "1 scan(s) added (0 already here), 7 device(s) added" in capsys.readouterr().out
    assert main(["merge", str(bundle), str(site), "--into", str(central)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.count("0 scan(s) added (1 already here), 0 device(s) added, 0 updated") == 2
    with Inventory.open(central, create=False, read_only=True) as inv:
        record = inv.device("Train-4011/mac:aa:bb:cc:00:00:05")
        assert (record.review_status, record.note) == ("to_replace", "in the plan")
        assert len(inv.devices()) == 7


def test_merge_json_reports_each_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = _site_db(tmp_path / "a.db", "A", range(5, 8))
    b = _site_db(tmp_path / "b.db", "B", range(5, 8))
    central = tmp_path / "central.db"
    assert main(["merge", str(a), str(b), "--into", str(central), "--json"]) == EXIT_OK
    reports = json.loads(capsys.readouterr().out)
    assert [(r["origin"], r["devices_added"], r["reviews_taken"]) for r in reports] == [
        (str(a), 3, 1),
        (str(b), 3, 1),
    ]
    assert _count(central) == 6


def test_a_bundle_of_one_site_or_scan(tmp_path: Path) -> None:
    db = _site_db(tmp_path / "two.db", "A", range(5, 8))
    with Inventory.open(db) as inv:
        scan_id = inv.begin_scan(operator="bob", scope="lab", targets="198.18.0.0/24", site="B")
        inv.record_device(scan_id, make_device(9, site="B"))
        inv.finish_scan(scan_id)
    for argv, devices in ((["--site", "B"], 1), (["--scan", "1"], 3)):
        bundle = tmp_path / "part.bundle"
        assert main(["export", "--db", str(db), "--bundle", str(bundle), *argv]) == EXIT_OK
        manifest, _content = decode_bundle(bundle.read_bytes())
        assert manifest["devices"] == devices
    assert main(["export", "--db", str(db), "--bundle", str(bundle), "--site", "C"]) == EXIT_ERROR
    assert main(["export", "--db", str(db), "--csv", "-", "--site", "A"]) == EXIT_ERROR


def _tampered(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    return gzip.compress(raw.replace(b"in the plan", b"in the bin!"), mtime=0)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_tampered, "does not match its SHA-256"),
        (lambda data: data[: len(data) // 2], "truncated"),
        (lambda data: data[:-4] + b"\0\0\0\0", "damaged"),  # gzip's length field
        (lambda data: b"\x1f\x8b" + b"junk" * 10, "not a camcensus bundle"),
        (lambda data: gzip.compress(b'{"format": "tarball"}\n{}'), "no camcensus-bundle format"),
    ],
)
def test_a_damaged_bundle_is_refused_and_nothing_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: object, message: str
) -> None:
    site = _site_db(tmp_path / "site.db", "A", range(5, 8))
    bundle = tmp_path / "site.bundle"
    assert main(["export", "--db", str(site), "--bundle", str(bundle)]) == EXIT_OK
    bundle.write_bytes(damage(bundle.read_bytes()))  # type: ignore[operator]
    central = tmp_path / "central.db"
    other = _site_db(tmp_path / "other.db", "B", range(5, 6))
    assert main(["merge", str(other), str(bundle), "--into", str(central)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert _count(central) == 1  # the good source before it merged, nothing of the bad one


def test_a_bundle_from_a_newer_format_and_a_bomb_are_refused() -> None:
    raw = gzip.decompress(encode_bundle({}, {})).replace(
        b'"format_version": 1', b'"format_version": 9'
    )
    with pytest.raises(BundleError, match="newer camcensus"):
        decode_bundle(gzip.compress(raw))
    bomb = gzip.compress(b'{"format":"camcensus-bundle"}\n' + b" " * 5_000_000)
    with pytest.raises(BundleError, match="more than 1000000 bytes"):
        decode_bundle(bomb, max_bytes=1_000_000)


def test_a_bundle_nested_past_the_json_parsers_depth_is_refused() -> None:
    nested = b"[" * 100_000
    with pytest.raises(BundleError, match="manifest is not JSON"):
        decode_bundle(gzip.compress(b'{"a": ' + nested + b"\n{}"))
    body = b'{"t": ' + nested + b"}"
    head = json.dumps(
        {"format": "camcensus-bundle", "format_version": 1, "content_bytes": len(body),
         "content_sha256": hashlib.sha256(body).hexdigest()}
    ).encode()  # fmt: skip
    with pytest.raises(BundleError, match="content is not JSON"):
        decode_bundle(gzip.compress(head + b"\n" + body))


def test_merge_refuses_its_own_target_and_files_that_are_no_inventory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _site_db(tmp_path / "a.db", "A", range(5, 6))
    assert main(["merge", str(db), "--into", str(db)]) == EXIT_ERROR
    assert "is the inventory merged into" in capsys.readouterr().err
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    assert main(["merge", str(text), "--into", str(tmp_path / "c.db")]) == EXIT_ERROR
    assert "neither a camcensus inventory nor a camcensus bundle" in capsys.readouterr().err
