"""The real-device corpus: load items, turn each reply into evidence, judge the result.

Each item (``items/<id>.toml``, format in README.md) is one reply a real device sent, as
published, with its source and its truth.  Evidence comes from the reply through the
scanner's own parsers (``scanner.core.replies``), exactly as ``camcensus identify
--reply`` reads a capture.  The truth is judged without camcensus: ``makers.toml`` names
each maker (with the other names it goes by) and the country behind it, from sources,
and ``split.toml`` puts every source group once into the *rules* half (read while
writing fingerprints) or the *test* half (never tuned against).
"""

from __future__ import annotations

import base64
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from camcensus.base.errors import MalformedReplyError
from camcensus.base.evidence import Evidence
from camcensus.scanner.core.replies import fields_evidence, parse_reply, restore_crlf

HERE: Final = Path(__file__).resolve().parent
ITEMS: Final = HERE / "items"
CONCERN: Final = frozenset({"CN", "RU", "IR", "KP"})
"""Countries whose makers a vendor-of-concern census must flag (the Cybercheck's list)."""

Half = Literal["rules", "test"]
Family = Literal["Hikvision", "Dahua", "other Chinese", "other"]


@dataclass(frozen=True, slots=True)
class Maker:
    """A maker as the corpus knows it: the names it goes by and the countries behind it."""

    name: str
    names: tuple[str, ...]
    country: str
    owner_country: str | None

    @property
    def of_concern(self) -> bool:
        """Made or owned in CN, RU, IR or KP."""
        return self.country in CONCERN or (self.owner_country or "") in CONCERN


@dataclass(frozen=True, slots=True)
class Item:
    """One published reply of a real device, with its truth."""

    id: str
    kind: str
    request: str
    complete: bool
    data: bytes | None
    fields: dict[str, str] | None
    group: str
    ref: str
    maker: str
    brand: str
    model: str
    device_type: str
    half: Half


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


@cache
def makers() -> dict[str, Maker]:
    """Every maker the corpus names (``makers.toml``)."""
    doc = tomllib.loads((HERE / "makers.toml").read_text(encoding="utf-8"))
    return {
        name: Maker(name, tuple(entry["names"]), entry["country"], entry.get("owner_country"))
        for name, entry in doc["maker"].items()
    }


@cache
def split() -> dict[str, Half]:
    """The half each source group was put in, once (``split.toml``)."""
    doc = tomllib.loads((HERE / "split.toml").read_text(encoding="utf-8"))
    return dict(doc["groups"])


def _data(raw: dict[str, Any]) -> bytes | None:
    if "reply_base64" in raw:
        return base64.b64decode(raw["reply_base64"])
    if "reply" not in raw:
        return None
    data = str(raw["reply"]).encode("utf-8")
    return restore_crlf(data.lstrip(b"\n")) if raw.get("crlf") else data.lstrip(b"\n")


def load(path: Path) -> Item:
    """One item file."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    truth, source = raw["truth"], raw["source"]
    fields = raw.get("fields")
    return Item(
        id=raw["id"],
        kind=raw["kind"],
        request=raw.get("request", ""),
        complete=bool(raw["complete"]),
        data=_data(raw),
        fields={str(k): str(v) for k, v in fields.items()} if fields is not None else None,
        group=source["group"],
        ref=source["ref"],
        maker=truth["maker"],
        brand=truth["brand"],
        model=truth.get("model", ""),
        device_type=truth["device_type"],
        half=split()[source["group"]],
    )


@cache
def items() -> tuple[Item, ...]:
    """Every item, by id."""
    return tuple(load(path) for path in sorted(ITEMS.glob("*.toml")))


def half(name: Half) -> list[Item]:
    """The items of one half of the corpus."""
    return [item for item in items() if item.half == name]


def evidence(item: Item) -> list[Evidence]:
    """The item's reply as evidence, through the scanner's parsers (MalformedReplyError
    when it does not parse)."""
    if item.fields is not None:
        return fields_evidence(item.kind, item.fields)
    if item.data is None:
        raise MalformedReplyError(f"{item.id}: no reply")
    return parse_reply(item.kind, item.data)


def family(item: Item) -> Family:
    """Hikvision, Dahua (white labels included, by their real maker), other Chinese, other."""
    if item.maker in ("Hikvision", "Dahua"):
        return "Hikvision" if item.maker == "Hikvision" else "Dahua"
    return "other Chinese" if makers()[item.maker].of_concern else "other"


def names_maker(found: str | None, maker: str) -> bool:
    """Whether an identified maker name is this maker, under any name it goes by
    ("Axis Communications" is Axis; "HP Inc." is HP)."""
    if not found:
        return False
    got = _words(found)
    return any(got[: len(want)] == want for want in map(_words, makers()[maker].names))


@dataclass(frozen=True, slots=True)
class Score:
    """How one identifier did on a set of items."""

    total: int
    maker_right: int
    flag_expected: int
    flag_right: int
    false_flags: int
    parse_errors: tuple[str, ...]

    @property
    def maker_recall(self) -> float:
        """Share of items whose maker was named right."""
        return self.maker_right / self.total if self.total else 1.0

    @property
    def flag_recall(self) -> float:
        """Share of items of a maker of concern that were flagged."""
        return self.flag_right / self.flag_expected if self.flag_expected else 1.0


def score(results: Iterable[tuple[Item, str | None, bool]]) -> Score:
    """Score ``(item, identified maker, flagged)`` triples."""
    total = maker_right = expected = right = false = 0
    for item, found, flagged in results:
        total += 1
        maker_right += names_maker(found, item.maker)
        if makers()[item.maker].of_concern:
            expected += 1
            right += flagged
        else:
            false += flagged
    return Score(total, maker_right, expected, right, false, ())


def by_family(items_: Sequence[Item]) -> dict[Family, list[Item]]:
    """Items grouped by family, in a fixed order."""
    out: dict[Family, list[Item]] = {"Hikvision": [], "Dahua": [], "other Chinese": [], "other": []}
    for item in items_:
        out[family(item)].append(item)
    return out
