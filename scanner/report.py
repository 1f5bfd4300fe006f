"""The report for management: totals, the replacement plan, scan coverage, charts and a
per-device appendix, as one self-contained HTML file (``camcensus report``).

Two steps, both without I/O of their own: ``summarise`` counts the inventory's devices
and scans into a ``Report``; ``render_html`` renders it through a Jinja2 template
(autoescape on) with pygal's SVG charts inline.  The caller (the CLI) reads the
inventory and writes the file.

Device strings are hostile input.  Every value the template prints goes through
``escape_controls`` (zero-width, bidi override and control characters become visible
``\\u202e`` escapes) and then through Jinja2's HTML escaping; chart labels get the same
``escape_controls`` and pygal writes them through ElementTree, which escapes markup.  The
page carries a Content-Security-Policy that allows no script and no fetch at all, and
the charts are stripped of pygal's own (configuration) script, so the file opens offline
and nothing in it runs.

Seams for facts added to the identification by other work:

* the appendix lists every claim of a device's identification chain (field, value, the
  evidence behind it, the rule and its source), so facts added as claims (origin per
  device: firmware developer, owner) appear there with their sources as they are;
* the appendix shows every replacement-plan field of the schema (``APPENDIX_FIELDS``), so
  fields added to the schema for the CSV appear there too (a field named ``*sources``
  as links);
* ``sections`` takes further tables computed from data that exists: ``field_section``
  counts the devices per value of any schema field (the CLI asks for a vulnerable-firmware
  field by name), and is None when the schema has no such field or no device a value
  for it.  A section is rendered only when it is given, so the report never shows one
  that claims anything without data behind it.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, cast
from xml.etree.ElementTree import Element

import jinja2
import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from camcensus.base.types import DEVICE_TYPES
from camcensus.scanner.core.schema import (
    FIELDS,
    REVIEW_LABELS,
    REVIEW_STATUSES,
    Coverage,
    DeviceRecord,
    ScanInfo,
    SnmpCoverage,
    field_text,
)
from camcensus.scanner.core.text import escape_controls
from camcensus.vendor_db.policy import FLAG_LEVELS, FlagLevel

# Importing pygal appends a legacy finder (PluginImportFixer, for its map plugins, which
# the report does not use) to sys.meta_path; on Python 3.11 every later failed import
# then raises ImportWarning.  It goes again at once, so importing the report leaves the
# import system as it was.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

__all__ = [
    "APPENDIX_FIELDS",
    "UNKNOWN_BRAND",
    "UNKNOWN_MAKER",
    "UNKNOWN_SITE",
    "PlanRow",
    "Report",
    "ReportSection",
    "ScanChange",
    "ScanCoverage",
    "Tally",
    "TrendPoint",
    "field_section",
    "render_html",
    "summarise",
]

UNKNOWN_MAKER: Final = "(unknown)"
UNKNOWN_BRAND: Final = "(no brand seen)"
UNKNOWN_SITE: Final = "(no site)"
APPENDIX_FIELDS: Final = tuple(f for f in FIELDS if f.csv and f.name != "device_key")
"""What the appendix shows of each device: the replacement-plan CSV's fields."""
LEVEL_LABELS: Final[Mapping[FlagLevel, str]] = {
    "flagged": "flagged",
    "possible": "possibly flagged",
    "no": "not flagged",
}
_CHART_TOP_N: Final = 12
_COLOURS: Final = ("#b3261e", "#e8a33d", "#6b8fb3")  # flagged, possible, not flagged


@dataclass(frozen=True, slots=True)
class Tally:
    """How many devices share one value (a maker, a site), and how many are flagged or
    possibly flagged."""

    label: str
    devices: int
    flagged: int
    possible: int

    @property
    def flagged_share(self) -> float:
        """Flagged devices as a share of all, in [0, 1]."""
        return self.flagged / self.devices if self.devices else 0.0


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One model in the replacement plan: its devices marked "to replace", of how many,
    how many flagged, and the sites they are at."""

    maker: str
    model: str
    to_replace: int
    devices: int
    flagged: int
    sites: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScanCoverage:
    """One scan with how it reached its targets and what its SNMP agents gave."""

    scan: ScanInfo
    targets: tuple[Coverage, ...] = ()
    agents: tuple[SnmpCoverage, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanChange:
    """What changed between two consecutive complete scans of one site: devices only the
    newer one saw (and of them flagged), devices only the older one saw, and devices
    whose identity fields changed."""

    site: str
    old_scan_id: int
    new_scan_id: int
    new: int
    new_flagged: int
    not_seen: int
    changed: int


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """What one finished scan saw: devices and flagged devices."""

    label: str
    devices: int
    flagged: int


BEHIND_RECORDER: Final = "behind a recorder (listed by it)"
ON_THE_NETWORK: Final = "reached on the network"


@dataclass(frozen=True, slots=True)
class ReportSection:
    """A further table of the report, computed by its caller from data that exists."""

    title: str
    intro: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report shows, counted once."""

    title: str
    generated_at: str
    policy_note: str
    device_count: int
    present_count: int
    by_level: tuple[Tally, ...]
    by_maker: tuple[Tally, ...]
    by_brand: tuple[Tally, ...]
    by_site: tuple[Tally, ...]
    by_type: tuple[Tally, ...]
    by_review: tuple[Tally, ...]
    plan: tuple[PlanRow, ...]
    scans: tuple[ScanCoverage, ...]
    trend: tuple[TrendPoint, ...]
    devices: tuple[DeviceRecord, ...]
    changes: tuple[ScanChange, ...] = field(default=())
    sections: tuple[ReportSection, ...] = field(default=())
    behind_recorders: int = 0
    """Devices counted above that are cameras listed by a recorder (``parent`` set)."""
    by_placement: tuple[Tally, ...] = field(default=())


def _tallies(
    records: Sequence[DeviceRecord],
    label_of: Callable[[DeviceRecord], str],
    order: Sequence[str] | None = None,
) -> tuple[Tally, ...]:
    """One tally per label, most devices first (or in ``order``, every label of it)."""
    counts = {label: [0, 0, 0] for label in order or ()}
    for record in records:
        count = counts.setdefault(label_of(record), [0, 0, 0])
        count[0] += 1
        count[1] += int(record.device.flag_level == "flagged")
        count[2] += int(record.device.flag_level == "possible")
    tallies = [
        Tally(label, n, flagged, possible) for label, (n, flagged, possible) in counts.items()
    ]
    if order is None:
        tallies.sort(key=lambda t: (-t.devices, -t.flagged, t.label))
    return tuple(tallies)


def _plan(records: Sequence[DeviceRecord]) -> tuple[PlanRow, ...]:
    devices: Counter[tuple[str, str]] = Counter()
    to_replace: Counter[tuple[str, str]] = Counter()
    flagged: Counter[tuple[str, str]] = Counter()
    sites: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in records:
        key = (record.device.maker or UNKNOWN_MAKER, record.device.model)
        devices[key] += 1
        flagged[key] += int(record.device.flagged)
        if record.review_status == "to_replace":
            to_replace[key] += 1
            sites[key].add(record.site or UNKNOWN_SITE)
    rows = [
        PlanRow(maker, model, n, devices[(maker, model)], flagged[(maker, model)],
                tuple(sorted(sites[(maker, model)])))
        for (maker, model), n in to_replace.items()
    ]  # fmt: skip
    return tuple(sorted(rows, key=lambda r: (-r.to_replace, r.maker, r.model)))


def _trend(scans: Sequence[ScanCoverage]) -> tuple[TrendPoint, ...]:
    finished = [s.scan for s in scans if s.scan.status != "running"]
    finished.sort(key=lambda s: (s.started_at, s.scan_id))
    return tuple(
        TrendPoint(
            f"#{s.scan_id} {s.started_at[:10]}" + (f" {s.site}" if s.site else ""),
            s.device_count,
            s.flagged_count,
        )
        for s in finished
    )


def summarise(
    records: Iterable[DeviceRecord],
    scans: Iterable[ScanCoverage],
    *,
    title: str,
    generated_at: str,
    policy_note: str,
    changes: Sequence[ScanChange] = (),
    sections: Sequence[ReportSection] = (),
) -> Report:
    """Count ``records`` (every device of the inventory, missing ones included) and
    ``scans`` (newest first, as the inventory lists them) into a ``Report``, with the
    ``changes`` between consecutive scans of a site as given; the
    appendix lists flagged devices first, then possibly flagged ones, then the rest."""
    rank = {level: n for n, level in enumerate(FLAG_LEVELS)}
    devices = tuple(sorted(records, key=lambda r: rank[r.device.flag_level]))
    scan_list = tuple(scans)
    return Report(
        title=title,
        generated_at=generated_at,
        policy_note=policy_note,
        device_count=len(devices),
        present_count=sum(r.presence == "present" for r in devices),
        behind_recorders=sum(r.device.parent is not None for r in devices),
        by_placement=_tallies(
            devices,
            lambda r: BEHIND_RECORDER if r.device.parent is not None else ON_THE_NETWORK,
            [ON_THE_NETWORK, BEHIND_RECORDER],
        ),
        by_level=_tallies(
            devices,
            lambda r: LEVEL_LABELS[r.device.flag_level],
            [LEVEL_LABELS[level] for level in FLAG_LEVELS],
        ),
        by_maker=_tallies(devices, lambda r: r.device.maker or UNKNOWN_MAKER),
        by_brand=_tallies(devices, lambda r: r.device.brand or UNKNOWN_BRAND),
        by_site=_tallies(devices, lambda r: r.site or UNKNOWN_SITE),
        by_type=_tallies(devices, lambda r: r.device.device_type, DEVICE_TYPES),
        by_review=_tallies(
            devices,
            lambda r: REVIEW_LABELS[r.review_status],
            [REVIEW_LABELS[s] for s in REVIEW_STATUSES],
        ),
        plan=_plan(devices),
        scans=scan_list,
        trend=_trend(scan_list),
        devices=devices,
        changes=tuple(changes),
        sections=tuple(sections),
    )


def field_section(
    records: Sequence[DeviceRecord], field_name: str, title: str, intro: str
) -> ReportSection | None:
    """The devices counted per value of the schema field ``field_name`` (each item of a
    list field once a device), most first; None when the schema has no such field or no
    device has a value for it."""
    item = next((f for f in FIELDS if f.name == field_name), None)
    if item is None:
        return None
    counts: dict[str, list[int]] = {}
    for record in records:
        value = item.value(record)
        values = value if item.kind == "list" else (field_text(item, value),)
        for text in {str(v) for v in cast("Iterable[object]", values)} - {""}:
            count = counts.setdefault(text, [0, 0])
            count[0] += 1
            count[1] += int(record.device.flagged)
    if not counts:
        return None
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return ReportSection(
        title,
        intro,
        (item.label, "devices", "of them flagged"),
        tuple((text, str(n), str(flagged)) for text, (n, flagged) in ordered),
    )


# -- charts -----------------------------------------------------------------------------


def _drop_scripts(root: Element) -> Element:
    """pygal writes its configuration (labels included) into a <script>: the report
    runs no script, so every one goes."""
    for parent in list(root.iter()):
        for child in list(parent):
            if str(child.tag).rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return root


def _chart_config(
    title: str, height: int, colours: tuple[str, ...] = _COLOURS
) -> dict[str, object]:
    return {
        "title": title,
        "width": 760,
        "height": height,
        "js": [],  # no tooltip script from a CDN (pygal's default)
        "disable_xml_declaration": True,
        "style": Style(
            colors=colours,
            background="white",
            plot_background="white",
            font_family="sans-serif",
            title_font_size=18,
            label_font_size=14,
            major_label_font_size=14,
            legend_font_size=14,
        ),
        "legend_at_bottom": True,
        "truncate_label": 40,
        "truncate_legend": 40,
        "print_values": False,
    }


def _render(chart: pygal.graph.graph.Graph) -> Markup:
    chart.add_xml_filter(_drop_scripts)
    # pygal builds the SVG with ElementTree: text and attributes come out escaped
    return Markup(chart.render(is_unicode=True))  # noqa: S704 (pygal's escaped SVG)


def _site_chart(sites: Sequence[Tally]) -> Markup:
    chart = pygal.HorizontalStackedBar(
        **_chart_config("Share of devices flagged, per site (%)", 180 + 36 * len(sites))
    )
    sites = sites[::-1]  # a horizontal bar chart draws its first label at the bottom
    chart.x_labels = [escape_controls(t.label) for t in sites]
    chart.range = (0, 100)

    def share(part: Callable[[Tally], int]) -> list[float]:
        return [round(100 * part(t) / t.devices, 1) if t.devices else 0.0 for t in sites]

    chart.add(LEVEL_LABELS["flagged"], share(lambda t: t.flagged))
    chart.add(LEVEL_LABELS["possible"], share(lambda t: t.possible))
    chart.add(LEVEL_LABELS["no"], share(lambda t: t.devices - t.flagged - t.possible))
    return _render(chart)


def _maker_chart(makers: Sequence[Tally]) -> Markup:
    top = list(makers[:_CHART_TOP_N])
    rest = makers[_CHART_TOP_N:]
    if rest:
        top.append(
            Tally(
                f"{len(rest)} other makers",
                sum(t.devices for t in rest),
                sum(t.flagged for t in rest),
                sum(t.possible for t in rest),
            )
        )
    chart = pygal.HorizontalStackedBar(**_chart_config("Devices per maker", 180 + 36 * len(top)))
    top.reverse()  # most devices at the top
    chart.x_labels = [escape_controls(t.label) for t in top]
    chart.add(LEVEL_LABELS["flagged"], [t.flagged for t in top])
    chart.add(LEVEL_LABELS["possible"], [t.possible for t in top])
    chart.add(LEVEL_LABELS["no"], [t.devices - t.flagged - t.possible for t in top])
    return _render(chart)


def _trend_chart(trend: Sequence[TrendPoint]) -> Markup:
    chart = pygal.Line(
        **_chart_config("Devices and flagged devices, scan by scan", 360, _COLOURS[::2])
    )
    chart.x_labels = [escape_controls(p.label) for p in trend]
    chart.x_label_rotation = 20
    chart.add("flagged", [p.flagged for p in trend])
    chart.add("devices seen", [p.devices for p in trend])
    return _render(chart)


# -- HTML -------------------------------------------------------------------------------


def _finalize(value: object) -> object:
    """Every printed value: visible escapes for controls and bidi/invisible characters
    (the template's autoescape then escapes HTML); the charts' SVG stays as it is."""
    if isinstance(value, Markup):
        return value
    return escape_controls(value)


def _lines(value: object) -> Markup:
    """An admin's multi-line text (a note, a site): each line escaped, joined by <br>."""
    return Markup("<br>").join(
        escape(escape_controls(line)) for line in str(value or "").split("\n")
    )


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("camcensus.scanner", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["lines"] = _lines
    return environment


def _is_link(source: str) -> bool:
    return source.startswith(("https://", "http://"))


_SOURCES: Final = "sources"
_LINES: Final = "lines"
_TEXT_CELL: Final = "text"


def _appendix_cells(record: DeviceRecord) -> list[tuple[str, str, object]]:
    """A device's appendix fields as (label, how to show it, value): sources as links,
    an admin's multi-line text line by line, the rest as one line of text."""
    cells: list[tuple[str, str, object]] = []
    for item in APPENDIX_FIELDS:
        value = item.value(record)
        if item.name.endswith(_SOURCES):
            cells.append((item.label, _SOURCES, value))
        else:
            cells.append((item.label, _LINES if item.multiline else _TEXT_CELL,
                          field_text(item, value)))  # fmt: skip
    return cells


def render_html(report: Report, *, expanded: bool = False) -> str:
    """The report as one self-contained HTML document (inline CSS and SVG, no script);
    ``expanded`` opens every device's details (for printing)."""
    template = _environment().get_template("report.html.j2")
    charts = {
        "sites": _site_chart(report.by_site) if report.by_site else None,
        "makers": _maker_chart(report.by_maker) if report.by_maker else None,
        "trend": _trend_chart(report.trend) if len(report.trend) > 1 else None,
    }
    return template.render(
        report=report,
        charts=charts,
        cells=_appendix_cells,
        is_link=_is_link,
        level_labels=LEVEL_LABELS,
        levels=FLAG_LEVELS,
        expanded=expanded,
        review_labels=REVIEW_LABELS,
    )
