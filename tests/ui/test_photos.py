"""Photos on the indicator page as an assessor takes them on site: Attach photo… from the camera folder
with a caption, a thumbnail with the caption under it, and the keyboard on a thumbnail (Enter opens the
photo, Delete removes it after asking)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QImage
from PySide6.QtWidgets import QFileDialog, QInputDialog
from pytestqt.qtbot import QtBot

from esca_desktop.context import open_context
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.settings import load_settings
from esca_desktop.ui.indicator_page import IndicatorPage
from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.workspace import InterviewWorkspace
from tests.ui.conftest import Messages
from tests.ui.test_window import create_gold, workspace_of


def photo(folder: Path, name: str, colour: str = "#3a7bd5", size: tuple[int, int] = (640, 480)) -> Path:
    """A real picture, drawn with QImage (no binary fixtures)."""
    folder.mkdir(parents=True, exist_ok=True)
    image = QImage(size[0], size[1], QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    path = folder / name
    assert image.save(str(path))
    return path


def page_of(workspace: InterviewWorkspace) -> IndicatorPage:
    assert workspace.page is not None
    return workspace.page


def attach_photo(
    workspace: InterviewWorkspace, monkeypatch: pytest.MonkeyPatch, path: Path, caption: str
) -> dict[str, Any]:
    """Attach photo… through its dialogs; returns what the file dialog and the caption box were given."""
    asked: dict[str, Any] = {}

    def choose(_parent: Any, _title: str, folder: str, patterns: str) -> tuple[list[str], str]:
        asked["folder"], asked["patterns"] = folder, patterns
        return [str(path)], ""

    def caption_box(_parent: Any, _title: str, label: str, **kwargs: Any) -> tuple[str, bool]:
        asked["label"], asked["prefilled"] = label, kwargs.get("text")
        return caption, True

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", choose)
    monkeypatch.setattr(QInputDialog, "getText", caption_box)
    workspace.attach_photo()
    return asked


def stored(data_dir: Path, assessment_id: str) -> list[Any]:
    context = open_context(data_dir)
    try:
        return AssessmentService(context).open(assessment_id).evidence()
    finally:
        context.close()


def test_an_attached_photo_shows_as_a_thumbnail_with_its_caption(
    qtbot: QtBot, window: MainWindow, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    camera = tmp_path / "DCIM"
    asked = attach_photo(workspace, monkeypatch, photo(camera, "IMG_0042.png"), "Cluster office, meeting room")
    assert "*.png" in asked["patterns"] and "*.jpg" in asked["patterns"] and "*.webp" in asked["patterns"]
    assert asked["prefilled"] == "IMG_0042"  # no date in the file: its name
    [item] = stored(data_dir, assessment_id)
    assert item.description == "Cluster office, meeting room" and item.indicators == ("2.4",)

    strip = page_of(workspace).photo_strip
    assert strip is not None and strip.isVisibleTo(page_of(workspace))
    assert page_of(workspace).photo_captions() == ["Cluster office, meeting room"]
    qtbot.waitUntil(lambda: strip.has_thumbnail(0))
    assert strip.item(0).data(Qt.ItemDataRole.AccessibleTextRole) == "Photo: Cluster office, meeting room"
    thumbnail = strip.item(0).icon().pixmap(strip.iconSize()).toImage()
    assert max(thumbnail.width(), thumbnail.height()) <= strip.iconSize().width()
    middle = thumbnail.pixelColor(thumbnail.width() // 2, thumbnail.height() // 2)
    assert middle.name() == "#3a7bd5"  # the picture itself, not a placeholder
    # the photo is not listed again among the documents, and the next time the folder is remembered
    assert not page_of(workspace).evidence_list.isVisibleTo(page_of(workspace))
    assert load_settings().photo_directory == str(camera)
    asked = attach_photo(workspace, monkeypatch, photo(camera, "IMG_0043.png", "#c03030"), "Entrance")
    assert asked["folder"] == str(camera)
    assert page_of(workspace).photo_captions() == ["Cluster office, meeting room", "Entrance"]


def test_a_file_that_is_not_a_picture_is_refused_naming_it(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: Messages,
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    fake = tmp_path / "Satzung.jpg"
    fake.write_bytes(b"%PDF-1.4 statutes")
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("Statutes", True))
    workspace._files_dropped("2.4", [fake])  # dropped onto the page; a caption is asked first
    assert messages.shown and "Satzung.jpg: not a photo" in messages.shown[-1][1]
    assert stored(data_dir, assessment_id) == []
    assert page_of(workspace).photo_captions() == []


def test_enter_opens_the_photo_and_delete_removes_it_after_asking(
    qtbot: QtBot,
    window: MainWindow,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    messages: Messages,
) -> None:
    assessment_id = create_gold(qtbot, window)
    workspace = workspace_of(window)
    workspace.jump_to("2.4")
    attach_photo(workspace, monkeypatch, photo(tmp_path, "IMG_0042.png"), "Meeting room")
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    strip = page_of(workspace).photo_strip
    assert strip is not None
    assert strip.focusPolicy() & Qt.FocusPolicy.TabFocus
    strip.setFocus()
    qtbot.keyClick(strip, Qt.Key.Key_Return)
    [item] = stored(data_dir, assessment_id)
    assert [Path(u.toLocalFile()).name for u in opened] == [item.stored_name]

    qtbot.keyClick(strip, Qt.Key.Key_Delete)
    assert messages.shown[-1][0] == "Remove evidence" and "Meeting room" in messages.shown[-1][1]
    assert stored(data_dir, assessment_id) == []
    assert page_of(workspace).photo_captions() == []


def with_exif_orientation(jpeg: bytes, orientation: int) -> bytes:
    """The JPEG with an EXIF block saying how the camera was held (6: turned a quarter clockwise)."""
    import struct

    tiff = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">HHHIHHI", 1, 0x0112, 3, 1, orientation, 0, 0)
    body = b"Exif\x00\x00" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def test_a_thumbnail_is_small_and_upright_as_the_camera_held_it(qapp: Any, tmp_path: Path) -> None:
    from esca_desktop.ui.photos import _make_thumbnail

    image = QImage(4000, 3000, QImage.Format.Format_RGB32)  # a 12-megapixel landscape frame ...
    image.fill(QColor("#2e8b57"))
    plain = tmp_path / "plain.jpg"
    assert image.save(str(plain), "JPEG")
    source = tmp_path / "IMG_0044.jpg"
    source.write_bytes(with_exif_orientation(plain.read_bytes(), 6))  # ... taken with the phone upright
    cached = tmp_path / "thumbnails" / "photo.png"
    thumbnail = _make_thumbnail(source, cached)
    assert (thumbnail.width(), thumbnail.height()) == (180, 240)  # portrait, at most 240 px
    assert cached.is_file() and QImage(str(cached)).size() == thumbnail.size()
