"""``python -m scanner`` runs the camcensus CLI."""

import sys

from scanner.cli import main

sys.exit(main())
