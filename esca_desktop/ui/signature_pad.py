"""A pad for hand-drawn signatures, and a small dialog that asks for one.

People sign with a mouse, a pen (tablet pressure widens the stroke) or a finger. Strokes are kept
as points in a canvas coordinate space fixed when the first stroke starts (or a PNG is loaded), so
the signature keeps its shape when the pad is resized. On screen the ink follows the palette's text
colour (light ink in dark mode); the exported PNG is always dark ink on white, cropped to the ink
and scaled to fit, so the same signature looks the same in every report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QImage,
    QInputDevice,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
    QTransform,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

# The exported PNG: always this ink on white, whatever the screen palette.
PNG_INK = QColor(22, 27, 45)
PNG_BACKGROUND = QColor(Qt.GlobalColor.white)

_DEFAULT_PRESSURE = 0.5  # mouse and touch without a pressure sensor
_MIN_POINT_DISTANCE = 1.0  # widget pixels; closer points add nothing but weight
# Coverage byte -> 1 where it counts as ink; the faint noise of a scan or recompression does not.
_INK_TABLE = bytes(0 if value < 24 else 1 for value in range(256))


@dataclass(frozen=True, slots=True)
class _InkPoint:
    """One sampled point in canvas coordinates; ``width`` is the pen width there (canvas units)."""

    x: float
    y: float
    width: float


@dataclass(slots=True)
class _LoadedInk:
    """A signature loaded from a PNG: its ink coverage (Alpha8) and where it sits on the canvas."""

    coverage: QImage
    target: QRectF  # canvas coordinates
    ink_bounds: QRectF  # canvas coordinates; empty when the image holds no ink


def _mid(a: _InkPoint, b: _InkPoint) -> QPointF:
    return QPointF((a.x + b.x) / 2.0, (a.y + b.y) / 2.0)


def _paint_stroke(painter: QPainter, stroke: list[_InkPoint], color: QColor, width_scale: float = 1.0) -> None:
    """Draw one stroke as a chain of quadratic segments through the midpoints of its samples.

    Each segment gets the pen width of its control point, so pressure changes show gradually.
    """
    if not stroke:
        return
    pen = QPen(color)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if len(stroke) == 1:
        p = stroke[0]
        radius = p.width * width_scale * 0.8  # a tap is a dot, a little bolder than the line
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(QPointF(p.x, p.y), radius, radius)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        return
    painter.setBrush(Qt.BrushStyle.NoBrush)
    first, last = stroke[0], stroke[-1]
    if len(stroke) == 2:
        pen.setWidthF((first.width + last.width) / 2.0 * width_scale)
        painter.setPen(pen)
        painter.drawLine(QPointF(first.x, first.y), QPointF(last.x, last.y))
        return
    pen.setWidthF(first.width * width_scale)
    painter.setPen(pen)
    painter.drawLine(QPointF(first.x, first.y), _mid(first, stroke[1]))
    for i in range(1, len(stroke) - 1):
        control = stroke[i]
        path = QPainterPath(_mid(stroke[i - 1], control))
        path.quadTo(QPointF(control.x, control.y), _mid(control, stroke[i + 1]))
        pen.setWidthF(control.width * width_scale)
        painter.setPen(pen)
        painter.drawPath(path)
    pen.setWidthF(last.width * width_scale)
    painter.setPen(pen)
    painter.drawLine(_mid(stroke[-2], last), QPointF(last.x, last.y))


def _stroke_bounds(stroke: list[_InkPoint]) -> QRectF:
    """The ink of a stroke: the smoothed curve (which cuts the corners of its samples) plus the pen."""
    path = QPainterPath(QPointF(stroke[0].x, stroke[0].y))
    if len(stroke) == 2:
        path.lineTo(QPointF(stroke[1].x, stroke[1].y))
    elif len(stroke) > 2:
        path.lineTo(_mid(stroke[0], stroke[1]))
        for i in range(1, len(stroke) - 1):
            path.quadTo(QPointF(stroke[i].x, stroke[i].y), _mid(stroke[i], stroke[i + 1]))
        path.lineTo(QPointF(stroke[-1].x, stroke[-1].y))
    half = max(p.width for p in stroke) * 0.8  # covers the round caps and a lone dot
    return path.boundingRect().adjusted(-half, -half, half, half)


def _coverage_from_png(image: QImage) -> tuple[QImage, QRectF]:
    """Turn any signature image into ink coverage: dark or opaque pixels become ink.

    Returns an Alpha8 image of the same size and the bounding box of its ink (image pixels).
    """
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(PNG_BACKGROUND)
    painter = QPainter(flat)
    painter.drawImage(0, 0, image)  # a transparent background becomes white, not black
    painter.end()
    gray = flat.convertToFormat(QImage.Format.Format_Grayscale8)
    gray.invertPixels()  # now 0 = paper, 255 = full ink
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    data = bytes(gray.constBits())
    # The darkest ink counts as full coverage: a dark-blue or grey pen, or our own PNG_INK, loads as
    # solid ink, and saving a loaded signature again does not fade it.
    darkest = max(data, default=0)
    if 0 < darkest < 255:
        data = data.translate(bytes(min(255, round(v * 255 / darkest)) for v in range(256)))
    left, right, top, bottom = width, -1, height, -1
    for y in range(height):
        row = data[y * stride : y * stride + width].translate(_INK_TABLE)
        first = row.find(1)
        if first < 0:
            continue
        top = min(top, y)
        bottom = y
        left = min(left, first)
        right = max(right, row.rfind(1))
    bounds = QRectF() if right < 0 else QRectF(left, top, right - left + 1, bottom - top + 1)
    coverage = QImage(data, width, height, stride, QImage.Format.Format_Alpha8).copy()
    return coverage, bounds


def _tinted(coverage: QImage, color: QColor) -> QImage:
    image = QImage(coverage.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(color)
    painter = QPainter(image)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
    painter.drawImage(0, 0, coverage)
    painter.end()
    return image


class SignaturePad(QWidget):
    """Draw a signature by mouse, pen or touch; export it as a PNG; show one read-only."""

    signature_changed = Signal()

    def __init__(self, signer: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._signer = ""
        self._read_only = False
        self._strokes: list[list[_InkPoint]] = []
        self._current: list[_InkPoint] | None = None
        self._pressure = _DEFAULT_PRESSURE
        self._canvas: QSize | None = None  # coordinate space of the strokes, fixed at first ink
        self._loaded: _LoadedInk | None = None
        self._loaded_tint: tuple[QColor, QImage] | None = None  # cache for the screen colour

        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.set_signer(signer)

    # -- public API -------------------------------------------------------------------------

    def signer(self) -> str:
        return self._signer

    def set_signer(self, signer: str) -> None:
        self._signer = signer.strip()
        self.setAccessibleName(
            self.tr("Signature of {name}").format(name=self._signer) if self._signer else self.tr("Signature")
        )
        self._update_accessible_description()

    def is_empty(self) -> bool:
        has_loaded_ink = self._loaded is not None and not self._loaded.ink_bounds.isEmpty()
        return not self._strokes and not self._current and not has_loaded_ink

    def is_read_only(self) -> bool:
        return self._read_only

    def set_read_only(self, read_only: bool) -> None:
        if read_only == self._read_only:
            return
        if read_only and self._current is not None:
            self._finish_stroke()
        self._read_only = read_only
        self.setCursor(Qt.CursorShape.ArrowCursor if read_only else Qt.CursorShape.CrossCursor)
        self._update_accessible_description()
        self.update()

    def clear(self) -> None:
        was_empty = self.is_empty()
        self._strokes.clear()
        self._current = None
        self._loaded = None
        self._loaded_tint = None
        self._canvas = None
        self._update_accessible_description()
        self.update()
        if not was_empty:
            self.signature_changed.emit()

    def to_png(self, width: int = 600, height: int = 200) -> bytes:
        """The signature as PNG bytes: dark ink on white, cropped to the ink and centred.

        The ink is scaled uniformly to fill the image less a margin; an empty pad gives a blank image.
        """
        if width <= 0 or height <= 0:
            raise ValueError(f"PNG size must be positive, got {width}x{height}")
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(PNG_BACKGROUND)
        bounds = self._ink_bounds()
        if not bounds.isEmpty():
            margin = max(2.0, 0.06 * min(width, height))
            scale = min((width - 2 * margin) / bounds.width(), (height - 2 * margin) / bounds.height())
            scale = min(scale, 8.0)  # a lone dot must not become a blot
            scale, one_to_one = self._snap_loaded_scale(scale)
            dx = (width - bounds.width() * scale) / 2.0 - bounds.left() * scale
            dy = (height - bounds.height() * scale) / 2.0 - bounds.top() * scale
            if self._loaded is not None and one_to_one:
                # Whole pixels too, so that saving a loaded signature again copies it instead of blurring it.
                origin_x = self._loaded.target.left() * scale + dx
                origin_y = self._loaded.target.top() * scale + dy
                dx += round(origin_x) - origin_x
                dy += round(origin_y) - origin_y
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.setTransform(QTransform(scale, 0, 0, scale, dx, dy))
            # Geometry scales fully, pen widths less (scale ** 0.65), so a small signature blown up to
            # fill the image stays a signature rather than turning into a marker drawing.
            self._paint_ink(painter, PNG_INK, width_scale=scale**-0.35, tint_cache=False)
            painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # stub says bytes; the binding wants str
        buffer.close()
        return bytes(data.data())

    def _snap_loaded_scale(self, scale: float) -> tuple[float, bool]:
        """A scale that maps a loaded image 1:1 when that is nearly what ``scale`` does anyway,
        and whether it does."""
        if self._loaded is None:
            return scale, False
        image_to_canvas = self._loaded.target.width() / self._loaded.coverage.width()
        if abs(image_to_canvas * scale - 1.0) < 0.03:
            return 1.0 / image_to_canvas, True
        return scale, False

    def load_png(self, data: bytes, *, read_only: bool | None = None) -> None:
        """Show a signature saved earlier; ``read_only`` also sets the mode unless it is None.

        In editable mode new strokes go on top of the loaded one and are exported with it.
        """
        image = QImage()
        if not image.loadFromData(data):
            raise ValueError("the signature is not a readable image")
        coverage, bounds = _coverage_from_png(image)
        self._strokes.clear()
        self._current = None
        self._canvas = self.size() if self.isVisible() else self.sizeHint()
        self._loaded = _LoadedInk(coverage, self._placement(image.size(), bounds), bounds)
        self._loaded_tint = None
        if read_only is not None:
            self.set_read_only(read_only)
        self._update_accessible_description()
        self.update()
        self.signature_changed.emit()

    # -- geometry ---------------------------------------------------------------------------

    def _placement(self, image_size: QSize, ink: QRectF) -> QRectF:
        """Where a loaded image goes on the canvas: its ink fitted to the area above the sign line,
        as if it had been drawn here (ink may hang a little below the line, like handwriting)."""
        assert self._canvas is not None
        width, height = self._canvas.width(), self._canvas.height()
        if ink.isEmpty():
            return QRectF(0, 0, width, height)
        metrics = self.fontMetrics()
        margin = metrics.height() * 1.2
        left = margin + metrics.horizontalAdvance("×") + metrics.averageCharWidth()  # where the sign line starts
        area = QRectF(left, height * 0.12, max(1.0, width - left - margin), height * 0.66)
        scale = min(area.width() / ink.width(), area.height() / ink.height())
        x = area.center().x() - (ink.left() + ink.width() / 2) * scale
        y = area.center().y() - (ink.top() + ink.height() / 2) * scale
        return QRectF(x, y, image_size.width() * scale, image_size.height() * scale)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * 60, metrics.height() * 10)

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        return QSize(metrics.averageCharWidth() * 26, metrics.height() * 5)

    def _canvas_transform(self) -> QTransform:
        """Canvas → widget: uniform scale, centred, so the ink keeps its shape when resized."""
        if self._canvas is None or self._canvas.isEmpty() or self.width() <= 0 or self.height() <= 0:
            return QTransform()
        scale = min(self.width() / self._canvas.width(), self.height() / self._canvas.height())
        dx = (self.width() - self._canvas.width() * scale) / 2.0
        dy = (self.height() - self._canvas.height() * scale) / 2.0
        return QTransform(scale, 0, 0, scale, dx, dy)

    def _nominal_pen_width(self) -> float:
        return max(1.6, self.fontMetrics().height() * 0.13)

    def _ink_bounds(self) -> QRectF:
        bounds = QRectF()
        for stroke in [*self._strokes, *([self._current] if self._current else [])]:
            bounds = bounds.united(_stroke_bounds(stroke))
        if self._loaded is not None and not self._loaded.ink_bounds.isEmpty():
            loaded = self._loaded
            sx = loaded.target.width() / loaded.coverage.width()
            sy = loaded.target.height() / loaded.coverage.height()
            ink = loaded.ink_bounds
            bounds = bounds.united(
                QRectF(
                    loaded.target.left() + ink.left() * sx,
                    loaded.target.top() + ink.top() * sy,
                    ink.width() * sx,
                    ink.height() * sy,
                )
            )
        return bounds

    # -- input ------------------------------------------------------------------------------

    def _start_stroke(self, position: QPointF, pressure: float) -> None:
        if self._canvas is None:
            self._canvas = self.size()
        self._pressure = pressure
        self._current = []
        self._add_point(position, pressure)

    def _add_point(self, position: QPointF, pressure: float) -> None:
        if self._current is None:
            return
        clamped = QPointF(
            min(max(position.x(), 0.0), float(self.width())), min(max(position.y(), 0.0), float(self.height()))
        )
        to_widget = self._canvas_transform()
        to_canvas, _ = to_widget.inverted()
        point = to_canvas.map(clamped)
        if self._current:
            last = self._current[-1]
            if math.dist(to_widget.map(QPointF(last.x, last.y)).toTuple(), clamped.toTuple()) < _MIN_POINT_DISTANCE:
                return
        # Smooth the pressure so a jittery sensor does not make the line bead.
        self._pressure = 0.6 * self._pressure + 0.4 * pressure
        scale = to_widget.m11() or 1.0
        width = self._nominal_pen_width() * (0.35 + 1.3 * self._pressure) / scale
        self._current.append(_InkPoint(point.x(), point.y(), width))
        self._update_around_tail()

    def _finish_stroke(self) -> None:
        if self._current is None:
            return
        stroke, self._current = self._current, None
        if stroke:
            self._strokes.append(stroke)
            self._update_accessible_description()
            self.update()
            self.signature_changed.emit()

    def _update_around_tail(self) -> None:
        assert self._current is not None
        tail = self._current[-3:]
        rect = self._canvas_transform().mapRect(_stroke_bounds(tail))
        self.update(rect.adjusted(-2, -2, 2, 2).toAlignedRect())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._read_only or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._start_stroke(event.position(), _DEFAULT_PRESSURE)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._current is None:
            event.ignore()
            return
        self._add_point(event.position(), _DEFAULT_PRESSURE)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._current is None or event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        self._add_point(event.position(), _DEFAULT_PRESSURE)
        self._finish_stroke()
        event.accept()

    def tabletEvent(self, event: QTabletEvent) -> None:
        if self._read_only:
            event.ignore()
            return
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._start_stroke(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletMove:
            if self._current is None:  # hovering above the surface
                event.ignore()
                return
            self._add_point(event.position(), event.pressure())
        elif kind == QEvent.Type.TabletRelease:
            self._finish_stroke()
        event.accept()  # accepted tablet events are not repeated as mouse events

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel):
            assert isinstance(event, QTouchEvent)
            return self._touch(event)
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> bool:
        if self._read_only or not event.points():
            event.ignore()
            return False
        point = event.points()[0]  # one finger signs; a second one is a palm, not ink
        device = event.pointingDevice()
        has_pressure = device is not None and bool(device.capabilities() & QInputDevice.Capability.Pressure)
        pressure = point.pressure() if has_pressure and point.pressure() > 0 else _DEFAULT_PRESSURE
        kind = event.type()
        if kind == QEvent.Type.TouchBegin:
            self._start_stroke(point.position(), pressure)
        elif kind == QEvent.Type.TouchUpdate:
            self._add_point(point.position(), pressure)
        else:
            self._finish_stroke()
        event.accept()
        return True

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._read_only and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._loaded_tint = None
        elif event.type() == QEvent.Type.FontChange:
            self.updateGeometry()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.update()

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setClipRect(event.rect())
        self._paint_frame(painter, palette)
        self._paint_guide(painter, palette)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setTransform(self._canvas_transform())
        self._paint_ink(painter, palette.color(QPalette.ColorRole.Text))
        painter.end()

    def _paint_frame(self, painter: QPainter, palette: QPalette) -> None:
        focused = self.hasFocus() and not self._read_only
        border_width = 2.0 if focused else 1.0
        rect = QRectF(self.rect()).adjusted(border_width / 2, border_width / 2, -border_width / 2, -border_width / 2)
        radius = self.fontMetrics().height() * 0.3
        border = palette.color(QPalette.ColorRole.Highlight) if focused else palette.color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, border_width))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, radius, radius)
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_guide(self, painter: QPainter, palette: QPalette) -> None:
        """The line to sign on, with a cross at its start, and a hint while nothing is drawn."""
        metrics = self.fontMetrics()
        margin = metrics.height() * 1.2
        baseline_y = round(self.height() * 0.7) + 0.5
        guide = QColor(palette.color(QPalette.ColorRole.PlaceholderText))
        guide.setAlphaF(0.55)
        cross = "×"
        cross_width = metrics.horizontalAdvance(cross)
        painter.setPen(guide)
        painter.drawText(QPointF(margin, baseline_y - metrics.descent() - 2), cross)
        painter.setPen(QPen(guide, 1.0))
        painter.drawLine(
            QPointF(margin + cross_width + metrics.averageCharWidth(), baseline_y),
            QPointF(self.width() - margin, baseline_y),
        )
        if self.is_empty():
            hint = self.tr("No signature") if self._read_only else self.tr("Sign here")
            hint_color = QColor(palette.color(QPalette.ColorRole.PlaceholderText))
            hint_color.setAlphaF(0.8)
            painter.setPen(hint_color)
            text_rect = QRectF(margin, 0, self.width() - 2 * margin, baseline_y - metrics.height() * 0.4)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, hint)

    def _paint_ink(self, painter: QPainter, color: QColor, width_scale: float = 1.0, tint_cache: bool = True) -> None:
        if self._loaded is not None:
            if tint_cache:
                if self._loaded_tint is None or self._loaded_tint[0] != color:
                    self._loaded_tint = (QColor(color), _tinted(self._loaded.coverage, color))
                tinted = self._loaded_tint[1]
            else:
                tinted = _tinted(self._loaded.coverage, color)
            painter.drawImage(self._loaded.target, tinted)
        for stroke in self._strokes:
            _paint_stroke(painter, stroke, color, width_scale)
        if self._current:
            _paint_stroke(painter, self._current, color, width_scale)

    # -- accessibility ----------------------------------------------------------------------

    def _update_accessible_description(self) -> None:
        if self._read_only:
            state = self.tr("No signature.") if self.is_empty() else self.tr("Signed. Read-only.")
            self.setAccessibleDescription(state)
            return
        state = self.tr("Empty.") if self.is_empty() else self.tr("Signed.")
        hint = self.tr("Draw the signature with a mouse, a pen or a finger. Press Delete to clear it.")
        self.setAccessibleDescription(f"{state} {hint}")


class SignatureDialog(QDialog):
    """Asks one person to sign: their name (prefilled, editable) and a drawn signature.

    After ``exec()`` returns Accepted, :meth:`signature` gives ``(name, png_bytes)``.
    """

    signature_accepted = Signal(str, bytes)

    def __init__(self, signer: str = "", parent: QWidget | None = None, *, title: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title if title is not None else self.tr("Sign"))
        self._result: tuple[str, bytes] | None = None

        intro = QLabel(self.tr("Sign in the box with a mouse, a pen or a finger."))
        intro.setWordWrap(True)

        self.name_edit = QLineEdit(signer)
        self.name_edit.setPlaceholderText(self.tr("Full name of the person signing"))
        self.name_edit.setAccessibleName(self.tr("Name of the person signing"))
        self.pad = SignaturePad(signer)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("&Name:"), self.name_edit)

        self.buttons = QDialogButtonBox()
        self.clear_button = self.buttons.addButton(self.tr("C&lear"), QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.accept_button: QPushButton = self.buttons.addButton(
            self.tr("&Accept"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.pad, 1)
        layout.addWidget(self.buttons)
        # Only now does the button know its dialog: made default earlier, the dialog would pick the
        # first enabled button (Cancel) on show, and Enter would throw a drawn signature away.
        self.accept_button.setDefault(True)

        self.clear_button.clicked.connect(self.pad.clear)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.pad.signature_changed.connect(self._update_buttons)
        self.name_edit.textChanged.connect(self._on_name_changed)
        self._update_buttons()
        self.pad.setFocus()

    def signature(self) -> tuple[str, bytes] | None:
        """``(name, png_bytes)`` once accepted, else None."""
        return self._result

    @classmethod
    def ask(cls, signer: str = "", parent: QWidget | None = None) -> tuple[str, bytes] | None:
        dialog = cls(signer, parent)
        try:
            return dialog.signature() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def accept(self) -> None:
        name = self.name_edit.text().strip()
        if not name or self.pad.is_empty():
            return  # Enter in the name field must not accept an unsigned dialog
        self._result = (name, self.pad.to_png())
        self.signature_accepted.emit(*self._result)
        super().accept()

    def _on_name_changed(self, text: str) -> None:
        self.pad.set_signer(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ready = bool(self.name_edit.text().strip()) and not self.pad.is_empty()
        self.accept_button.setEnabled(ready)
        self.clear_button.setEnabled(not self.pad.is_empty())
