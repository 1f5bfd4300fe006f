"""The version of camcensus (the wheel's metadata and ``--version`` read it here)."""

__version__ = "0.2.0"
