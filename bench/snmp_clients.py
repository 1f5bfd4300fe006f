"""SNMP client cost: pysnmp, ezsnmp and net-snmp's snmpbulkwalk reading a router's ARP table.

For the coming SNMP harvesting (routers' ARP tables, switches' forwarding tables) the
project must pick a client. This walks the routed lab's router (real net-snmp snmpd in
``<lab>-rt``) with each client, SNMPv2c and SNMPv3 authPriv (SHA/AES), after growing the
router's kernel neighbour table to ~1,000 and ~4,000 permanent entries in the routed
space 198.18.16.0/20, and records for each walk of ipNetToPhysicalPhysAddress
(1.3.6.1.2.1.4.35.1.4) and ipNetToMediaPhysAddress (1.3.6.1.2.1.4.22.1.2): wall time, CPU
time and peak RSS of the client process (wait4), rows, and whether every client returned
the kernel's (ip, mac) set. Then the failure modes: wrong community, wrong v3 auth key,
wrong v3 priv key, unreachable agent (198.18.0.253, unused in the lab). Medians over
--runs runs. Writes bench/results/snmp_clients.txt. Needs root and the bench extra:

    .venv/bin/pip install -c constraints.txt -e '.[bench]'
    .venv/bin/camcensus lab up --name ccsnmpb --routed-subnets 16 --devices 32
    .venv/bin/python bench/snmp_clients.py --name ccsnmpb [--runs 5] [--sizes 1000,4000]
    .venv/bin/camcensus lab down --name ccsnmpb

Every client runs under ``ip netns exec <lab>-admin`` against lab addresses only (the
worker refuses any target outside 198.18.0.0/15). Credentials never go on a command
line: the Python workers read the lab's 0600 credential files, and snmpbulkwalk gets
them from a 0600 snmp.conf in a private SNMPCONFPATH directory. Only the neighbour
entries this script added are removed at the end; the lab itself is left up.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "snmp_clients.txt"
LAB_SPACE = ipaddress.IPv4Network("198.18.0.0/15")
ROUTED_SPACE = ipaddress.IPv4Network("198.18.16.0/20")
UNREACHABLE = "198.18.0.253"  # on the admin segment, used by nothing in a routed lab
OIDS = {
    "ipNetToPhysicalPhysAddress": (1, 3, 6, 1, 2, 1, 4, 35, 1, 4),
    "ipNetToMediaPhysAddress": (1, 3, 6, 1, 2, 1, 4, 22, 1, 2),
}
CLIENTS = ("pysnmp", "ezsnmp", "snmpbulkwalk")
BENCH_MAC_PREFIX = "02:cb"  # locally administered; every entry this script adds has it
SNMPBULKWALK = "/usr/bin/snmpbulkwalk"
IP = shutil.which("ip") or "/usr/sbin/ip"
TIME = "/usr/bin/time"  # GNU time (Debian package time)


# --- parsing, shared by all clients -------------------------------------------------------
def pair_from(oid: Sequence[int], mac: bytes, column: str) -> tuple[str, str] | None:
    """(ip, mac) of one row of either table, from the full OID and the octets."""
    prefix = OIDS[column]
    if tuple(oid[: len(prefix)]) != prefix:
        return None
    index = list(oid[len(prefix) :])
    if column == "ipNetToMediaPhysAddress":  # ifIndex.a.b.c.d
        addr = str(ipaddress.IPv4Address(bytes(index[1:5])))
    else:  # ifIndex.addrType.len.addr...
        kind, length, raw = index[1], index[2], bytes(index[3:])
        if len(raw) != length or kind not in (1, 2):
            return None
        addr = str(ipaddress.ip_address(raw))
    return addr, ":".join(f"{b:02x}" for b in mac)


def oid_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.strip().lstrip(".").split("."))


def hex_octets(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", " ").strip())


# --- the Python workers (run inside the admin namespace) -----------------------------------
def load_creds(path: str, mangle: str) -> dict[str, str]:
    creds: dict[str, str] = tomllib.loads(Path(path).read_text())["snmp"][0]
    # a wrong secret of the same shape as the right one
    for key in {"community": ["community"], "auth": ["auth_key"], "priv": ["priv_key"]}.get(
        mangle, []
    ):
        creds[key] = creds[key][::-1] + "x"
    return creds


async def walk_pysnmp(args: argparse.Namespace, creds: dict[str, str]) -> dict[str, Any]:
    from pysnmp.hlapi.v3arch.asyncio import (
        USM_AUTH_HMAC96_SHA,
        USM_PRIV_CFB128_AES,
        CommunityData,
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        UdpTransportTarget,
        UsmUserData,
        bulk_walk_cmd,
    )

    imported = time.monotonic(), time.process_time()
    engine = SnmpEngine()
    auth: CommunityData | UsmUserData
    if args.version == "2c":
        auth = CommunityData(creds["community"], mpModel=1)  # noqa: S508 (v2c is measured)
    else:
        auth = UsmUserData(
            creds["user"],
            creds["auth_key"],
            creds["priv_key"],
            authProtocol=USM_AUTH_HMAC96_SHA,
            privProtocol=USM_PRIV_CFB128_AES,
        )
    target = await UdpTransportTarget.create(
        (args.target, 161), timeout=args.timeout, retries=args.retries
    )
    pairs: list[tuple[str, str]] = []
    first: float | None = None
    error: str | None = None
    errors_seen = 0
    started = time.monotonic()
    # lexicographicMode=False stops at the end of the column (the default walks on to the
    # end of the agent's MIB); lookupMib=False skips MIB resolution of every varbind.
    walk = bulk_walk_cmd(
        engine,
        auth,
        target,
        ContextData(),
        0,
        args.max_repetitions,
        ObjectType(ObjectIdentity(OIDS[args.oid])),
        lexicographicMode=False,
        lookupMib=False,
    )
    async for indication, status, _index, var_binds in walk:
        if first is None:
            first = time.monotonic() - started
        if indication or status:
            error = f"{type(indication).__name__}: {indication}" if indication else str(status)
            errors_seen += 1
            if not args.naive:
                break
            if time.monotonic() - started > args.naive:
                error += f" (still iterating after {args.naive} s: {errors_seen} error yields)"
                break
            continue
        for name, value in var_binds:
            pair = pair_from(tuple(name), bytes(value), args.oid)
            if pair:
                pairs.append(pair)
    engine.close_dispatcher()
    return {"pairs": pairs, "error": error, "first_response_s": first, "imported_at": imported}


def walk_ezsnmp(args: argparse.Namespace, creds: dict[str, str]) -> dict[str, Any]:
    from ezsnmp import Session

    imported = time.monotonic(), time.process_time()
    common: dict[str, Any] = {
        "hostname": args.target,
        "timeout": args.timeout,
        "retries": args.retries,
        "print_oids_numerically": True,
        "print_hex_strings": True,
        "set_max_repeaters_to_num": args.max_repetitions,
    }
    if args.version == "2c":
        session = Session(version=2, community=creds["community"], **common)
    else:
        session = Session(
            version=3,
            security_level="authPriv",
            security_username=creds["user"],
            auth_protocol="SHA",
            auth_passphrase=creds["auth_key"],
            privacy_protocol="AES",
            privacy_passphrase=creds["priv_key"],
            **common,
        )
    pairs = []
    error = None
    try:
        # ezsnmp 2.x splits each name into .oid and .index (the last sub-identifier only)
        for row in session.bulk_walk(".".join(map(str, OIDS[args.oid]))):
            pair = pair_from(oid_tuple(f"{row.oid}.{row.index}"), hex_octets(row.value), args.oid)
            if pair:
                pairs.append(pair)
    except Exception as exc:  # the finding is the type
        error = f"{type(exc).__module__}.{type(exc).__name__}: {str(exc)[:160]}"
    finally:
        session.close()
    return {"pairs": pairs, "error": error, "first_response_s": None, "imported_at": imported}


def worker(args: argparse.Namespace) -> int:
    """One measured walk, inside the admin namespace; result as JSON to --out."""
    cpu0 = time.process_time()
    if ipaddress.IPv4Address(args.target) not in LAB_SPACE:
        raise SystemExit(f"refusing {args.target}: not a lab address")
    creds = load_creds(args.creds, args.mangle)
    walk_started = time.monotonic()
    if args.worker == "pysnmp":
        out = asyncio.run(walk_pysnmp(args, creds))
    elif args.worker == "ezsnmp":
        out = walk_ezsnmp(args, creds)
    else:  # interpreter baseline: start, read the credentials, nothing else
        out = {"pairs": [], "error": None, "first_response_s": None, "imported_at": (0, 0)}
    done, cpu = time.monotonic(), time.process_time()
    at, at_cpu = out.pop("imported_at")
    out.update(
        walk_s=round(done - walk_started, 4),  # with the import
        walk_only_s=round(done - at, 4),  # after the import: a long-running scanner's cost
        walk_only_cpu_s=round(cpu - at_cpu, 4),
        in_process_cpu_s=round(cpu - cpu0, 4),
    )
    Path(args.out).write_text(json.dumps(out))
    return 0


# --- the host side --------------------------------------------------------------------------
def sh(argv: Sequence[str], stdin: str | None = None) -> str:
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, check=True).stdout


def agent_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kernel_pairs(router_ns: str) -> set[tuple[str, str]]:
    rows = json.loads(sh(["ip", "-j", "-n", router_ns, "neigh", "show"]))
    return {(r["dst"], r["lladdr"].lower()) for r in rows if "lladdr" in r}


def neighbour_limits(router_ns: str) -> dict[str, str]:
    """gc_thresh3 as the host sees it and as the router namespace sees it."""
    host = Path("/proc/sys/net/ipv4/neigh/default/gc_thresh3").read_text().strip()
    inside = subprocess.run(
        ["ip", "netns", "exec", router_ns, "sysctl", "-n", "net.ipv4.neigh.default.gc_thresh3"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "host gc_thresh3": host,
        "router namespace gc_thresh3": inside.stdout.strip()
        or f"not visible ({inside.stderr.strip()[:120]})",
    }


def grow_table(router_ns: str, subnets: list[dict[str, Any]], size: int) -> dict[str, Any]:
    """Add permanent entries until the router's IPv4 neighbour table has *size* entries."""
    have = kernel_pairs(router_ns)
    taken = {ip for ip, _ in have}
    nets = [ipaddress.IPv4Network(s["network"]) for s in subnets]
    lines = []
    want = size - len(have)
    for host in range(2, 255):  # round-robin over the subnets, like the lab's devices
        for k, net in enumerate(nets):
            ip = net.network_address + host
            if want <= len(lines):
                break
            if str(ip) in taken or ip not in ROUTED_SPACE:
                continue
            octets = int(ip).to_bytes(4, "big")
            mac = BENCH_MAC_PREFIX + "".join(f":{b:02x}" for b in octets)
            lines.append(f"neigh replace {ip} lladdr {mac} dev ccrt{k + 1} nud permanent")
    result = subprocess.run(
        ["ip", "-n", router_ns, "-force", "-batch", "-"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    after = kernel_pairs(router_ns)
    return {
        "asked": size,
        "entries": len(after),
        "added": len(after) - len(have),
        "errors": result.stderr.strip().splitlines()[:3],
    }


def shrink_table(router_ns: str) -> None:
    lines = [
        f"neigh del {r['dst']} dev {r['dev']}"
        for r in json.loads(sh(["ip", "-j", "-n", router_ns, "neigh", "show"]))
        if r.get("lladdr", "").startswith(BENCH_MAC_PREFIX + ":")
    ]
    if lines:
        sh(["ip", "-n", router_ns, "-force", "-batch", "-"], "\n".join(lines) + "\n")


class Runner:
    def __init__(self, lab: Any, args: argparse.Namespace, scratch: Path) -> None:
        state = lab.state()
        self.admin_ns: str = state["admin_ns"]
        self.router_ns: str = state["routed"]["router_ns"]
        self.snmp = state["routed"]["snmp"]
        self.agent: str = self.snmp["address"]
        self.subnets = state["routed"]["subnets"]
        self.args = args
        self.scratch = scratch
        assert ipaddress.IPv4Address(self.agent) in LAB_SPACE
        assert self.admin_ns in sh(["ip", "netns", "list"])

    def creds(self, version: str) -> str:
        return str(self.snmp["credentials_v2c" if version == "2c" else "credentials_v3"])

    def cli_conf(self, version: str, mangle: str) -> Path:
        """A private SNMPCONFPATH directory whose 0600 snmp.conf holds the credentials."""
        creds = load_creds(self.creds(version), mangle)
        directory = Path(tempfile.mkdtemp(dir=self.scratch, prefix="conf-"))
        if version == "2c":
            text = f"defVersion 2c\ndefCommunity {creds['community']}\n"
        else:
            text = (
                f"defVersion 3\ndefSecurityName {creds['user']}\ndefSecurityLevel authPriv\n"
                f"defAuthType SHA\ndefPrivType AES\ndefAuthPassphrase {creds['auth_key']}\n"
                f"defPrivPassphrase {creds['priv_key']}\n"
            )
        fd = os.open(directory / "snmp.conf", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(text)
        return directory

    def env(self, conf: Path) -> dict[str, str]:
        persist = self.scratch / "persist"
        persist.mkdir(mode=0o700, exist_ok=True)
        (persist / "cert_indexes").mkdir(mode=0o700, exist_ok=True)
        # no MIBs, no /etc/snmp or ~/.snmp: SNMPCONFPATH replaces the search path
        return {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "MIBS": "",
            "SNMPCONFPATH": str(conf),
            "SNMP_PERSISTENT_DIR": str(persist),
        }

    def run(
        self,
        client: str,
        version: str,
        oid: str,
        *,
        target: str | None = None,
        mangle: str = "",
        naive: float = 0.0,
    ) -> dict[str, Any]:
        target = target or self.agent
        assert ipaddress.IPv4Address(target) in LAB_SPACE
        a = self.args
        out = self.scratch / "out.json"
        out.unlink(missing_ok=True)
        conf = self.cli_conf(version, mangle) if client == "snmpbulkwalk" else self.scratch
        if client == "snmpbulkwalk":
            argv = [SNMPBULKWALK, "-On", "-Ox", f"-Cr{a.max_repetitions}",
                    "-t", str(a.timeout), "-r", str(a.retries),
                    target, ".".join(map(str, OIDS[oid]))]  # fmt: skip
        else:
            argv = [sys.executable, __file__, "--worker", client, "--version", version,
                    "--oid", oid, "--target", target, "--creds", self.creds(version),
                    "--out", str(out), "--mangle", mangle, "--naive", str(naive),
                    "--max-repetitions", str(a.max_repetitions),
                    "--timeout", str(a.timeout), "--retries", str(a.retries)]  # fmt: skip
        # GNU time forks the client from a small process: its ru_maxrss is the client's
        # own (wait4 here would report at least this Python's RSS: posix_spawn's vfork
        # child shares our memory until exec, and the kernel keeps that high-water mark)
        measured = self.scratch / "time.txt"
        argv = [IP, "netns", "exec", self.admin_ns, TIME, "-f", "%M", "-o", str(measured),
                *argv]  # fmt: skip
        stdout, stderr = self.scratch / "stdout", self.scratch / "stderr"
        agent0 = agent_cpu_s(self.snmp["pid"])
        started = time.monotonic()
        with stdout.open("wb") as so, stderr.open("wb") as se:
            pid = os.posix_spawn(
                argv[0],
                argv,
                self.env(conf),
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, so.fileno(), 1),
                    (os.POSIX_SPAWN_DUP2, se.fileno(), 2),
                ],
                setpgroup=0,
            )
            _, status, usage = os.wait4(pid, 0)
        wall = time.monotonic() - started
        maxrss_kb = measured.read_text().split()[-1]
        if conf is not self.scratch:
            shutil.rmtree(conf)
        row: dict[str, Any] = {
            "wall_s": wall,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "rss_mb": int(maxrss_kb) / 1024,
            "agent_cpu_s": agent_cpu_s(self.snmp["pid"]) - agent0,
            "exit": os.waitstatus_to_exitcode(status),
        }
        if client == "snmpbulkwalk":
            pairs = []
            for line in stdout.read_text(errors="replace").splitlines():
                name, _, value = line.partition(" = ")
                if value.startswith("Hex-STRING: "):
                    pair = pair_from(oid_tuple(name), hex_octets(value[12:]), oid)
                    if pair:
                        pairs.append(pair)
            err = stderr.read_text(errors="replace").strip()
            row["error"] = (f"exit {row['exit']}: {err.splitlines()[0][:160]}") if err else None
            row["pairs"] = pairs
        else:
            if not out.exists():
                raise RuntimeError(f"{client} worker failed: {stderr.read_text()[-600:]}")
            row.update(json.loads(out.read_text()))
        row["rows"] = len(row["pairs"])
        row.setdefault("walk_only_s", row["wall_s"])  # snmpbulkwalk: the process is the walk
        row.setdefault("walk_only_cpu_s", row["cpu_s"])
        return row


def routed_only(pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The pairs in the routed space: the admin segment's entries come and go with traffic."""
    return {p for p in pairs if ":" not in p[0] and ipaddress.IPv4Address(p[0]) in ROUTED_SPACE}


def median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in rows)


def footprint() -> list[str]:
    """Installed size and native libraries of each library, from its installed files."""
    lines = []
    for dist_name in ("pysnmp", "ezsnmp", "pyasn1", "cryptography"):
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            lines.append(f"  {dist_name}: not installed")
            continue
        files = [dist.locate_file(f) for f in dist.files or []]
        size = sum(Path(str(f)).stat().st_size for f in files if Path(str(f)).is_file())
        native = sorted(
            Path(str(f)).name
            for f in files
            if ".so" in Path(str(f)).name and Path(str(f)).is_file()
        )
        requires = [r for r in dist.requires or [] if "extra ==" not in r]
        lines.append(
            f"  {dist_name} {dist.version}: installed {size / 1e6:.1f} MB; "
            f"requires {', '.join(requires) or 'nothing'}; "
            f"native: {', '.join(native) if native else 'none (pure Python)'}"
        )
    return lines


def wheels(download: bool) -> list[str]:
    """Wheel size and build date (newest member timestamp) via pip download."""
    if not download:
        return ["  (skipped: --no-download)"]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec in (
            f"pysnmp=={metadata.version('pysnmp')}",
            f"ezsnmp=={metadata.version('ezsnmp')}",
        ):
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, spec],
                capture_output=True,
                check=False,
            )
        for wheel in sorted(Path(tmp).glob("*.whl")):
            with zipfile.ZipFile(wheel) as zf:
                newest = max(i.date_time for i in zf.infolist())
            lines.append(
                f"  {wheel.name}: {wheel.stat().st_size / 1e6:.2f} MB, files dated "
                f"{newest[0]:04d}-{newest[1]:02d}-{newest[2]:02d}"
            )
    for name in ("pysnmp", "ezsnmp"):
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "index", "versions", name],
            capture_output=True,
            text=True,
            check=False,
        )
        versions = [ln for ln in proc.stdout.splitlines() if "versions:" in ln]
        if versions:
            listed = versions[0].split(":", 1)[1].split(",")
            lines.append(
                f"  {name}: {len(listed)} releases on the index, newest {listed[0].strip()}"
            )
    return lines


def table(title: str, groups: dict[str, list[dict[str, Any]]], truth: set[Any]) -> list[str]:
    med = {
        k: {
            m: median(v, m)
            for m in ("wall_s", "cpu_s", "rss_mb", "agent_cpu_s", "walk_only_s", "walk_only_cpu_s")
        }
        for k, v in groups.items()
    }
    fast_wall = max(1e-4, min(m["wall_s"] for m in med.values()))
    fast_cpu = max(1e-4, min(m["cpu_s"] for m in med.values()))
    fast_walk = max(1e-4, min(m["walk_only_s"] for m in med.values()))
    low_rss = min(m["rss_mb"] for m in med.values())
    head = f"  {'client':30s} {'wall ms':>8s} {'x':>6s} {'CPU ms':>8s} {'x':>6s} {'RSS MB':>7s}"
    head += f" {'x':>5s} {'agent CPU ms':>12s} {'rows':>5s}  {'walk only ms':>12s}"
    out = [title, head + f" {'x':>6s} {'CPU':>6s}  same (ip, mac) set"]
    for key, runs in groups.items():
        m = med[key]
        sets = {frozenset(map(tuple, r["pairs"])) for r in runs}
        routed = routed_only(next(iter(sets)))
        same = (
            "yes"
            if len(sets) == 1 and routed == truth
            else f"NO ({len(sets)} distinct, {len(routed ^ truth)} differ from the kernel)"
        )
        out.append(
            f"  {key:30s} {m['wall_s'] * 1e3:8.1f} {m['wall_s'] / fast_wall:5.1f}x "
            f"{m['cpu_s'] * 1e3:8.1f} {m['cpu_s'] / fast_cpu:5.1f}x {m['rss_mb']:7.1f} "
            f"{m['rss_mb'] / low_rss:4.1f}x {m['agent_cpu_s'] * 1e3:12.1f} "
            f"{runs[0]['rows']:5d}  {m['walk_only_s'] * 1e3:12.1f} "
            f"{m['walk_only_s'] / fast_walk:5.1f}x "
            f"{m['walk_only_cpu_s'] * 1e3:6.1f}  {same}"
        )
    return out


def host_main(args: argparse.Namespace) -> int:
    from camcensus.lab.api import Lab

    lab = Lab(args.name)
    scratch = Path(tempfile.mkdtemp(prefix="ccsnmpbench-"))
    os.chmod(scratch, 0o700)
    runner = Runner(lab, args, scratch)
    report: list[str] = []
    limits = neighbour_limits(runner.router_ns)
    load = [os.getloadavg()[0]]
    growth = []
    first_response: dict[str, list[float]] = {}
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            grown = grow_table(runner.router_ns, runner.subnets, size)
            growth.append(grown)
            print(json.dumps(grown), flush=True)
            truth = routed_only(kernel_pairs(runner.router_ns))
            for oid in OIDS:
                for version in ("2c", "3"):
                    groups: dict[str, list[dict[str, Any]]] = {}
                    for client in CLIENTS:  # warm the agent's table cache
                        runner.run(client, version, oid)
                    for _ in range(args.runs):
                        for client in CLIENTS:  # interleaved, so drift hits all alike
                            row = runner.run(client, version, oid)
                            if row.get("error"):
                                raise RuntimeError(f"{client} v{version} {oid}: {row['error']}")
                            groups.setdefault(f"{client} v{version}", []).append(row)
                            if row.get("first_response_s") is not None:
                                key = f"{size} v{version}"
                                first_response.setdefault(key, []).append(row["first_response_s"])
                    title = f"{oid}, {len(truth)} neighbours in {ROUTED_SPACE}"
                    report += table(title, groups, truth)
                    report.append("")
                    print("\n".join(report[-len(groups) - 3 :]), flush=True)
        baseline = [runner.run("baseline", "2c", "ipNetToMediaPhysAddress") for _ in range(3)]
        failures = failure_modes(runner)
        load.append(os.getloadavg()[0])
    finally:
        shrink_table(runner.router_ns)
        shutil.rmtree(scratch, ignore_errors=True)
    write_report(args, report, limits, growth, baseline, failures, first_response, load)
    return 0


def failure_modes(runner: Runner) -> list[str]:
    a = runner.args
    oid = "ipNetToMediaPhysAddress"
    cases = [
        ("wrong community (v2c)", "2c", {"mangle": "community"}),
        ("wrong v3 auth key", "3", {"mangle": "auth"}),
        ("wrong v3 priv key", "3", {"mangle": "priv"}),
        (f"unreachable {UNREACHABLE} (v2c)", "2c", {"target": UNREACHABLE}),
        (f"unreachable {UNREACHABLE} (v3)", "3", {"target": UNREACHABLE}),
    ]
    lines = [
        f"Failure modes (timeout {a.timeout} s, retries {a.retries} for every client; "
        "time to error = wall time of the client process):"
    ]
    for label, version, kw in cases:
        lines.append(f"  {label}:")
        for client in CLIENTS:
            row = runner.run(client, version, oid, **kw)
            err = row.get("error") or f"no error reported, {row['rows']} rows, exit {row['exit']}"
            err = " ".join(err.split())
            inner = f" (in-process {row['walk_s']:.2f} s)" if "walk_s" in row else ""
            lines.append(f"    {client:13s} {row['wall_s']:5.2f} s{inner:22s} {err}")
    # pysnmp's bulk_walk_cmd on a timeout yields the error and does not stop
    row = runner.run("pysnmp", "2c", oid, target=UNREACHABLE, naive=6.0)
    lines.append(
        "  pysnmp bulk_walk_cmd iterated on past a timeout (no break on errorIndication), "
        f"cut at 6 s: {row['wall_s']:.1f} s, {row['error']}"
    )
    return lines


def write_report(
    args: argparse.Namespace,
    report: list[str],
    limits: dict[str, str],
    growth: list[dict[str, Any]],
    baseline: list[dict[str, Any]],
    failures: list[str],
    first_response: dict[str, list[float]],
    load: list[float],
) -> None:
    cpu_model = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
         if ln.startswith("model name")),
        platform.machine(),
    )  # fmt: skip
    version = subprocess.run([SNMPBULKWALK, "-V"], capture_output=True, text=True, check=False)
    netsnmp = version.stdout + version.stderr
    lines = [
        "bench/snmp_clients.py: SNMP clients walking the routed lab router's ARP table",
        f"when: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"machine: {os.cpu_count()} CPUs ({cpu_model}), Linux {platform.release()}, "
        f"Python {platform.python_version()}; 1-minute load average {load[0]:.2f} at the start, "
        f"{load[-1]:.2f} at the end (the machine is shared: wall times move with other jobs, "
        "CPU times much less)",
        f"clients: pysnmp {metadata.version('pysnmp')} (pyasn1 {metadata.version('pyasn1')}, "
        f"cryptography {metadata.version('cryptography')}), ezsnmp {metadata.version('ezsnmp')}, "
        f"snmpbulkwalk ({netsnmp.strip()}); agent: Debian snmpd of the same net-snmp",
        f"command: {' '.join(['.venv/bin/python', 'bench/snmp_clients.py', *sys.argv[1:]])}",
        f"lab: camcensus lab up --name {args.name} --routed-subnets 16 --devices 32, then "
        "permanent neighbour entries added in the router namespace",
        f"settings: GETBULK max-repetitions {args.max_repetitions} for every client; "
        f"timeout {args.timeout} s, retries {args.retries}; {args.runs} runs a cell, medians; "
        "one unmeasured warm-up walk a cell per client",
        "measured: the whole client process under ip netns exec <lab>-admin (wall time and "
        "user+system CPU: wait4, which includes ip netns exec and GNU time, ~2 ms; peak RSS of "
        "the client alone: GNU time), so "
        "Python interpreter start and imports count; "
        "snmpbulkwalk's text output is parsed afterwards, outside the measurement; "
        "'walk only' = wall and CPU inside the Python client after its imports (what a "
        "long-running scanner pays a walk; snmpbulkwalk: the whole process again); "
        "'agent CPU' is snmpd's CPU during the walk (/proc, 10 ms ticks); "
        "x = ratio against the best of the cell",
        "same (ip, mac) set: every run of the client returned the same set, and its part in "
        f"{ROUTED_SPACE} equals the router's kernel neighbour table there (ip -j neigh show); "
        "rows also count the admin segment's entries (the admin namespace, 198.18.0.1)",
        "",
        "Neighbour table: " + "; ".join(f"{k} {v}" for k, v in limits.items()),
        *(
            f"  asked for {g['asked']}: table has {g['entries']} IPv4 entries "
            f"({g['added']} added{'; errors: ' + ' | '.join(g['errors']) if g['errors'] else ''})"
            for g in growth
        ),
        "",
        *report,
        "Interpreter baseline (python starts, reads the credentials file, no SNMP): "
        f"{median(baseline, 'wall_s') * 1e3:.0f} ms wall, {median(baseline, 'cpu_s') * 1e3:.0f} "
        f"ms CPU, {median(baseline, 'rss_mb'):.1f} MB",
        "pysnmp, time to the first GETBULK response (medians; v3 includes USM engine "
        "discovery and time sync): "
        + ", ".join(
            f"{k} neighbours: {statistics.median(v) * 1e3:.1f} ms"
            for k, v in first_response.items()
        ),
        "",
        *failures,
        "",
        "Footprint (installed files):",
        *footprint(),
        "Wheels and releases (pip download / pip index versions):",
        *wheels(not args.no_download),
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", default="ccsnmpb", help="lab name (must be up, routed)")
    parser.add_argument("--sizes", default="1000,4000", help="neighbour table sizes")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-repetitions", type=int, default=25)
    parser.add_argument("--timeout", type=int, default=1)
    parser.add_argument("--retries", type=int, default=1)
    parser.add_argument("--no-download", action="store_true", help="skip the wheel sizes")
    # the worker, run by the host side inside the admin namespace
    parser.add_argument("--worker", choices=("pysnmp", "ezsnmp", "baseline"))
    parser.add_argument("--version", choices=("2c", "3"))
    parser.add_argument("--oid", choices=tuple(OIDS))
    parser.add_argument("--target")
    parser.add_argument("--creds")
    parser.add_argument("--out")
    parser.add_argument("--mangle", default="")
    parser.add_argument("--naive", type=float, default=0.0)
    args = parser.parse_args(None if argv is None else list(argv))
    if args.worker:
        return worker(args)
    if os.geteuid() != 0:
        raise SystemExit("needs root (ip netns exec, the router's neighbour table)")
    return host_main(args)


if __name__ == "__main__":
    sys.exit(main())
