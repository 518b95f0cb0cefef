"""Runtime hook: point Kivy at the data the bundle carries (before Kivy is imported)."""
import os
import sys

_root = os.path.join(sys._MEIPASS, "kivy_install")  # noqa: SLF001 (PyInstaller's attribute)
os.environ.setdefault("KIVY_DATA_DIR", os.path.join(_root, "data"))
os.environ.setdefault("KIVY_MODULES_DIR", os.path.join(_root, "modules"))
