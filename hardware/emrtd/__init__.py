"""ICAO 9303 (eMRTD, LDS1) protocol layer for the Vietnamese CCCD chip, transport-independent.

Pure Python + ``cryptography``: no Kivy, no pyscard.  Two seams connect it to the rest:

1. **Terminal side** (a reader backend plugs a transport in)::

       class Transport(Protocol):
           def transmit(self, apdu: bytes) -> bytes   # response data + SW1 SW2

       doc = read_document(transport, AccessKey.from_id(id12, dob),
                           block_size=0xDF, trust_store=load_trust_store(folder))
       doc.verdict.code, doc.verdict.reason     # e.g. "signature_only", "no_trust_store"

   ``transmit`` must raise :class:`CardRemoved` when the card left the field (pyscard:
   ``CardConnectionException`` / ``NoCardException``) and :class:`CommunicationError`
   for other transport failures; both propagate out of ``read_document`` unchanged.
   ``read_document`` reads EF.CardAccess, runs PACE (CAN, then MRZ candidates) when
   offered, else BAC (each expiry candidate), selects the eMRTD application, reads
   EF.COM and DG14, runs chip authentication (new session keys) when DG14 offers it,
   reads DG1, DG2, DG13, DG15 (when listed) and EF.SOD — never DG3/DG4 — then runs
   active authentication (DG15), passive authentication against a
   :class:`TrustStore` and DG1↔DG13 cross-checks.  ``doc.verdict`` is the one
   :class:`AuthVerdict` (verified / signature_only / failed + reason).  Errors are typed (:mod:`.errors`) and carry no personal data.
   ``ChipDocument.apdu_count`` / ``timings`` feed the benchmark; :func:`minimum_apdus`
   gives the target count.

2. **Chip side** (a vpcd socket client serves it)::

       chip = VirtualChip(load_profile(folder))      # hardware.emrtd.virtual
       chip.atr; chip.power_on(); chip.power_off(); chip.reset()
       chip.process(apdu) -> bytes
       chip.removal_listeners.append(callback)        # called when fault injection pulls the card
       chip.schedule_removal(n)                       # answer n APDUs, then CardRemoved
       chip.schedule_removal(n, mode="mute")          # ... then ChipMuted (stop answering)
       chip.insert()                                  # put the card back

   Profiles are folders made by ``python -m hardware.emrtd.make_profile CITIZEN.json OUT``
   (see :mod:`.make_profile`); ``InProcessTransport(chip)`` joins the two seams without
   PC/SC for tests and the benchmark baseline (:mod:`.bench_support`).
"""

# shared with the card port and the kiosk core (the neutral module)
from hardware.shared_types import AccessKey, AuthVerdict, BacData, expiry_candidates

from .apdu import CommandApdu, ResponseApdu, Transport
from .errors import (ActiveAuthFailed, AuthenticationFailed, CardRemoved, ChipError, CommunicationError,
                     FileNotFound, MrzError, ParseError, PassiveAuthFailed, SecureMessagingError,
                     SecurityStatusNotSatisfied, StatusWordError, TlvError, UnexpectedStatus, WrongAccessKey)
from .chip_auth import ChipAuthFailed
from .passive_auth import PassiveAuthResult, load_trust_store
from .reader import ChipDocument, minimum_apdus, read_document
from .trust_store import TrustStore, TrustStoreError

__all__ = [
    "AccessKey", "BacData", "expiry_candidates", "CommandApdu", "ResponseApdu", "Transport",
    "ActiveAuthFailed", "AuthenticationFailed", "CardRemoved", "ChipError", "CommunicationError",
    "FileNotFound", "MrzError", "ParseError", "PassiveAuthFailed", "SecureMessagingError",
    "SecurityStatusNotSatisfied", "StatusWordError", "TlvError", "UnexpectedStatus", "WrongAccessKey",
    "PassiveAuthResult", "load_trust_store", "ChipDocument", "minimum_apdus", "read_document",
    "ChipAuthFailed", "TrustStore", "TrustStoreError", "AuthVerdict",
]
