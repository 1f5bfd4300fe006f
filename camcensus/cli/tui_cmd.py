"""``camcensus tui``: browse, review and export the inventory in a terminal UI.

The inventory is opened read-only (reviews and notes are written, each at once, over a
connection of their own); ``--policy`` shows flags as that policy decides them."""

from __future__ import annotations

import argparse
from pathlib import Path

from camcensus.cli import EXIT_OK
from camcensus.cli.options import add_policy_option, load_policy

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
    add_policy_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the TUI on ``args.db`` (which must exist)."""
    from datetime import UTC, datetime

    from camcensus.scanner.store import Inventory
    from camcensus.tui.app import InventoryApp  # Textual only when the TUI is asked for

    db_path: Path = args.db
    policy = load_policy(args.policy) if args.policy is not None else None
    # browsing reads only; a review is written through a short-lived writable connection
    with Inventory.open(db_path, read_only=True, policy=policy) as inventory:
        app = InventoryApp(inventory, clock=lambda: datetime.now(UTC), db_path=db_path)
        app.run()
    return EXIT_OK
