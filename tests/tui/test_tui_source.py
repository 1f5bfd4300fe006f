"""The inventory's SQL listing selects and orders exactly as the in-memory rows do.

Two independent implementations of one filter syntax and one order: SQL in
``scanner.core.listing`` (run by ``Inventory.listing``) and Python in ``tui.rows``
(``filter_rows``/``sort_rows``, used under a policy).  Each query below is run by both,
over an inventory with hostile strings, sites, reviews, notes and empty fields.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from builders import make_device
from tui_fixtures import build_inventory, fixed_clock

from camcensus.scanner.core.listing import SORT_EXPRESSIONS, ListingQuery, parse_filter
from camcensus.scanner.store import Inventory
from camcensus.tui.source import MemorySource, StoreSource

QUERIES = (
    "",
    "maker:hik",
    "maker:dah flag:yes",
    "site:hq",
    "site:-",
    'site:"platform 5"',
    "status:to_replace",
    "status:accepted",
    "flag:no",
    "flag:possible",
    "budget",
    "camera hq",
    "198.18.0.1",
    "ip:198.18.0.7",
    "ip:10.9.9.9",
    "aa:bb:cc:00:00:0",
    "type:other",
    "model:ipc",
    "markup",
    "\\x1b",
    "to replace",
    "nothing-like-this",
    "to_replace",  # LIKE's wildcards are literal here
    "%",
    "_",
    "a%b",
    '"198.18.0.7",',  # list punctuation: searched in the joined addresses
    "0.7;",
    "ip:[",
    "parent:aa:bb",
)


@pytest.fixture
def inventory(tmp_path: Path) -> Inventory:
    path = tmp_path / "inventory.db"
    build_inventory(path)
    with Inventory.open(path, clock=fixed_clock) as writer:
        scan = writer.begin_scan(
            operator="t", scope="lab", targets="198.18.0.0/24", site="Platform 5"
        )
        writer.record_device(
            scan,
            make_device(
                7,
                site="Platform 5",
                maker="Dahua",
                flagged=False,
                level="possible",
                addresses=("198.18.0.7", "10.9.9.9"),
                firmware=None,
            ),
        )
        writer.record_device(scan, make_device(8, site="Platform 5", mac=None, maker="Axis"))
        writer.record_device(  # a camera behind recorder .7
            scan,
            make_device(
                9, site="Platform 5", maker="Uniview", parent="Platform 5/mac:aa:bb:cc:00:00:07"
            ),
        )
        writer.record_device(
            scan, make_device(40, site="Platform 5", maker="Hanwha", model="", flagged=False)
        )  # .40 sorts after .8
        writer.finish_scan(scan)
        writer.set_review("mac:aa:bb:cc:00:00:01", "to_replace", "budget 2026")
        writer.set_review("mac:aa:bb:cc:00:00:03", "accepted_risk")
    opened = Inventory.open(path, create=False, read_only=True, clock=fixed_clock)
    yield opened
    opened.close()


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("sort", sorted(SORT_EXPRESSIONS))
def test_sql_and_memory_listings_agree(inventory: Inventory, text: str, sort: str) -> None:
    records = inventory.devices()
    for reverse, flagged_only, hide_children in itertools.product((False, True), repeat=3):
        if True:
            query = ListingQuery(
                parse_filter(text),
                flagged_only=flagged_only,
                sort=sort,
                reverse=reverse,
                hide_children=hide_children,
            )
            sql = StoreSource(inventory, query)
            memory = MemorySource(records, query)
            assert sql.keys() == memory.keys(), query
            assert sql.count() == memory.count() == len(sql.keys())
            assert [r.device_key for r in sql.rows(1, 3)] == memory.keys()[1:4]
            for position, key in enumerate(memory.keys()):
                assert sql.position(key) == position


def test_the_listing_filters_what_it_should(inventory: Inventory) -> None:
    def keys(text: str) -> list[str]:
        return sorted(inventory.listing_keys(ListingQuery(parse_filter(text))))

    assert keys("maker:hik") == ["mac:aa:bb:cc:00:00:01"]
    assert keys("site:-") == [
        "mac:aa:bb:cc:00:00:04",
        "mac:aa:bb:cc:00:00:05",
        "mac:aa:bb:cc:00:00:06",
    ]
    assert keys('site:"platform 5"') == [
        "Platform 5/ip:198.18.0.8",
        "Platform 5/mac:aa:bb:cc:00:00:07",
        "Platform 5/mac:aa:bb:cc:00:00:09",
        "Platform 5/mac:aa:bb:cc:00:00:28",
    ]
    assert keys("ip:10.9.9.9") == ["Platform 5/mac:aa:bb:cc:00:00:07"]
    assert keys("flag:possible") == ["Platform 5/mac:aa:bb:cc:00:00:07"]
    assert keys("budget") == ["mac:aa:bb:cc:00:00:01"]
    assert inventory.listing_count() == 10
    assert keys("parent:00:07") == ["Platform 5/mac:aa:bb:cc:00:00:09"]
    assert inventory.listing_count(ListingQuery(hide_children=True)) == 9
    assert inventory.listing_position(ListingQuery(parse_filter("maker:hik")), "ip:x") is None


def test_ip_sort_is_numeric_in_sql(inventory: Inventory) -> None:
    order = inventory.listing_keys(ListingQuery(sort="ip"))
    ips = [inventory.device(k).device.ip for k in order]
    assert ips[-2:] == ["198.18.0.9", "198.18.0.40"]  # as numbers: text would put .40 first
    assert ips == sorted(ips, key=lambda ip: tuple(int(o) for o in ip.split(".")))


def test_every_column_a_filter_reads_is_in_the_filter_index(inventory: Inventory) -> None:
    from camcensus.scanner.core.listing import FILTERED_COLUMNS, listing_where

    query = ListingQuery(
        parse_filter('maker:a brand:b model:c site:"d e" status:f type:g ip:h word flag:yes'),
        flagged_only=True,
    )
    where, params = listing_where(query)
    plan = inventory.db.execute(
        f"EXPLAIN QUERY PLAN SELECT count(*) FROM devices WHERE {where}",  # noqa: S608
        params,
    ).fetchall()
    assert "USING COVERING INDEX idx_devices_listing_filter" in plan[0][3]
    columns = {
        row[2] for row in inventory.db.execute("PRAGMA index_info(idx_devices_listing_filter)")
    }
    assert columns == set(FILTERED_COLUMNS)
