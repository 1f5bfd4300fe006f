"""What a benchmark against a peer writes: its rows and ratios, printed and saved."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["write_json", "write_peer_result"]


def write_peer_result(
    path: Path, benchmark: str, rows: Sequence[Mapping[str, Any]], peer: str, digits: int = 1
) -> None:
    """Print each row and the ratios of the peer's (``rows[1]``) CPU and wall time over
    camcensus' (``rows[0]``), one JSON line each, and write them to ``path``."""
    ratios = {
        f"{kind}_{peer}_over_camcensus": round(
            rows[1][f"{kind}_s"] / max(rows[0][f"{kind}_s"], 1e-3), digits
        )
        for kind in ("cpu", "wall")
    }
    for row in rows:
        print(json.dumps(row))
    print(json.dumps(ratios))
    result = {
        "benchmark": benchmark,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": list(rows),
        "ratios": dict(ratios),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")


def write_json(path: Path, doc: Mapping[str, Any]) -> None:
    """Write a bench's figures to ``path`` (keys sorted, so runs diff) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"written: {path}")
