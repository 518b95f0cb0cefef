"""'Temporarily out of service': shown after any fault; the flow returns to attract by itself."""
from __future__ import annotations

from screens.base import KioskScreen



class OutOfServiceScreen(KioskScreen):
    pass


