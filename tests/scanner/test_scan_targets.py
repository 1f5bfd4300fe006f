"""nmap's target habits on ``camcensus scan``: -iL, --exclude, --excludefile, octet
lists and wildcards, hostnames, -v/-q after the sub-command; scope files read with a
bound; ``--scope loopback``.  Nothing here sends a packet or asks a DNS server."""

from __future__ import annotations

import argparse
import socket
from ipaddress import IPv4Interface
from pathlib import Path

import pytest

from camcensus.base.errors import ScopeError
from camcensus.cli import build_parser, main, scan_cmd
from camcensus.cli.options import MAX_TEXT_FILE_BYTES
from camcensus.cli.scan_cmd import load_scope, scan_targets
from camcensus.scanner.core.scope import (
    builtin_scope,
    exclude_targets,
    expand_hosts,
    nmap_target_specs,
    parse_targets,
)
from camcensus.scanner.probes.context import Interface
from camcensus.scanner.runner import plan_targets


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["scan", *argv])


def _hosts(specs: tuple[str, ...]) -> list[str]:
    return [str(a) for a in expand_hosts(parse_targets(specs))]


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A resolver that knows only the names a test puts in; never the network."""
    names: dict[str, list[str]] = {}

    def fake_getaddrinfo(host: str, *args: object, **kwargs: object) -> list[object]:
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in names[host]]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    return names


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("198.18.0.10,11,12", ["198.18.0.10", "198.18.0.11", "198.18.0.12"]),
        ("198.18.0.10,20-21", ["198.18.0.10", "198.18.0.20-21"]),
        ("198.18.0-1.5", ["198.18.0.5", "198.18.1.5"]),
        ("198.18.0.*", ["198.18.0.0/24"]),
        ("198.18.0.0/24", ["198.18.0.0/24"]),
        ("198.18.0.7", ["198.18.0.7"]),
        ("cam-lobby.example.internal", None),
    ],
)
def test_nmap_octet_syntax(spec: str, expected: list[str] | None) -> None:
    assert nmap_target_specs(spec) == expected


@pytest.mark.parametrize("spec", ["198.18.0.300", "198.18.0.9-3", "*.*.*.1", "198.18.0.1,,"])
def test_bad_nmap_specs_are_scope_errors(spec: str) -> None:
    with pytest.raises(ScopeError):
        nmap_target_specs(spec)


def test_a_wildcard_octet_leaves_out_network_and_broadcast() -> None:
    hosts = _hosts(scan_targets(_args("198.18.0.*", "--scope", "lab"), builtin_scope("lab")))
    assert hosts[0] == "198.18.0.1"
    assert hosts[-1] == "198.18.0.254"
    assert len(hosts) == 254


def test_comma_list_on_the_command_line() -> None:
    targets = scan_targets(_args("198.18.0.10,11,12", "--scope", "lab"), builtin_scope("lab"))
    assert _hosts(targets) == ["198.18.0.10", "198.18.0.11", "198.18.0.12"]


def test_input_list_exclude_and_excludefile(tmp_path: Path) -> None:
    listed = tmp_path / "targets.txt"
    listed.write_text(
        "\ufeff# site A cameras\n198.18.0.0/28   198.18.1.5\n198.18.1.20-22 # lobby\n",
        encoding="utf-8",
    )
    excluded = tmp_path / "exclude.txt"
    excluded.write_text("198.18.1.21\n", encoding="utf-8")
    args = _args(
        "-iL", str(listed), "--exclude", "198.18.0.2,3,198.18.0.10-14",
        "--excludefile", str(excluded), "--scope", "lab",
    )  # fmt: skip
    hosts = _hosts(scan_targets(args, builtin_scope("lab")))
    assert hosts == [
        "198.18.0.1", "198.18.0.4", "198.18.0.5", "198.18.0.6", "198.18.0.7",
        "198.18.0.8", "198.18.0.9",  # .0 and .15 (network, broadcast) stay out
        "198.18.1.5", "198.18.1.20", "198.18.1.22",
    ]  # fmt: skip


def test_input_list_alone_is_enough_and_no_targets_is_an_error(tmp_path: Path) -> None:
    listed = tmp_path / "t.txt"
    listed.write_text("198.18.0.9\n", encoding="utf-8")
    assert scan_targets(_args("-iL", str(listed), "--scope", "lab"), builtin_scope("lab")) == (
        "198.18.0.9",
    )
    with pytest.raises(ScopeError, match="no targets"):
        scan_targets(_args("--scope", "lab"), builtin_scope("lab"))


def test_excluding_everything_is_an_error() -> None:
    args = _args("198.18.0.9", "--exclude", "198.18.0.0/24", "--scope", "lab")
    with pytest.raises(ScopeError, match="every target is excluded"):
        scan_targets(args, builtin_scope("lab"))


def test_exclude_keeps_untouched_targets_as_written() -> None:
    kept = exclude_targets(parse_targets("198.18.0.0/24 198.18.1.0/24"), parse_targets("10.0.0.1"))
    assert [t.spec for t in kept] == ["198.18.0.0/24", "198.18.1.0/24"]


def test_a_hostname_is_resolved_then_scope_checked(no_dns: dict[str, list[str]]) -> None:
    no_dns["cam-lobby.example.internal"] = ["198.18.0.20", "198.18.0.21"]
    no_dns["printer.example.internal"] = ["198.18.0.30", "10.1.2.3"]
    scope = builtin_scope("lab")
    targets = scan_targets(_args("cam-lobby.example.internal", "--scope", "lab"), scope)
    assert targets == ("198.18.0.20", "198.18.0.21")
    with pytest.raises(ScopeError, match=r"printer\.example\.internal resolves to .*10\.1\.2\.3"):
        scan_targets(_args("printer.example.internal", "--scope", "lab"), scope)
    with pytest.raises(ScopeError, match=r"cannot resolve target 'nowhere\.example\.internal'"):
        scan_targets(_args("nowhere.example.internal", "--scope", "lab"), scope)


def test_hostnames_in_exclude(no_dns: dict[str, list[str]]) -> None:
    no_dns["gateway.example.internal"] = ["198.18.0.1"]
    args = _args("198.18.0.1-3", "--exclude", "gateway.example.internal", "--scope", "lab")
    assert _hosts(scan_targets(args, builtin_scope("lab"))) == ["198.18.0.2", "198.18.0.3"]


def test_localhost_resolves_without_the_network() -> None:
    # localhost comes from /etc/hosts (or the resolver's built-in rule), never DNS
    targets = scan_targets(_args("localhost", "--scope", "loopback"), builtin_scope("loopback"))
    assert targets == ("127.0.0.1",)


def test_verbosity_after_the_sub_command() -> None:
    assert _args("-vv", "198.18.0.1", "--scope", "lab").verbose == 2
    assert _args("198.18.0.1", "--scope", "lab", "-q").quiet == 1
    top = build_parser().parse_args(["-v", "scan", "198.18.0.1", "--scope", "lab"])
    assert top.verbose == 1
    assert top.quiet == 0
    assert build_parser().parse_args(["lab", "up", "-v"]).verbose == 1


def test_scan_help_has_examples_and_the_default_db(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text
    assert "camcensus scan -iL targets.txt --exclude" in text
    assert "(default: inventory.db)" in " ".join(text.split())


def test_quiet_display_prints_warnings_only(capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    with scan_cmd._Display(sys.stderr, quiet=True) as display:
        display.hosts_found(3)
        display.warning("probe x failed")
    err = capsys.readouterr().err
    assert "live hosts" not in err
    assert "warning: probe x failed" in err


# -- scope files ---------------------------------------------------------------------


@pytest.mark.timeout(20)
def test_scope_file_read_is_bounded() -> None:
    with pytest.raises(ScopeError, match=f"larger than {MAX_TEXT_FILE_BYTES} bytes"):
        load_scope("/dev/zero")


def test_scope_file_in_another_encoding_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "scope.txt"
    path.write_bytes("# Büro\n198.18.0.0/24\n".encode("latin-1"))
    with pytest.raises(ScopeError, match="not UTF-8 text"):
        load_scope(str(path))
    assert main(["scan", "198.18.0.1", "--scope", str(path)]) == 2


def test_scope_file_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "scope.txt"
    path.write_bytes("\ufeff198.18.0.0/24\r\n".encode())
    scope = load_scope(str(path))
    assert [t.spec for t in scope.targets] == ["198.18.0.0/24"]


# -- loopback ------------------------------------------------------------------------

LO = Interface("lo", IPv4Interface("127.0.0.1/8"))
ETH = Interface("eth0", IPv4Interface("192.0.2.10/24"))


def test_loopback_targets_need_no_large_scan_flag() -> None:
    scope = builtin_scope("loopback")
    plan = plan_targets(parse_targets("127.0.0.1 127.0.0.5"), scope, [ETH, LO])
    assert plan.interface == LO
    assert plan.on_link == ()  # no ARP, multicast or broadcast on loopback
    assert [t.spec for t in plan.routed] == ["127.0.0.1", "127.0.0.5"]
    assert not plan.link_local
