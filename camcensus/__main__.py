"""``python -m camcensus`` runs the camcensus CLI."""

import sys

from camcensus.cli import main

sys.exit(main())
