"""QR codes as SVG (the ``qrcode`` package's path image factory: no PIL needed) and as terminal text."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> bytes:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_text(data: str) -> str:
    """A QR code drawn with half-block characters, for the terminal."""
    code = qrcode.QRCode(border=1)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.StringIO()
    code.print_ascii(out=buffer, invert=True)
    return buffer.getvalue()
