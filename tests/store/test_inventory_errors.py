"""The inventory under failure: SQLite errors become clear InventoryErrors (exit 2,
never a traceback), readers open read-only, a newer schema is refused, a dead scan
reads as incomplete to every reader."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import make_device
from store_helpers import TARGETS

from camcensus.base.errors import InventoryError
from camcensus.base.evidence import Evidence
from camcensus.cli import main
from camcensus.scanner.store import _SCHEMA, Inventory

NMAP_FIXTURE = Path(__file__).parent.parent / "fixtures" / "nmap" / "small.xml"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _filled(path: Path, hosts: tuple[int, ...] = (5, 6, 7)) -> Path:
    with Inventory.open(path) as inv:
        scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
        for host in hosts:
            inv.record_device(scan_id, make_device(host))
        inv.finish_scan(scan_id)
        inv.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def _dead_pid() -> int:
    child = subprocess.run(["true"], check=True)
    del child
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _no_traceback(err: str) -> None:
    assert "internal error" not in err
    assert "Traceback" not in err


# -- a scan whose process is gone ----------------------------------------------------


def test_a_dead_scan_reads_as_incomplete_to_a_read_only_reader(tmp_path: Path) -> None:
    db = _filled(tmp_path / "inv.db")
    with Inventory.open(db) as inv:
        scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
        inv.db.execute("UPDATE scans SET pid = ?, pid_start_ticks = NULL WHERE id = ?",
                       [_dead_pid(), scan_id])  # fmt: skip
        inv.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _digest(db)
    with Inventory.open(db, read_only=True) as reader:
        info = reader.scan(scan_id)
        assert info.status == "incomplete"
        assert info.error == "scan process ended without finishing the scan"
        assert [s.status for s in reader.scans()] == ["incomplete", "complete"]
    assert _digest(db) == before  # shown, not written
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT status FROM scans WHERE id = ?", [scan_id]).fetchone() == (
            "running",
        )
    raw.close()


def test_a_live_scan_still_reads_as_running(tmp_path: Path) -> None:
    db = _filled(tmp_path / "inv.db")
    with Inventory.open(db) as writer:
        scan_id = writer.begin_scan(operator="alice", scope="lab", targets=TARGETS)
        with Inventory.open(db, read_only=True) as reader:
            assert reader.scan(scan_id).status == "running"


# -- read-only readers ---------------------------------------------------------------


def test_a_read_only_open_writes_nothing(tmp_path: Path) -> None:
    db = _filled(tmp_path / "inv.db")
    before = _digest(db)
    with Inventory.open(db, read_only=True) as reader:
        assert len(reader.devices()) == 3
        with pytest.raises(InventoryError, match="read-only"):
            reader.begin_scan(operator="alice", scope="lab", targets=TARGETS)
    assert _digest(db) == before


def test_a_reader_writes_a_review_through_a_connection_of_its_own(tmp_path: Path) -> None:
    db = _filled(tmp_path / "inv.db")
    key = make_device(5).device_key
    with Inventory.open(db, read_only=True) as reader:
        reader.set_review(key, "to_replace", "lobby")
        assert reader.device(key).review_status == "to_replace"
        assert reader.device(key).note == "lobby"


def test_a_reader_of_an_older_schema_migrates_a_copy_in_memory(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        from sqlite_utils import Database

        _SCHEMA.apply(Database(conn), stop_before="0002_one_device_schema")
    conn.close()
    before = _digest(db)
    with Inventory.open(db, read_only=True) as reader:
        assert reader.devices() == []
    assert _digest(db) == before


def test_a_missing_file_is_not_created_by_a_reader(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="no inventory database"):
        Inventory.open(tmp_path / "none.db", read_only=True)
    assert not (tmp_path / "none.db").exists()


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(writable dir, the same dir bind-mounted read-only): read-only media."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    source = tmp_path / "rw"
    source.mkdir()
    mount = tmp_path / "ro"
    mount.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(mount)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount)], check=True)
        yield source, mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)  # even if still open


def test_export_from_read_only_media(
    read_only_dir: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, mount = read_only_dir
    _filled(source / "inv.db")
    assert not (source / "inv.db-shm").exists()  # closed cleanly: only the file is there
    out = tmp_path / "out.csv"
    assert main(["export", "--db", str(mount / "inv.db"), "--csv", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    assert main(["export", "--db", str(mount / "inv.db"), "--json", "-"]) == 0
    capsys.readouterr()
    # a writer on read-only media: a clear error, exit 2
    code = main(["import-nmap", str(NMAP_FIXTURE), "--db", str(mount / "inv.db")])
    err = capsys.readouterr().err
    assert code == 2
    assert "read-only" in err
    _no_traceback(err)


# -- a newer camcensus's database ----------------------------------------------------


def test_a_database_from_a_newer_camcensus_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _filled(tmp_path / "inv.db")
    with sqlite3.connect(db) as raw:
        raw.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('camcensus.inventory', '0042_from_the_future', '2031-01-01')"
        )
    raw.close()
    before = _digest(db)
    for read_only in (False, True):
        with pytest.raises(InventoryError, match="written by a newer camcensus"):
            Inventory.open(db, read_only=read_only)
    for argv in (
        ["export", "--db", str(db), "--csv", "-"],
        ["import-nmap", str(NMAP_FIXTURE), "--db", str(db)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "0042_from_the_future" in err
        _no_traceback(err)
    assert _digest(db) == before


# -- SQLite errors -------------------------------------------------------------------


def test_a_locked_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _filled(tmp_path / "inv.db")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        with (
            Inventory.open(db, busy_timeout_s=0.2) as inv,
            pytest.raises(InventoryError, match=r"is locked by another program \(waited 0.2 s\)"),
        ):
            inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
        assert main(["import-nmap", str(NMAP_FIXTURE), "--db", str(db)]) == 2
        err = capsys.readouterr().err
        assert "is locked by another program (waited 5 s)" in err
        _no_traceback(err)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_full_database_is_a_clear_error_and_the_scan_is_closed(tmp_path: Path) -> None:
    db = _filled(tmp_path / "inv.db")
    with Inventory.open(db) as inv:
        scan_id = inv.begin_scan(operator="alice", scope="lab", targets=TARGETS)
        pages = inv.db.execute("PRAGMA page_count").fetchone()[0]
        inv.db.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full
        big = make_device(9)
        evidence = tuple(Evidence("http.title", f"{n:05d}" * 3000, "banner", big.ip)
                         for n in range(20))  # fmt: skip
        from dataclasses import replace

        with pytest.raises(InventoryError, match="the disk is full"):
            inv.record_device(scan_id, replace(big, evidence=evidence))
        inv.finish_scan(scan_id, "failed", error="disk full")
        assert inv.scan(scan_id).status == "failed"
        assert inv.integrity_ok()


def test_a_damaged_database_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _filled(tmp_path / "inv.db", hosts=tuple(range(5, 60)))
    with sqlite3.connect(db) as raw:
        page_size = raw.execute("PRAGMA page_size").fetchone()[0]
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
    raw.close()
    data = bytearray(db.read_bytes())
    for page in range(2, pages):  # everything but the header page
        start = page * page_size
        data[start : start + page_size] = b"\xa5" * page_size
    db.write_bytes(bytes(data))
    for argv in (
        ["export", "--db", str(db), "--csv", "-"],
        ["import-nmap", str(NMAP_FIXTURE), "--db", str(db)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "is damaged" in err, err
        _no_traceback(err)


def test_a_failed_open_leaves_no_empty_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def failing_apply(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(_SCHEMA, "apply", failing_apply)
    db = tmp_path / "new.db"
    assert main(["import-nmap", str(NMAP_FIXTURE), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "disk is full" in err
    _no_traceback(err)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_fails_an_import_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real full file system: a 1 MiB tmpfs, filled up."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "tiny"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        db = _filled(mount / "inv.db")
        filler = mount / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # ENOSPC: the disk is full
        finally:
            os.close(fd)
        code = main(["import-nmap", str(NMAP_FIXTURE), "--db", str(db)])
        err = capsys.readouterr().err
        assert code == 2
        assert "disk is full" in err or "disk I/O error" in err, err
        _no_traceback(err)
        filler.unlink()
        with Inventory.open(db, read_only=True) as reader:
            assert "running" not in {s.status for s in reader.scans()}
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=True)  # even if still open


def test_cli_subprocess_exit_code_for_a_locked_db(tmp_path: Path) -> None:
    """The same through the installed entry point: stderr has one clear line."""
    db = _filled(tmp_path / "inv.db")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "camcensus", "import-nmap", str(NMAP_FIXTURE), "--db", str(db)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 2
    assert done.stderr.startswith("camcensus: error: inventory ")
    _no_traceback(done.stderr)
