"""``--policy NAME`` on every command that takes a policy, ``camcensus policies``, and
the policy (name and sha256) each scan records.  No network: scans run on a replay
transport with fake probes."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from ipaddress import IPv4Interface
from pathlib import Path

import pytest

from camcensus.base.errors import VendorDataError
from camcensus.base.evidence import Evidence
from camcensus.cli import main
from camcensus.cli.options import load_policy
from camcensus.cli.scan_cmd import _print_summary
from camcensus.scanner.core.scope import builtin_scope
from camcensus.scanner.probes.context import Interface, ProbeContext
from camcensus.scanner.probes.transport import ReplayTransport
from camcensus.scanner.runner import ScanConfig, run_scan
from camcensus.scanner.store import Inventory
from camcensus.vendor_db.policy import FIRMWARE_UNKNOWN, Policy

NMAP_FIXTURE = Path(__file__).parent.parent / "fixtures" / "nmap" / "small.xml"
POLICY_FILES = Path(__file__).resolve().parents[2] / "vendor_db" / "data" / "policies"
LAB_IF = Interface("ccfake0", IPv4Interface("198.18.0.1/23"))


def _sha256(name: str) -> str:
    return hashlib.sha256((POLICY_FILES / f"{name}.toml").read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "inv.db"
    assert main(["import-nmap", str(NMAP_FIXTURE), "--db", str(path)]) == 0
    return path


def test_load_policy_takes_a_name_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_policy(None) is Policy.named("nl-cybercheck")
    assert load_policy("us-ndaa-889") is Policy.named("us-ndaa-889")
    mine = tmp_path / "mine.toml"
    mine.write_text('name = "mine"\ncountries = ["RU"]\nlists = []\n', encoding="utf-8")
    assert load_policy(str(mine)).name == "mine"
    assert load_policy(mine).name == "mine"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "uk-wms-2022").write_text('name = "a file"\n', encoding="utf-8")
    assert load_policy("uk-wms-2022").name == "uk-wms-2022"  # the name wins ...
    assert load_policy("./uk-wms-2022").name == "a file"  # ... ./ gives the file
    with pytest.raises(VendorDataError, match="unknown policy 'nl-cyber'"):
        load_policy("nl-cyber")
    with pytest.raises(VendorDataError, match="cannot read policy"):
        load_policy("gone.toml")


def test_policies_lists_every_named_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies"]) == 0
    out = capsys.readouterr().out
    for name in Policy.names():
        assert name in out
    assert "nl-cybercheck  (default)" in out
    assert "status: PROPOSAL, not law | date: 2026-01-20" in out
    assert "status: law | date: 2018-08-13" in out
    assert "https://www.congress.gov/115/plaws/publ232/PLAW-115publ232.pdf" in out
    assert main(["policies", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["eu-csa2-proposal"]["status"] == "proposal"
    assert rows["uk-wms-2022"]["date"] == "2022-11-24"
    assert rows["uk-wms-2022"]["sha256"] == _sha256("uk-wms-2022")
    assert rows["us-fcc-covered"]["sources"][0]["urls"] == [
        "https://www.fcc.gov/supplychain/coveredlist"
    ]


def test_identify_by_policy_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evidence = tmp_path / "e.json"
    evidence.write_text(json.dumps({"onvif.manufacturer": "Amcrest"}))  # Dahua-made
    verdicts = {}
    for name in ("nl-cybercheck", "us-ndaa-889", "uk-wms-2022", "eu-csa2-proposal"):
        assert main(["identify", str(evidence), "--policy", name, "--no-chain"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["flag"]["policy"] == name
        verdicts[name] = result["flag"]["level"]
    assert verdicts == {
        "nl-cybercheck": "flagged",
        "us-ndaa-889": "flagged",
        "uk-wms-2022": "flagged",
        "eu-csa2-proposal": "no",
    }
    assert main(["identify", str(evidence), "--no-chain"]) == 0
    flag = json.loads(capsys.readouterr().out)["flag"]
    assert flag["policy"] == "nl-cybercheck"
    assert flag["not_judged"] == []  # Amcrest's documented OEM develops its firmware: Dahua
    assert flag["reasons"][0].endswith("[policy nl-cybercheck]")


def test_an_unknown_policy_name_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vendors", "--policy", "us-ndaa"]) == 2
    err = capsys.readouterr().err
    assert "unknown policy 'us-ndaa'" in err
    assert "us-ndaa-889" in err


def test_vendors_by_policy_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["vendors", "--json", "--flagged", "--policy", "us-dod-1260h"]) == 0
    names = {r["name"] for r in json.loads(capsys.readouterr().out)}
    assert {"Hikvision", "Dahua", "Huawei"} <= names
    assert not names & {"ZTE", "Hytera", "Uniview", "Tiandy"}  # not in the 2026 edition


def _flags(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, str]:
    capsys.readouterr()
    assert main(argv) == 0
    rows = csv.DictReader(io.StringIO(capsys.readouterr().out))
    return {row["ip"]: row["flag_reasons"] for row in rows}


def test_export_by_policy_name(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["export", "--db", str(db), "--csv", "-", "--policy"]
    ndaa = _flags(capsys, [*base, "us-ndaa-889"])
    # nmap's verdict ("Hikvision IP camera httpd") names the maker beside the MAC block,
    # so the reason is not "maker from the MAC block" alone
    assert ndaa["198.18.0.20"] == "Hikvision: named in NDAA FY2019 sec. 889 [policy us-ndaa-889]"
    eu = _flags(capsys, [*base, "eu-csa2-proposal"])
    assert eu["198.18.0.20"] == ""


def test_tui_by_policy_name(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from camcensus.tui.app import InventoryApp
    from camcensus.tui.detail import detail_text

    seen: dict[str, object] = {}

    def fake_run(app: InventoryApp) -> None:
        records = {r.device.ip: r for r in app.inventory.devices(with_details=True)}
        seen["flags"] = {ip: r.device.flag_reasons for ip, r in records.items()}
        seen["detail"] = detail_text(records["198.18.0.20"]).plain

    monkeypatch.setattr(InventoryApp, "run", fake_run)
    assert main(["tui", str(db), "--policy", "uk-wms-2022"]) == 0
    flags = seen["flags"]
    assert isinstance(flags, dict)
    assert flags["198.18.0.20"][0] == "Hikvision: HQ CN [policy uk-wms-2022]"
    assert "Policy: uk-wms-2022" in str(seen["detail"])
    assert main(["tui", str(db), "--policy", "nl-cybercheck"]) == 0
    assert "Policy: nl-cybercheck" in str(seen["detail"])
    assert f"Not judged:\n  - {FIRMWARE_UNKNOWN}" in str(seen["detail"])  # MAC-only maker


def test_import_nmap_records_the_policy(tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    assert main(["import-nmap", str(NMAP_FIXTURE), "--db", str(db)]) == 0
    assert main(["import-nmap", str(NMAP_FIXTURE), "--db", str(db), "--policy", "us-ndaa-889"]) == 0
    with Inventory.open(db, read_only=True) as inventory:
        options = sorted((dict(s.options) for s in inventory.scans()), key=lambda o: o["policy"])
    assert [(o["policy"], o["policy_sha256"]) for o in options] == [
        ("nl-cybercheck", _sha256("nl-cybercheck")),
        ("us-ndaa-889", _sha256("us-ndaa-889")),
    ]


class _Arp:
    NAME = "arp"

    async def run(self, ctx: ProbeContext) -> list[Evidence]:
        return [
            Evidence("mac", "bc:ad:28:00:00:01", "arp", "198.18.0.10"),  # a Hikvision block
            Evidence("http.server", "App-webs/", "banner", "198.18.0.10"),
        ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (None, "[policy nl-cybercheck]"),
        ("us-entity-list", "Hikvision: on US Entity List since 2019-10-09 [policy us-entity-list]"),
    ],
)
async def test_a_scan_records_and_flags_under_its_policy(name: str | None, reason: str) -> None:
    inventory = Inventory.memory()
    config = ScanConfig(
        targets=("198.18.0.0/24",),
        scope=builtin_scope("lab"),
        policy=load_policy(name),
        discovery=(_Arp(),),
        routed_discovery=(),
        sweep=None,
        follow_up_probes=(),
        host_probes=(),
        interfaces=lambda: [LAB_IF],
        route=lambda address: None,
        is_root=lambda: False,
        transport=lambda interface, is_root: ReplayTransport(),  # never the network
        operator="tester",
        host="testhost",
    )
    result = await run_scan(config, inventory)
    (device,) = result.devices
    assert device.maker == "Hikvision"
    assert device.flagged
    assert device.flag_reasons[0].endswith(reason)
    expected = name or "nl-cybercheck"
    summary = io.StringIO()
    _print_summary(result, summary)
    assert f"1 devices, 1 flagged, 0 possible (policy {expected})," in summary.getvalue()
    options = inventory.scan(result.scan_id).options
    assert options["policy"] == expected
    assert options["policy_sha256"] == _sha256(expected)
