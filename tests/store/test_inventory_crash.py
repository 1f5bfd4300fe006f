"""Crash safety and concurrent access: a SIGKILLed scan, stale-scan recovery and WAL reads."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import make_device
from store_helpers import TARGETS

from camcensus.scanner.store import Inventory

Opener = Callable[[], Inventory]

# The child records three devices, then dies by SIGKILL in the middle of the fourth
# device's transaction (after the device row is written, before its evidence).
_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    sys.path[:0] = [{tests_dir!r}, {tests_root!r}]
    from builders import make_device
    from store_helpers import TARGETS
    from camcensus.scanner.store import Inventory

    inv = Inventory.open({db!r})
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    for host in (5, 6, 7):
        inv.record_device(scan_id, make_device(host))
    print(scan_id, flush=True)

    real_executemany = inv.db.conn.executemany
    class DyingConnection:
        def __getattr__(self, name):
            return getattr(real_conn, name)
        def executemany(self, sql, rows):
            os.kill(os.getpid(), signal.SIGKILL)
    real_conn = inv.db.conn
    inv.db.conn = DyingConnection()
    inv.record_device(scan_id, make_device(8))
    print("not reached", flush=True)
    """
)


def test_killed_scan_leaves_consistent_db_and_is_recovered(db_path: Path) -> None:
    here = Path(__file__).parent
    code = _CHILD.format(tests_dir=str(here), tests_root=str(here.parent), db=str(db_path))
    child = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "not reached" not in child.stdout
    scan_id = int(child.stdout.split()[0])

    # Before recovery (plain sqlite3, no Inventory): committed work is there, the scan is
    # still "running" and the half-written fourth device left no trace.
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("SELECT status, finished_at FROM scans").fetchall() == [
            ("running", None)
        ]
        keys = [r[0] for r in raw.execute("SELECT device_key FROM devices ORDER BY ip")]
        assert keys == [make_device(h).device_key for h in (5, 6, 7)]
        assert raw.execute("SELECT count(*) FROM evidence").fetchone() == (3,)  # one each
    raw.close()

    with Inventory.open(db_path) as inv:
        info = inv.scan(scan_id)
        assert info.status == "incomplete"
        assert info.finished_at is None
        assert info.device_count == 3
        assert info.error is not None
        assert inv.integrity_ok()
        assert len(inv.device(make_device(6).device_key).device.evidence) == 1
        # an incomplete scan marks nothing missing, and it cannot be finished later
        assert {d.presence for d in inv.devices()} == {"present"}


def test_running_scan_of_a_live_process_is_left_alone(open_inventory: Opener) -> None:
    writer = open_inventory()
    scan_id = writer.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    reader = open_inventory()  # runs recover_stale_scans() on open
    assert reader.recover_stale_scans() == []
    assert reader.scan(scan_id).status == "running"
    writer.record_device(scan_id, make_device(5))
    writer.finish_scan(scan_id)
    assert reader.scan(scan_id).status == "complete"


def test_running_scan_with_reused_pid_is_recovered(open_inventory: Opener) -> None:
    inv = open_inventory()
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    # Same live PID, different process start time: the PID was reused by another process.
    inv.db.execute("UPDATE scans SET pid_start_ticks = pid_start_ticks - 1 WHERE id = ?", [scan_id])
    assert inv.recover_stale_scans() == [scan_id]
    assert inv.scan(scan_id).status == "incomplete"


def test_running_scan_from_another_host_is_left_alone(open_inventory: Opener) -> None:
    inv = open_inventory()
    scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    inv.db.execute("UPDATE scans SET pid_host = 'elsewhere', pid = 1 WHERE id = ?", [scan_id])
    assert inv.recover_stale_scans() == []
    assert inv.scan(scan_id).status == "running"


def test_reader_sees_committed_rows_while_a_write_transaction_is_open(
    open_inventory: Opener, db_path: Path
) -> None:
    writer = open_inventory()
    scan_id = writer.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    writer.record_device(scan_id, make_device(5))

    blocker = sqlite3.connect(db_path, timeout=0.1, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        blocker.execute("UPDATE devices SET note = 'uncommitted'")
        reader = Inventory.open(db_path, busy_timeout_s=0.1)
        try:
            (device,) = reader.devices()
            assert device.note == ""
        finally:
            reader.close()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_writer_commits_while_a_reader_holds_a_snapshot(
    open_inventory: Opener, db_path: Path
) -> None:
    # In rollback-journal mode the reader's SHARED lock would make this commit fail with
    # "database is locked"; in WAL mode the writer proceeds and the reader keeps its snapshot.
    writer = open_inventory()
    scan_id = writer.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    writer.record_device(scan_id, make_device(5))

    reader = sqlite3.connect(db_path, timeout=0.1, isolation_level=None)
    try:
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM devices").fetchone() == (1,)
        fast_writer = Inventory.open(db_path, busy_timeout_s=0.1)
        try:
            fast_writer.record_device(scan_id, make_device(6))
        finally:
            fast_writer.close()
        assert reader.execute("SELECT count(*) FROM devices").fetchone() == (1,)
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM devices").fetchone() == (2,)
    finally:
        reader.close()


def test_the_snapshot_test_would_fail_without_wal(tmp_path: Path) -> None:
    """Control for the test above: with a rollback journal the same commit is refused."""
    path = tmp_path / "plain.db"
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("PRAGMA journal_mode=delete")
    setup.execute("CREATE TABLE t (x)")
    setup.execute("INSERT INTO t VALUES (1)")
    setup.close()
    reader = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    writer = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM t").fetchone()
        writer.execute("BEGIN")
        writer.execute("INSERT INTO t VALUES (2)")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            writer.execute("COMMIT")
    finally:
        writer.close()
        reader.close()
