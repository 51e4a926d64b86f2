"""``python -m skillgraph`` runs the command line."""

import sys

from skillgraph.cli import main

sys.exit(main())
