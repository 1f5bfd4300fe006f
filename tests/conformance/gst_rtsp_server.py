"""gst-rtsp-server (Debian gir1.2-gst-rtsp-server-1.0) for the reverse check, run with
Debian's own /usr/bin/python3 (PyGObject is not in the venv) inside one lab device
namespace only:

    /usr/bin/python3 gst_rtsp_server.py IP PORT OPEN_PATH AUTH_PATH USER

Two mount points serve the same test pattern (videotestsrc, JPEG over RTP, RFC 2435):
OPEN_PATH to anyone, AUTH_PATH only with USER's Digest credentials; the password comes
from the environment variable RTSP_LAB_PASSWORD (a fresh lab-only value, never argv).
Anonymous clients may see AUTH_PATH but not construct its media, the split
gst-rtsp-server's own examples use, so a DESCRIBE without credentials gets 401 with the
server's realm there, and every path that is no mount point gets 404 (``/`` included).
Everything the server announces (Server header, realm, SDP) is gst-rtsp-server's own.
Prints ``ready`` once it listens; runs until SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

# format=I420: rtpjpegpay refuses the JPEG frames jpegenc makes of videotestsrc's default
# (4:4:4) output ("Invalid component"), and the media then never prerolls
PIPELINE = (
    "( videotestsrc is-live=true ! video/x-raw,format=I420,width=320,height=240,framerate=5/1"
    " ! jpegenc ! rtpjpegpay name=pay0 pt=26 )"
)


def _role(name: str, construct: bool) -> Gst.Structure:
    text = (
        f"{name}, media.factory.access=(boolean)true, "
        f"media.factory.construct=(boolean){'true' if construct else 'false'}"
    )
    structure, _ = Gst.Structure.from_string(text)
    return structure


def _factory(*roles: Gst.Structure) -> GstRtspServer.RTSPMediaFactory:
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(True)
    for role in roles:
        factory.add_role_from_structure(role)
    return factory


def _token(role: str) -> GstRtspServer.RTSPToken:
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", role)
    return token


def main(ip: str, port: str, open_path: str, auth_path: str, user: str) -> None:
    password = os.environ["RTSP_LAB_PASSWORD"]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(ip)
    server.set_service(port)
    auth = GstRtspServer.RTSPAuth()
    auth.set_default_token(_token("anonymous"))
    auth.add_digest(user, password, _token("user"))
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    server.set_auth(auth)
    mounts = server.get_mount_points()
    mounts.add_factory(open_path, _factory(_role("anonymous", construct=True)))
    mounts.add_factory(
        auth_path, _factory(_role("user", construct=True), _role("anonymous", construct=False))
    )
    if server.attach(None) == 0:
        raise SystemExit(f"gst-rtsp-server could not listen on {ip}:{port}")
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, lambda: loop.quit() or False)
    print("ready", flush=True)  # noqa: T201
    loop.run()


if __name__ == "__main__":
    main(*sys.argv[1:])
