"""Bring the lab up and down: namespaces, bridge, addresses, and the emulator process.

The root namespace is touched only by ``ip netns add`` / ``ip netns del``; every
link is created from inside the bridge namespace with its peer placed straight into
a device namespace.  ``up`` and ``down`` are idempotent, and ``up`` first removes
whatever a crashed run left behind.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from camcensus.base.errors import LabError
from camcensus.lab import netns, snmp
from camcensus.lab.profiles import (
    ADMIN_IP,
    LAB_NETWORK,
    MAX_DEVICES,
    MAX_ROUTED_DEVICES,
    MAX_ROUTED_SUBNETS,
    ROUTED_SPACE,
    ROUTER_ADMIN_IP,
    DeviceInstance,
    Profile,
    assign_profiles,
    builtin_mix,
    check_mix,
    make_instance,
    merged_profiles,
    poe_camera_ip,
    poe_subnet,
    routed_device_ip,
    routed_subnet,
)

__all__ = ["DEFAULT_NAME", "Lab", "LabStatus", "can_run_lab"]

DEFAULT_NAME = "cclab"
STATE_ROOT = Path(os.environ.get("CAMCENSUS_LAB_STATE", "/run/camcensus-lab"))
BRIDGE = "ccbr0"
POE_BRIDGE = "poe0"
"""A recorder's PoE switch: a bridge inside its own namespace, its cameras' veths on it."""
ADMIN_IF = "ccadm0"
DEVICE_IF = "ccdev0"
ROUTER_IF = "ccrt"  # ccrt0 on the admin segment, ccrt1.. on the routed subnets
SWITCH_ADMIN_IP = ipaddress.IPv4Address("198.18.0.250")
"""The routed lab's access switch (the first routed subnet's bridge) on the admin segment."""
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 5.0
PREFIX_LEN = LAB_NETWORK.prefixlen


def can_run_lab() -> tuple[bool, str]:
    """Whether this process may create namespaces, with the reason when it may not."""
    if sys.platform != "linux":
        return False, "the lab needs Linux network namespaces"
    if os.geteuid() != 0:
        return False, "the lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) for ip netns"
    if shutil.which("ip") is None:
        return False, "iproute2's `ip` is not installed (make install adds it)"
    return True, ""


@dataclass
class LabStatus:
    name: str
    up: bool
    devices: int
    emulator_pid: int | None
    emulator_alive: bool
    namespaces: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _run(args: Sequence[str], stdin: str | None = None) -> None:
    proc = subprocess.run(args, input=stdin, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LabError(f"{' '.join(args[:4])} failed: {proc.stderr.strip()[:500]}")


class Lab:
    """One named lab.  ``Lab().up(devices=50)``, ``.devices``, ``.down()``."""

    def __init__(self, name: str = DEFAULT_NAME, state_root: Path = STATE_ROOT) -> None:
        if not name.isalnum() or not name.islower() or len(name) > 8:
            raise LabError("lab name must be 1-8 lower-case letters or digits")
        self.name = name
        self.state_dir = state_root / name
        self.state_path = self.state_dir / "state.json"

    # names ---------------------------------------------------------------------
    @property
    def bridge_ns(self) -> str:
        return f"{self.name}-br"

    @property
    def admin_ns(self) -> str:
        return f"{self.name}-admin"

    @property
    def router_ns(self) -> str:
        return f"{self.name}-rt"

    def device_ns(self, index: int) -> str:
        return f"{self.name}-d{index:03d}"

    def namespaces(self) -> list[str]:
        """Every namespace on this host that belongs to this lab (from /run/netns)."""
        try:
            names = os.listdir(netns.NETNS_DIR)
        except FileNotFoundError:
            return []
        return sorted(n for n in names if n.startswith(f"{self.name}-"))

    # state ---------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise LabError(f"lab {self.name!r} is not up (no {self.state_path})") from exc
        return data

    @property
    def devices(self) -> list[DeviceInstance]:
        return [DeviceInstance.from_state(d) for d in self.state()["devices"]]

    def profiles(self) -> dict[str, Profile]:
        """The profiles this lab was brought up with (built-in plus --profiles)."""
        dirs = [Path(p) for p in self.state().get("profile_dirs", [])]
        return merged_profiles(dirs)

    # up / down -----------------------------------------------------------------
    def up(
        self,
        devices: int = 20,
        mix: str | Mapping[str, int] = "default",
        profile_dirs: Sequence[Path] = (),
        routed_subnets: int = 0,
    ) -> dict[str, Any]:
        """Build the lab and start the emulator; returns the state written.

        ``routed_subnets=K`` puts the devices on K subnets (198.18.16.0/24, ...) behind
        a router namespace with a real SNMP agent, instead of on the admin's segment.
        """
        ok, why = can_run_lab()
        if not ok:
            raise LabError(why)
        if not 0 <= routed_subnets <= MAX_ROUTED_SUBNETS:
            raise LabError(f"routed subnets must be between 0 and {MAX_ROUTED_SUBNETS}")
        if routed_subnets:
            snmp.check_installed()
        started = time.monotonic()
        self.down()
        profiles = merged_profiles(profile_dirs)
        weights = dict(builtin_mix(mix) if isinstance(mix, str) else mix)
        for directory in profile_dirs:  # extra profiles join the mix, weight 1
            for pid, profile in profiles.items():
                if Path(profile.path).is_relative_to(directory):
                    weights.setdefault(pid, 1)
        check_mix(weights, profiles)
        order = assign_profiles(
            devices, weights, limit=MAX_ROUTED_DEVICES if routed_subnets else MAX_DEVICES
        )
        placed = [
            routed_device_ip(i, routed_subnets) if routed_subnets else (None, None)
            for i in range(1, len(order) + 1)
        ]
        instances = [
            make_instance(profiles[pid], i, self.device_ns(i), placed[i - 1][1])
            for i, pid in enumerate(order, 1)
        ]
        behind, recorders = self._cameras_behind(instances, profiles, routed_subnets)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        state: dict[str, Any] = {
            "name": self.name,
            "network": str(LAB_NETWORK),
            "admin_ip": str(ADMIN_IP),
            "admin_ns": self.admin_ns,
            "admin_if": ADMIN_IF,
            "bridge_ns": self.bridge_ns,
            "profile_dirs": [str(Path(d).resolve()) for d in profile_dirs],
            "devices": [
                {
                    "index": inst.index,
                    "profile_id": inst.profile_id,
                    "profile_path": profiles[inst.profile_id].path,
                    "ip": inst.ip,
                    "mac": inst.mac,
                    "serial": inst.serial,
                    "uuid": inst.uuid,
                    "netns": inst.netns,
                    "subnet": (
                        str(LAB_NETWORK)
                        if placed[inst.index - 1][0] is None
                        else str(routed_subnet(placed[inst.index - 1][0] or 0))
                    ),
                }
                for inst in instances
            ]
            + [
                {
                    "index": cam.index,
                    "profile_id": cam.profile_id,
                    "profile_path": profiles[cam.profile_id].path,
                    "ip": cam.ip,
                    "mac": cam.mac,
                    "serial": cam.serial,
                    "uuid": cam.uuid,
                    "netns": cam.netns,
                    "subnet": str(poe_subnet(recorders[cam.recorder or 0])),
                    "recorder": cam.recorder,
                    "channel": cam.channel,
                }
                for cam in behind
            ],
        }
        if recorders:
            state["recorders"] = [
                {
                    "index": rec.index,
                    "ip": rec.ip,
                    "netns": rec.netns,
                    "profile_id": rec.profile_id,
                    "poe_subnet": str(poe_subnet(recorders[rec.index])),
                    "cameras": sum(1 for cam in behind if cam.recorder == rec.index),
                    # lab-only accounts, for the tests that scan with them
                    "username": str(
                        (profiles[rec.profile_id].section("recorder") or {})["username"]
                    ),
                    "password": str(
                        (profiles[rec.profile_id].section("recorder") or {})["password"]
                    ),
                }
                for rec in instances
                if rec.index in recorders
            ]
        if routed_subnets:
            state["routed"] = {
                "router_ns": self.router_ns,
                "router_ip": str(ROUTER_ADMIN_IP),
                "space": str(ROUTED_SPACE),
                "subnets": [
                    {
                        "network": str(routed_subnet(k)),
                        "router_ip": str(routed_subnet(k).network_address + 1),
                        "devices": sum(1 for where in placed if where[0] == k),
                    }
                    for k in range(routed_subnets)
                ],
            }
        try:
            self._build_topology(instances, placed, routed_subnets)
            if behind:
                self._build_poe(instances, behind, recorders)
            state["topology_s"] = round(time.monotonic() - started, 3)
            self.state_path.write_text(json.dumps(state, indent=1), encoding="utf-8")
            state["emulator_pid"] = self._start_emulator()
            if routed_subnets:
                creds = snmp.make_credentials(self.state_dir)
                state["routed"]["snmp"] = snmp.start_agent(
                    self.router_ns, str(ROUTER_ADMIN_IP), str(LAB_NETWORK), self.state_dir, creds
                )
                state["routed"]["switch"] = self._start_switch(creds)
        except BaseException:
            self.down()
            raise
        state["up_s"] = round(time.monotonic() - started, 3)
        self.state_path.write_text(json.dumps(state, indent=1), encoding="utf-8")
        return state

    def _build_topology(
        self,
        instances: Sequence[DeviceInstance],
        placed: Sequence[tuple[int | None, str | None]],
        routed_subnets: int,
    ) -> None:
        router = [self.router_ns] if routed_subnets else []
        all_ns = [self.bridge_ns, self.admin_ns, *router, *(inst.netns for inst in instances)]
        # 1. namespaces: the only change to the root namespace.
        _run(["ip", "-batch", "-"], "".join(f"netns add {ns}\n" for ns in all_ns))
        # 2. from inside the bridge namespace: one bridge a segment (the admin's, and each
        #    routed subnet's), one veth a device, peers moved out.
        bridges = [f"{BRIDGE[:-1]}{k}" for k in range(routed_subnets + 1)]
        lines = [
            f"link add {b} type bridge mcast_snooping 0 stp_state 0 forward_delay 0"
            for b in bridges
        ]
        lines += [
            f"link add p-admin type veth peer name {ADMIN_IF} netns {self.admin_ns}",
            f"link set p-admin master {BRIDGE} up",
        ]
        for k in range(routed_subnets + 1) if routed_subnets else ():
            lines.append(
                f"link add p-rt{k} type veth peer name {ROUTER_IF}{k} netns {self.router_ns}"
            )
            lines.append(f"link set p-rt{k} master {bridges[k]} up")
        for inst, (subnet, _ip) in zip(instances, placed, strict=True):
            port = f"p{inst.index:03d}"
            bridge = BRIDGE if subnet is None else bridges[subnet + 1]
            lines.append(
                f"link add {port} type veth peer name {DEVICE_IF} address {inst.mac} "
                f"netns {inst.netns}"
            )
            lines.append(f"link set {port} master {bridge} up")
        lines += [f"link set {b} up" for b in bridges]
        _run(["ip", "-n", self.bridge_ns, "-batch", "-"], "\n".join(lines) + "\n")

        # 3. inside each end namespace: address, link up, multicast route, and (routed
        #    lab) the lab routes through the router. No default route anywhere.
        def configure(ns: str, ifname: str, cidr: str, routes: Sequence[str] = ()) -> None:
            script = (
                "link set lo up\n"
                f"addr add {cidr} brd + dev {ifname}\n"
                f"link set {ifname} up\n"
                f"route add 224.0.0.0/4 dev {ifname}\n"
            ) + "".join(f"route add {route}\n" for route in routes)
            _run(["ip", "-n", ns, "-batch", "-"], script)

        admin_routes = [f"{ROUTED_SPACE} via {ROUTER_ADMIN_IP}"] if routed_subnets else []
        jobs: list[tuple[str, str, str, Sequence[str]]] = [
            (self.admin_ns, ADMIN_IF, f"{ADMIN_IP}/{PREFIX_LEN}", admin_routes)
        ]
        for inst, (subnet, _ip) in zip(instances, placed, strict=True):
            if subnet is None:
                jobs.append((inst.netns, DEVICE_IF, f"{inst.ip}/{PREFIX_LEN}", ()))
            else:
                gateway = routed_subnet(subnet).network_address + 1
                jobs.append(
                    (inst.netns, DEVICE_IF, f"{inst.ip}/24", [f"{LAB_NETWORK} via {gateway}"])
                )
        with ThreadPoolExecutor(max_workers=16) as pool:
            for future in [pool.submit(configure, *job) for job in jobs]:
                future.result()
        if routed_subnets:
            self._configure_router(instances, placed, routed_subnets)

    def _cameras_behind(
        self,
        instances: Sequence[DeviceInstance],
        profiles: Mapping[str, Profile],
        routed_subnets: int,
    ) -> tuple[list[DeviceInstance], dict[int, int]]:
        """The cameras on the recorders' PoE networks (indexes after the lab's devices),
        and each recorder's number r (its PoE network is ``poe_subnet(r)``) by index."""
        behind: list[DeviceInstance] = []
        recorders: dict[int, int] = {}
        next_index = len(instances) + 1
        for inst in instances:
            section = profiles[inst.profile_id].section("recorder")
            if section is None:
                continue
            if routed_subnets:
                raise LabError("recorders with cameras behind them run on the flat lab only")
            recorders[inst.index] = r = len(recorders) + 1
            for channel, entry in enumerate(section["channels"], 1):
                pid = str(entry["profile"])
                if pid not in profiles:
                    raise LabError(f"recorder {inst.profile_id}: unknown camera profile {pid!r}")
                camera = make_instance(
                    profiles[pid], next_index, self.device_ns(next_index), poe_camera_ip(r, channel)
                )
                behind.append(replace(camera, recorder=inst.index, channel=channel))
                next_index += 1
        if behind and len(instances) + len(behind) > MAX_DEVICES:  # recorders: flat only
            raise LabError(
                f"a lab holds at most {MAX_DEVICES} devices, cameras behind recorders included"
            )
        return behind, recorders

    def _build_poe(
        self,
        instances: Sequence[DeviceInstance],
        behind: Sequence[DeviceInstance],
        recorders: Mapping[int, int],
    ) -> None:
        """Each recorder's PoE network: a bridge in the recorder's namespace with its
        address, one veth a camera straight into the camera's namespace.  The cameras
        have their /24 and nothing else; the recorder forwards nothing (a new namespace
        starts with forwarding off), so only the recorder reaches them."""
        _run(["ip", "-batch", "-"], "".join(f"netns add {cam.netns}\n" for cam in behind))
        by_index = {inst.index: inst for inst in instances}
        for index, r in recorders.items():
            subnet = poe_subnet(r)
            lines = [
                f"link add {POE_BRIDGE} type bridge mcast_snooping 0 stp_state 0 forward_delay 0",
                f"addr add {subnet.network_address + 1}/{subnet.prefixlen} dev {POE_BRIDGE}",
            ]
            for cam in (c for c in behind if c.recorder == index):
                port = f"poe{cam.channel:02d}"
                lines.append(
                    f"link add {port} type veth peer name {DEVICE_IF} address {cam.mac} "
                    f"netns {cam.netns}"
                )
                lines.append(f"link set {port} master {POE_BRIDGE} up")
            lines.append(f"link set {POE_BRIDGE} up")
            _run(["ip", "-n", by_index[index].netns, "-batch", "-"], "\n".join(lines) + "\n")

        def configure(cam: DeviceInstance) -> None:
            subnet = poe_subnet(recorders[cam.recorder or 0])
            script = (
                "link set lo up\n"
                f"addr add {cam.ip}/{subnet.prefixlen} brd + dev {DEVICE_IF}\n"
                f"link set {DEVICE_IF} up\n"
                f"route add 224.0.0.0/4 dev {DEVICE_IF}\n"
            )
            _run(["ip", "-n", cam.netns, "-batch", "-"], script)

        with ThreadPoolExecutor(max_workers=16) as pool:
            for future in [pool.submit(configure, cam) for cam in behind]:
                future.result()

    def _start_switch(self, creds: dict[str, str]) -> dict[str, Any]:
        """The access switch of the first routed subnet: its Linux bridge (in the bridge
        namespace), managed at SWITCH_ADMIN_IP on the admin segment by a real snmpd
        whose BRIDGE-MIB forwarding table is the bridge's own (``lab.bridge_mib``).
        Its devices announce themselves once (a gratuitous ARP, as devices do when
        their link comes up), so the bridge has learned their MACs on their ports, as a
        switch carrying their streams has."""
        bridge = f"{BRIDGE[:-1]}1"
        script = (
            "link add sw-mgmt type veth peer name p-sw\n"
            f"link set p-sw master {BRIDGE} up\n"
            f"addr add {SWITCH_ADMIN_IP}/{PREFIX_LEN} dev sw-mgmt\n"
            "link set sw-mgmt up\n"
            # an hour's ageing, like a switch whose cameras stream all the time. Not
            # VLAN-aware: this machine's kernel refuses vlan_filtering (no
            # CONFIG_BRIDGE_VLAN_FILTERING), so its Q-BRIDGE table stays empty
            f"link set {bridge} type bridge ageing_time 360000\n"
        )
        _run(["ip", "-n", self.bridge_ns, "-batch", "-"], script)
        subnet0 = routed_subnet(0)
        members = [d for d in self.devices if ipaddress.IPv4Address(d.ip) in subnet0]
        with ThreadPoolExecutor(max_workers=16) as pool:
            for future in [
                pool.submit(netns.call_in, d.netns, lambda d=d: _announce(d.mac, d.ip))
                for d in members
            ]:
                future.result()
        agent = snmp.start_agent(
            self.bridge_ns,
            str(SWITCH_ADMIN_IP),
            str(LAB_NETWORK),
            self.state_dir,
            creds,
            name="snmp-switch",
            sys_name="cclab-switch",
            sys_descr="camcensus lab access switch (Linux bridge, net-snmp BRIDGE-MIB)",
            extra_config=snmp.bridge_mib_config(bridge),
        )
        return {
            "address": agent["address"],
            "pid": agent["pid"],
            "bridge": bridge,
            "subnet": str(subnet0),
            "devices": len(members),
            "credentials_v2c": agent["credentials_v2c"],
            "credentials_v3": agent["credentials_v3"],
        }

    def _configure_router(
        self,
        instances: Sequence[DeviceInstance],
        placed: Sequence[tuple[int | None, str | None]],
        routed_subnets: int,
    ) -> None:
        """Addresses on every segment, forwarding on, and the devices in its ARP table.

        A router that carries cameras' streams has every camera in its ARP cache for
        hours; the lab pins them (``nud permanent``) so the table a scanner reads over
        SNMP does not depend on when the kernel last aged it. Multicast is not routed.
        """
        lines = ["link set lo up", f"addr add {ROUTER_ADMIN_IP}/{PREFIX_LEN} dev {ROUTER_IF}0"]
        lines.append(f"link set {ROUTER_IF}0 up")
        for k in range(routed_subnets):
            gateway = routed_subnet(k).network_address + 1
            lines += [
                f"addr add {gateway}/24 dev {ROUTER_IF}{k + 1}",
                f"link set {ROUTER_IF}{k + 1} up",
            ]
        for inst, (subnet, _ip) in zip(instances, placed, strict=True):
            lines.append(
                f"neigh replace {inst.ip} lladdr {inst.mac} dev {ROUTER_IF}{(subnet or 0) + 1} "
                "nud permanent"
            )
        _run(["ip", "-n", self.router_ns, "-batch", "-"], "\n".join(lines) + "\n")
        netns.call_in(self.router_ns, _enable_forwarding)

    def _start_emulator(self) -> int:
        """Spawn the emulator detached (own session, output to emulator.log)."""
        ready = self.state_dir / "emulator.ready"
        ready.unlink(missing_ok=True)
        log_path = self.state_dir / "emulator.log"
        # posix_spawn rather than Popen: the emulator outlives this object, and a
        # Popen dropped while its child runs complains at garbage collection.
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, "-m", "camcensus.lab.emulator", str(self.state_path)],
            dict(os.environ),
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (
                    os.POSIX_SPAWN_OPEN,
                    1,
                    str(log_path),
                    os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                    0o600,
                ),
                (os.POSIX_SPAWN_DUP2, 1, 2),
            ],
            setsid=True,
        )
        (self.state_dir / "emulator.pid").write_text(str(pid), encoding="utf-8")
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if ready.exists():
                return pid
            exited, status = _reap(pid)
            if exited:
                tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise LabError(f"lab emulator exited with status {status}:\n{tail}")
            time.sleep(0.05)
        raise LabError(f"lab emulator not ready after {READY_TIMEOUT_S} s (see {log_path})")

    def emulator_pid(self) -> int | None:
        try:
            return int((self.state_dir / "emulator.pid").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def restart_emulator(self) -> int:
        """Stop the emulator (its devices say Bye) and start it again on the same
        namespaces (they say Hello), as a power cycle of every device; returns the new pid."""
        self._stop_emulator()
        return self._start_emulator()

    def _stop_emulator(self) -> None:
        pid = self.emulator_pid()
        if pid is not None and _is_our_emulator(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_TIMEOUT_S
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.02)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            _reap(pid)

    def down(self) -> float:
        """Stop the emulator (and a routed lab's SNMP agent) and delete every namespace of
        this lab; returns seconds."""
        started = time.monotonic()
        snmp.stop_agent(self.state_dir)
        self._stop_emulator()
        names = self.namespaces()
        if names:
            # Device namespaces first, the bridge last (it holds the veth peers).
            ordered = sorted(names, key=lambda n: n == self.bridge_ns)
            _run(["ip", "-batch", "-"], "".join(f"netns del {ns}\n" for ns in ordered))
        if self.state_dir.exists():
            shutil.rmtree(self.state_dir)
        return time.monotonic() - started

    def status(self) -> LabStatus:
        names = self.namespaces()
        pid = self.emulator_pid()
        alive = pid is not None and _alive(pid)
        problems: list[str] = []
        count = 0
        if self.state_path.exists():
            devices = self.state()["devices"]
            count = len(devices)
            missing = [d["netns"] for d in devices if d["netns"] not in names]
            if missing:
                problems.append(f"{len(missing)} device namespaces missing")
            if not alive:
                problems.append("emulator not running")
        elif names:
            problems.append("namespaces left without state (run `camcensus lab down`)")
        return LabStatus(
            name=self.name,
            up=self.state_path.exists() and not problems,
            devices=count,
            emulator_pid=pid,
            emulator_alive=alive,
            namespaces=names,
            problems=problems,
        )

    def emulator_rss_bytes(self) -> int:
        """Resident memory of the emulator process (VmRSS)."""
        pid = self.emulator_pid()
        if pid is None:
            raise LabError("emulator not running")
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise LabError("no VmRSS for the emulator")


def _announce(mac: str, ip: str) -> None:
    """One gratuitous ARP request from *ip*/*mac* on the device interface (RFC 5227's
    announcement), sent inside the calling thread's namespace."""
    import socket

    hw = bytes.fromhex(mac.replace(":", ""))
    address = socket.inet_aton(ip)
    frame = (
        b"\xff" * 6
        + hw
        + b"\x08\x06"  # Ethernet: broadcast, from the device, ARP
        + b"\x00\x01\x08\x00\x06\x04\x00\x01"  # Ethernet/IPv4, request
        + hw
        + address
        + b"\x00" * 6
        + address  # sender and target: the device itself
    )
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
        sock.bind((DEVICE_IF, 0))
        sock.send(frame)


def _enable_forwarding() -> None:
    """IPv4 forwarding in the calling thread's namespace (the router's); per namespace."""
    Path("/proc/sys/net/ipv4/conf/all/forwarding").write_text("1\n", encoding="ascii")


def _reap(pid: int) -> tuple[bool, int]:
    """Collect *pid* if it is our exited child: (exited, wait status)."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:  # not our child (started by another `lab up`)
        return not _alive(pid), 0
    return done == pid, status


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child of ours counts as gone
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _is_our_emulator(pid: int) -> bool:
    """Only signal a pid whose command line is really our emulator (pids get reused)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, PermissionError):
        return False
    return b"camcensus.lab.emulator" in cmdline
