"""Helpers of the conformance suite: run a third-party client inside a lab's admin
namespace, against lab addresses only.

Every client comes from the project's own set-up (Debian packages through the
Makefile's ``sysdeps``, PyPI packages through the ``test`` extra); one that is missing
fails the test (``require``), it never skips.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

from camcensus.lab.api import Lab
from camcensus.lab.profiles import DeviceInstance, Profile

HERE = Path(__file__).parent
LAB_SPACE = IPv4Network("198.18.0.0/15")


def require(binary: str) -> str:
    """The path of *binary*; a client the set-up should have installed fails the test."""
    path = shutil.which(binary)
    assert path, f"{binary} is missing: `make install` (sysdeps) installs it"
    return path


def lab_only(addresses: Sequence[str]) -> None:
    """Refuse any target outside the lab's 198.18.0.0/15 (multicast groups aside)."""
    for address in addresses:
        ip = IPv4Address(address)
        assert ip in LAB_SPACE or ip.is_multicast, f"{address} is not a lab address"


def in_admin(
    lab: Lab,
    argv: Sequence[str],
    timeout_s: float = 60,
    check: bool = True,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run *argv* in the lab's admin namespace (*stdin*: what it reads there, such as a
    lab-only password that must not go into argv)."""
    done = subprocess.run(
        ["ip", "netns", "exec", lab.admin_ns, *argv],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        input=stdin,
    )
    if check:
        assert done.returncode == 0, f"{argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}"
    return done


def python_client(
    lab: Lab, script: str, *args: str, timeout_s: float = 60, stdin: str | None = None
) -> Any:
    """Run ``tests/conformance/<script>`` (a thin driver of a PyPI client) in the admin
    namespace; it prints one JSON document."""
    argv = [sys.executable, str(HERE / script), *args]
    done = in_admin(lab, argv, timeout_s=timeout_s, stdin=stdin)
    return json.loads(done.stdout)


def devices_with(lab: Lab, section: str) -> list[tuple[DeviceInstance, Profile]]:
    profiles = lab.profiles()
    return [
        (d, profiles[d.profile_id])
        for d in lab.devices
        if profiles[d.profile_id].section(section) is not None
    ]


def heard_across_restart(lab: Lab, script: str, listen_s: float = 8) -> Any:
    """Announcements a listener (``<script> listen SECONDS``) hears in the admin namespace
    while the lab's emulator stops (goodbyes) and starts again (hellos)."""
    listener = subprocess.Popen(
        ["ip", "netns", "exec", lab.admin_ns, sys.executable, str(HERE / script),
         "listen", str(listen_s)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(2.0)  # the listener joins the group
        lab.restart_emulator()
        out, _ = listener.communicate(timeout=30)
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.wait()
    return json.loads(out)


def nmap_host_section(stdout: str, ip: str) -> str:
    """The part of nmap's normal output that reports on *ip*."""
    section = stdout.split(f"Nmap scan report for {ip}\n", 1)[1]
    return section.split("Nmap scan report for", 1)[0]


def nmap_udp_script(lab: Lab, ips: Sequence[str], port: int, *script: str) -> str:
    """nmap's output for NSE *script* (name, then any options) on udp *port* of the lab
    devices *ips*."""
    require("nmap")
    lab_only(ips)
    argv = ["nmap", "-sU", "-p", str(port), "-Pn", "--script", *script, *ips]
    return in_admin(lab, argv, timeout_s=120).stdout


@contextlib.contextmanager
def serving(
    lab: Lab,
    device: DeviceInstance,
    argv: Sequence[str],
    ready_s: float = 20,
    env: Mapping[str, str] | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """Run a third-party server (*argv*, which prints ``ready`` once it serves) inside
    *device*'s namespace for the duration of the block; a server that dies or never gets
    ready fails the test with what it printed. *env* adds to the environment (a lab-only
    secret goes there, never into argv)."""
    assert device.netns in lab.namespaces(), f"{device.netns} is not a namespace of {lab.name}"
    server = subprocess.Popen(
        ["ip", "netns", "exec", device.netns, *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **env} if env else None,
    )  # fmt: skip
    ready = threading.Event()

    def watch() -> None:
        assert server.stdout is not None
        if server.stdout.readline().strip() == "ready":
            ready.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        if not ready.wait(ready_s):
            server.kill()
            watcher.join()
            _, err = server.communicate(timeout=10)
            raise AssertionError(f"{argv[1:3]} in {device.netns} never got ready: {err[-2000:]}")
        watcher.join()
        yield server
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            server.communicate(timeout=10)  # reads what is left and closes the pipes
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
