"""The chip side: a virtual CCCD (``VirtualChip``), its profiles and a test PKI."""

from .chip import ChipMuted, VirtualChip
from .profile import CardProfile, load_profile, save_profile
from .transport import InProcessTransport

__all__ = ["ChipMuted", "VirtualChip", "CardProfile", "load_profile", "save_profile", "InProcessTransport"]
