"""A virtual chip card on the real PC/SC stack: our vpcd socket client and a pcscd runner.

``vpcd`` (from the Debian package ``vsmartcard-vpcd``) is a pcscd reader driver that
listens on a TCP port and treats whoever connects as the card in its slot. The modules
here are that card (:mod:`hardware.virtual_card.vpcd`, serving any object with the
chip interface below) and a private pcscd instance with the vpcd driver for tests,
benchmarks and the demo (:mod:`hardware.virtual_card.pcscd`).

Chip interface (``hardware.emrtd``'s ``VirtualChip`` has it; so does :class:`TinyChip`)::

    atr: bytes
    power_on() / power_off() / reset()
    process(apdu: bytes) -> bytes      # response data + SW1 SW2
"""
