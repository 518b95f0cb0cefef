"""PyInstaller hook for Kivy that never imports Kivy into the build process.

Kivy's own hook (``kivy.tools.packaging.pyinstaller_hooks``) imports Kivy when it runs:
Kivy then installs its logger on the root logger, PyInstaller's TRACE lines flood the
build log (68 MB) and a ``~/.kivy`` folder is written. Here Kivy is only imported in an
isolated child process (to list the widget classes its Factory registers), and the
window/text/image providers are named explicitly instead of being probed.
"""
from PyInstaller import isolated
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

# Widget modules that need libraries the kiosk leaves out (docutils, pygments, Kivy's
# audio/video/camera providers): none of these widgets is used by a kiosk screen.
UNUSED_WIDGET_MODULES = {
    "kivy.uix.rst", "kivy.uix.codeinput", "kivy.uix.video", "kivy.uix.videoplayer",
    "kivy.uix.camera",
}


@isolated.decorate
def _factory_modules() -> list:
    """Modules of every class the Kivy Factory registers (kv rules name classes only)."""
    import os
    import tempfile

    os.environ.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_NO_FILELOG="1",
                      KIVY_HOME=tempfile.mkdtemp(prefix="kiosk-build-kivy-"))
    from kivy.factory import Factory

    return sorted({c["module"] for c in Factory.classes.values() if c.get("module")})


hiddenimports = sorted(
    (set(_factory_modules()) - UNUSED_WIDGET_MODULES)
    | set(collect_submodules("kivy.graphics"))
    | {
        "xml.etree.cElementTree", "kivy.weakmethod", "kivy.core.gl",
        "kivy.core.window", "kivy.core.window.window_sdl2", "kivy.core.window.window_info",
        "kivy.core.text", "kivy.core.text.text_sdl2", "kivy.core.text.markup",
        "kivy.core.image", "kivy.core.image.img_sdl2", "kivy.core.image.img_pil",
        "kivy.core.image.img_tex", "kivy.core.image.img_dds",
        "kivy.core.clipboard", "kivy.core.clipboard.clipboard_sdl2",
        "kivy.core.clipboard.clipboard_dummy",
    }
)
excludedimports = [
    "tkinter", "_tkinter", "twisted", "docutils", "pygments", "kivy.core.audio",
    "kivy.core.video", "kivy.core.camera", "kivy.core.spelling", "kivy.lib.gstplayer",
    "kivy.tools", "kivy.tests", "kivy.garden",
]
# Kivy's data (default theme atlas, shaders, its fonts, style.kv) and its modules folder,
# where the runtime hook points KIVY_DATA_DIR / KIVY_MODULES_DIR.
datas = [(src, dest.replace("kivy/data", "kivy_install/data", 1))
         for src, dest in collect_data_files("kivy", subdir="data")]
