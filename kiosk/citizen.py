"""The citizen's identity data: defined in :mod:`hardware.citizen`, the module both the
device layer and the kiosk core use (it imports neither), re-exported here."""
from hardware.citizen import Citizen, mask_id, nfc

__all__ = ["Citizen", "mask_id", "nfc"]
