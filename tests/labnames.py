"""The names test labs get, so two checkouts can run their lab tests at once."""

from __future__ import annotations

import os

__all__ = ["LAB_PREFIX", "LAB_TAG", "lab_name"]

LAB_TAG = os.environ.get("CAMCENSUS_TEST_LAB_TAG", "t")
"""One character that sets test runs apart: labs of a run are named ``cc<tag>...``, so two
checkouts can run their lab tests at once (``l`` is taken by the demo lab ``cclab``)."""
if len(LAB_TAG) != 1 or not (LAB_TAG.isdigit() or LAB_TAG.islower()) or LAB_TAG == "l":
    raise SystemExit("CAMCENSUS_TEST_LAB_TAG must be one character: a-z but l, or 0-9")
LAB_PREFIX = "cc" + LAB_TAG  # test labs: cct<something> by default


def lab_name(name: str) -> str:
    """The name a test lab written ``cct...`` gets in this run (8 characters at most)."""
    if not name.startswith("cct") or len(name) > 8:
        raise ValueError(f"test labs are named cct..., 8 characters at most: {name!r}")
    return LAB_PREFIX + name[3:]
