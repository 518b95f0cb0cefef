"""Device ports and their backends.

One port per device kind (card reader, QR scanner, camera, ticket printer), each a small
abstract class in its own module; backends (real and simulated) implement it and are
picked by name from configuration through :mod:`hardware.registry`. Hardware never
touches widgets: results go out through listener callbacks, which arrive on worker
threads and are forwarded to the UI thread by the kiosk's dispatcher.
"""
