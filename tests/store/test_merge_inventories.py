"""Merging inventories: sites with the same addresses stay apart, merging twice changes
nothing, reviews travel and survive rescans, conflicts are kept and shown, a record
known here only by address joins the source's MAC record, and a merge that fails
changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from builders import make_device
from store_helpers import TARGETS, TickingClock

from camcensus.base.errors import InventoryError
from camcensus.base.evidence import Evidence
from camcensus.scanner.store import Inventory, table_rows

Opener = Callable[[str], Inventory]


@pytest.fixture
def open_named(tmp_path: Path) -> Opener:
    opened: dict[str, Inventory] = {}
    clock = TickingClock()

    def _open(name: str) -> Inventory:
        if name not in opened:
            opened[name] = Inventory.open(tmp_path / f"{name}.db", clock=clock)
        return opened[name]

    return _open


def _scan(inv: Inventory, site: str | None, hosts: range | list[int], **kw: object) -> int:
    scan_id = inv.begin_scan(
        operator=f"op-{site}", scope=f"scope-{site}", targets=TARGETS, site=site,
        host=f"laptop-{site}",
    )  # fmt: skip
    for host in hosts:
        inv.record_device(scan_id, make_device(host, site=site, **kw))  # type: ignore[arg-type]
    inv.finish_scan(scan_id)
    return scan_id


def _state(inv: Inventory) -> dict[str, list[dict[str, object]]]:
    """Every row of every table that a merge writes (ids included)."""
    tables = ("scans", "devices", "evidence", "device_history", "device_tokens",
              "device_aliases", "review_log", "review_conflicts", "scan_coverage",
              "scan_recorders")  # fmt: skip
    return {t: list(inv.db.query(f"SELECT * FROM {t} ORDER BY rowid")) for t in tables}  # noqa: S608


def test_two_sites_with_the_same_addresses_merge_into_the_sum(open_named: Opener) -> None:
    a, b, central = open_named("a"), open_named("b"), open_named("central")
    _scan(a, "A", range(5, 15))
    _scan(b, "B", range(5, 15))
    for source in (a, b):
        report = central.merge(source.dump(), origin="site.db")
        assert (report.scans_added, report.devices_added, report.conflicts) == (1, 10, [])
    records = central.devices()
    assert len(records) == 20
    assert {r.presence for r in records} == {"present"}
    assert {r.site for r in records} == {"A", "B"}
    assert len({r.device_key for r in records}) == 20


def test_a_scan_keeps_its_operator_host_scope_and_uid(open_named: Opener) -> None:
    a, central = open_named("a"), open_named("central")
    scan_id = _scan(a, "A", [5])
    central.merge(a.dump(), origin="/media/usb/a.db")
    (merged,) = central.db.query("SELECT * FROM scans")
    (original,) = a.db.query("SELECT * FROM scans WHERE id = ?", [scan_id])
    for column in ("uid", "operator", "host", "scope", "targets", "site", "status", "started_at"):
        assert merged[column] == original[column], column
    assert merged["merged_from"] == "/media/usb/a.db"
    assert central.history(int(merged["id"]))[0].device_key == "A/mac:aa:bb:cc:00:00:05"


def test_merging_the_same_inventory_twice_changes_nothing(open_named: Opener) -> None:
    a, central = open_named("a"), open_named("central")
    _scan(a, "A", range(5, 10))
    a.set_review("A/mac:aa:bb:cc:00:00:05", "to_replace", "2027", reviewer="ann")
    central.merge(a.dump(), origin="a.db")
    before = _state(central)
    report = central.merge(a.dump(), origin="a.db")
    assert (report.scans_added, report.scans_known) == (0, 1)
    assert (report.devices_added, report.devices_updated, report.reviews_taken) == (0, 0, 0)
    assert report.conflicts == []
    assert _state(central) == before


def test_a_site_review_travels_and_survives_a_rescan_and_a_second_merge(
    open_named: Opener,
) -> None:
    a, central = open_named("a"), open_named("central")
    key = "A/mac:aa:bb:cc:00:00:05"
    _scan(a, "A", range(5, 8))
    a.set_review(key, "to_replace", "replace in 2027", reviewer="ann")
    assert central.merge(a.dump(), origin="a.db").reviews_taken == 1
    _scan(a, "A", range(5, 8))  # the site is scanned again
    report = central.merge(a.dump(), origin="a.db")
    assert (report.scans_added, report.devices_updated, report.conflicts) == (1, 3, [])
    record = central.device(key)
    assert (record.review_status, record.note, record.presence) == (
        "to_replace", "replace in 2027", "present",
    )  # fmt: skip
    assert len(central.history(record.last_scan_id)) == 3
    assert [(e.status, e.reviewer, e.origin) for e in central.review_log(key)] == [
        ("to_replace", "ann", "a.db")
    ]


def test_a_central_review_is_kept_when_a_newer_site_scan_arrives(open_named: Opener) -> None:
    a, central = open_named("a"), open_named("central")
    key = "A/mac:aa:bb:cc:00:00:05"
    _scan(a, "A", [5])
    a.set_review(key, "to_replace", "site says replace", reviewer="ann")
    central.merge(a.dump(), origin="a.db")
    central.set_review(key, "accepted_risk", "board accepted until 2028", reviewer="ciso")
    _scan(a, "A", [5])
    report = central.merge(a.dump(), origin="a.db")
    assert report.conflicts == []  # the site's review was seen here before, then changed
    record = central.device(key)
    assert (record.review_status, record.note) == ("accepted_risk", "board accepted until 2028")


def test_a_device_reviewed_differently_in_two_places_keeps_a_conflict(
    open_named: Opener,
) -> None:
    a, central = open_named("a"), open_named("central")
    key = "A/mac:aa:bb:cc:00:00:05"
    _scan(a, "A", [5])
    central.merge(a.dump(), origin="a.db")
    central.set_review(key, "accepted_risk", "central", reviewer="ciso")
    a.set_review(key, "to_replace", "site", reviewer="ann")
    report = central.merge(a.dump(), origin="a.db")
    assert [(c.device_key, c.status, c.note, c.reviewer, c.origin) for c in report.conflicts] == [
        (key, "to_replace", "site", "ann", "a.db")
    ]
    assert central.device(key).review_status == "accepted_risk"
    assert [(c.status, c.origin) for c in central.review_conflicts(key)] == [("to_replace", "a.db")]
    again = central.merge(a.dump(), origin="a.db")
    assert again.conflicts == []
    assert len(central.review_conflicts(key)) == 1


def test_a_record_known_here_by_address_joins_the_sources_mac_record(open_named: Opener) -> None:
    a, central = open_named("a"), open_named("central")
    _scan(central, "A", [5], mac=None)  # an import here saw no MAC
    central.set_review("A/ip:198.18.0.5", "to_replace", "from the import", reviewer="ciso")
    _scan(a, "A", [5])
    report = central.merge(a.dump(), origin="a.db")
    assert (report.devices_added, report.devices_joined) == (0, 0)  # joined by its MAC key
    (record,) = central.devices()
    assert record.device_key == "A/mac:aa:bb:cc:00:00:05"
    assert (record.review_status, record.note) == ("to_replace", "from the import")
    aliases = {
        r["alias"]: r["device_key"] for r in central.db.query("SELECT * FROM device_aliases")
    }
    assert aliases == {"A/ip:198.18.0.5": "A/mac:aa:bb:cc:00:00:05"}


def test_a_source_device_without_a_mac_joins_the_record_with_its_serial(
    open_named: Opener,
) -> None:
    a, central = open_named("a"), open_named("central")
    serial = [Evidence("onvif.serial", "DS-2CD2032-I0120150326CCWR", "onvif", "198.18.0.5")]
    _scan(central, "A", [5], evidence=serial)
    moved = [Evidence("onvif.serial", "DS-2CD2032-I0120150326CCWR", "onvif", "198.18.0.77")]
    _scan(a, "A", [77], mac=None, evidence=moved)  # seen across a router, at a new address
    report = central.merge(a.dump(), origin="a.db")
    assert report.devices_joined == 1
    (record,) = central.devices()
    assert (record.device_key, record.device.ip) == ("A/mac:aa:bb:cc:00:00:05", "198.18.0.77")


def test_a_newer_sighting_updates_an_older_one_does_not(open_named: Opener) -> None:
    a, b, central = open_named("a"), open_named("b"), open_named("central")
    _scan(a, None, [5], model="DS-OLD")
    _scan(b, None, [5], model="DS-NEW")  # later (the clocks tick)
    central.merge(b.dump(), origin="b.db")
    report = central.merge(a.dump(), origin="a.db")
    assert report.without_site == 1
    assert report.devices_updated == 0
    record = central.device("mac:aa:bb:cc:00:00:05")
    assert record.device.model == "DS-NEW"
    (a_uid,) = [r["uid"] for r in a.db.query("SELECT uid FROM scans")]
    (a_here,) = [r["id"] for r in central.db.query("SELECT id FROM scans WHERE uid = ?", [a_uid])]
    assert (record.first_scan_id, record.last_scan_id) == (a_here, 1)
    assert record.first_seen < record.last_seen  # a.db's older sighting is the first


def test_a_dump_of_one_site_or_one_scan_holds_only_that(open_named: Opener) -> None:
    inv = open_named("central")
    _scan(inv, "A", [5, 6])
    second = _scan(inv, "B", [5])
    site = inv.dump(site="A")
    assert {str(d["device_key"]) for d in table_rows(site, "devices")} == {
        "A/mac:aa:bb:cc:00:00:05", "A/mac:aa:bb:cc:00:00:06",
    }  # fmt: skip
    one = inv.dump(scan_id=second)
    assert [s["id"] for s in table_rows(one, "scans")] == [second]
    assert {e["scan_id"] for e in table_rows(one, "evidence")} == {second}
    with pytest.raises(InventoryError, match="no scan of site"):
        inv.dump(site="C")


def test_a_dump_leaves_out_the_bulk_of_scans_the_receiver_has(open_named: Opener) -> None:
    a, central = open_named("a"), open_named("central")
    _scan(a, "A", [5, 6])
    central.merge(a.dump(), origin="a.db")
    second = _scan(a, "A", [5, 6, 7])
    content = a.dump(known_scans=central.scan_uids())
    assert {e["scan_id"] for e in table_rows(content, "evidence")} == {second}
    report = central.merge(content, origin="a.db")
    assert (report.scans_added, report.scans_known, report.devices_added) == (1, 1, 1)
    assert len(central.history(central.device("A/mac:aa:bb:cc:00:00:05").first_scan_id)) == 2


def test_a_scan_bundle_merges_into_an_inventory_that_lacks_its_older_scans(
    open_named: Opener,
) -> None:
    a, central = open_named("a"), open_named("central")
    _scan(a, "A", [5])
    second = _scan(a, "A", [5, 6])
    central.merge(a.dump(scan_id=second), origin="scan.bundle")
    assert len(central.devices()) == 2
    assert {r.first_scan_id for r in central.devices()} == {1}


def test_a_source_from_a_newer_camcensus_is_refused(open_named: Opener) -> None:
    a, central = open_named("a"), open_named("central")
    _scan(a, "A", [5])
    content = a.dump()
    content["migrations"] = [*content["migrations"], "0099_future"]  # type: ignore[misc]
    with pytest.raises(InventoryError, match="newer camcensus"):
        central.merge(content, origin="future.db")
    assert central.devices() == []


def test_a_damaged_source_changes_nothing(open_named: Opener) -> None:
    a, central = open_named("a"), open_named("central")
    _scan(a, "A", [5, 6, 7])
    content = a.dump()
    devices = content["devices"]
    assert isinstance(devices, dict)
    devices["rows"][2] = devices["rows"][2][:-1]  # the third device's row is cut short
    before = _state(central)
    with pytest.raises(InventoryError, match="damaged"):
        central.merge(content, origin="bad.db")
    assert _state(central) == before


def test_merging_into_a_read_only_inventory_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    Inventory.open(path).close()
    with (
        Inventory.open(path, read_only=True) as reader,
        pytest.raises(InventoryError, match="read-only"),
    ):
        reader.merge({"scans": []}, origin="x")


def test_a_recorders_coverage_travels_with_its_scan(open_named: Opener) -> None:
    from camcensus.scanner.core.schema import RecorderCoverage

    a, central = open_named("a"), open_named("central")
    scan_id = a.begin_scan(operator="ann", scope="lab", targets=TARGETS, site="A")
    a.record_device(scan_id, make_device(5, site="A"))
    row = RecorderCoverage("198.18.0.5", "A/mac:aa:bb:cc:00:00:05", 8, 0, "credentials needed")
    a.record_coverage(scan_id, [], [], [row])
    a.finish_scan(scan_id)
    central.merge(a.dump(), origin="a.db")
    (merged,) = central.db.query("SELECT * FROM scan_recorders")
    assert (merged["device_key"], merged["channels"], merged["reason"]) == (
        "A/mac:aa:bb:cc:00:00:05", 8, "credentials needed",
    )  # fmt: skip
