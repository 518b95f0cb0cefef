"""PIL images and QR codes to Kivy textures (UI thread only)."""
from __future__ import annotations

from typing import Any

from kivy.graphics.texture import Texture


def pil_to_texture(image: Any) -> Texture:
    """A Kivy texture showing ``image`` (any PIL mode) the right way up."""
    rgba = image.convert("RGBA")
    tex = Texture.create(size=rgba.size, colorfmt="rgba")
    tex.blit_buffer(rgba.tobytes(), colorfmt="rgba", bufferfmt="ubyte")
    tex.flip_vertical()
    tex.mag_filter = "nearest"
    return tex


def qr_texture(payload: str, box: int = 12) -> Texture:
    """A crisp QR code texture for ``payload``."""
    import qrcode

    qr = qrcode.QRCode(border=2, box_size=box, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(payload)
    qr.make(fit=True)
    return pil_to_texture(qr.make_image(fill_color="black", back_color="white").get_image())


def bgr_to_texture(image: Any) -> Texture:
    """A camera frame (BGR ``numpy`` array) as a texture, the right way up."""
    import numpy as np

    rgb = np.ascontiguousarray(image[::-1, :, ::-1])  # BGR -> RGB, flipped for OpenGL
    tex = Texture.create(size=(rgb.shape[1], rgb.shape[0]), colorfmt="rgb")
    tex.blit_buffer(rgb.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    return tex
