"""Third-party servers for the reverse check: each runs inside one lab device namespace,
announces what it is told to, prints ``ready`` once it serves, and runs until killed.

    reverse_servers.py http IP PORT SERVER_HEADER        (python's http.server)
    reverse_servers.py wsd IP SCOPE ...                  (WSDiscovery's publisher)
    reverse_servers.py mdns IP HOSTNAME INSTANCE TYPE PORT KEY=VALUE ...  (python-zeroconf)
    reverse_servers.py upnp IP PORT MANUFACTURER MODEL SERIAL  (async-upnp-client's server)
    reverse_servers.py lighttpd IP PORT SERVER_TAG       (Debian lighttpd, its server.tag)

None of these servers is the lab's emulator: camcensus scanning them shows its probes
and parsers work against implementations nobody in this project wrote.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import uuid
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ONVIF_NVT = ("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter", "dn")
ONVIF_DEVICE = ("http://www.onvif.org/ver10/device/wsdl", "Device", "tds")


def _ready() -> None:
    print("ready", flush=True)  # noqa: T201


def _wait_for_term() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()


def http(ip: str, port: str, server_header: str) -> None:
    class Handler(BaseHTTPRequestHandler):
        def version_string(self) -> str:  # the Server header, whole
            return server_header

        def do_GET(self) -> None:
            body = b"<html><head><title>Login</title></head><body></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer((ip, int(port)), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _ready()
    _wait_for_term()
    server.shutdown()


def wsd(ip: str, *scopes: str) -> None:
    from wsdiscovery import QName, Scope
    from wsdiscovery.publishing import ThreadedWSPublishing

    publisher = ThreadedWSPublishing()
    publisher.start()
    types = [QName(ns, local, prefix) for ns, local, prefix in (ONVIF_NVT, ONVIF_DEVICE)]
    publisher.publishService(
        types, [Scope(s) for s in scopes], [f"http://{ip}/onvif/device_service"]
    )
    _ready()
    _wait_for_term()
    publisher.stop()


def mdns(ip: str, hostname: str, instance: str, kind: str, port: str, *txt: str) -> None:
    import socket

    from zeroconf import IPVersion, ServiceInfo, Zeroconf

    properties = dict(item.split("=", 1) for item in txt)
    info = ServiceInfo(
        kind,
        f"{instance}.{kind}",
        addresses=[socket.inet_aton(ip)],
        port=int(port),
        properties=properties,
        server=f"{hostname}.local.",
    )
    zc = Zeroconf(interfaces=[ip], ip_version=IPVersion.V4Only)
    zc.register_service(info)
    _ready()
    _wait_for_term()
    zc.unregister_service(info)
    zc.close()


def upnp(ip: str, port: str, manufacturer: str, model: str, serial: str) -> None:
    from async_upnp_client.const import DeviceInfo
    from async_upnp_client.server import UpnpServer, UpnpServerDevice

    class Camera(UpnpServerDevice):
        DEVICE_DEFINITION = DeviceInfo(
            device_type="urn:schemas-upnp-org:device:Basic:1",
            friendly_name=f"{manufacturer} {model}",
            manufacturer=manufacturer,
            manufacturer_url=None,
            model_description="IP camera",
            model_name=model,
            model_number=model,
            model_url=None,
            serial_number=serial,
            udn=f"uuid:{uuid.uuid5(uuid.NAMESPACE_OID, serial)}",
            upc=None,
            presentation_url=f"http://{ip}/",
            url="/description.xml",
            icons=[],
            xml=ET.Element("server_device"),
        )
        EMBEDDED_DEVICES = ()
        SERVICES = ()

    async def serve() -> None:
        server = UpnpServer(Camera, (ip, 0), http_port=int(port))
        await server.async_start()
        _ready()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await server.async_stop()

    asyncio.run(serve())


def lighttpd(ip: str, port: str, server_tag: str) -> None:
    import shutil
    import socket
    import subprocess
    import tempfile
    import time
    from pathlib import Path

    binary = shutil.which("lighttpd") or "/usr/sbin/lighttpd"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "www")
        root.mkdir()
        (root / "index.html").write_text(
            "<html><head><title>NVR</title></head><body></body></html>", encoding="utf-8"
        )
        conf = Path(tmp, "lighttpd.conf")
        conf.write_text(
            f'server.bind = "{ip}"\nserver.port = {int(port)}\n'
            f'server.document-root = "{root}"\nserver.tag = "{server_tag}"\n'
            f'server.errorlog = "{tmp}/error.log"\nindex-file.names = ("index.html")\n'
            'mimetype.assign = (".html" => "text/html")\n',
            encoding="utf-8",
        )
        server = subprocess.Popen([binary, "-D", "-f", str(conf)])
        try:
            deadline = time.monotonic() + 10
            while True:  # ready once it accepts on its own address (inside the namespace)
                try:
                    socket.create_connection((ip, int(port)), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            _ready()
            _wait_for_term()
        finally:
            server.terminate()
            server.wait(timeout=10)


SERVERS = {"http": http, "wsd": wsd, "mdns": mdns, "upnp": upnp, "lighttpd": lighttpd}

if __name__ == "__main__":
    SERVERS[sys.argv[1]](*sys.argv[2:])
