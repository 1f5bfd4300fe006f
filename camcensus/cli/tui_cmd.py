"""``camcensus tui``: browse, review and export the inventory in a terminal UI."""

from __future__ import annotations

import argparse
from pathlib import Path

from camcensus.cli import EXIT_OK

__all__ = ["register"]

DEFAULT_DB = Path("inventory.db")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``camcensus tui``."""
    parser = sub.add_parser(
        "tui",
        help="browse, review and export the inventory in a terminal UI",
        description=(
            "Open the inventory in a terminal UI: filter and sort devices, read the evidence "
            "behind each flag, set review statuses and notes (saved at once), compare scans "
            "and export CSV."
        ),
    )
    parser.add_argument(
        "db",
        nargs="?",
        type=Path,
        default=DEFAULT_DB,
        help=f"inventory database file (default {DEFAULT_DB})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the TUI on ``args.db`` (which must exist)."""
    from datetime import UTC, datetime

    from camcensus.scanner.store import Inventory
    from camcensus.tui.app import InventoryApp  # Textual only when the TUI is asked for

    db_path: Path = args.db
    with Inventory.open(db_path, create=False) as inventory:
        app = InventoryApp(inventory, clock=lambda: datetime.now(UTC), db_path=db_path)
        app.run()
    return EXIT_OK
