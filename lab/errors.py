"""The lab's errors: ``LabError`` from the project's one exception tree."""

from __future__ import annotations

from scanner.errors import LabError

__all__ = ["LabError"]
