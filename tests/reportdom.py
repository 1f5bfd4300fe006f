"""Reading back what a report shows: its numbers and its markup, from the HTML file or
from the DOM a browser dumps (``html.parser``: no code of the report is used)."""

from __future__ import annotations

import os
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from camcensus.cli.report_cmd import CHROMIUM_FLAGS

__all__ = [
    "LEVEL_WORDS",
    "Counted",
    "Shown",
    "assert_shows",
    "chromium",
    "count_inventory",
    "isolated_chromium",
    "read_shown",
    "render_in_chromium",
    "shown_as",
]


@dataclass
class Shown:
    """The numbers and elements a report shows."""

    totals: dict[str, int] = field(default_factory=dict)
    tallies: dict[str, dict[str, int]] = field(default_factory=dict)
    plan: dict[tuple[str, str], int] = field(default_factory=dict)
    tags: Counter[str] = field(default_factory=Counter)
    text: list[str] = field(default_factory=list)
    devices_in_appendix: int = 0
    hrefs: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shown = Shown()
        self._total: str | None = None
        self._tally: str | None = None
        self._table: str | None = None
        self._row_label: str | None = None
        self._cell_n: str | None = None
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.shown.tags[tag] += 1
        if tag == "a" and a.get("href"):
            self.shown.hrefs.append(str(a["href"]))
        if "data-total" in a:
            self._total = str(a["data-total"])
        if tag == "table":
            self._tally = a.get("data-tally")
            self._table = a.get("data-table")
            if self._tally:
                self.shown.tallies[self._tally] = {}
        if tag == "tr":
            self._row_label = a.get("data-label")
            self._cells = []
        if tag == "td":
            self._cell_n = a.get("data-n")
            self._cell = []
        if tag == "details" and "data-device" in a:
            self.shown.devices_in_appendix += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._tally = self._table = None
        if tag == "td" and self._cell is not None and self._cells is not None:
            text = "".join(self._cell).strip()
            self._cells.append(text)
            if self._tally and self._row_label is not None and self._cell_n == "devices":
                self.shown.tallies[self._tally][self._row_label] = int(text)
            self._cell = None
        if tag == "tr" and self._table == "plan" and self._cells:
            self.shown.plan[(self._cells[0], self._cells[1])] = int(self._cells[2])

    def handle_data(self, data: str) -> None:
        self.shown.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._total is not None:
            self.shown.totals[self._total] = int(data.strip())
            self._total = None


def read_shown(html: str) -> Shown:
    """What the report ``html`` shows."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.shown


def chromium() -> str | None:
    """The chromium binary (Debian's package, which ``make install`` installs)."""
    for name in ("chromium", "chromium-browser"):
        for folder in os.environ.get("PATH", "").split(os.pathsep):
            candidate = Path(folder) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return None


# Inside a network namespace of its own (unshare --net) with nothing but a loopback
# interface, which is down: the browser cannot send a byte to any network.  The wrapper
# refuses to start it if the namespace has any other interface.
_ISOLATED = (
    'test "$(ip -o link show | wc -l)" -eq 1 || { ip -o link show >&2; exit 99; }; exec "$@"'
)


def isolated_chromium(profile: Path) -> list[str]:
    """The command that starts headless chromium, with a fresh profile in ``profile``,
    in a network namespace of its own (add its options and a URL)."""
    binary = chromium()
    assert binary is not None, "chromium is missing: make install puts it there"
    unshare = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "--net", "-r"]
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    return [*unshare, "sh", "-c", _ISOLATED, "sh", binary, *flags]


def render_in_chromium(page: Path, screenshot: Path, profile: Path) -> str:
    """Open ``page`` in headless chromium in an empty network namespace: save a
    screenshot of it to ``screenshot`` and return the DOM it built."""
    url = page.resolve().as_uri()
    base = isolated_chromium(profile)
    shot = subprocess.run(
        [*base, f"--screenshot={screenshot}", "--window-size=1280,2400", url],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert shot.returncode == 0, shot.stderr[-2000:]
    dom = subprocess.run(
        [*base, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout


@dataclass
class Counted:
    """An inventory's own counts, by SQL on its file (not through camcensus)."""

    devices: int
    present: int
    levels: dict[str, int]
    makers: dict[str, int]
    brands: dict[str, int]
    sites: dict[str, int]
    types: dict[str, int]
    plan: dict[tuple[str, str], int]
    behind_recorders: int = 0


def count_inventory(db: Path) -> Counted:
    """Count the devices of the inventory file ``db`` with plain SQL."""
    import sqlite3

    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:

        def grouped(expression: str, where: str = "") -> dict[str, int]:
            sql = f"SELECT {expression}, count(*) FROM devices {where} GROUP BY 1"  # noqa: S608
            return {str(k): int(n) for k, n in conn.execute(sql)}

        plan = {
            (str(maker), str(model)): int(n)
            for maker, model, n in conn.execute(
                "SELECT CASE maker WHEN '' THEN '(unknown)' ELSE maker END, model, count(*) "
                "FROM devices WHERE review_status = 'to_replace' GROUP BY 1, 2"
            )
        }
        return Counted(
            devices=int(conn.execute("SELECT count(*) FROM devices").fetchone()[0]),
            present=int(
                conn.execute("SELECT count(*) FROM devices WHERE presence = 'present'").fetchone()[
                    0
                ]
            ),
            levels=grouped("flag_level"),
            makers=grouped("CASE maker WHEN '' THEN '(unknown)' ELSE maker END"),
            brands=grouped("CASE brand WHEN '' THEN '(no brand seen)' ELSE brand END"),
            sites=grouped("coalesce(site, '(no site)')"),
            types=grouped("device_type"),
            plan=plan,
            behind_recorders=int(
                conn.execute("SELECT count(*) FROM devices WHERE parent IS NOT NULL").fetchone()[0]
            ),
        )
    finally:
        conn.close()


LEVEL_WORDS = {"flagged": "flagged", "possible": "possibly flagged", "no": "not flagged"}
"""How the report words each flag level (its verdict table's labels)."""


def shown_as(text: str) -> str:
    """How a device string reads in the report: control and invisible format characters
    (Unicode categories Cc and Cf: zero-width, bidi overrides) as visible escapes."""
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) <= 0xFF else f"\\u{ord(c):04x}")
        if unicodedata.category(c) in ("Cc", "Cf")
        else c
        for c in text
    )


def _labels(counts: dict[str, int]) -> dict[str, int]:
    return {shown_as(label): n for label, n in counts.items()}


def assert_shows(shown: Shown, counted: Counted) -> None:
    """The report's numbers are the inventory's own."""
    assert shown.totals["devices"] == counted.devices
    assert shown.totals["present"] == counted.present
    assert shown.totals["behind_recorders"] == counted.behind_recorders
    where = {k: v for k, v in shown.tallies["placement"].items() if v}
    assert sum(where.values()) == counted.devices
    assert where.get("behind a recorder (listed by it)", 0) == counted.behind_recorders
    for level in ("flagged", "possible", "no"):
        assert shown.totals[level] == counted.levels.get(level, 0), level
    assert {k: v for k, v in shown.tallies["level"].items() if v} == {
        LEVEL_WORDS[k]: v for k, v in counted.levels.items()
    }
    assert shown.tallies["maker"] == _labels(counted.makers)
    assert shown.tallies["brand"] == _labels(counted.brands)
    assert shown.tallies["site"] == _labels(counted.sites)
    assert {k: v for k, v in shown.tallies["type"].items() if v} == counted.types
    assert shown.plan == {(shown_as(a), shown_as(b)): n for (a, b), n in counted.plan.items()}
    assert shown.devices_in_appendix == counted.devices
