"""The one device schema: the store's table, the dataclasses, CSV and JSON all follow it.

The ``devices`` table is built by migrations (history, not derived), so this test holds
the migrated table to the schema: a field added to one and not the other fails here.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from builders import make_device
from sqlite_utils import Database
from store_helpers import TARGETS

from camcensus.base.errors import InventoryError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.schema import (
    DEVICE_FIELDS,
    FIELDS,
    RECORD_FIELDS,
    SNAPSHOT_FIELD_NAMES,
    Device,
    DeviceRecord,
    DeviceSnapshot,
    record_json,
)
from camcensus.scanner.export import DEVICE_CSV_COLUMNS
from camcensus.scanner.store import _SCHEMA, Inventory


def _declared(declaration: str) -> tuple[str, bool, str | None, bool]:
    """(type, not null, default, primary key) of a column declaration."""
    default = re.search(r"DEFAULT (\S+)", declaration)
    return (
        declaration.split()[0],
        "NOT NULL" in declaration,
        default.group(1) if default else None,
        "PRIMARY KEY" in declaration,
    )


def test_the_migrated_devices_table_is_the_schema(inv: Inventory) -> None:
    table = {
        row[1]: (row[2], bool(row[3]), row[4], bool(row[5]))
        for row in inv.db.execute("PRAGMA table_info(devices)").fetchall()
    }
    schema = {f.name: _declared(f.column) for f in FIELDS if f.column is not None}
    assert table == schema


def test_the_history_table_keeps_the_snapshot_fields(inv: Inventory) -> None:
    columns = [row[1] for row in inv.db.execute("PRAGMA table_info(device_history)")]
    assert columns == ["scan_id", *SNAPSHOT_FIELD_NAMES]
    assert [f.name for f in dataclasses.fields(DeviceSnapshot)] == columns


def test_the_dataclasses_hold_exactly_the_stored_fields() -> None:
    stored = [f.name for f in DEVICE_FIELDS if f.column is not None and not f.derived]
    assert {f.name for f in dataclasses.fields(Device)} == {*stored, "evidence"}
    derived = {f.name for f in DEVICE_FIELDS if f.derived}
    assert all(isinstance(getattr(Device, name), property) for name in derived)
    assert {f.name for f in dataclasses.fields(DeviceRecord)} == {
        "device",
        *(f.name for f in RECORD_FIELDS),
    }


def test_csv_and_json_are_derived_from_the_schema() -> None:
    assert tuple(f.name for f in FIELDS if f.csv) == DEVICE_CSV_COLUMNS
    record = DeviceRecord(
        make_device(5),
        "HQ",
        "2025-03-01T09:00:00+00:00",
        "2025-03-01T09:00:00+00:00",
        1,
        1,
        "present",
        "unreviewed",
        "",
        None,
    )
    assert list(record_json(record)) == [
        "site", "location", "ip", "addresses", "mac", "maker", "brand", "model", "firmware",
        "serial", "firmware_source", "device_type", "flagged", "flag_level", "flag_reason",
        "flag_reasons", "list_status", "hardware_maker", "firmware_developer", "owner",
        "origin_sources", "vulnerability", "cves",
        "review_status", "note", "review_updated_at", "reviewer",
        "first_seen", "last_seen", "confidence", "sources", "presence", "device_key",
        "parent", "mac_organisation", "first_scan_id", "last_scan_id",
        "identification", "evidence",
    ]  # fmt: skip


def test_a_device_reads_back_as_it_was_recorded(inv: Inventory) -> None:
    hostile = "cam\x1b[2J\u202e=1+1"
    device = make_device(
        5,
        addresses=("198.18.0.5", "198.18.0.205"),
        model=hostile,
        mac_organisation="Hangzhou Hikvision Digital Technology Co.,Ltd.",
        evidence=(
            Evidence("http.server", hostile, "http", "198.18.0.5"),
            Evidence("mac", "aa:bb:cc:00:00:05", "arp", "198.18.0.205"),
        ),
    )
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    inv.record_device(scan_id, device)
    inv.finish_scan(scan_id)
    assert inv.device(device.device_key).device == device
    (listed,) = inv.devices(with_details=True)
    assert listed.device == device
    (bare,) = inv.devices()  # a listing: no evidence chain, no evidence
    summary = dataclasses.replace(device.identification, chain=())
    assert bare.device == dataclasses.replace(device, identification=summary, evidence=())
    assert device.identification.chain  # there was a chain to leave out


@pytest.mark.parametrize("damaged", ['{"maker": 7}', "{not json"])
def test_a_damaged_row_is_an_inventory_error_not_a_crash(inv: Inventory, damaged: str) -> None:
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    inv.record_device(scan_id, make_device(5))
    inv.finish_scan(scan_id)
    inv.db.execute("UPDATE devices SET identification = ?", [damaged])
    with pytest.raises(InventoryError, match="damaged"):
        inv.devices()
    with pytest.raises(InventoryError, match="damaged"):
        inv.devices(with_details=True)


def test_an_inventory_of_the_first_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    _SCHEMA.apply(old, stop_before="0002_one_device_schema")
    old.execute(
        """INSERT INTO scans (started_at, status, operator, host, scope, targets)
           VALUES ('2025-03-01T09:00:00+00:00', 'complete', 'alice', 'h', 'lab',
                   '198.18.0.0/24')"""
    )
    identity = {
        "maker": None,
        "brand": None,
        "model": None,
        "firmware": None,
        "device_type": "other",
        "confidence": 0.2,
        "flag": {"flagged": False, "reasons": [], "list_status": "", "sources": []},
        "conflicts": [],
        "chain": [],
    }
    old.execute(
        """INSERT INTO devices (device_key, ip, mac, maker, device_type, confidence,
               sources_json, identity_json, first_seen, last_seen, first_scan_id,
               last_scan_id)
           VALUES ('mac:d0:94:66:00:00:07', '198.18.0.7', 'd0:94:66:00:00:07', 'Dell Inc.',
               'other', 0.2, '[]', ?, 't0', 't1', 1, 1)""",
        [json.dumps(identity)],
    )
    old.conn.commit()
    old.close()
    with Inventory.open(path) as inventory:
        (record,) = inventory.devices()
    device = record.device
    assert (device.maker, device.mac_organisation) == ("Dell Inc.", "Dell Inc.")
    assert device.identification.maker is None
    assert device.addresses == ("198.18.0.7",)
    assert record.first_seen == "t0"


def test_a_first_schema_row_with_an_empty_identity_is_rebuilt_from_its_columns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    _SCHEMA.apply(old, stop_before="0002_one_device_schema")
    old.execute(
        """INSERT INTO scans (started_at, status, operator, host, scope, targets)
           VALUES ('t', 'complete', 'alice', 'h', 'lab', '198.18.0.0/24')"""
    )
    old.execute(
        """INSERT INTO devices (device_key, ip, maker, model, device_type, confidence, flagged,
               flag_reasons, sources_json, first_seen, last_seen, first_scan_id, last_scan_id)
           VALUES ('ip:198.18.0.9', '198.18.0.9', 'Dahua', 'IPC-HDW2431T', 'camera', 0.8, 1,
               '["Dahua: on FCC Covered List"]', '["https://www.fcc.gov"]', 't', 't', 1, 1)"""
    )  # identity_json keeps its default, '{}'
    old.conn.commit()
    old.close()
    with Inventory.open(path) as inventory:
        (record,) = inventory.devices()
    ident = record.device.identification
    assert (ident.maker, ident.model, ident.device_type, ident.flag.flagged) == (
        "Dahua",
        "IPC-HDW2431T",
        "camera",
        True,
    )
    assert record.device.flag_reasons == ("Dahua: on FCC Covered List",)
