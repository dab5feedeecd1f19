"""The signature pad and dialog, driven as a person would: mouse, pen, touch and keyboard."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QInputDevice, QPalette, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from esca_desktop.ui.signature_pad import SignatureDialog, SignaturePad

pytestmark = pytest.mark.qt_log_level_fail("WARNING")  # a Qt warning fails the test

# The offscreen platform cannot pass a dialog's minimum size on to its window; harmless here.
ignore_offscreen_size_hints = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


# -- helpers --------------------------------------------------------------------------------

SIGNATURE = [(40, 90), (60, 40), (80, 95), (100, 60), (130, 55), (160, 85), (190, 45), (220, 90), (260, 70)]


def draw(pad: SignaturePad, points: Sequence[tuple[int, int]]) -> None:
    """One stroke with the left mouse button held down."""
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[0]))
    for x, y in points[1:]:
        QTest.mouseMove(pad, QPoint(x, y))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(*points[-1]))


def image_of(png: bytes) -> QImage:
    image = QImage()
    assert image.loadFromData(png, "PNG"), "not a readable PNG"
    return image


def dark_pixels(image: QImage, below: int = 100) -> tuple[int, tuple[int, int, int, int] | None]:
    """How many pixels are darker than ``below`` (0..255), and their bounding box (l, t, r, b)."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data, stride = bytes(gray.constBits()), gray.bytesPerLine()
    table = bytes(1 if value < below else 0 for value in range(256))
    count, box = 0, None
    for y in range(gray.height()):
        row = data[y * stride : y * stride + gray.width()].translate(table)
        found = row.count(1)
        if found:
            count += found
            left, right = row.find(1), row.rfind(1)
            box = (left, y, right, y) if box is None else (min(box[0], left), box[1], max(box[2], right), y)
    return count, box


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, color in [
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Text, "#f0f0f0"),
        (QPalette.ColorRole.PlaceholderText, "#8a8a8a"),
        (QPalette.ColorRole.Mid, "#555555"),
        (QPalette.ColorRole.Highlight, "#3d7fc4"),
    ]:
        palette.setColor(role, QColor(color))
    return palette


@pytest.fixture
def pad(qtbot: QtBot) -> Iterator[SignaturePad]:
    widget = SignaturePad("Anna Example")
    qtbot.addWidget(widget)
    widget.resize(400, 150)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


# -- the pad --------------------------------------------------------------------------------


def test_a_new_pad_is_empty_and_named_after_its_signer(pad: SignaturePad) -> None:
    assert pad.is_empty()
    assert pad.accessibleName() == "Signature of Anna Example"
    assert "Empty" in pad.accessibleDescription()
    assert "Delete" in pad.accessibleDescription()
    assert pad.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_drawing_with_the_mouse_fills_the_pad_and_emits_signature_changed(qtbot: QtBot, pad: SignaturePad) -> None:
    with qtbot.waitSignal(pad.signature_changed, timeout=1000):
        draw(pad, SIGNATURE)
    assert not pad.is_empty()
    assert "Signed" in pad.accessibleDescription()


def test_each_finished_stroke_emits_signature_changed_once(qtbot: QtBot, pad: SignaturePad) -> None:
    with qtbot.waitSignals([pad.signature_changed] * 2, timeout=1000):
        draw(pad, SIGNATURE)
        draw(pad, [(300, 40)])  # a tap: the dot of an i


def test_to_png_is_dark_ink_on_white(pad: SignaturePad) -> None:
    draw(pad, SIGNATURE)
    image = image_of(pad.to_png())
    assert (image.width(), image.height()) == (600, 200)
    assert image.pixelColor(0, 0) == QColor(Qt.GlobalColor.white)
    assert image.pixelColor(599, 199) == QColor(Qt.GlobalColor.white)
    count, _ = dark_pixels(image, below=80)
    assert count > 500


def test_to_png_crops_to_the_ink_and_scales_it_to_fit(pad: SignaturePad) -> None:
    draw(pad, [(10, 10), (50, 30), (90, 12), (130, 28)])  # small, in a corner
    _, box = dark_pixels(image_of(pad.to_png(600, 200)))
    assert box is not None
    left, top, right, bottom = box
    assert right - left > 400 or bottom - top > 150  # fills the image less its margin
    assert abs((left + right) / 2 - 300) < 10  # centred
    assert abs((top + bottom) / 2 - 100) < 10


def test_to_png_honours_the_requested_size(pad: SignaturePad) -> None:
    draw(pad, SIGNATURE)
    image = image_of(pad.to_png(width=300, height=120))
    assert (image.width(), image.height()) == (300, 120)


def test_to_png_of_an_empty_pad_is_blank(pad: SignaturePad) -> None:
    count, _ = dark_pixels(image_of(pad.to_png()), below=250)
    assert count == 0


def test_screen_ink_follows_the_palette_but_the_png_stays_dark_on_white(pad: SignaturePad) -> None:
    pad.setPalette(dark_palette())
    draw(pad, [(40, 60), (200, 60), (360, 60)])
    screen = pad.grab().toImage()
    assert screen.pixelColor(120, 60).lightness() > 200  # light ink on the dark base
    assert screen.pixelColor(120, 20).lightness() < 60
    png = image_of(pad.to_png())
    assert png.pixelColor(0, 0) == QColor(Qt.GlobalColor.white)
    assert dark_pixels(png, below=80)[0] > 300


def test_clear_empties_the_pad_and_emits_signature_changed(qtbot: QtBot, pad: SignaturePad) -> None:
    draw(pad, SIGNATURE)
    with qtbot.waitSignal(pad.signature_changed, timeout=1000):
        pad.clear()
    assert pad.is_empty()
    assert dark_pixels(image_of(pad.to_png()), below=250)[0] == 0


def test_clearing_an_empty_pad_changes_nothing(qtbot: QtBot, pad: SignaturePad) -> None:
    with qtbot.assertNotEmitted(pad.signature_changed):
        pad.clear()


@pytest.mark.parametrize("key", [Qt.Key.Key_Delete, Qt.Key.Key_Backspace])
def test_delete_and_backspace_clear_the_pad(qtbot: QtBot, pad: SignaturePad, key: Qt.Key) -> None:
    draw(pad, SIGNATURE)
    with qtbot.waitSignal(pad.signature_changed, timeout=1000):
        QTest.keyClick(pad, key)
    assert pad.is_empty()


def test_a_loaded_signature_exports_as_it_was_saved(qtbot: QtBot, pad: SignaturePad) -> None:
    draw(pad, SIGNATURE)
    saved = pad.to_png()
    other = SignaturePad("Anna Example")
    qtbot.addWidget(other)
    with qtbot.waitSignal(other.signature_changed, timeout=1000):
        other.load_png(saved)
    assert not other.is_empty()
    count, box = dark_pixels(image_of(other.to_png()))
    original_count, original_box = dark_pixels(image_of(saved))
    assert box is not None and original_box is not None
    assert all(abs(a - b) <= 4 for a, b in zip(box, original_box, strict=True))
    assert abs(count - original_count) < 0.15 * original_count


def test_a_loaded_signature_shows_on_screen(pad: SignaturePad) -> None:
    draw(pad, SIGNATURE)
    saved = pad.to_png()
    pad.clear()
    pad.load_png(saved)
    assert dark_pixels(pad.grab().toImage(), below=80)[0] > 200


def test_a_transparent_png_loads_as_ink(qtbot: QtBot, pad: SignaturePad) -> None:
    transparent = QImage(300, 100, QImage.Format.Format_ARGB32)
    transparent.fill(Qt.GlobalColor.transparent)
    for x in range(50, 250):
        for y in (49, 50, 51):
            transparent.setPixelColor(x, y, QColor(Qt.GlobalColor.black))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    transparent.save(buffer, "PNG")  # type: ignore[call-overload]  # stub says bytes; binding wants str
    pad.load_png(bytes(data.data()))
    _, box = dark_pixels(image_of(pad.to_png()))
    assert box is not None
    assert box[2] - box[0] > 500  # the line, scaled to fill the width, not a black sheet
    assert box[3] - box[1] < 40


def test_load_png_rejects_data_that_is_not_an_image(pad: SignaturePad) -> None:
    with pytest.raises(ValueError, match="not a readable image"):
        pad.load_png(b"not a png")


def test_a_read_only_pad_ignores_mouse_pen_touch_and_keys(qtbot: QtBot, pad: SignaturePad) -> None:
    draw(pad, SIGNATURE)
    pad.load_png(pad.to_png(), read_only=True)
    assert pad.is_read_only()
    assert "Read-only" in pad.accessibleDescription()
    before = pad.to_png()
    with qtbot.assertNotEmitted(pad.signature_changed):
        draw(pad, [(20, 20), (380, 130)])
        pen_stroke(pad, [(20, 130), (380, 20)], pressure=0.8)
        touch_stroke(pad, [(20, 75), (380, 75)])
        QTest.keyClick(pad, Qt.Key.Key_Delete)
    assert not pad.is_empty()
    assert pad.to_png() == before


def test_set_read_only_false_lets_a_loaded_signature_be_extended(qtbot: QtBot, pad: SignaturePad) -> None:
    draw(pad, SIGNATURE)
    pad.load_png(pad.to_png(), read_only=True)
    before = pad.to_png()
    pad.set_read_only(False)
    with qtbot.waitSignal(pad.signature_changed, timeout=1000):
        draw(pad, [(300, 120), (390, 120)])
    assert pad.to_png() != before


def test_a_read_only_empty_pad_says_there_is_no_signature(pad: SignaturePad) -> None:
    pad.set_read_only(True)
    assert pad.accessibleDescription() == "No signature."


def test_pen_pressure_widens_the_stroke(qtbot: QtBot) -> None:
    inked = []
    for pressure in (0.1, 1.0):
        pad = SignaturePad("Anna Example")
        qtbot.addWidget(pad)
        pad.resize(400, 150)
        pad.show()
        pen_stroke(pad, [(40, 75), (120, 75), (200, 75), (280, 75), (360, 75)], pressure)
        assert not pad.is_empty()
        inked.append(dark_pixels(pad.grab().toImage().convertToFormat(QImage.Format.Format_RGB32), below=128)[0])
    light, firm = inked
    assert firm > 1.8 * light


def test_a_finger_draws_too(qtbot: QtBot, pad: SignaturePad) -> None:
    with qtbot.waitSignal(pad.signature_changed, timeout=1000):
        touch_stroke(pad, [(40, 75), (120, 60), (200, 90), (280, 75)])
    assert not pad.is_empty()


def test_the_pad_grows_with_the_font(pad: SignaturePad) -> None:
    small = pad.minimumSizeHint()
    font = pad.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    pad.setFont(font)
    large = pad.minimumSizeHint()
    assert large.width() > 1.6 * small.width()
    assert large.height() > 1.6 * small.height()
    assert pad.sizeHint().width() > large.width()


def test_the_empty_and_signed_pad_render_without_warnings(pad: SignaturePad) -> None:
    assert not pad.grab().isNull()
    draw(pad, SIGNATURE)
    pad.resize(200, 80)  # the signature keeps its shape, scaled down
    assert not pad.grab().isNull()


# -- pen and touch helpers --------------------------------------------------------------------

_PEN = QPointingDevice(
    "test pen",
    4242,
    QInputDevice.DeviceType.Stylus,
    QPointingDevice.PointerType.Pen,
    QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
    1,
    2,
)


def pen_stroke(pad: SignaturePad, points: Sequence[tuple[int, int]], pressure: float) -> None:
    def send(kind: QEvent.Type, x: int, y: int, level: float, buttons: Qt.MouseButton) -> None:
        position = QPointF(x, y)
        event = QTabletEvent(
            kind,
            _PEN,
            position,
            pad.mapToGlobal(position),
            level,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            Qt.MouseButton.LeftButton,
            buttons,
        )
        QApplication.sendEvent(pad, event)

    send(QEvent.Type.TabletPress, *points[0], pressure, Qt.MouseButton.LeftButton)
    for x, y in points[1:]:
        send(QEvent.Type.TabletMove, x, y, pressure, Qt.MouseButton.LeftButton)
    send(QEvent.Type.TabletRelease, *points[-1], 0.0, Qt.MouseButton.NoButton)


_FINGER = QTest.createTouchDevice()


def touch_stroke(pad: SignaturePad, points: Sequence[tuple[int, int]]) -> None:
    QTest.touchEvent(pad, _FINGER).press(0, QPoint(*points[0])).commit()
    for x, y in points[1:]:
        QTest.touchEvent(pad, _FINGER).move(0, QPoint(x, y)).commit()
    QTest.touchEvent(pad, _FINGER).release(0, QPoint(*points[-1])).commit()


# -- the dialog -------------------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot: QtBot) -> Iterator[SignatureDialog]:
    widget = SignatureDialog("Anna Example")
    qtbot.addWidget(widget)
    widget.resize(480, 320)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget


@ignore_offscreen_size_hints
def test_the_dialog_prefills_the_name_and_waits_for_a_signature(dialog: SignatureDialog) -> None:
    assert dialog.name_edit.text() == "Anna Example"
    assert not dialog.accept_button.isEnabled()
    assert not dialog.clear_button.isEnabled()
    assert dialog.accept_button.isDefault()  # Enter never cancels a drawn signature


@ignore_offscreen_size_hints
def test_accept_is_enabled_once_something_is_drawn_and_disabled_again_by_clear(dialog: SignatureDialog) -> None:
    draw(dialog.pad, SIGNATURE)
    assert dialog.accept_button.isEnabled()
    QTest.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert dialog.pad.is_empty()
    assert not dialog.accept_button.isEnabled()


@ignore_offscreen_size_hints
def test_accept_needs_a_name(dialog: SignatureDialog) -> None:
    draw(dialog.pad, SIGNATURE)
    dialog.name_edit.clear()
    assert not dialog.accept_button.isEnabled()
    QTest.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.signature() is None


@ignore_offscreen_size_hints
def test_accepting_returns_the_name_and_the_png(qtbot: QtBot, dialog: SignatureDialog) -> None:
    draw(dialog.pad, SIGNATURE)
    dialog.name_edit.setText("  Dr. Anna Example ")
    assert dialog.pad.accessibleName() == "Signature of Dr. Anna Example"
    with qtbot.waitSignal(dialog.signature_accepted, timeout=1000) as blocker:
        QTest.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    result = dialog.signature()
    assert result is not None
    name, png = result
    assert name == "Dr. Anna Example"
    assert blocker.args == [name, png]
    assert dark_pixels(image_of(png), below=80)[0] > 300


@ignore_offscreen_size_hints
def test_cancel_returns_nothing(dialog: SignatureDialog) -> None:
    draw(dialog.pad, SIGNATURE)
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.signature() is None
