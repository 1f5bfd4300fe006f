"""`camcensus vendors`, `identify` and `oui update` through camcensus.cli.main."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from camcensus.cli import main

DATA = Path(__file__).resolve().parent.parent / "data"


def test_vendors_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vendors"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:2] == ["vendor", "kind"]
    assert "Hikvision *" in out
    assert "UNVERIFIED facts:" in out
    assert "Uniview: entity_list = yes" in out  # one secondary source so far
    assert "DJI: entity_list" not in out  # verified from the BIS rule reports


def test_vendors_json_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vendors", "--json", "--flagged"]) == 0
    rows = json.loads(capsys.readouterr().out)
    names = {r["name"] for r in rows}
    assert {"Hikvision", "Dahua", "Huawei"} <= names
    assert "Axis Communications" not in names
    hik = next(r for r in rows if r["name"] == "Hikvision")
    assert hik["facts"]["fcc_covered"]["sources"] == ["https://www.fcc.gov/supplychain/coveredlist"]
    dji = next(r for r in rows if r["name"] == "DJI")
    assert dji["facts"]["entity_list"]["verified"] is True
    assert dji["facts"]["entity_list"]["since"] == "2020-12-18"
    unv = next(r for r in rows if r["name"] == "Uniview")
    assert unv["facts"]["entity_list"]["verified"] is False


def test_identify_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "ev.json"
    f.write_text(json.dumps({"dhip.vendor": "LOREX", "dhip.firmware": "2.800.0000016.0.R"}))
    assert main(["identify", str(f)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["maker"], result["brand"]) == ("Dahua", "Lorex")
    assert result["flag"]["flagged"] is True
    assert result["chain"]


def test_identify_array_and_jsonl_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = '{"_id": "a", "mac": "00:bc:99:00:00:01"}\n{"_id": "b", "mac": "00:1b:21:00:00:01"}\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    assert main(["identify", "-", "--no-chain"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert [(r["_id"], r["maker"]) for r in results] == [("a", "Hikvision"), ("b", None)]
    assert "chain" not in results[0]


def test_identify_with_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "p.toml").write_text('countries = ["RU"]\nlists = []\n')
    (tmp_path / "e.json").write_text('[{"http.server": "App-webs/"}]')
    assert main(["identify", str(tmp_path / "e.json"), "--policy", str(tmp_path / "p.toml")]) == 0
    assert json.loads(capsys.readouterr().out)[0]["flag"]["flagged"] is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "nor JSON lines"),
        ('{"bogus.key": "x"}', "unknown evidence key"),
        ('["x"]', "not an object"),
        ('{"mac": {"nested": 1}}', "values must be strings"),
        ("[" * 100_000, "nested deeper than the parser reads"),
        ('{"http.server": "x"}\n' + "[" * 100_000, "line 2: JSON nested deeper"),
    ],
)
def test_identify_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    f = tmp_path / "bad.json"
    f.write_text(text)
    assert main(["identify", str(f)]) == 2
    assert message in capsys.readouterr().err


def test_oui_update(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "oui"
    args = ["oui", "update", "--data-dir", str(target)]
    for name in ("ieee_sample_mam.csv", "ieee_sample_oui36.csv"):
        args += ["--from", str(DATA / name)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "2 MA-M" in out
    assert "1 IAB, 1 MA-S" in out
    assert sorted(p.name for p in target.iterdir()) == [
        "ieee_sample_mam.csv",
        "ieee_sample_oui36.csv",
    ]


def test_oui_update_rejects_bad_file_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "oui"
    args = ["oui", "update", "--data-dir", str(target), "--from", str(DATA / "ieee_sample_mam.csv")]
    assert main([*args, "--from", str(DATA / "ieee_bad.csv")]) == 2
    assert "7 hex digits" in capsys.readouterr().err
    assert not target.exists()


def test_identify_and_a_scan_name_an_unidentified_host_by_its_mac_block_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A laptop's Intel MAC: no maker identified; the scan shows the IEEE organisation
    of the block as its maker, and identify now says the same."""
    from camcensus.base.evidence import Evidence
    from camcensus.scanner.core.merge import merge

    mac = "3c:58:c2:00:00:01"  # an Intel Corporate MA-L block (IEEE registry)
    (device,) = merge([Evidence("mac", mac, "arp", "198.18.0.5")])
    f = tmp_path / "laptop.json"
    f.write_text(json.dumps({"mac": mac}), encoding="utf-8")
    assert main(["identify", str(f)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["maker"] is None
    assert device.identification.maker is None
    assert shown["mac_organisation"] == device.mac_organisation == device.maker
    assert "Intel" in shown["mac_organisation"]
    assert main(["identify", str(f), "--text"]) == 0
    assert f"MAC block          {device.mac_organisation}" in capsys.readouterr().out


def test_identify_one_reply_and_more_replies_of_the_same_device(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.txt"
    page.write_text("HTTP/1.1 200 OK\nServer: lighttpd\nContent-Type: text/html\n\n<html></html>")
    icon = tmp_path / "favicon.md5"
    icon.write_text("89b932fcc47cf4ca3faadb0cfdef89cf\n")  # recog's and nmap's Hikvision DVR icon
    assert main(["identify", "--reply", "http", str(page), "--no-chain"]) == 0
    assert json.loads(capsys.readouterr().out)["maker"] is None
    assert main(["identify", "--reply", "http", str(page), "--also", "favicon", str(icon)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["maker"] == "Hikvision"
    keys = {link["key"] for link in result["chain"]}
    assert {"http.server", "http.favicon.md5"} <= keys  # both replies' evidence, one device


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--also", "http", "page.txt"], "--also needs --reply"),
        (["--reply", "http", "page.txt", "--also", "gopher", "page.txt"], "not a reply kind"),
        (["--reply", "http", "page.txt", "--also", "favicon", "page.txt"], "page.txt (favicon)"),
    ],
)
def test_identify_more_replies_errors_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.txt").write_text("HTTP/1.1 200 OK\nServer: lighttpd\n\n<html></html>")
    assert main(["identify", *args]) == 2
    assert message in capsys.readouterr().err
