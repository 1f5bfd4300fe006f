"""The inventory opens in Datasette unchanged: tables, the reviewer view, and their rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

from builders import make_device
from datasette.app import Datasette
from store_helpers import TARGETS

from camcensus.scanner.store import Inventory


async def test_inventory_opens_in_datasette_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "inventory.db"
    with Inventory.open(db) as inventory:
        scan_id = inventory.begin_scan(operator="tester", scope="lab", targets=TARGETS)
        inventory.record_device(scan_id, make_device(10))
        inventory.finish_scan(scan_id)
    before = hashlib.sha256(db.read_bytes()).hexdigest()

    datasette = Datasette([str(db)], immutables=[])
    tables = (await datasette.client.get("/inventory.json")).json()
    names = {t["name"] for t in tables["tables"]}
    assert {"scans", "devices", "evidence"} <= names
    assert "device_overview" in {v["name"] for v in tables["views"]}
    for path in ("devices", "device_overview", "scans", "evidence"):
        response = await datasette.client.get(f"/inventory/{path}.json?_shape=array")
        assert response.status_code == 200, path
        rows = response.json()
        assert rows, path
    (device,) = (await datasette.client.get("/inventory/devices.json?_shape=array")).json()
    assert device["ip"] == "198.18.0.10"
    assert device["mac"] == "aa:bb:cc:00:00:0a"
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
