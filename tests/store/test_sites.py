"""Sites in the inventory: devices, scans and evidence carry their site, the same
addresses in two sites are two devices, and a scan marks missing only what it covered
in its own site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import make_device
from sqlite_utils import Database
from store_helpers import TARGETS, TickingClock

from camcensus.base.errors import InventoryError, ScopeError
from camcensus.scanner.store import _SCHEMA, Inventory


def _scan(inv: Inventory, site: str | None, hosts: list[int], location: str = "") -> int:
    scan_id = inv.begin_scan(
        operator="alice", scope="lab", targets=TARGETS, site=site, location=location
    )
    for host in hosts:
        inv.record_device(scan_id, make_device(host, site=site))
    return scan_id


def test_a_site_scan_puts_its_site_on_devices_scan_and_evidence(inv: Inventory) -> None:
    scan_id = _scan(inv, "Utrecht-CS", [5], location="platform 5")
    inv.finish_scan(scan_id)
    (record,) = inv.devices()
    assert record.device_key == "Utrecht-CS/mac:aa:bb:cc:00:00:05"
    assert record.site == "Utrecht-CS"
    info = inv.scan(scan_id)
    assert (info.site, info.location) == ("Utrecht-CS", "platform 5")
    sites = {
        r["site"] for r in inv.db.query("SELECT site FROM evidence WHERE scan_id = ?", [scan_id])
    }
    assert sites == {"Utrecht-CS"}
    assert [r.device_key for r in inv.devices(site="Utrecht-CS")] == [record.device_key]


def test_a_scan_without_a_site_keeps_the_keys_it_always_had(inv: Inventory) -> None:
    inv.finish_scan(_scan(inv, None, [5]))
    (record,) = inv.devices()
    assert (record.device_key, record.site) == ("mac:aa:bb:cc:00:00:05", None)
    assert inv.scans()[0].site is None


def test_a_scan_of_a_site_that_cannot_be_named_is_refused(inv: Inventory) -> None:
    for bad in ("", "a/b", "mac:x"):
        with pytest.raises(ScopeError, match="not a site name"):
            inv.begin_scan(operator="alice", scope="lab", targets=TARGETS, site=bad)
    assert inv.scans() == []


def test_a_device_keyed_in_another_site_is_refused(inv: Inventory) -> None:
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS, site="A")
    for device in (make_device(5, site="B"), make_device(6)):
        with pytest.raises(InventoryError, match="not keyed in the site of scan"):
            inv.record_device(scan_id, device)
    assert inv.devices() == []


def test_two_sites_with_the_same_addresses_are_two_sets_of_devices(inv: Inventory) -> None:
    inv.finish_scan(_scan(inv, "A", [5, 6]))
    inv.finish_scan(_scan(inv, "B", [5, 6]))
    records = inv.devices()
    assert sorted((r.site, r.device.ip) for r in records) == [
        ("A", "198.18.0.5"),
        ("A", "198.18.0.6"),
        ("B", "198.18.0.5"),
        ("B", "198.18.0.6"),
    ]
    assert {r.presence for r in records} == {"present"}


def test_scanning_site_b_marks_nothing_of_site_a_missing(inv: Inventory) -> None:
    inv.finish_scan(_scan(inv, "A", [5, 6]))
    assert inv.finish_scan(_scan(inv, "B", [7])) == []
    assert inv.finish_scan(_scan(inv, None, [8])) == []  # nor does a scan of no site
    assert {r.presence for r in inv.devices(site="A")} == {"present"}
    # a complete scan of A itself still marks what it covered and did not see
    assert inv.finish_scan(_scan(inv, "A", [5])) == ["A/mac:aa:bb:cc:00:00:06"]
    assert inv.device("B/mac:aa:bb:cc:00:00:07").presence == "present"
    assert inv.device("mac:aa:bb:cc:00:00:08").presence == "present"


def test_a_site_scan_leaves_devices_without_a_site_alone(inv: Inventory) -> None:
    inv.finish_scan(_scan(inv, None, [5]))
    assert inv.finish_scan(_scan(inv, "A", [6])) == []
    assert inv.device("mac:aa:bb:cc:00:00:05").presence == "present"
    assert inv.finish_scan(_scan(inv, None, [6])) == ["mac:aa:bb:cc:00:00:05"]


def test_an_inventory_from_before_sites_opens_and_keeps_working(
    tmp_path: Path, clock: TickingClock
) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    _SCHEMA.apply(old, stop_before="0004_sites")
    old.close()
    with Inventory.open(path, clock=clock) as inv:  # 0003: an inventory without sites
        inv.finish_scan(_scan(inv, None, [5, 6]))
    before = {m.name for m in _SCHEMA.applied(Database(path))}
    assert "0004_sites" in before
    with Inventory.open(path, clock=clock) as inv:
        assert [r.device_key for r in inv.devices()] == [
            "mac:aa:bb:cc:00:00:05",
            "mac:aa:bb:cc:00:00:06",
        ]
        assert inv.finish_scan(_scan(inv, None, [5])) == ["mac:aa:bb:cc:00:00:06"]
        assert inv.finish_scan(_scan(inv, "A", [5])) == []
        assert len(inv.devices()) == 3


def test_an_inventory_written_before_sites_migrates_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    _SCHEMA.apply(old, stop_before="0004_sites")
    old.execute(
        """INSERT INTO scans (started_at, status, operator, host, scope, targets)
           VALUES ('2025-03-01T09:00:00+00:00', 'complete', 'alice', 'h', 'lab', ?)""",
        [TARGETS],
    )
    old.execute(
        """INSERT INTO devices (device_key, ip, mac, first_seen, last_seen, first_scan_id,
               last_scan_id, identification, addresses)
           SELECT 'ip:198.18.0.9', '198.18.0.9', NULL, 't0', 't0', 1, 1, ?, '["198.18.0.9"]'""",
        [_identification_json()],
    )
    old.conn.commit()
    old.close()
    with Inventory.open(path) as inv:
        (record,) = inv.devices()
        assert (record.device_key, record.site) == ("ip:198.18.0.9", None)
        (scan,) = inv.scans()
        assert (scan.site, scan.location) == (None, "")


def _identification_json() -> str:
    return json.dumps(make_device(9).identification.to_dict(), sort_keys=True)


def test_a_device_scanned_in_a_site_keeps_that_site(inv: Inventory) -> None:
    inv.finish_scan(_scan(inv, "A", [5]))
    with pytest.raises(InventoryError, match="was scanned in site A"):
        inv.set_site("A/mac:aa:bb:cc:00:00:05", "B")
    inv.set_site("A/mac:aa:bb:cc:00:00:05", "A")
    assert inv.device("A/mac:aa:bb:cc:00:00:05").site == "A"
