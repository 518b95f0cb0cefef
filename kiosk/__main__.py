"""``python -m kiosk``: see :mod:`kiosk.cli`."""
import sys

from kiosk.cli import main

sys.exit(main())
