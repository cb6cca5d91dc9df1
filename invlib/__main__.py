"""``python -m invlib ...`` runs the command line of :mod:`invlib.cli`."""
import sys

from .cli import main

sys.exit(main())
