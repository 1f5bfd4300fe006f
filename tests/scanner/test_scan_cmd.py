"""``camcensus scan`` refuses early, escapes device text and keeps its warnings.

Every scan here is refused before a packet: an out-of-scope target, a large target
set, half-set credentials, or an interface name that does not exist.
"""

from __future__ import annotations

import io
import json
from ipaddress import IPv4Interface
from pathlib import Path

import pytest
from builders import make_device

from camcensus.cli import EXIT_ERROR, EXIT_FLAGGED, EXIT_OK, build_parser, main
from camcensus.cli.scan_cmd import (
    ENV_PASSWORD,
    ENV_USERNAME,
    _Display,
    _json_result,
    _print_summary,
)
from camcensus.scanner.probes.context import Interface
from camcensus.scanner.runner import ScanResult

NO_SUCH_INTERFACE = "camcensus-test-no-such-if0"
HOSTILE = "Evil\x1b]0;pwned\x07\x9b2J\u202eCam"


@pytest.fixture(autouse=True)
def _no_credentials_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_USERNAME, raising=False)
    monkeypatch.delenv(ENV_PASSWORD, raising=False)


def _scan(db: Path, *extra: str, target: str = "10.1.2.3", scope: str = "loopback") -> int:
    return main(["scan", target, "--scope", scope, "--db", str(db), *extra])


def test_out_of_scope_scan_creates_no_inventory(tmp_path: Path) -> None:
    db = tmp_path / "inventory.db"
    assert _scan(db) == EXIT_ERROR
    assert not db.exists()


def test_missing_interface_is_refused_before_the_inventory_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "inventory.db"
    code = _scan(db, "--interface", NO_SUCH_INTERFACE, target="198.18.0.5", scope="lab")
    assert code == EXIT_ERROR
    assert NO_SUCH_INTERFACE in capsys.readouterr().err
    assert not db.exists()


@pytest.mark.parametrize(
    ("env", "missing"),
    [({ENV_USERNAME: "admin"}, ENV_PASSWORD), ({ENV_PASSWORD: "secret"}, ENV_USERNAME)],
)
def test_half_set_environment_credentials_are_refused_before_any_scan(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    missing: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    db = tmp_path / "inventory.db"
    assert _scan(db, "--interface", NO_SUCH_INTERFACE, target="198.18.0.5", scope="lab") == 2
    err = capsys.readouterr().err
    assert missing in err
    assert "secret" not in err
    assert not db.exists()


def test_allow_large_flag_reaches_the_scope_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert build_parser().parse_args(["scan", "x", "--scope", "lab", "--allow-large"]).allow_large
    scope = tmp_path / "scope.txt"
    scope.write_text("10.0.0.0/8\n", encoding="utf-8")
    db = tmp_path / "inventory.db"
    base = ("--interface", NO_SUCH_INTERFACE)
    assert _scan(db, *base, target="10.0.0.0/15", scope=str(scope)) == EXIT_ERROR
    assert "more than 65536" in capsys.readouterr().err
    assert _scan(db, *base, "--allow-large", target="10.0.0.0/15", scope=str(scope)) == 2
    err = capsys.readouterr().err
    assert "more than 65536" not in err
    assert NO_SUCH_INTERFACE in err  # past the size check, refused at the interface
    assert not db.exists()


def _result(*makers: str) -> ScanResult:
    devices = [
        make_device(n, mac=None, maker=maker, model=f"M\u202e{n}\x1b[31m", firmware=None)
        for n, maker in enumerate(makers, start=10)
    ]
    iface = Interface("eth\x1b0", IPv4Interface("198.18.0.1/24"))
    result = ScanResult(7, "complete", iface, warnings=[f"w {HOSTILE}"])
    result.by_key.update((d.device_key, d) for d in devices)
    return result


def _assert_no_controls(text: str) -> None:
    bad = [c for c in text if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)]
    assert bad == []
    assert "\u202e" not in text


def test_summary_escapes_device_strings() -> None:
    out = io.StringIO()
    _print_summary(_result(HOSTILE, "Hikvision"), out)
    text = out.getvalue()
    _assert_no_controls(text)
    assert "Evil\\x1b]0;pwned\\x07\\x9b2J\\u202eCam" in text
    assert "Hikvision" in text


def test_json_output_is_ascii_and_round_trips() -> None:
    text = _json_result(_result(HOSTILE))
    assert text.isascii()
    data = json.loads(text)
    assert data["devices"][0]["maker"] == HOSTILE
    assert data["warnings"] == [f"w {HOSTILE}"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_warnings_during_the_live_display_are_printed_after_it_closes() -> None:
    stream = _Terminal()
    with _Display(stream) as display:
        display.warning(f"nmap not found {HOSTILE}")
    text = stream.getvalue()
    assert "camcensus: warning: nmap not found Evil\\x1b" in text
    assert "\x9b" not in text
    assert "\u202e" not in text


def test_warnings_without_a_terminal_are_printed_once_and_escaped() -> None:
    stream = io.StringIO()
    with _Display(stream) as display:
        display.warning(HOSTILE)
    assert stream.getvalue().count("camcensus: warning:") == 1
    _assert_no_controls(stream.getvalue())


def test_a_possible_flag_fails_only_a_scan_asked_to_fail_on_it() -> None:
    from camcensus.cli.scan_cmd import exit_code

    weak = make_device(
        20, mac=None, maker="Dahua", flagged=False, list_status="", flag_reasons=("possible only",),
        level="possible",
    )  # fmt: skip
    result = ScanResult(8, "complete", Interface("eth0", IPv4Interface("198.18.0.1/24")))
    result.by_key[weak.device_key] = weak
    assert exit_code(result, fail_on_flagged=True, fail_on_possible=False) == EXIT_OK
    assert exit_code(result, fail_on_flagged=False, fail_on_possible=True) == EXIT_FLAGGED
    out = io.StringIO()
    _print_summary(result, out)
    assert "0 flagged, 1 possible" in out.getvalue()


def test_progress_without_a_terminal_says_how_far_the_host_probes_are() -> None:
    stream = io.StringIO()
    with _Display(stream) as display:
        display.hosts_found(8)
        for host in range(10, 18):
            display.device_recorded(make_device(host))
        display.device_recorded(make_device(40, parent="mac:aa:bb:cc:00:00:0a"))  # behind it
    lines = [line for line in stream.getvalue().splitlines() if "hosts probed" in line]
    assert [line.split(" left")[0].split(", about")[0] for line in lines] == [
        "camcensus: 2 of 8 hosts probed (25%)",
        "camcensus: 4 of 8 hosts probed (50%)",
        "camcensus: 6 of 8 hosts probed (75%)",
    ]
    assert all(", about " in line and line.endswith(" left") for line in lines)


def test_the_live_table_shows_the_share_probed_and_the_time_left() -> None:
    display = _Display(io.StringIO())
    display.hosts_found(4)
    display.device_recorded(make_device(10))
    from rich.console import Console

    console = Console(file=io.StringIO(), width=200)
    console.print(display._render())
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "25% probed, about " in text
    assert " left" in text


def test_the_scan_summary_keeps_the_brand_apart_from_the_maker() -> None:
    from camcensus.cli.scan_cmd import _print_summary

    result = ScanResult(9, "complete", Interface("eth0", IPv4Interface("198.18.0.1/24")))
    for host, brand in ((10, "Amcrest"), (11, "Dahua"), (12, "Lorex")):
        device = make_device(host, maker="Dahua", brand=brand, model="IP4M-1041")
        result.by_key[device.device_key] = device
    stream = io.StringIO()
    _print_summary(result, stream)
    rows = [line.split() for line in stream.getvalue().splitlines()[1:4]]
    assert sorted(r[:2] for r in rows) == [["Dahua", "Amcrest"], ["Dahua", "IP4M-1041"],
                                           ["Dahua", "Lorex"]]  # fmt: skip
