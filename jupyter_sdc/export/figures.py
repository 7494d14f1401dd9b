"""A figure record's image: checked before anything is written, exported as a clean JPEG.

The PNG saved in a record is untrusted input (the .ipynb can be edited): it must be base64 of a
PNG that Pillow decodes within its pixel limit (a decompression bomb is refused, as Pillow's
``MAX_IMAGE_PIXELS`` means), else the export is refused with a message that shows none of it.
"""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from collections.abc import Mapping

from PIL import Image

from jupyter_sdc.export.numbering import ref


class FigureError(ValueError):
    """A figure record's image is unusable; the message says why and what to do."""


def figure_problem(record: object) -> str | None:
    """Why a figure record's image cannot be exported (None when it can, or has none)."""
    if not isinstance(record, Mapping) or record.get("kind") != "figure":
        return None
    figure = record.get("figure")
    if figure is None or (isinstance(figure, Mapping) and not figure.get("png")):
        return None  # no image at all: the selection leaves it out and says so
    try:
        figure_image(record).close()
    except FigureError as exc:
        return f"{ref(record.get('uid'))}: {exc}"
    return None


def figure_image(record: Mapping) -> Image.Image:
    """The record's PNG, decoded and loaded (raises :class:`FigureError`)."""
    rerun = "re-run its cell so the figure is captured again"
    figure = record.get("figure")
    png = figure.get("png") if isinstance(figure, Mapping) else None
    if not isinstance(png, str) or not png:
        raise FigureError(f"the figure has no image (figure.png is empty); {rerun}")
    try:
        data = base64.b64decode(png, validate=True)
    except (binascii.Error, ValueError):
        raise FigureError(f"the figure's image is not base64 text; {rerun}") from None
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise FigureError(f"the figure's image is not a PNG; {rerun}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FigureError(f"the figure's image is too large (more than "
                          f"{Image.MAX_IMAGE_PIXELS:,} pixels: a decompression bomb?); "
                          f"{rerun} at a normal size") from None
    except (OSError, ValueError, SyntaxError):
        raise FigureError(f"the figure's image is not a readable PNG; {rerun}") from None
    return image


def figure_jpeg(record: Mapping) -> bytes:
    """The record's PNG as a JPEG: alpha flattened onto white, no EXIF, text chunks or profile."""
    try:
        image = figure_image(record)
    except FigureError as exc:
        raise FigureError(f"figure record {record.get('uid')!r}: {exc}") from None
    with image:
        rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")  # a fresh image carries no metadata
    flat.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=90, optimize=True)
    return out.getvalue()
