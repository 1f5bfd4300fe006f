"""One record per real device across scans whose keys drift: a rescan without root or
across a router (no MAC), an import, a device at a new address, and a later scan that
learns the MAC of a device first recorded by its address.  Never one record for two
devices on a reported serial alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import make_device
from sqlite_utils import Database
from store_helpers import TARGETS

from camcensus.base.errors import InventoryError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.schema import Device, device_key_for
from camcensus.scanner.store import Inventory

SERIAL = "DS-2CD2032-I0120150326CCWR549140711"


def _evidence(
    host: int, *, serial: str | None = SERIAL, endpoint: str | None = None
) -> tuple[Evidence, ...]:
    ip = f"198.18.0.{host}"
    items = [Evidence("http.server", "App-webs/", "http", ip)]
    if serial is not None:
        items.append(Evidence("onvif.serial", serial, "onvif", ip))
    if endpoint is not None:
        items.append(Evidence("wsd.endpoint", endpoint, "wsd", ip))
    return tuple(items)


def _with_mac(host: int, mac_host: int | None = None, **kw: object) -> Device:
    """The device at .host as a root scan on its link sees it: keyed by its MAC."""
    mac_host = host if mac_host is None else mac_host
    return make_device(host, mac=f"aa:bb:cc:00:00:{mac_host:02x}", **kw)  # type: ignore[arg-type]


def _without_mac(host: int, **kw: object) -> Device:
    """The device at .host as a scan without a MAC sees it: keyed by its address."""
    return make_device(host, mac=None, **kw)  # type: ignore[arg-type]


def _scan(inv: Inventory, *devices: Device, targets: str = TARGETS) -> tuple[int, list[Device]]:
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=targets)
    stored = [inv.record_device(scan_id, d) for d in devices]
    inv.finish_scan(scan_id)
    return scan_id, stored


def test_a_rescan_without_the_mac_updates_the_mac_record_and_keeps_its_review(
    inv: Inventory,
) -> None:
    _scan(
        inv, _with_mac(5, evidence=_evidence(5)), _with_mac(6, evidence=_evidence(6, serial=None))
    )
    inv.set_review("mac:aa:bb:cc:00:00:05", "to_replace", "in the plan")
    second, stored = _scan(
        inv,
        _without_mac(5, evidence=_evidence(5)),
        _without_mac(6, evidence=_evidence(6, serial=None)),
    )
    assert [d.device_key for d in stored] == ["mac:aa:bb:cc:00:00:05", "mac:aa:bb:cc:00:00:06"]
    records = inv.devices()
    assert sorted(r.device_key for r in records) == [
        "mac:aa:bb:cc:00:00:05",
        "mac:aa:bb:cc:00:00:06",
    ]
    assert {r.presence for r in records} == {"present"}
    five = inv.device("mac:aa:bb:cc:00:00:05")
    assert (five.review_status, five.note, five.last_scan_id) == (
        "to_replace",
        "in the plan",
        second,
    )
    assert five.device.mac == "aa:bb:cc:00:00:05"  # the scan that saw no MAC does not erase it


def test_a_later_scan_that_learns_the_mac_takes_over_the_address_record(inv: Inventory) -> None:
    first, _ = _scan(inv, _without_mac(5, evidence=_evidence(5)))
    inv.set_review("ip:198.18.0.5", "accepted_risk", "behind the firewall")
    second, stored = _scan(inv, _with_mac(5, evidence=_evidence(5)))
    assert stored[0].device_key == "mac:aa:bb:cc:00:00:05"
    (record,) = inv.devices()
    assert record.device_key == "mac:aa:bb:cc:00:00:05"
    assert (record.review_status, record.note) == ("accepted_risk", "behind the firewall")
    assert (record.first_scan_id, record.last_scan_id) == (first, second)
    history = [s.device_key for scan in (first, second) for s in inv.history(scan)]
    assert history == ["mac:aa:bb:cc:00:00:05", "mac:aa:bb:cc:00:00:05"]
    aliases = list(inv.db.query("SELECT alias, device_key FROM device_aliases"))
    assert aliases == [{"alias": "ip:198.18.0.5", "device_key": "mac:aa:bb:cc:00:00:05"}]
    log = list(inv.db.query("SELECT device_key, status FROM review_log"))
    assert log == [{"device_key": "mac:aa:bb:cc:00:00:05", "status": "accepted_risk"}]


def test_a_device_at_a_new_address_stays_one_device_by_its_reported_serial(
    inv: Inventory,
) -> None:
    first, _ = _scan(inv, _without_mac(5, evidence=_evidence(5)))
    inv.set_review("ip:198.18.0.5", "to_replace")
    second, stored = _scan(inv, _without_mac(9, evidence=_evidence(9)))
    assert stored[0].device_key == "ip:198.18.0.5"
    (record,) = inv.devices()
    assert (record.device.ip, record.presence, record.review_status) == (
        "198.18.0.9",
        "present",
        "to_replace",
    )
    assert [s.ip for scan in (first, second) for s in inv.history(scan)] == [
        "198.18.0.5",
        "198.18.0.9",
    ]


def test_a_device_at_a_new_address_stays_one_device_by_its_ws_discovery_endpoint(
    inv: Inventory,
) -> None:
    endpoint = "urn:uuid:6b2a1f40-0000-1000-8000-c42f90a1b2c3"
    _scan(inv, _without_mac(5, evidence=_evidence(5, serial=None, endpoint=endpoint)))
    _, stored = _scan(inv, _without_mac(12, evidence=_evidence(12, serial=None, endpoint=endpoint)))
    assert stored[0].device_key == "ip:198.18.0.5"
    assert [r.device.ip for r in inv.devices()] == ["198.18.0.12"]


def test_a_device_with_its_mac_at_a_new_address_keeps_its_record(inv: Inventory) -> None:
    _scan(inv, _with_mac(5, evidence=_evidence(5, serial=None)))
    _, stored = _scan(inv, _with_mac(40, mac_host=5, evidence=_evidence(40, serial=None)))
    assert stored[0].device_key == "mac:aa:bb:cc:00:00:05"
    (record,) = inv.devices()
    assert (record.device.ip, record.presence) == ("198.18.0.40", "present")


def test_two_devices_with_the_same_serial_in_one_scan_stay_two(inv: Inventory) -> None:
    """White-label firmware repeats serials: the same serial on two MACs is two devices."""
    _, stored = _scan(inv, _with_mac(5, evidence=_evidence(5)), _with_mac(6, evidence=_evidence(6)))
    assert len({d.device_key for d in stored}) == 2
    _, again = _scan(
        inv, _without_mac(5, evidence=_evidence(5)), _without_mac(7, evidence=_evidence(7))
    )
    keys = [d.device_key for d in again]
    assert keys[0] == "mac:aa:bb:cc:00:00:05"  # by its address
    assert keys[1] == "ip:198.18.0.7"  # the serial has two holders: it identifies nobody
    assert len(inv.devices()) == 3


def test_a_serial_already_claimed_in_this_scan_does_not_join_a_second_device(
    inv: Inventory,
) -> None:
    _scan(inv, _without_mac(5, evidence=_evidence(5)))
    _, stored = _scan(
        inv, _without_mac(5, evidence=_evidence(5)), _without_mac(8, evidence=_evidence(8))
    )
    assert [d.device_key for d in stored] == ["ip:198.18.0.5", "ip:198.18.0.8"]


def test_a_serial_of_another_maker_or_mac_is_another_device(inv: Inventory) -> None:
    _scan(inv, _without_mac(5, evidence=_evidence(5)))
    _, stored = _scan(inv, _without_mac(9, evidence=_evidence(9), maker="Dahua"))
    assert stored[0].device_key == "ip:198.18.0.9"
    # a MAC the device reports that differs from the record's says "another device" too
    _scan(inv, _with_mac(30, evidence=_evidence(30, serial=None)))
    reported = make_device(
        30,
        mac="aa:bb:cc:00:00:99",
        device_key=device_key_for(None, "198.18.0.30"),
        evidence=_evidence(30, serial=None),
    )
    _, stored = _scan(inv, reported)
    assert stored[0].device_key == "ip:198.18.0.30"
    assert inv.device("mac:aa:bb:cc:00:00:1e").presence == "missing"


def test_another_device_at_an_address_is_not_taken_for_the_one_recorded_there(
    inv: Inventory,
) -> None:
    """A different maker at an address of a recorded device (no MAC either time) is a new
    device, and the one recorded there is marked missing."""
    _scan(inv, _with_mac(5, evidence=_evidence(5)))
    _, stored = _scan(inv, _without_mac(5, evidence=_evidence(5, serial=None), maker="Axis"))
    assert stored[0].device_key == "ip:198.18.0.5"
    presence = {r.device_key: r.presence for r in inv.devices()}
    assert presence == {"mac:aa:bb:cc:00:00:05": "missing", "ip:198.18.0.5": "present"}


def test_a_mac_record_does_not_take_over_a_record_that_contradicts_it(inv: Inventory) -> None:
    _scan(inv, _without_mac(5, evidence=_evidence(5, serial="OTHER-SERIAL-777")))
    _, stored = _scan(inv, _with_mac(5, evidence=_evidence(5)))
    assert stored[0].device_key == "mac:aa:bb:cc:00:00:05"
    assert sorted(r.device_key for r in inv.devices()) == ["ip:198.18.0.5", "mac:aa:bb:cc:00:00:05"]


def test_placeholder_serials_identify_nobody(inv: Inventory) -> None:
    _scan(inv, _without_mac(5, evidence=_evidence(5, serial="000000000")))
    _, stored = _scan(inv, _without_mac(9, evidence=_evidence(9, serial="000000000")))
    assert stored[0].device_key == "ip:198.18.0.9"


def test_sites_keep_identities_apart(inv: Inventory) -> None:
    a = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS, site="A")
    inv.record_device(a, _without_mac(5, evidence=_evidence(5), site="A"))
    inv.finish_scan(a)
    b = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS, site="B")
    stored = inv.record_device(b, _without_mac(9, evidence=_evidence(9), site="B"))
    inv.finish_scan(b)
    assert stored.device_key == "B/ip:198.18.0.9"
    assert len(inv.devices()) == 2


def test_re_recording_in_one_scan_keeps_the_key_it_was_given(inv: Inventory) -> None:
    _scan(inv, _with_mac(5, evidence=_evidence(5)))
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    first = inv.record_device(scan_id, _without_mac(5, evidence=_evidence(5)))
    again = inv.record_device(
        scan_id, _without_mac(5, evidence=_evidence(5), addresses=("198.18.0.5", "198.18.0.6"))
    )
    inv.finish_scan(scan_id)
    assert first.device_key == again.device_key == "mac:aa:bb:cc:00:00:05"
    assert len(inv.devices()) == 1


def test_a_bulk_review_sets_every_device_at_once_and_logs_who_and_when(inv: Inventory) -> None:
    _scan(inv, *(_with_mac(h, evidence=_evidence(h, serial=None)) for h in (5, 6, 7)))
    keys = [f"mac:aa:bb:cc:00:00:0{h}" for h in (5, 6)]
    assert inv.set_reviews(keys, "to_replace", "NS order 2026", reviewer="bob") == 2
    statuses = {r.device_key: r.review_status for r in inv.devices()}
    assert statuses == {
        keys[0]: "to_replace",
        keys[1]: "to_replace",
        "mac:aa:bb:cc:00:00:07": "unreviewed",
    }
    log = inv.review_log()
    assert [(e.device_key, e.status, e.note, e.reviewer) for e in log] == [
        (keys[0], "to_replace", "NS order 2026", "bob"),
        (keys[1], "to_replace", "NS order 2026", "bob"),
    ]
    assert log[0].reviewed_at == log[1].reviewed_at == inv.device(keys[0]).review_updated_at
    inv.set_review(keys[0], "replaced", reviewer="carol")
    assert [(e.status, e.reviewer) for e in inv.review_log(keys[0])] == [
        ("to_replace", "bob"),
        ("replaced", "carol"),
    ]


def test_a_bulk_review_with_an_unknown_device_writes_nothing(inv: Inventory) -> None:
    _scan(inv, _with_mac(5, evidence=_evidence(5)))
    with pytest.raises(InventoryError, match="no device"):
        inv.set_reviews(["mac:aa:bb:cc:00:00:05", "mac:ff:ff:ff:ff:ff:ff"], "to_replace")
    assert inv.device("mac:aa:bb:cc:00:00:05").review_status == "unreviewed"
    assert inv.review_log() == []


def test_an_inventory_of_schema_0004_gets_scan_ids_identities_and_its_reviews_logged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with Inventory.open(path) as inventory:
        _scan(inventory, _without_mac(5, evidence=_evidence(5)))
        inventory.set_review("ip:198.18.0.5", "to_replace", "old review")
    # the same file as camcensus wrote it before 0005: its tables dropped, its record gone
    old = Database(path)
    for table in ("device_tokens", "device_aliases", "review_log", "review_conflicts"):
        old.execute(f"DROP TABLE {table}")
    old.execute("DROP INDEX idx_scans_uid")
    old.execute("ALTER TABLE scans DROP COLUMN uid")
    old.execute("ALTER TABLE scans DROP COLUMN merged_from")
    old.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_identity'")
    old.conn.commit()
    old.close()
    with Inventory.open(path) as inventory:
        assert [(e.status, e.note, e.reviewer) for e in inventory.review_log()] == [
            ("to_replace", "old review", "")
        ]
        (uid,) = [r["uid"] for r in inventory.db.query("SELECT uid FROM scans")]
        assert len(str(uid)) == 32
        _, stored = _scan(inventory, _without_mac(9, evidence=_evidence(9)))
        assert stored[0].device_key == "ip:198.18.0.5"  # by the serial the migration read


def test_cameras_behind_two_recorders_at_one_internal_address_stay_apart(inv: Inventory) -> None:
    """Recorders put their cameras on internal networks that repeat from recorder to
    recorder (192.168.254.0/24 on every Hikvision NVR): an internal address says nothing."""
    first = make_device(5, mac=None, device_key="mac:aa:bb:cc:00:00:05/ch:1",
                        parent="mac:aa:bb:cc:00:00:05", ip="198.19.1.10",
                        evidence=_evidence(5, serial=None))  # fmt: skip
    _scan(inv, first)
    second = make_device(6, mac=None, device_key="mac:aa:bb:cc:00:00:06/ch:1",
                         parent="mac:aa:bb:cc:00:00:06", ip="198.19.1.10",
                         evidence=_evidence(6, serial=None))  # fmt: skip
    direct = _without_mac(7, ip="198.19.1.10", evidence=_evidence(7, serial=None))
    _, stored = _scan(inv, second, direct)
    assert [d.device_key for d in stored] == ["mac:aa:bb:cc:00:00:06/ch:1", "ip:198.19.1.10"]
    assert len(inv.devices()) == 3


def test_a_camera_a_recorder_no_longer_lists_is_marked_missing(inv: Inventory) -> None:
    """Only when the recorder's cameras were listed by that scan: a failed login says
    nothing about them."""
    from camcensus.scanner.core.schema import RecorderCoverage

    recorder = _with_mac(5, evidence=_evidence(5, serial=None))

    def camera(channel: int) -> Device:
        return make_device(
            40 + channel, mac=None, parent=recorder.device_key,
            device_key=f"{recorder.device_key}/ch:{channel}", ip=f"198.19.1.{10 + channel}",
            evidence=_evidence(5, serial=None),
        )  # fmt: skip

    def scan(cameras: list[int], listed: int, reason: str = "") -> None:
        scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
        inv.record_device(scan_id, recorder)
        for channel in cameras:
            inv.record_device(scan_id, camera(channel))
        coverage = RecorderCoverage("198.18.0.5", recorder.device_key, 2, listed, reason)
        inv.record_coverage(scan_id, [], [], [coverage])
        inv.finish_scan(scan_id)

    scan([1, 2], 2)
    scan([], 0, "login failed")
    assert {r.device_key: r.presence for r in inv.devices() if r.device.parent} == {
        f"{recorder.device_key}/ch:1": "present", f"{recorder.device_key}/ch:2": "present",
    }  # fmt: skip
    scan([1], 1)
    assert {r.device_key: r.presence for r in inv.devices() if r.device.parent} == {
        f"{recorder.device_key}/ch:1": "present", f"{recorder.device_key}/ch:2": "missing",
    }  # fmt: skip
