"""Recorder channel listing: camcensus' recorder probe against httpx's DigestAuth, same
recorders, same parser.

Run inside a lab's admin namespace (the lab must be up with recorders):

    camcensus lab up --devices 4 --mix recorders
    ip netns exec cclab-admin .venv/bin/python bench/recorder_client.py [--state STATE_JSON]

Each round lists the cameras of every recorder of the lab, all recorders concurrently
(as a scan does): camcensus' probe (its own Digest answer, through the probes' guard,
one challenge and one login a recorder) and httpx.AsyncClient with httpx.DigestAuth
(the client Home Assistant's hikvision_next reaches its NVRs with, through
hikvisionapi), whose replies go through the same ``scanner.core.recorder`` parser.  Both
must list the same cameras.  Wall and CPU time of ``--rounds`` rounds go to
bench/results/recorder_client.json.  httpx builds one client a recorder, as a scan
would meet each recorder once; most of its time is that client's set-up (its TLS
context), not the two requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from ipaddress import IPv4Address, IPv4Interface
from pathlib import Path
from typing import Any

from _peer import write_peer_result

RESULTS = Path(__file__).parent / "results" / "recorder_client.json"
Recorders = list[dict[str, Any]]


async def with_camcensus(recorders: Recorders) -> int:
    from camcensus.base.evidence import Evidence
    from camcensus.scanner.core.recorder import RecorderCredential, RecorderCredentials
    from camcensus.scanner.probes import recorder
    from camcensus.scanner.probes.context import HostBudget, HostInfo, Interface, ProbeContext
    from camcensus.scanner.probes.transport import NetworkTransport

    interface = Interface("ccadm0", IPv4Interface("198.18.0.1/23"))
    accounts = tuple(
        RecorderCredential(r["username"], r["password"], (IPv4Interface(r["ip"]).network,))
        for r in recorders
    )
    ctx = ProbeContext(
        interface=interface,
        hosts=tuple(IPv4Address(r["ip"]) for r in recorders),
        transport=NetworkTransport(interface, is_root=False),
        budget=HostBudget(1, recorder.REQUESTS_EACH),
        recorder_credentials=RecorderCredentials(accounts),
    )
    hosts = [
        HostInfo(r["ip"], (80,), (Evidence(r["count_key"], "8", r["count_key"][:4], r["ip"]),))
        for r in recorders
    ]
    found = await asyncio.gather(*(recorder.run_host(ctx, h) for h in hosts))
    return sum(1 for items in found for e in items if e.key == "recorder.via")


async def with_httpx(recorders: Recorders) -> int:
    import httpx

    from camcensus.scanner.core.recorder import LIST_PATHS, parse_channels

    async def one(r: dict[str, Any]) -> int:
        auth = httpx.DigestAuth(r["username"], r["password"])
        async with httpx.AsyncClient(auth=auth, timeout=5.0) as client:
            reply = await client.get(f"http://{r['ip']}{LIST_PATHS[r['api']]}")
            reply.raise_for_status()
            return len(parse_channels(r["api"], reply.content))

    return sum(await asyncio.gather(*(one(r) for r in recorders)))


def measure(
    label: str, client: Callable[[Recorders], Awaitable[int]], recorders: Recorders, rounds: int
) -> dict[str, Any]:
    cpu, wall = time.process_time(), time.monotonic()

    async def run() -> list[int]:
        return [await client(recorders) for _ in range(rounds)]

    listed = asyncio.run(run())
    return {
        "client": label,
        "recorders": len(recorders),
        "rounds": rounds,
        "cameras_listed_each_round": sorted(set(listed)),
        "wall_s": round(time.monotonic() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default="/run/camcensus-lab/cclab/state.json")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    import tomllib

    state = json.loads(Path(args.state).read_text())
    recorders = []
    for r in state.get("recorders", []):
        entry = next(d for d in state["devices"] if d["index"] == r["index"])
        api = tomllib.loads(Path(entry["profile_path"]).read_text())["recorder"]["api"]
        key = "sadp.digital_channels" if api == "isapi" else "dhip.remote_channels"
        recorders.append({**r, "api": api, "count_key": key})
    if not recorders:
        print("the lab has no recorders (lab up --mix recorders)", file=sys.stderr)
        return 2
    rows = [
        measure("camcensus", with_camcensus, recorders, args.rounds),
        measure("httpx-digest", with_httpx, recorders, args.rounds),
    ]
    if rows[0]["cameras_listed_each_round"] != rows[1]["cameras_listed_each_round"]:
        print("the two clients listed different cameras", file=sys.stderr)
        return 1
    write_peer_result(RESULTS, "recorder_client", rows, "httpx", digits=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
