"""camcensus terminal UI over the SQLite inventory."""
