"""``camcensus report`` through ``camcensus.cli.main`` on a real inventory file: its
numbers against the inventory's own (counted by plain SQL), hostile device strings,
offline-ness, read-only use and ``--policy``."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders import make_device
from reportdom import assert_shows, count_inventory, read_shown

from camcensus.base.evidence import Evidence
from camcensus.cli import EXIT_ERROR, EXIT_OK, main
from camcensus.scanner.core.schema import Coverage, SnmpCoverage
from camcensus.scanner.report import ReportSection, field_section, render_html, summarise
from camcensus.scanner.store import Inventory

SCRIPT_MODEL = "<script>alert(1)</script>"
SCRIPT_MAKER = "<script>alert(2)</script>"
SPOOFED_MODEL = "cam\u200bera\u202eexe.TXT"  # zero-width space, right-to-left override
SPOOFED_BRAND = "\u202eAxis\u200d"
NOTE = "kept until 2027\n<i>ask</i> facilities\u202e"


def _clock() -> Callable[[], datetime]:
    ticks = itertools.count()
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    return lambda: start + timedelta(hours=next(ticks))


def build_inventory(path: Path) -> Path:
    """Two sites, three scans (the second finds fewer devices: some go missing), every
    flag level, an unknown maker, a recorder, hostile strings and reviews."""
    with Inventory.open(path, clock=_clock()) as inv:
        first = inv.begin_scan(operator="alice", scope="lab", targets="198.18.0.0/24", site="HQ")
        hq = [
            make_device(5, site="HQ"),
            make_device(6, site="HQ", model="DS-7608NI-K2", device_type="nvr"),
            make_device(7, site="HQ", maker="Axis", model="P3245", flagged=False),
            make_device(8, site="HQ", maker="Dahua", model="", flagged=False, level="possible"),
            make_device(9, site="HQ", maker=None, model="", device_type="unknown", flagged=False),
            make_device(10, site="HQ", maker=SCRIPT_MAKER, model=SCRIPT_MODEL, flagged=False),
            make_device(
                11, site="HQ", maker="Axis", brand=SPOOFED_BRAND, model=SPOOFED_MODEL,
                flagged=False,
                evidence=(Evidence("http.server", SPOOFED_MODEL, "http", "198.18.0.11"),),
            ),
        ]  # fmt: skip
        for device in hq:
            inv.record_device(first, device)
        inv.finish_scan(first)
        second = inv.begin_scan(operator="alice", scope="lab", targets="198.18.0.0/24", site="HQ")
        for device in hq[:5]:
            inv.record_device(second, device)
        inv.finish_scan(second)  # 10 and 11 go missing
        third = inv.begin_scan(
            operator="bob", scope="lab", targets="198.18.1.0/24", site="Rotterdam"
        )
        for host in (20, 21):
            inv.record_device(third, make_device(host, site="Rotterdam", ip=f"198.18.1.{host}"))
        inv.record_coverage(
            third,
            [Coverage("198.18.1.0/24", "routed, snmp", 254, 2, 2)],
            [SnmpCoverage("198.18.1.254", "2c", None, 3, 0, 2, ("aa:bb:cc:dd:ee:ff",))],
        )
        inv.finish_scan(third)
        fourth = inv.begin_scan(
            operator="bob", scope="lab", targets="198.18.1.0/24", site="Rotterdam"
        )
        inv.record_device(fourth, make_device(20, site="Rotterdam", ip="198.18.1.20"))
        inv.record_device(
            fourth, make_device(21, site="Rotterdam", ip="198.18.1.21", firmware="V5.8.0")
        )
        inv.record_device(fourth, make_device(22, site="Rotterdam", ip="198.18.1.22"))
        recorder = "Rotterdam/mac:aa:bb:cc:00:00:16"  # .22, a camera behind it:
        inv.record_device(fourth, make_device(
            30, site="Rotterdam", mac=None, ip="198.19.1.10", parent=recorder,
            device_key=f"{recorder}/ch:1", model="DS-2CD2143G2-I",
        ))  # fmt: skip
        inv.finish_scan(fourth)  # two new (flagged; one behind a recorder), one changed firmware
        for key in ("HQ/mac:aa:bb:cc:00:00:05", "HQ/mac:aa:bb:cc:00:00:0a"):
            inv.set_review(key, "to_replace")
        inv.set_review("Rotterdam/mac:aa:bb:cc:00:00:14", "to_replace")
        inv.set_review("Rotterdam/mac:aa:bb:cc:00:00:15", "to_replace")
        inv.set_review("HQ/mac:aa:bb:cc:00:00:07", "accepted_risk", NOTE)
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return build_inventory(tmp_path / "inventory.db")


def _report(db: Path, out: Path, *extra: str) -> str:
    assert main(["report", "--db", str(db), "--html", str(out), *extra]) == EXIT_OK
    return out.read_text(encoding="utf-8")


def test_the_numbers_shown_are_the_inventorys_own(db: Path, tmp_path: Path) -> None:
    shown = read_shown(_report(db, tmp_path / "report.html"))
    counted = count_inventory(db)
    assert counted.devices == 11
    assert counted.present == 9
    assert counted.levels == {"flagged": 6, "possible": 1, "no": 4}
    assert counted.behind_recorders == 1
    assert_shows(shown, counted)
    assert shown.plan[("Hikvision", "DS-2CD2043G2-I")] == 3  # two sites, one model


def test_a_device_model_of_script_is_shown_as_text(db: Path, tmp_path: Path) -> None:
    html = _report(db, tmp_path / "report.html")
    shown = read_shown(html)
    assert shown.tags["script"] == 0  # no script element at all, the charts' included
    text = "".join(shown.text)
    assert SCRIPT_MODEL in text
    assert SCRIPT_MAKER in text
    assert (SCRIPT_MAKER, SCRIPT_MODEL) in shown.plan  # in the replacement plan too
    makers_chart = re.search(r'<figure id="chart-makers">(.*?)</figure>', html, re.S)
    assert makers_chart is not None
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in makers_chart.group(1)  # its label


def test_zero_width_and_rtl_override_characters_are_shown_as_escapes(
    db: Path, tmp_path: Path
) -> None:
    html = _report(db, tmp_path / "report.html")
    for char in ("\u200b", "\u200d", "\u202e"):
        assert char not in html
    text = "".join(read_shown(html).text)
    assert "cam\\u200bera\\u202eexe.TXT" in text  # model and the evidence value
    assert "\\u202eAxis\\u200d" in text  # the brand, in its tally and the appendix


def test_the_report_opens_offline_and_runs_nothing(db: Path, tmp_path: Path) -> None:
    html = _report(db, tmp_path / "report.html")
    shown = read_shown(html)
    for tag in ("script", "link", "img", "iframe", "object", "embed"):
        assert shown.tags[tag] == 0, tag
    assert not re.search(r"\ssrc=|@import|url\(", html)
    assert "Content-Security-Policy" in html
    assert "default-src 'none'" in html
    # the only links are the flag sources, to be followed by a reader, never fetched
    assert set(shown.hrefs) == {"https://www.fcc.gov/supplychain/coveredlist"}
    assert shown.tags["svg"] == 3  # sites, makers, and the trend between scans


def test_the_report_leaves_the_inventory_as_it_was(db: Path, tmp_path: Path) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    _report(db, tmp_path / "report.html")
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    wal = db.with_name(db.name + "-wal")  # SQLite's own, for a reader of a WAL database
    assert not wal.exists() or wal.stat().st_size == 0  # nothing was written to it


def test_policy_decides_the_flags_again(db: Path, tmp_path: Path) -> None:
    html = _report(db, tmp_path / "report.html", "--policy", "eu-csa2-proposal")
    shown = read_shown(html)
    assert shown.totals["flagged"] == 0  # the proposal designates no country yet
    assert shown.totals["devices"] == count_inventory(db).devices
    assert "policy eu-csa2-proposal (proposal)" in html


def test_a_missing_inventory_is_an_error_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--db", str(tmp_path / "none.db"), "--html", str(out)]) == EXIT_ERROR
    assert "no inventory database" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_output_is_an_error(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-dir" / "report.html"
    assert main(["report", "--db", str(db), "--html", str(out)]) == EXIT_ERROR


def test_sections_render_only_from_data_given(db: Path) -> None:
    with Inventory.open(db, read_only=True) as inv:
        records = inv.devices(with_details=True)
    plain = render_html(summarise(records, [], title="t", generated_at="now", policy_note=""))
    assert '<section class="extra">' not in plain  # no section claims anything without data
    section = ReportSection(
        "Vulnerable firmware", "from the data pack", ("device", "CVE"), (("<b>x</b>", "CVE-1"),)
    )
    with_section = render_html(
        summarise(records, [], title="t", generated_at="now", policy_note="", sections=[section])
    )
    assert "<h2>Vulnerable firmware</h2>" in with_section
    assert "&lt;b&gt;x&lt;/b&gt;" in with_section
    assert "chart-trend" not in with_section  # no scans given: no trend to draw


def test_an_empty_inventory_reports_zero(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Inventory.open(db).close()
    shown = read_shown(_report(db, tmp_path / "report.html"))
    assert shown.totals == {
        "devices": 0, "present": 0, "behind_recorders": 0, "flagged": 0, "possible": 0, "no": 0,
    }  # fmt: skip
    assert shown.tags["svg"] == 0


def test_importing_the_report_leaves_the_import_system_as_it_was() -> None:
    import sys

    import pygal

    import camcensus.scanner.report  # noqa: F401 (the import is what is tested)

    assert not any(isinstance(f, pygal.PluginImportFixer) for f in sys.meta_path)


def test_pdf_without_chromium_is_an_error_and_writes_nothing(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    pdf = tmp_path / "report.pdf"
    assert main(["report", "--db", str(db), "--pdf", str(pdf)]) == EXIT_ERROR
    assert "--pdf needs chromium" in capsys.readouterr().err
    assert not pdf.exists()


def test_neither_html_nor_pdf_is_an_error(db: Path) -> None:
    assert main(["report", "--db", str(db)]) == EXIT_ERROR


def test_expanded_opens_every_device(db: Path) -> None:
    with Inventory.open(db, read_only=True) as inv:
        report = summarise(inv.devices(), [], title="t", generated_at="now", policy_note="")
    assert render_html(report).count("data-device open") == 0
    assert render_html(report, expanded=True).count("data-device open") == report.device_count


def test_a_failing_browser_is_an_error_and_leaves_no_partial_pdf(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "chromium"
    fake.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    pdf = tmp_path / "report.pdf"
    assert main(["report", "--db", str(db), "--pdf", str(pdf)]) == EXIT_ERROR
    assert "chromium could not print the PDF (exit 3): cannot open display" in (
        capsys.readouterr().err
    )
    assert not pdf.exists()
    assert not list(tmp_path.glob(".*partial"))


def test_the_appendix_lists_flagged_then_possible_then_the_rest(db: Path, tmp_path: Path) -> None:
    html = _report(db, tmp_path / "report.html")
    levels = re.findall(r'<details class="(\w+)" data-device', html)
    assert levels == sorted(levels, key=["flagged", "possible", "no"].index)
    assert set(levels) == {"flagged", "possible", "no"}


def test_a_field_section_counts_a_schema_fields_values_or_is_none(db: Path) -> None:
    with Inventory.open(db, read_only=True) as inv:
        records = inv.devices(with_details=True)
    assert field_section(records, "no_such_field", "t", "") is None
    assert field_section([r for r in records if not r.device.flagged], "sources", "t", "") is None
    status = field_section(records, "list_status", "Lists", "by list")
    assert status is not None
    assert status.rows == (("fcc_covered", "6", "6"),)  # the six flagged Hikvision devices
    reasons = field_section(records, "flag_reasons", "Reasons", "")
    assert reasons is not None
    assert reasons.rows == (("maker Hikvision is on the FCC Covered List", "6", "6"),)


def test_an_admins_note_keeps_its_lines_and_nothing_else(db: Path, tmp_path: Path) -> None:
    html = _report(db, tmp_path / "report.html")
    assert "kept until 2027<br>&lt;i&gt;ask&lt;/i&gt; facilities\\u202e" in html
    assert read_shown(html).tags["i"] == 0


def test_a_full_disk_leaves_no_half_report(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # the partial file is /dev/full: it opens, and every write fails with ENOSPC
    (out / ".report.html.partial").symlink_to("/dev/full")
    assert main(["report", "--db", str(db), "--html", str(out / "report.html")]) == EXIT_ERROR
    assert list(out.iterdir()) == []


def test_a_policy_file_and_a_title_and_stdout(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = Path(__file__).parents[2] / "vendor_db" / "data" / "policies"
    policy = tmp_path / "my-policy.toml"
    policy.write_text((shipped / "eu-csa2-proposal.toml").read_text(encoding="utf-8"))
    argv = ["report", "--db", str(db), "--html", "-", "--policy", str(policy)]
    assert main([*argv, "--title", "Census <HQ>"]) == EXIT_OK
    html = capsys.readouterr().out
    assert "<h1>Census &lt;HQ&gt;</h1>" in html
    assert read_shown(html).totals["flagged"] == 0


def test_what_changed_between_consecutive_scans_of_a_site(db: Path, tmp_path: Path) -> None:
    html = _report(db, tmp_path / "report.html")
    table = re.search(r'<table data-table="changes">(.*?)</table>', html, re.S)
    assert table is not None
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1))
        if "<td" in row
    ]
    assert rows == [
        ["HQ", "#1 → #2", "0", "0", "2", "0"],  # hosts 10 and 11 not seen again
        ["Rotterdam", "#3 → #4", "2", "2", "0", "1"],  # 22 and its camera new, 21's firmware
    ]
