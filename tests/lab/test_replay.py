"""The lab's replay devices serve real devices' replies: every replay file is a corpus
item's reply (rules half) byte for byte, with no framing beyond what a wire needs.

Independent of the lab's loader and of camcensus' identification: the files are read
directly and compared with tests/corpus, and the framing allowed is spelled out here.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from camcensus.lab.emulator import relating_to, with_cseq

REPO = Path(__file__).resolve().parents[2]
REPLAY_DIR = REPO / "lab" / "profiles" / "replay"
REPLIES = REPLAY_DIR / "replies"
sys.path.insert(0, str(REPO / "tests" / "corpus"))

import corpus  # type: ignore[import-not-found]  # noqa: E402

ITEMS = {item.id: item for item in corpus.items()}
FILES = sorted(REPLIES.glob("*.reply"))
PROFILES = {p.stem: tomllib.loads(p.read_text(encoding="utf-8")) for p in REPLAY_DIR.glob("*.toml")}

# What a published excerpt may lack on the wire, and nothing else: a status line, an FTP
# reply code, a zero Content-Length, line ends.
ALLOWED_FRAMING = re.compile(
    rb"(?:HTTP/1\.1 (?:200 OK|401 Unauthorized)\r\n|220 |\r\nContent-Length: 0\r\n\r\n|\r\n)*"
)


def _named_files(profile: dict[str, object]) -> set[str]:
    replay = profile["replay"]
    assert isinstance(replay, dict)
    names: set[str] = set()
    names |= {v for k, v in replay.get("rtsp", {}).items() if k != "port"}
    names |= set(replay.get("http", {}).get("paths", {}).values())
    names |= set(replay.get("tcp", {}).values())
    names |= set(replay.get("udp", {}).values())
    return names


def test_there_are_replay_devices_of_concern_and_not() -> None:
    makers = {p["truth"]["maker"]: p["truth"]["flagged"] for p in PROFILES.values()}
    assert len(PROFILES) >= 10
    assert {"Hikvision", "Dahua"} <= set(makers)
    assert any(flagged for flagged in makers.values())
    assert any(not flagged for flagged in makers.values())


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_file_is_a_rules_half_item_as_published(path: Path) -> None:
    item = ITEMS[path.stem]  # the file is named after the item it carries
    assert item.half == "rules", "the test half is never served"
    assert item.data is not None
    served = path.read_bytes()
    assert served.count(item.data) == 1
    before, _, after = served.partition(item.data)
    assert ALLOWED_FRAMING.fullmatch(before), before
    assert ALLOWED_FRAMING.fullmatch(after), after


@pytest.mark.parametrize("profile_id", sorted(PROFILES))
def test_each_profile_names_existing_files_of_its_truth_maker(profile_id: str) -> None:
    profile = PROFILES[profile_id]
    names = _named_files(profile)
    assert names
    makers = corpus.makers()
    for name in names:
        assert (REPLIES / name).is_file(), name
        item = ITEMS[name.removesuffix(".reply")]
        assert makers[item.maker].names == makers[_maker(profile)].names, name
    # what was captured, only
    assert "onvif" not in profile
    assert "mdns" not in profile


def _maker(profile: dict[str, object]) -> str:
    truth = profile["truth"]
    assert isinstance(truth, dict)
    return str(truth["maker"])


def test_every_file_is_served_by_some_profile() -> None:
    served = set().union(*(_named_files(p) for p in PROFILES.values()))
    assert {p.name for p in FILES} == served


def test_cseq_follows_the_request() -> None:
    reply = b'RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n'
    assert with_cseq(reply, "7") == reply.replace(b"CSeq: 1", b"CSeq: 7")
    assert (
        with_cseq(b"RTSP/1.0 200 OK\r\nCseq: 12\r\n\r\n", "3")
        == b"RTSP/1.0 200 OK\r\nCseq: 3\r\n\r\n"
    )
    bare = b"RTSP/1.0 200 OK\r\nPublic: OPTIONS\r\n\r\n"
    assert with_cseq(bare, "2") == b"RTSP/1.0 200 OK\r\nCSeq: 2\r\nPublic: OPTIONS\r\n\r\n"


def test_a_match_relates_to_the_probe() -> None:
    match = b"<a:RelatesTo>urn:uuid:old</a:RelatesTo><a:MessageID>uuid:m</a:MessageID>"
    assert relating_to(match, "uuid:new") == (
        b"<a:RelatesTo>uuid:new</a:RelatesTo><a:MessageID>uuid:m</a:MessageID>"
    )
