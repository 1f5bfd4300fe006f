"""import-nmap: nmap XML -> evidence -> merged devices -> a complete 'import' scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from camcensus.base.errors import MalformedReplyError
from camcensus.cli import main
from camcensus.scanner.core.nmap_report import parse_nmap_xml
from camcensus.scanner.store import Inventory

FIXTURE = Path(__file__).parent.parent / "fixtures" / "nmap" / "small.xml"


def test_parse_emits_ports_services_mac_and_hostnames() -> None:
    evidence = parse_nmap_xml(FIXTURE.read_bytes())
    by_key = {(e.address, e.key, e.value) for e in evidence}
    assert ("198.18.0.20", "tcp.ports", "80,554,8000") in by_key  # closed 23 left out
    assert ("198.18.0.20", "mac", "bc:ad:28:00:00:01") in by_key
    assert ("198.18.0.20", "nmap.service", "8000/tcp ipcam") in by_key
    assert ("198.18.0.20", "nmap.product", "80/tcp Hikvision IP camera httpd") in by_key
    assert ("198.18.0.20", "dns.ptr", "cam-lobby.example.internal") in by_key
    assert ("198.18.0.21", "nmap.product", "22/tcp OpenSSH 9.2p1") in by_key
    assert not any(e.address == "198.18.0.22" for e in evidence)  # host down


def _pn_host(ip: str, *ports: tuple[int, str]) -> str:
    """A host as ``nmap -Pn`` reports it: "up" because the user said so."""
    rows = "".join(
        f'<port protocol="tcp" portid="{n}"><state state="{state}" reason="x"/></port>'
        for n, state in ports
    )
    return (
        f'<host><status state="up" reason="user-set" reason_ttl="0"/>'
        f'<address addr="{ip}" addrtype="ipv4"/><ports>{rows}</ports></host>'
    )


def test_a_host_up_only_because_of_pn_with_nothing_answering_is_no_host() -> None:
    """nmap -Pn marks every target "up"; only a port that answered proves a host."""
    report = (
        '<?xml version="1.0"?><!DOCTYPE nmaprun><nmaprun scanner="nmap">'
        + _pn_host("198.18.0.30", (80, "filtered"), (554, "filtered"))
        + _pn_host("198.18.0.31", (80, "closed"), (554, "filtered"))  # a RST: it is there
        + _pn_host("198.18.0.32", (554, "open"))
        + "</nmaprun>"
    ).encode()
    addresses = {e.address for e in parse_nmap_xml(report)}
    assert addresses == {"198.18.0.31", "198.18.0.32"}


@pytest.mark.parametrize(
    "data",
    [
        b"not xml",
        b"<html/>",
        b'<!DOCTYPE x [<!ENTITY a "aaaa">]><nmaprun>&a;</nmaprun>',
        # a DOCTYPE is fine (nmap writes one), entities and external references are not
        b'<!DOCTYPE nmaprun [<!ENTITY x SYSTEM "file:///etc/passwd">]><nmaprun>&x;</nmaprun>',
        b'<!DOCTYPE nmaprun [<!ENTITY % p SYSTEM "http://198.18.0.9/x.dtd"> %p;]><nmaprun/>',
        b'<!DOCTYPE nmaprun [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><nmaprun>&b;</nmaprun>',
    ],
)
def test_parse_refuses_garbage_and_entities(data: bytes) -> None:
    with pytest.raises(MalformedReplyError):
        parse_nmap_xml(data)


def test_cli_records_a_complete_import_scan(tmp_path: Path) -> None:
    db = tmp_path / "inv.db"
    assert main(["import-nmap", str(FIXTURE), "--db", str(db)]) == 0
    with Inventory.open(db, create=False) as inventory:
        (scan,) = inventory.scans()
        assert scan.status == "complete"
        assert scan.scope == "import"
        devices = {r.device.ip: r.device for r in inventory.devices()}
    assert set(devices) == {"198.18.0.20", "198.18.0.21"}
    hik = devices["198.18.0.20"]
    assert hik.device_key == "mac:bc:ad:28:00:00:01"
    assert hik.maker == "Hikvision"
    assert hik.flagged
    assert not devices["198.18.0.21"].flagged


# nmap -oX writes this header on every report
REAL_HEADER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
    b'<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>\n'
)


def _with_doctype() -> bytes:
    body = FIXTURE.read_bytes()
    return REAL_HEADER + body[body.index(b"<nmaprun") :]


def test_parse_accepts_the_doctype_nmap_writes() -> None:
    evidence = parse_nmap_xml(_with_doctype())
    assert ("198.18.0.20", "mac", "bc:ad:28:00:00:01") in {
        (e.address, e.key, e.value) for e in evidence
    }


def test_cli_imports_a_report_with_doctype(tmp_path: Path) -> None:
    report = tmp_path / "real.xml"
    report.write_bytes(_with_doctype())
    db = tmp_path / "inv.db"
    assert main(["import-nmap", str(report), "--db", str(db)]) == 0
    with Inventory.open(db, read_only=True) as inventory:
        assert len(inventory.devices()) == 2


def test_a_refused_report_leaves_no_database(tmp_path: Path) -> None:
    report = tmp_path / "bad.xml"
    report.write_bytes(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><nmaprun>&a;</nmaprun>')
    assert main(["import-nmap", str(report), "--db", str(tmp_path / "inv.db")]) == 2
    assert not (tmp_path / "inv.db").exists()


LENIENT_POLICY = 'name = "lenient"\ncountries = []\nlists = []\n'


def test_import_with_a_policy(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(LENIENT_POLICY, encoding="utf-8")
    db = tmp_path / "inv.db"
    assert main(["import-nmap", str(FIXTURE), "--db", str(db), "--policy", str(policy)]) == 0
    with Inventory.open(db, read_only=True) as inventory:
        hik = next(r.device for r in inventory.devices() if r.device.ip == "198.18.0.20")
        (scan,) = inventory.scans()
    assert hik.maker == "Hikvision"
    assert not hik.flagged
    assert scan.options["policy"] == "lenient"


def test_imports_into_two_sites_are_two_sets_of_devices(tmp_path: Path) -> None:
    db = tmp_path / "central.db"
    assert main(["import-nmap", str(FIXTURE), "--db", str(db), "--site", "Utrecht"]) == 0
    assert main(["import-nmap", str(FIXTURE), "--db", str(db), "--site", "Zwolle"]) == 0
    with Inventory.open(db, create=False) as inventory:
        assert [s.site for s in inventory.scans()] == ["Zwolle", "Utrecht"]
        records = inventory.devices()
    # the same two hosts in each site, keyed apart, none marked missing by the other
    assert sorted(r.device.device_key for r in records) == [
        "Utrecht/mac:00:1c:c0:00:00:10",
        "Utrecht/mac:bc:ad:28:00:00:01",
        "Zwolle/mac:00:1c:c0:00:00:10",
        "Zwolle/mac:bc:ad:28:00:00:01",
    ]
    assert {r.presence for r in records} == {"present"}
    assert {r.site for r in records} == {"Utrecht", "Zwolle"}


def test_a_bad_site_name_is_refused_before_the_database_is_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inv.db"
    assert main(["import-nmap", str(FIXTURE), "--db", str(db), "--site", "a/b"]) == 2
    assert "not a site name" in capsys.readouterr().err
    assert not db.exists()
