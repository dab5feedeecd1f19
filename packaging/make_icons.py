"""Render the app icon (packaging/linux/eu.cluster-analysis.EscaAssessor.svg) into the formats Windows
(.ico) and macOS (.icns) need, with Qt's SVG renderer and Pillow — both already in the venv.

    .venv/bin/python packaging/make_icons.py [OUT_DIR]      # default: build/icons

The spec calls `make_icons()` by itself on Windows and macOS; Linux uses the SVG as it is.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SVG = HERE / "linux" / "eu.cluster-analysis.EscaAssessor.svg"
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def make_icons(out_dir: Path) -> dict[str, Path]:
    """Write esca-desktop.ico, esca-desktop.icns and esca-desktop-256.png into `out_dir`."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([])
    out_dir.mkdir(parents=True, exist_ok=True)
    images = {
        size: Image.open(io.BytesIO(render_png(size))).convert("RGBA")
        for size in sorted(set(ICO_SIZES) | set(ICNS_SIZES))
    }
    written = {
        "ico": out_dir / "esca-desktop.ico",
        "icns": out_dir / "esca-desktop.icns",
        "png": out_dir / "esca-desktop-256.png",
    }
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(
        written["ico"], format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=[images[s] for s in ICO_SIZES]
    )
    images[max(ICNS_SIZES)].save(written["icns"], format="ICNS", append_images=[images[s] for s in ICNS_SIZES])
    images[256].save(written["png"], format="PNG")
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "build" / "icons"
    for kind, path in make_icons(target).items():
        print(f"{kind}: {path}")
