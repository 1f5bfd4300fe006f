"""Inventory behaviour: schema, upserts, presence, review, comparison and summaries."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import make_device
from store_helpers import TARGETS, TickingClock

from camcensus.base.errors import InventoryError, ScopeError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.schema import Device
from camcensus.scanner.store import REDACTED, Inventory, SummaryCount, redact_options

Opener = Callable[[], Inventory]


def _scan(inv: Inventory, *observations: Device, status: str = "complete") -> int:
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    for obs in observations:
        inv.record_device(scan_id, obs)
    inv.finish_scan(scan_id, status)  # type: ignore[arg-type]
    return scan_id


def test_migrations_are_recorded_once_and_reopen_is_idempotent(open_inventory: Opener) -> None:
    first = open_inventory()
    _scan(first, make_device(5))
    first.close()
    second = open_inventory()
    rows = list(second.db.query("SELECT migration_set, name FROM _sqlite_migrations"))
    assert rows == [
        {"migration_set": "camcensus.inventory", "name": "0001_initial"},
        {"migration_set": "camcensus.inventory", "name": "0002_one_device_schema"},
        {"migration_set": "camcensus.inventory", "name": "0003_scan_coverage"},
        {"migration_set": "camcensus.inventory", "name": "0004_sites"},
        {"migration_set": "camcensus.inventory", "name": "0005_identity"},
        {"migration_set": "camcensus.inventory", "name": "0006_children"},
        {"migration_set": "camcensus.inventory", "name": "0008_listing"},
    ]
    assert {"scans", "devices", "evidence", "device_history"} <= set(second.db.table_names())
    assert "device_overview" in second.db.view_names()
    assert [d.device_key for d in second.devices()] == [make_device(5).device_key]


def test_file_inventory_uses_wal_and_foreign_keys(inv: Inventory) -> None:
    assert inv.db.journal_mode == "wal"
    assert inv.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert inv.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        inv.db.execute(
            "INSERT INTO evidence (scan_id, device_key, key, value) VALUES (999, 'ip:x', 'k', 'v')"
        )


def test_open_without_create_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="no inventory"):
        Inventory.open(tmp_path / "absent.db", create=False)
    assert not (tmp_path / "absent.db").exists()


def test_garbage_file_raises_inventory_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InventoryError):
        Inventory.open(path)


def test_a_devices_table_missing_a_column_is_refused_clearly_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "foreign.db"
    Inventory.open(path).close()
    with sqlite3.connect(path) as conn:  # as a foreign or half-migrated database would be
        conn.execute("DROP VIEW device_overview")
        for (index,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%flag_level%'"
        ).fetchall():
            conn.execute(f"DROP INDEX {index}")  # the listing's (0008) sort on the column
        conn.execute("ALTER TABLE devices DROP COLUMN flag_level")
    before = path.read_bytes()
    with pytest.raises(InventoryError, match="lacks the columns flag_level"):
        Inventory.open(path)
    assert path.read_bytes() == before


def test_rescan_updates_device_instead_of_duplicating(inv: Inventory) -> None:
    first = _scan(inv, make_device(5))
    inv.set_site(make_device(5).device_key, "HQ lobby")
    inv.set_review(make_device(5).device_key, "to_replace", "budget 2025")
    second = _scan(inv, make_device(5, ip="198.18.0.77", firmware="V5.8.0"))

    (device,) = inv.devices()
    assert device.device.ip == "198.18.0.77"
    assert device.device.firmware == "V5.8.0"
    assert device.first_scan_id == first
    assert device.last_scan_id == second
    assert device.first_seen < device.last_seen
    assert (device.site, device.review_status, device.note) == (
        "HQ lobby",
        "to_replace",
        "budget 2025",
    )
    assert inv.db["evidence"].count == 2  # one per scan, history kept
    assert [e.key for e in inv.device(device.device_key).device.evidence] == ["http.server"]


def test_recording_same_device_twice_in_one_scan_replaces_its_evidence(inv: Inventory) -> None:
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    inv.record_device(scan_id, make_device(5))
    inv.record_device(scan_id, make_device(5, evidence=(Evidence("rtsp.server", "x", "rtsp"),)))
    inv.finish_scan(scan_id)
    assert [e.key for e in inv.device(make_device(5).device_key).device.evidence] == ["rtsp.server"]
    assert inv.scan(scan_id).device_count == 1


def test_device_returns_only_latest_scan_evidence(inv: Inventory) -> None:
    _scan(inv, make_device(5, evidence=(Evidence("http.server", "old", "http"),)))
    _scan(inv, make_device(5, evidence=(Evidence("http.server", "new", "http"),)))
    assert [e.value for e in inv.device(make_device(5).device_key).device.evidence] == ["new"]


def test_complete_scan_marks_unseen_devices_in_targets_missing(inv: Inventory) -> None:
    outside = make_device(9, ip="203.0.113.9")
    _scan(inv, make_device(5), make_device(6), outside)
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    inv.record_device(scan_id, make_device(5))
    marked = inv.finish_scan(scan_id)

    assert marked == [make_device(6).device_key]
    presence = {d.device_key: d.presence for d in inv.devices()}
    assert presence == {
        make_device(5).device_key: "present",
        make_device(6).device_key: "missing",
        outside.device_key: "present",  # not in this scan's targets
    }
    assert len(inv.devices()) == 3  # never deleted


@pytest.mark.parametrize("status", ["incomplete", "failed"])
def test_unfinished_scan_never_marks_missing(inv: Inventory, status: str) -> None:
    _scan(inv, make_device(5), make_device(6))
    _scan(inv, make_device(5), status=status)
    assert {d.presence for d in inv.devices()} == {"present"}
    assert inv.scans()[0].status == status


def test_missing_device_seen_again_becomes_present(inv: Inventory) -> None:
    _scan(inv, make_device(5), make_device(6))
    _scan(inv, make_device(5))
    assert inv.device(make_device(6).device_key).presence == "missing"
    _scan(inv, make_device(6), status="incomplete")
    assert inv.device(make_device(6).device_key).presence == "present"


def test_device_seen_by_a_later_concurrent_scan_is_not_marked_missing(inv: Inventory) -> None:
    _scan(inv, make_device(5))
    older = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    newer = inv.begin_scan(operator="bob", scope="lab", targets=TARGETS)
    inv.record_device(newer, make_device(5))
    assert inv.finish_scan(older) == []
    assert inv.device(make_device(5).device_key).presence == "present"
    inv.finish_scan(newer)


def test_finished_scan_rejects_more_devices_and_second_finish(inv: Inventory) -> None:
    scan_id = _scan(inv, make_device(5))
    with pytest.raises(InventoryError, match="not running"):
        inv.record_device(scan_id, make_device(6))
    with pytest.raises(InventoryError, match="not running"):
        inv.finish_scan(scan_id)
    with pytest.raises(InventoryError, match="no scan"):
        inv.record_device(12345, make_device(6))


def test_finish_rejects_running_as_final_status(inv: Inventory) -> None:
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    with pytest.raises(InventoryError):
        inv.finish_scan(scan_id, "running")


def test_scan_counts_and_metadata(inv: Inventory) -> None:
    scan_id = inv.begin_scan(
        operator="alice", scope="HQ", targets=["198.18.0.0/24", "198.18.1.1"], host="laptop"
    )
    inv.record_device(scan_id, make_device(5))
    inv.record_device(scan_id, make_device(6, flagged=False, flag_reasons=()))
    inv.finish_scan(scan_id)
    info = inv.scan(scan_id)
    assert (info.operator, info.scope, info.host, info.status) == (
        "alice",
        "HQ",
        "laptop",
        "complete",
    )
    assert info.targets == "198.18.0.0/24 198.18.1.1/32"
    assert (info.device_count, info.flagged_count) == (2, 1)
    assert info.finished_at is not None
    assert info.finished_at > info.started_at


def test_begin_scan_redacts_credentials_everywhere(inv: Inventory, db_path: Path) -> None:
    canary = "hunter2-canary-value"
    scan_id = inv.begin_scan(
        operator="alice",
        scope="lab",
        targets=TARGETS,
        options={
            "timeout_s": 3,
            "onvif_password": canary,
            "nested": {"API-Key": canary, "users": [{"Passwd": canary, "name": "admin"}]},
            "Authorization": f"Basic {canary}",
        },
    )
    inv.finish_scan(scan_id)
    options = inv.scan(scan_id).options
    assert options["timeout_s"] == 3
    assert options["onvif_password"] == REDACTED
    assert options["nested"] == {
        "API-Key": REDACTED,
        "users": [{"Passwd": REDACTED, "name": "admin"}],
    }
    assert options["Authorization"] == REDACTED
    inv.close()
    for path in db_path.parent.glob("inventory.db*"):
        assert canary.encode() not in path.read_bytes()


def test_redact_options_leaves_plain_options_alone() -> None:
    plain = {"ports": [80, 554], "probes": ["wsd", "http"], "rate_pps": 50}
    assert redact_options(plain) == plain


def test_a_scan_records_its_targets_in_the_scanner_s_own_grammar(inv: Inventory) -> None:
    scan_id = inv.begin_scan(
        operator="alice", scope="lab", targets=["198.18.0.1", "198.18.1.0/30", "198.18.2.0-3"]
    )
    assert inv.scan(scan_id).targets == "198.18.0.1/32 198.18.1.0/30 198.18.2.0/30"
    for bad in ("example.com", "198.18.0.9-198.18.0.1", "2001:db8::/64", "198.18.0.1-::1"):
        with pytest.raises(ScopeError):
            inv.begin_scan(operator="alice", scope="lab", targets=[bad])


def test_review_status_and_site_survive_reopen(open_inventory: Opener) -> None:
    inv = open_inventory()
    _scan(inv, make_device(5))
    inv.set_review(make_device(5).device_key, "accepted_risk", "isolated VLAN")
    inv.set_site(make_device(5).device_key, "Depot")
    inv.close()
    device = open_inventory().device(make_device(5).device_key)
    assert (device.review_status, device.note, device.site) == (
        "accepted_risk",
        "isolated VLAN",
        "Depot",
    )
    assert device.review_updated_at is not None


def test_set_review_without_note_keeps_note(inv: Inventory) -> None:
    _scan(inv, make_device(5))
    key = make_device(5).device_key
    inv.set_review(key, "to_replace", "order placed")
    inv.set_review(key, "replaced")
    assert (inv.device(key).review_status, inv.device(key).note) == ("replaced", "order placed")


def test_set_review_validates_status_and_device(inv: Inventory) -> None:
    _scan(inv, make_device(5))
    with pytest.raises(InventoryError, match="unknown review status"):
        inv.set_review(make_device(5).device_key, "ignored")
    with pytest.raises(InventoryError, match="no device"):
        inv.set_review("mac:00:00:00:00:00:00", "accepted_risk")
    with pytest.raises(InventoryError, match="no device"):
        inv.set_site("ip:203.0.113.1", "HQ")


def test_devices_filters(inv: Inventory) -> None:
    _scan(inv, make_device(5), make_device(6, maker="Axis", flagged=False), make_device(7))
    inv.set_site(make_device(7).device_key, "Depot")
    _scan(inv, make_device(5), make_device(6, maker="Axis", flagged=False))
    assert {d.device_key for d in inv.devices(flagged=True)} == {
        make_device(5).device_key,
        make_device(7).device_key,
    }
    assert [d.device.maker for d in inv.devices(flagged=False)] == ["Axis"]
    assert [d.device_key for d in inv.devices(presence="missing")] == [make_device(7).device_key]
    assert [d.device_key for d in inv.devices(site="Depot")] == [make_device(7).device_key]
    assert len(inv.devices(maker="Hikvision", presence="present")) == 1


def test_compare_scans_reports_new_missing_and_changed(inv: Inventory) -> None:
    old = _scan(inv, make_device(5), make_device(6))
    new = _scan(inv, make_device(5, firmware="V5.8.0", ip="198.18.0.50"), make_device(7))
    diff = inv.compare_scans(old, new)
    assert [s.device_key for s in diff.new] == [make_device(7).device_key]
    assert [s.device_key for s in diff.missing] == [make_device(6).device_key]
    assert sorted(diff.changed) == [
        (make_device(5).device_key, "firmware", "V5.7.3", "V5.8.0"),
        (make_device(5).device_key, "ip", "198.18.0.5", "198.18.0.50"),
    ]
    reverse = inv.compare_scans(new, old)
    assert [s.device_key for s in reverse.new] == [make_device(6).device_key]
    with pytest.raises(InventoryError):
        inv.compare_scans(old, 999)


def test_summary_by_counts_flagged(inv: Inventory) -> None:
    _scan(
        inv,
        make_device(5),
        make_device(6),
        make_device(7, maker="Dahua", model="IPC-HFW2431S"),
        make_device(8, maker="Axis", model="P3245", flagged=False),
    )
    inv.set_site(make_device(5).device_key, "HQ")
    assert inv.summary_by("maker") == [
        SummaryCount("Hikvision", 2, 2),
        SummaryCount("Dahua", 1, 1),
        SummaryCount("Axis", 1, 0),
    ]
    assert inv.summary_by("model")[0] == SummaryCount("Hikvision / DS-2CD2043G2-I", 2, 2)
    assert inv.summary_by("site") == [SummaryCount("", 3, 2), SummaryCount("HQ", 1, 1)]
    with pytest.raises(InventoryError):
        inv.summary_by("firmware")  # type: ignore[arg-type]


def test_device_overview_view_joins_reasons(inv: Inventory) -> None:
    _scan(inv, make_device(5, flag_reasons=("FCC Covered List", "NDAA 889")))
    (row,) = inv.db.query("SELECT flagged, flag_reasons, presence FROM device_overview")
    assert row == {
        "flagged": "yes",
        "flag_reasons": "FCC Covered List; NDAA 889",
        "presence": "present",
    }


def test_hostile_evidence_is_stored_verbatim_but_capped(inv: Inventory) -> None:
    hostile = "\x00\x1b[2J'; DROP TABLE devices; --" + "A" * 100_000
    _scan(inv, make_device(5, evidence=(Evidence("http.server", hostile, "http"),)))
    (stored,) = inv.device(make_device(5).device_key).device.evidence
    assert stored.value.startswith("\x00\x1b[2J'; DROP TABLE devices; --")
    assert stored.value.endswith("...[truncated]")
    assert len(stored.value) == 16_384
    assert inv.integrity_ok()


def test_memory_inventory_works_without_wal(clock: TickingClock) -> None:
    with Inventory.memory(clock=clock) as inv:
        _scan(inv, make_device(5))
        assert inv.db.journal_mode == "memory"
        assert inv.device(make_device(5).device_key).first_seen == "2025-03-01T09:00:02+00:00"


def test_observation_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="device_key"):
        make_device(5, device_key="198.18.0.5")
    with pytest.raises(ValueError, match="confidence"):
        make_device(5, confidence=1.5)
    with pytest.raises(ValueError, match="device_type"):
        make_device(5, device_type="toaster")


def test_a_device_is_missing_only_when_the_scan_covered_all_its_addresses(inv: Inventory) -> None:
    two = make_device(5, addresses=("198.18.0.5", "198.18.0.205"))
    _scan(inv, two)
    half = inv.begin_scan(operator="alice", scope="lab", targets="198.18.0.128/25")
    assert inv.finish_scan(half) == []  # it may still answer at .5, which was not scanned
    whole = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    assert inv.finish_scan(whole) == [two.device_key]


def test_a_scans_coverage_and_snmp_reads_are_kept_and_read_back() -> None:
    from camcensus.scanner.core.schema import Coverage, SnmpCoverage

    inventory = Inventory.memory()
    scan_id = inventory.begin_scan(operator="op", scope="lab", targets=["198.18.16.0/24"])
    coverage = [
        Coverage("198.18.16.0/24", "routed", 254, 26, 26),
        Coverage("198.18.0.0/24", "on-link", 254, 3),
    ]
    agents = [
        SnmpCoverage("198.18.0.254", "3", None, 27, 0, 26, ("02:aa:bb:cc:dd:ee",)),
        SnmpCoverage("198.18.0.253", "2c", "SNMP agent 198.18.0.253 did not answer", 0, 0, 0),
    ]
    inventory.record_coverage(scan_id, coverage, agents)
    inventory.record_coverage(scan_id, coverage, agents)  # again: replaced, not doubled
    inventory.finish_scan(scan_id)
    assert inventory.coverage(scan_id) == (coverage, agents)
    with pytest.raises(InventoryError, match="not running"):
        inventory.record_coverage(scan_id, coverage)


def test_recorders_and_their_children_are_kept_and_read_back() -> None:
    from dataclasses import replace

    from camcensus.scanner.core.schema import RecorderCoverage

    inventory = Inventory.memory()
    scan_id = inventory.begin_scan(operator="op", scope="lab", targets=TARGETS)
    nvr = make_device(5)
    child = replace(
        make_device(6), device_key=f"{nvr.device_key}/ch:3", ip="192.168.254.4", mac=None,
        addresses=(), parent=nvr.device_key,
    )  # fmt: skip
    inventory.record_device(scan_id, nvr)
    inventory.record_device(scan_id, child)
    rows = [
        RecorderCoverage(nvr.ip, nvr.device_key, 8, 1),
        RecorderCoverage("198.18.0.7", "ip:198.18.0.7", None, 0, "login failed"),
    ]
    inventory.record_coverage(scan_id, [], [], rows)
    inventory.record_coverage(scan_id, [], [], rows)  # again: replaced, not doubled
    inventory.finish_scan(scan_id)
    assert inventory.recorder_coverage(scan_id) == rows
    assert inventory.device(child.device_key).device.parent == nvr.device_key
    assert inventory.device(nvr.device_key).device.parent is None
    assert [r.device_key for r in inventory.devices(parent=nvr.device_key)] == [child.device_key]
