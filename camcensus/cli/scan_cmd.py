"""``camcensus scan``: discover and fingerprint devices into the SQLite inventory.

Credentials for ONVIF come from CAMCENSUS_ONVIF_USERNAME / CAMCENSUS_ONVIF_PASSWORD
or a ``--credentials-file`` (TOML with ``username`` and ``password``, mode 0600 or
stricter): never from the command line, never logged, never stored. One of the two
variables without the other is an error (a login with an empty password is a certain
failed login, and failed logins can lock the account). SNMP credentials (read routers'
ARP and switches' forwarding tables) come only from a ``--snmp-credentials`` file, mode
0600 or stricter, with one entry used an agent. Recorder credentials (list the cameras
behind an NVR) come from CAMCENSUS_RECORDER_USERNAME / CAMCENSUS_RECORDER_PASSWORD (for
every recorder) or a ``--recorder-credentials`` file (``[[recorder]]`` entries per host
or maker, mode 0600 or stricter); one login a recorder, never retried.

The scope check and the interface choice run before the inventory is opened, so a
refused scan leaves no database behind. Device text reaches the terminal only through
``scanner.core.text.escape_controls``; ``--json`` output is ASCII.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import re
import socket
import stat
import sys
import textwrap
import tomllib
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from camcensus.base.errors import CamcensusError, CredentialsError, ScopeError
from camcensus.cli import EXIT_ERROR, EXIT_FLAGGED, EXIT_OK
from camcensus.cli.options import add_policy_option, load_policy, read_text_file
from camcensus.scanner.core.text import escape_controls

if TYPE_CHECKING:
    from rich.live import Live
    from rich.table import Table

    from camcensus.scanner.core.recorder import RecorderCredentials
    from camcensus.scanner.core.schema import Device
    from camcensus.scanner.core.scope import Scope
    from camcensus.scanner.core.snmp_tables import SnmpCredentials
    from camcensus.scanner.probes.context import Credentials
    from camcensus.scanner.runner import ProbeOutcome, ScanResult

__all__ = [
    "ENV_PASSWORD",
    "ENV_USERNAME",
    "exit_code",
    "load_credentials",
    "load_recorder_credentials",
    "load_scope",
    "load_snmp_credentials",
    "read_private_file",
    "register",
    "resolve_host",
    "scan_targets",
    "target_specs",
]

ENV_USERNAME = "CAMCENSUS_ONVIF_USERNAME"
ENV_PASSWORD = "CAMCENSUS_ONVIF_PASSWORD"  # noqa: S105 (the variable's name, not a secret)
DEFAULT_DB: Final = Path("inventory.db")
_OCTET_ONLY: Final = re.compile(r"^[0-9*\-]+$")


_EXAMPLES: Final = """examples:
  camcensus scan 192.168.1.0/24 --scope scope.txt
  camcensus scan 192.168.1.10,11,12 192.168.2.* --scope scope.txt --csv devices.csv
  camcensus scan -iL targets.txt --exclude 192.168.1.1 --scope scope.txt --db site-a.db
  camcensus scan cam-lobby.example.internal --scope scope.txt --json
  camcensus scan 127.0.0.1 --scope loopback
  camcensus scan 10.20.0.0/24 --scope scope.txt --site Utrecht-CS --db central.db
  ip netns exec cclab-admin camcensus scan 198.18.0.0/23 --scope lab

Targets are read as nmap reads them: an address, a CIDR, a range (10.0.0.5-20 or
10.0.0.5-10.0.0.20), comma lists and * in any octet (10.0.0.10,11,12; 10.0.0.*: the
/24 without its network and broadcast addresses), or a hostname (resolved first;
every address it has must lie in the scope). A scope file has one CIDR, range or
address a line; '#' starts a comment. A line may name its site and location:
  10.20.0.0/24  site=Utrecht-CS  location="platform 5"
Devices are kept per site (the same addresses in two sites are two devices), and a
scan marks missing only devices of its own site. A scan covers one site: the scope
file's site for its targets, else --site, else none.
exit codes: 0 clean, 1 flagged devices found (--fail-on-flagged), 2 error, 130 Ctrl-C"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus scan``."""
    parser = sub.add_parser(
        "scan",
        help="scan networks you own for cameras and recorders",
        description=textwrap.fill(
            "Discover devices on directly connected subnets (ARP, WS-Discovery, mDNS, SADP, "
            "DHIP, NetIP, SSDP) and on routed ones (unicast only: a port sweep of every "
            "address), sweep camera ports, read banners and ONVIF device information, "
            "identify maker and model, flag vendors of concern, and record everything in "
            "the inventory. Every target must lie inside --scope.",
            width=80,
        ),
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="address, CIDR, range, nmap octet list (10.0.0.10,11 or 10.0.0.*) or hostname",
    )
    parser.add_argument(
        "-iL",
        dest="input_list",
        type=Path,
        metavar="FILE",
        help="read targets from FILE ('-': stdin), whitespace-separated, '#' comments",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="TARGETS",
        help="leave these out (comma-separated, as nmap's --exclude); repeatable",
    )
    parser.add_argument(
        "--excludefile",
        type=Path,
        metavar="FILE",
        help="leave out the targets listed in FILE",
    )
    parser.add_argument(
        "--scope",
        required=True,
        help="scope file (one CIDR/range a line) or a built-in scope: lab, loopback",
    )
    parser.add_argument(
        "--site",
        metavar="NAME",
        help="the site of targets the scope file names no site for (a line's site=NAME); "
        "one site a scan",
    )
    parser.add_argument(
        "--allow-public", action="store_true", help="allow public addresses (that you own)"
    )
    parser.add_argument(
        "--allow-large",
        action="store_true",
        help="allow targets covering more than 65,536 addresses",
    )
    parser.add_argument(
        "--interface",
        help="interface to scan from (default: the one whose subnet holds the targets)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_DB,
        help=f"inventory database, created if missing (default: {DEFAULT_DB})",
    )
    parser.add_argument(
        "--csv", type=Path, metavar="FILE", help="also write this scan's devices as CSV"
    )
    add_policy_option(parser)
    parser.add_argument("--json", action="store_true", help="print the result as JSON on stdout")
    parser.add_argument(
        "--fail-on-flagged", action="store_true", help="exit 1 when flagged devices are found"
    )
    parser.add_argument(
        "--fail-on-possible",
        action="store_true",
        help="exit 1 when flagged or possibly flagged devices (weak evidence only) are found",
    )
    parser.add_argument(
        "--credentials-file", type=Path, metavar="FILE", help="ONVIF credentials (TOML, mode 0600)"
    )
    parser.add_argument(
        "--snmp-credentials",
        type=Path,
        metavar="FILE",
        help="SNMP credentials (TOML [[snmp]] entries, v2c or v3 authPriv, mode 0600): read "
        "the ARP and forwarding tables of the scope file's snmp-agent lines and of the "
        "gateways in scope, so routed devices get their MACs",
    )
    parser.add_argument(
        "--recorder-credentials",
        type=Path,
        metavar="FILE",
        help="recorder (NVR) credentials (TOML [[recorder]] entries: username, password, "
        "optionally hosts or maker; mode 0600): list the cameras behind each recorder, one "
        "login a recorder, never retried",
    )
    parser.add_argument(
        "--no-gateways",
        action="store_true",
        help="with --snmp-credentials, read only the scope file's snmp-agent lines",
    )
    parser.add_argument(
        "--routed-sweep",
        choices=("all", "snmp"),
        default="all",
        help="routed targets: sweep all their addresses (default), or only those a "
        "router's ARP table lists (faster; misses devices that router has not seen)",
    )
    parser.add_argument(
        "--max-rate",
        type=float,
        default=3000.0,
        metavar="PPS",
        help="at most this many probe packets a second, all probes and subnets together "
        "(default 3000; nmap's sweep gets it as --max-rate)",
    )
    parser.add_argument(
        "--timeout-s", type=float, default=2.0, help="per-request timeout in seconds (default 2)"
    )
    parser.add_argument("--no-nmap", action="store_true", help="use the built-in connect scan")
    parser.add_argument(
        "--unprivileged",
        action="store_true",
        help="scan as a user without root would (as nmap's --unprivileged): no raw "
        "sockets, a TCP-connect sweep, MACs only from the kernel's ARP cache",
    )
    parser.set_defaults(func=run)


def load_scope(text: str) -> Scope:
    """A built-in scope by name, else a scope file (UTF-8, a BOM allowed, at most
    MAX_TEXT_FILE_BYTES); ScopeError when neither works."""
    from camcensus.scanner.core.scope import BUILTIN_SCOPES, Scope, builtin_scope

    if text in BUILTIN_SCOPES:
        return builtin_scope(text)
    content = read_text_file(text, "scope file", ScopeError)
    return Scope.load(content, f"scope file {Path(text).name}")


def resolve_host(name: str) -> list[str]:
    """The IPv4 addresses of hostname ``name`` (the system resolver), sorted."""
    try:
        found = socket.getaddrinfo(name, None, family=socket.AF_INET, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ScopeError(f"cannot resolve target {name!r}: {exc}") from exc
    addresses = {str(info[4][0]) for info in found}
    return sorted(addresses, key=lambda a: socket.inet_aton(a))


def target_specs(items: Sequence[str]) -> list[tuple[str, list[str], bool]]:
    """Each target as written, the camcensus target specs it stands for (nmap octet
    syntax expanded, a hostname resolved to its addresses), and whether it is a
    hostname."""
    from camcensus.scanner.core.scope import nmap_target_specs

    expanded: list[tuple[str, list[str], bool]] = []
    for item in items:
        specs = nmap_target_specs(item)
        if specs is None:
            expanded.append((item, resolve_host(item.strip()), True))
        else:
            expanded.append((item, specs, False))
    return expanded


def _list_file_items(path: Path, what: str) -> list[str]:
    text = read_text_file(path, what, ScopeError)
    return [word for line in text.splitlines() for word in line.split("#", 1)[0].split()]


def _exclude_items(values: Sequence[str]) -> list[str]:
    """``--exclude`` values split at commas, as nmap does, keeping octet lists
    (``10.0.0.1,2,3``) whole: an item that is only an octet continues the one before."""
    items: list[str] = []
    for value in values:
        for piece in value.split(","):
            piece = piece.strip()
            if not piece:
                continue
            if items and _OCTET_ONLY.match(piece):
                items[-1] += f",{piece}"
            else:
                items.append(piece)
    return items


def scan_targets(args: argparse.Namespace, scope: Scope) -> tuple[str, ...]:
    """The target specs of a scan: the command line and ``-iL``, expanded, less the
    ``--exclude``/``--excludefile`` ones; every one checked against ``scope`` (a
    hostname's addresses named by that hostname in the error)."""
    from camcensus.scanner.core.scope import check_targets, exclude_targets, parse_targets

    items = list(args.targets)
    if args.input_list is not None:
        items += _list_file_items(args.input_list, "target list")
    if not items:
        raise ScopeError("no targets: name them on the command line or with -iL FILE")
    excluded_items = _exclude_items(args.exclude)
    if args.excludefile is not None:
        excluded_items += _list_file_items(args.excludefile, "exclude file")
    excluded = parse_targets(s for _i, specs, _h in target_specs(excluded_items) for s in specs)
    kept: list[str] = []
    for item, specs, hostname in target_specs(items):
        left = exclude_targets(parse_targets(specs), excluded)
        try:
            check_targets(
                left or parse_targets(specs),
                scope,
                allow_public=args.allow_public,
                allow_large=True,  # the total is checked below, over every target
            )
        except ScopeError as exc:
            if hostname:
                raise ScopeError(f"{item} resolves to {', '.join(specs)}: {exc}") from exc
            raise
        kept.extend(t.spec for t in left)
    if not kept:
        raise ScopeError("every target is excluded: nothing to scan")
    return tuple(kept)


MAX_CREDENTIALS_BYTES: Final = 1 << 20


def read_private_file(path: Path, what: str) -> str:
    """The text of a secrets file readable by its owner only (a regular file with no
    group or other bits); CredentialsError otherwise."""
    try:
        info = path.stat()
    except OSError as exc:
        raise CredentialsError(f"cannot read {what} {path}: {exc.strerror}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise CredentialsError(f"{what} {path} is not a regular file")
    if info.st_mode & 0o077:
        raise CredentialsError(
            f"{what} {path} has mode {stat.S_IMODE(info.st_mode):04o}; "
            "allow its owner only (chmod 600)"
        )
    return read_text_file(path, what, CredentialsError, max_bytes=MAX_CREDENTIALS_BYTES)


def load_snmp_credentials(path: Path | None) -> SnmpCredentials | None:
    """SNMP credentials (``[[snmp]]`` entries, v2c or v3 authPriv) from a 0600 file."""
    from camcensus.scanner.core.snmp_tables import parse_snmp_credentials

    if path is None:
        return None
    text = read_private_file(path, "SNMP credentials file")
    return parse_snmp_credentials(text, f"SNMP credentials file {path}")


ENV_RECORDER_USERNAME: Final = "CAMCENSUS_RECORDER_USERNAME"
ENV_RECORDER_PASSWORD: Final = "CAMCENSUS_RECORDER_PASSWORD"  # noqa: S105 (a variable name)


def load_recorder_credentials(
    environ: Mapping[str, str], path: Path | None
) -> RecorderCredentials | None:
    """Recorder credentials from ``path`` (``[[recorder]]`` entries, a 0600 file) or the
    environment (one account for every recorder); None when neither gives any."""
    from camcensus.scanner.core.recorder import (
        RecorderCredential,
        RecorderCredentials,
        parse_recorder_credentials,
    )

    if path is not None:
        text = read_private_file(path, "recorder credentials file")
        return parse_recorder_credentials(text, f"recorder credentials file {path}")
    username = environ.get(ENV_RECORDER_USERNAME, "")
    password = environ.get(ENV_RECORDER_PASSWORD, "")
    if not username and not password:
        return None
    if not username or not password:
        raise CredentialsError(
            f"set both {ENV_RECORDER_USERNAME} and {ENV_RECORDER_PASSWORD}, or neither"
        )
    return RecorderCredentials((RecorderCredential(username, password),))


def load_credentials(environ: Mapping[str, str], path: Path | None) -> Credentials | None:
    """ONVIF credentials from ``path`` (if given) or the environment; None when absent.

    The file must be a regular file readable by its owner only (no group/other bits):
    CredentialsError otherwise, and when it lacks ``username`` or ``password``. In the
    environment, a username without a password (or the reverse) is a CredentialsError.
    """
    from camcensus.scanner.probes.context import Credentials

    if path is not None:
        text = read_private_file(path, "credentials file")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CredentialsError(f"credentials file {path} is not readable TOML") from exc
        username, password = data.get("username"), data.get("password")
        if not isinstance(username, str) or not isinstance(password, str) or not username:
            raise CredentialsError(f"credentials file {path} needs string username and password")
        return Credentials(username, password)
    username = environ.get(ENV_USERNAME, "")
    password = environ.get(ENV_PASSWORD, "")
    if not username and not password:
        return None
    if not username or not password:
        present, missing = (
            (ENV_USERNAME, ENV_PASSWORD) if username else (ENV_PASSWORD, ENV_USERNAME)
        )
        raise CredentialsError(
            f"{present} is set but {missing} is empty or unset; set both or neither"
        )
    return Credentials(username, password)


class _Display:
    """Progress on stderr: a live rich table on a terminal, plain lines otherwise."""

    def __init__(self, stream: TextIO, *, quiet: bool = False) -> None:
        self._stream = stream
        self._quiet = quiet  # -q: warnings only, no progress
        self._tty = stream.isatty() and not quiet
        self._states: dict[str, str] = {}
        self._flagged: dict[str, bool] = {}  # device key -> flagged (a merged device counts once)
        self._hosts = 0
        self._live: Live | None = None
        self._held: list[str] = []

    def __enter__(self) -> _Display:
        if self._tty:
            from rich.console import Console
            from rich.live import Live

            live = Live(self._render(), console=Console(file=self._stream), transient=True)
            live.__enter__()
            self._live = live
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None
        for message in self._held:  # the live table had no room for them
            print(f"camcensus: warning: {message}", file=self._stream, flush=True)
        self._held.clear()

    def _render(self) -> Table:
        from rich.table import Table

        table = Table(title="camcensus scan", show_edge=False)
        table.add_column("probe")
        table.add_column("state")
        for name, state in self._states.items():
            table.add_row(name, state)
        table.add_row(
            "hosts",
            f"{self._hosts} live, {len(self._flagged)} recorded, "
            f"{sum(self._flagged.values())} flagged",
        )
        return table

    def _update(self, line: str | None) -> None:
        if self._live is not None:
            self._live.update(self._render())
        elif line is not None and not self._quiet:
            print(line, file=self._stream, flush=True)

    def probe_started(self, name: str) -> None:
        self._states[name] = "running"
        self._update(None)

    def probe_finished(self, outcome: ProbeOutcome) -> None:
        state = (
            f"{outcome.evidence_count} evidence, {outcome.host_count} hosts, "
            f"{outcome.duration_s:.1f} s"
        )
        if not outcome.ok or outcome.failures:
            state += f", {outcome.failures} failed"
        self._states[outcome.name] = state
        self._update(f"camcensus: {outcome.name}: {state}")

    def hosts_found(self, count: int) -> None:
        self._hosts = count
        self._update(f"camcensus: {count} live hosts")

    def device_recorded(self, device: Device) -> None:
        self._flagged[device.device_key] = device.flagged
        self._update(None)

    def warning(self, message: str) -> None:
        text = escape_controls(message)
        if self._live is None:
            print(f"camcensus: warning: {text}", file=self._stream, flush=True)
        else:
            self._held.append(text)


def _summary_rows(devices: list[Device]) -> list[tuple[str, str, int, int]]:
    counts: Counter[tuple[str, str]] = Counter()
    flagged: Counter[tuple[str, str]] = Counter()
    for device in devices:
        key = (
            escape_controls(device.maker or "(unknown)"),
            escape_controls(device.model or "(unknown)"),
        )
        counts[key] += 1
        flagged[key] += int(device.flagged)
    return sorted(
        ((maker, model, n, flagged[(maker, model)]) for (maker, model), n in counts.items()),
        key=lambda row: (-row[3], -row[2], row[0], row[1]),
    )


def _print_summary(result: ScanResult, stream: TextIO) -> None:
    rows = _summary_rows(result.devices)
    flagged = sum(row[3] for row in rows)
    width = max([len(r[0]) for r in rows] + [5])
    mwidth = max([len(r[1]) for r in rows] + [5])
    print(f"{'maker':<{width}}  {'model':<{mwidth}}  count  flagged", file=stream)
    for maker, model, count, n_flagged in rows:
        print(f"{maker:<{width}}  {model:<{mwidth}}  {count:>5}  {n_flagged:>7}", file=stream)
    possible = sum(d.flag_level == "possible" for d in result.devices)
    for row in result.coverage:
        macs = f", {row.snmp_macs} MACs from a router" if row.snmp_macs else ""
        print(
            f"  {row.target}: {row.reached}, {row.answered} of {row.addresses} addresses "
            f"answered{macs}",
            file=stream,
        )
    for rec in result.recorders:
        said = f"{rec.channels} channels, " if rec.channels is not None else ""
        why = f": {escape_controls(rec.reason)}" if rec.reason else ""
        print(f"  recorder {rec.address}: {said}{rec.listed} cameras listed{why}", file=stream)
    for agent in result.snmp:
        if agent.error is not None:
            state = f"not read ({escape_controls(agent.error)})"
        else:
            state = (
                f"{agent.arp_entries} ARP entries ({agent.in_targets} in the targets), "
                f"{agent.fdb_entries} forwarding entries, "
                f"{len(agent.unmapped_macs)} MACs matching no device"
            )
        print(f"  SNMP {agent.agent} (v{agent.version or '?'}): {state}", file=stream)
    vulns = Counter(d.identification.vulnerabilities.level for d in result.devices)
    if vulns["affected"] or vulns["model-listed"]:
        packs = sorted({d.identification.vulnerabilities.pack_date for d in result.devices})
        print(
            f"vulnerable firmware (data pack {', '.join(packs)}): {vulns['affected']} affected "
            f"(version in range), {vulns['model-listed']} model listed, version unknown "
            "(check the advisory)",
            file=stream,
        )
    policies = sorted({d.identification.flag.policy for d in result.devices} - {""})
    under = f" (policy {', '.join(policies)})" if policies else ""
    print(
        f"scan {result.scan_id} {result.status}: {len(result.devices)} devices, "
        f"{flagged} flagged, {possible} possible{under}, {result.duration_s:.1f} s on "
        f"{escape_controls(result.interface.name)}"
        + (f", site {escape_controls(result.site)}" if result.site is not None else ""),
        file=stream,
    )


def _json_result(result: ScanResult) -> str:
    from camcensus.scanner.core.schema import device_json

    return json.dumps(
        {
            "scan_id": result.scan_id,
            "site": result.site,
            "status": result.status,
            "duration_s": round(result.duration_s, 3),
            "interface": result.interface.name,
            "warnings": result.warnings,
            "probes": [
                {
                    "name": o.name,
                    "ok": o.ok,
                    "evidence": o.evidence_count,
                    "hosts": o.host_count,
                    "duration_s": round(o.duration_s, 3),
                    "failures": o.failures,
                    "error": o.error,
                }
                for o in result.outcomes
            ],
            "coverage": [
                {
                    "target": c.target,
                    "reached": c.reached,
                    "addresses": c.addresses,
                    "answered": c.answered,
                    "snmp_macs": c.snmp_macs,
                }
                for c in result.coverage
            ],
            "snmp": [
                {
                    "agent": a.agent,
                    "version": a.version,
                    "error": a.error,
                    "arp_entries": a.arp_entries,
                    "fdb_entries": a.fdb_entries,
                    "in_targets": a.in_targets,
                    "unmapped_macs": list(a.unmapped_macs),
                }
                for a in result.snmp
            ],
            "recorders": [
                {
                    "address": r.address,
                    "device_key": r.device_key,
                    "channels": r.channels,
                    "listed": r.listed,
                    "reason": r.reason,
                }
                for r in result.recorders
            ],
            "devices": [device_json(d) for d in result.devices],
        },
        indent=2,
        ensure_ascii=True,
    )


def _never_root() -> bool:
    return False


def run(args: argparse.Namespace) -> int:
    """Run the scan described by ``args``."""
    from camcensus.scanner.core.scope import check_targets, parse_targets
    from camcensus.scanner.export import write_devices_csv
    from camcensus.scanner.runner import ScanConfig, plan_targets, run_scan, scan_site
    from camcensus.scanner.store import Inventory

    scope = load_scope(args.scope)
    targets = scan_targets(args, scope)  # every target checked before the database is touched
    parsed = parse_targets(targets)
    policy = load_policy(args.policy)
    credentials = load_credentials(os.environ, args.credentials_file)
    snmp_credentials = load_snmp_credentials(args.snmp_credentials)
    recorder_credentials = load_recorder_credentials(os.environ, args.recorder_credentials)
    if args.timeout_s <= 0 or args.timeout_s > 60:
        print("camcensus: error: --timeout-s must be in (0, 60]", file=sys.stderr)
        return EXIT_ERROR
    if not 1 <= args.max_rate <= 1_000_000:
        print("camcensus: error: --max-rate must be in [1, 1000000]", file=sys.stderr)
        return EXIT_ERROR
    config = ScanConfig(
        targets=targets,
        scope=scope,
        allow_public=args.allow_public,
        allow_large=args.allow_large,
        interface=args.interface,
        timeout_s=args.timeout_s,
        credentials=credentials,
        use_nmap=not args.no_nmap,
        snmp_credentials=snmp_credentials,
        recorder_credentials=recorder_credentials,
        snmp_agents=scope.snmp_agents,
        snmp_gateways=not args.no_gateways,
        routed_sweep=args.routed_sweep,
        max_rate_pps=args.max_rate,
        policy=policy,
        site=args.site,
    )
    if args.unprivileged:
        config = dataclasses.replace(config, is_root=_never_root)
    # Refuse before Inventory.open: a refused scan must not create the database.
    # (run_scan repeats these checks, for callers of the library.)
    check_targets(parsed, scope, allow_public=args.allow_public, allow_large=args.allow_large)
    scan_site(parsed, scope, args.site)
    plan_targets(
        parsed,
        scope,
        config.interfaces(),
        config.interface,
        allow_public=args.allow_public,
        allow_large=args.allow_large,
        route=config.route,
    )
    with Inventory.open(args.db) as inventory:
        with _Display(sys.stderr, quiet=args.quiet > 0) as display:
            result = asyncio.run(run_scan(config, inventory, display))
        if args.csv is not None:
            rows = [r for r in inventory.devices() if r.last_scan_id == result.scan_id]
            try:
                with open(args.csv, "w", encoding="utf-8", newline="") as stream:
                    write_devices_csv(rows, stream)
            except OSError as exc:
                raise CamcensusError(
                    f"cannot write {args.csv}: {exc.strerror or exc} (the scan is in {args.db})"
                ) from exc
    if args.json:
        print(_json_result(result))
    else:
        _print_summary(result, sys.stdout)
    return exit_code(
        result, fail_on_flagged=args.fail_on_flagged, fail_on_possible=args.fail_on_possible
    )


def exit_code(result: ScanResult, *, fail_on_flagged: bool, fail_on_possible: bool) -> int:
    """EXIT_FLAGGED when asked to fail on what the scan found, else EXIT_OK."""
    if fail_on_possible and any(d.flag_level != "no" for d in result.devices):
        return EXIT_FLAGGED
    if fail_on_flagged and any(d.flagged for d in result.devices):
        return EXIT_FLAGGED
    return EXIT_OK
