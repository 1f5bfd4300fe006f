"""Reading a large nmap XML report: camcensus' reader beside python-nmap's on the same bytes.

Run: .venv/bin/python bench/import_nmap.py [HOSTS]   (default 5,000)

Builds an ``nmap -sV -sC -oX`` report of HOSTS hosts in 198.18.0.0/15, each with the
script output ``import-nmap`` reads in the forms nmap 7.93's scripts document
(http-server-header, http-title, http-favicon, ssl-cert subject/issuer tables, banner,
upnp-info) and, on every fourth host, the ``servicefp`` of a service nmap did not know.
The values are invented; only the shapes matter here.  Then, each in a child process
of its own (wall time, CPU time and the child's peak RSS):

1. ``nmap_report.parse_nmap_xml``: the report to camcensus evidence (the step of
   ``camcensus import-nmap`` that grows with the report);
2. the whole ``camcensus import-nmap`` into a new inventory (reading, identify, store);
3. peer, on the same file: python-nmap's ``PortScanner.analyse_nmap_xml_scan``, which
   reads the same report into its dictionaries (ports, services, script output as
   text) and interprets none of it: the floor any reader of the report pays.

Writes bench/results/import_nmap.json and prints it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

HERE: Final = Path(__file__).resolve().parent
RESULTS: Final = HERE / "results" / "import_nmap.json"
PY: Final = sys.executable

_HOST: Final = """  <host>
    <status state="up" reason="syn-ack"/>
    <address addr="{ip}" addrtype="ipv4"/>
    <ports>
      <port protocol="tcp" portid="80"><state state="open"/>
        <service name="http" product="{product}" method="probed" conf="10"/>
        <script id="http-server-header" output="&#xa;  {server}"><elem>{server}</elem></script>
        <script id="http-title" output="{title}"><elem key="title">{title}</elem></script>
        <script id="http-favicon" output="Unknown favicon MD5: {md5}"/>
      </port>
      <port protocol="tcp" portid="21"><state state="open"/>
        <service name="ftp"/>
        <script id="banner" output="220 {title} FTP server ready\\x0D\\x0A"/>
      </port>
      <port protocol="tcp" portid="443"><state state="open"/>
        <service name="https" tunnel="ssl"/>
        <script id="ssl-cert" output="Subject: commonName={cn}/organizationName={org}">
          <table key="subject"><elem key="countryName">NL</elem>
            <elem key="organizationName">{org}</elem><elem key="commonName">{cn}</elem></table>
          <table key="issuer"><elem key="commonName">{cn}</elem></table>
        </script>
      </port>
      <port protocol="udp" portid="1900"><state state="open"/>
        <service name="upnp"/>
        <script id="upnp-info" output="{upnp}"/>
      </port>{extra}
    </ports>
  </host>
"""
_UPNP: Final = (
    "&#xa;{ip}&#xa;    Server: Linux/4.9, UPnP/1.0, Portable SDK for UPnP devices/1.6.18"
    "&#xa;      Name: {cn}&#xa;      Manufacturer: {org}&#xa;      Model Name: {cn}"
)
_SERVICEFP: Final = (
    '\n      <port protocol="tcp" portid="554"><state state="open"/>'
    '\n        <service name="rtsp" method="probed" conf="10" servicefp="'
    "SF-Port554-TCP:V=7.93%I=7%D=12/3%Time=6750A1B2%P=x86_64-pc-linux-gnu%r(RTSPRequest,6B,"
    "&quot;RTSP/1\\.0\\x20401\\x20Unauthorized\\r\\nCSeq:\\x200\\r\\nWWW-Authenticate:"
    "\\x20Digest\\x20realm=\\&quot;cam{n}\\&quot;,\\x20nonce=\\&quot;0f1e2d3c\\&quot;"
    '\\r\\n\\r\\n&quot;);"/>'
    "\n      </port>"
)


def build_report(hosts: int) -> bytes:
    """An nmap -oX report of ``hosts`` hosts (invented values in nmap's script shapes)."""
    base = int(ipaddress.IPv4Address("198.18.0.0"))
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap"'
        ' args="nmap -sV -sC -oX bench.xml 198.18.0.0/15" version="7.93">\n'
    ]
    for n in range(hosts):
        parts.append(
            _HOST.format(
                ip=ipaddress.IPv4Address(base + 1 + n),
                product=("Example camera httpd", "lighttpd", "Boa HTTPd")[n % 3],
                server=("Webs", "lighttpd/1.4.59", "Boa/0.94.14rc21")[n % 3],
                title=f"Camera {n:05d}",
                md5=f"{n:032x}",
                cn=f"CAM-{n:05d}",
                org=("Example Cameras BV", "Sample Video AB", "Demo Vision Ltd")[n % 3],
                upnp=_UPNP.format(
                    ip=ipaddress.IPv4Address(base + 1 + n),
                    cn=f"CAM-{n:05d}",
                    org=("Example Cameras BV", "Sample Video AB", "Demo Vision Ltd")[n % 3],
                ),
                extra=_SERVICEFP.format(n=n) if n % 4 == 0 else "",
            )
        )
    parts.append(
        '<runstats><finished time="1764720000" timestr="Wed Dec  3 00:00:00 2025" elapsed="600.00"'
        f' exit="success"/><hosts up="{hosts}" down="0" total="{hosts}"/></runstats>\n</nmaprun>\n'
    )
    return "".join(parts).encode()


_CAMCENSUS: Final = """
import sys
from pathlib import Path
from camcensus.scanner.core.nmap_report import parse_nmap_xml
evidence = parse_nmap_xml(Path(sys.argv[1]).read_bytes())
print(len(evidence))
"""
_PEER: Final = """
import sys
from pathlib import Path
import nmap
result = nmap.PortScanner().analyse_nmap_xml_scan(Path(sys.argv[1]).read_text())
print(len(result["scan"]))
"""


def _child(args: list[str]) -> dict[str, float | int | str]:
    """Run ``args`` in a child process: wall and CPU seconds and peak RSS of that child
    alone (``wait4``), and the last line it printed."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall_s = time.perf_counter() - start
        if child.returncode != 0:
            raise SystemExit(f"{args[:3]}: exit {child.returncode}")
        out.seek(0)
        lines = out.read().decode().strip().splitlines()
    return {
        "wall_s": round(wall_s, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        "output": lines[-1] if lines else "",
    }


def main() -> None:
    hosts = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        report.write_bytes(build_report(hosts))
        size_mib = report.stat().st_size / 2**20
        peer = _child([PY, "-c", _PEER, str(report)])
        parse = _child([PY, "-c", _CAMCENSUS, str(report)])
        db = Path(tmp) / "inventory.db"
        whole = _child([PY, "-m", "camcensus", "import-nmap", "-q", "--db", str(db), str(report)])
        with sqlite3.connect(db) as conn:
            whole["devices"] = conn.execute("SELECT count(*) FROM devices").fetchone()[0]
    doc = {
        "benchmark": "import_nmap",
        "hosts": hosts,
        "report_mib": round(size_mib, 1),
        "camcensus_parse": {
            **{k: v for k, v in parse.items() if k != "output"},
            "evidence": int(parse["output"] or 0),
        },
        "camcensus_import_whole": {k: v for k, v in whole.items() if k != "output"},
        "peer_python_nmap": {
            **{k: v for k, v in peer.items() if k != "output"},
            "hosts_read": int(peer["output"] or 0),
        },
        "ratios": {
            f"parse_{kind}_over_peer": round(
                float(parse[f"{kind}_s"]) / max(float(peer[f"{kind}_s"]), 1e-3), 2
            )
            for kind in ("wall", "cpu")
        },
        "python": platform.python_version(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(doc, indent=1) + "\n")
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
