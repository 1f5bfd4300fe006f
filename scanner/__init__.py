"""camcensus scanner: discovery probes, merge, inventory and CLI."""
