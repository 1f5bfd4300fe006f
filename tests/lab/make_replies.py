"""Write the lab's replay files (lab/profiles/replay/replies/) from corpus items.

Run: .venv/bin/python tests/lab/make_replies.py

Each file carries one rules-half corpus item's reply bytes as published, plus only the
framing the published excerpt lacks and a wire needs (a status line, a reply code, the
blank line that ends a head, a zero Content-Length); tests/lab/test_replay.py checks
every file against its item and allows no other framing. Only rules-half items are
used: the test half stays unread.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "corpus"))

import corpus  # type: ignore[import-not-found]  # noqa: E402

OUT = HERE.parent.parent / "lab" / "profiles" / "replay" / "replies"

# item id -> (bytes before, bytes after) the item's reply
FRAMING: dict[str, tuple[bytes, bytes]] = {
    "hik-rtsp-options-exoplayer-issue9800": (b"", b""),
    "hik-rtsp-describe-401-exoplayer-issue9800": (b"", b""),
    "dahua-rtsp-retina-options": (b"", b""),
    "dahua-rtsp-retina-describe-h264-aac-onvif": (b"", b""),
    "dahua-rtsp-options-401-mediamtx-issue368": (b"", b""),
    "foscam-rtsp-options-hbfoscam6-c1": (b"", b""),
    "foscam-rtsp-describe-retina": (b"", b""),
    "reolink-rtsp-describe-retina": (b"", b""),
    "tplink-ipc-rtsp-options-mediamtx3116": (b"", b""),
    "tplink-ipc-rtsp-describe401-mediamtx3116": (b"", b""),
    "uniview-rtsp-describe401-mediamtx4660-ipc2122lb": (b"", b""),
    "axis-wsd-probematch-kupnp-m1034w": (b"", b""),
    "axis-ssdp-msearch-axisjs-m1014": (b"", b""),
    "axis-ftp-recog-p1346": (b"220 ", b"\r\n"),
    "bosch-http-wwwauth-recog-autodome-1": (
        b"HTTP/1.1 401 Unauthorized\r\n",
        b"\r\nContent-Length: 0\r\n\r\n",
    ),
    "bosch-telnet-recog-autodome800hd": (b"", b"\r\n"),
    "hik-http-200-root-dnvrswebs-homebridgehik-issue2": (b"", b""),  # head only, as published
    "xiongmai-http-server-recog-uchttpd-slash": (
        b"HTTP/1.1 200 OK\r\n",
        b"\r\nContent-Length: 0\r\n\r\n",
    ),
}


def main() -> int:
    items = {item.id: item for item in corpus.half("rules")}
    OUT.mkdir(parents=True, exist_ok=True)
    for item_id, (before, after) in FRAMING.items():
        item = items[item_id]  # KeyError: not a rules-half item
        assert item.data is not None, item_id
        (OUT / f"{item_id}.reply").write_bytes(before + item.data + after)
    print(f"wrote {len(FRAMING)} files to {OUT}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
