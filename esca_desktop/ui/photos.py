"""Photo thumbnails: a small cache that makes them off the GUI thread, and the row of thumbnails with
captions on an indicator page.

A thumbnail is read with QImageReader at its small size (a 12-megapixel photo is never decoded whole),
turned upright from its EXIF orientation, kept in memory and as a small PNG in the data folder's
thumbnails/ (keyed by the photo's SHA-256), so a page with photos is built as fast as one without."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QColor, QFontMetrics, QIcon, QImage, QImageReader, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QListView,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from esca_desktop.domain.model import EvidenceItem
from esca_desktop.ui.evidence_list import EVIDENCE_ROLE, EvidenceList

THUMBNAIL_PX = 120  # the longer side of a thumbnail on the page
_STORED_PX = 240  # the size made and cached: sharp on a high-density screen too


def _make_thumbnail(source: Path, cached: Path) -> QImage:
    """The photo at `source` as a small upright image (an empty QImage when it cannot be read)."""
    if cached.is_file():
        image = QImage(str(cached))
        if not image.isNull():
            return image
    reader = QImageReader(str(source))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > _STORED_PX or size.height() > _STORED_PX):
        reader.setScaledSize(size.scaled(_STORED_PX, _STORED_PX, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return image
    if image.width() > _STORED_PX or image.height() > _STORED_PX:  # a format that cannot scale while reading
        image = image.scaled(
            _STORED_PX, _STORED_PX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(".tmp.png")
        # the format follows from the ".png" ending
        if image.save(str(temporary)):
            temporary.replace(cached)
    except OSError:
        pass  # a cache: without it the photo is read again next time
    return image


class _Job(QRunnable):
    def __init__(self, cache: ThumbnailCache, key: str, source: Path, cached: Path) -> None:
        super().__init__()
        self.cache, self.key, self.source, self.cached = cache, key, source, cached

    def run(self) -> None:
        self.cache._made.emit(self.key, _make_thumbnail(self.source, self.cached))


class ThumbnailCache(QObject):
    """Thumbnails of evidence photos, made on a worker thread; `ready` says when one is there."""

    ready = Signal(str, QImage)  # SHA-256 of the photo, its thumbnail (null when it cannot be read)
    _made = Signal(str, QImage)  # from the worker thread, delivered on the GUI thread

    def __init__(self, folder: Path, path_of: Callable[[EvidenceItem], Path], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.path_of = path_of
        self._images: dict[str, QImage] = {}
        self._waiting: set[str] = set()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._made.connect(self._arrived, Qt.ConnectionType.QueuedConnection)

    def image(self, item: EvidenceItem) -> QImage | None:
        """The thumbnail if it is made; else None, and it is made (`ready` follows)."""
        found = self._images.get(item.sha256)
        if found is not None:
            return found
        if item.sha256 not in self._waiting:
            self._waiting.add(item.sha256)
            cached = self.folder / f"{item.sha256}-{_STORED_PX}.png"
            self._pool.start(_Job(self, item.sha256, self.path_of(item), cached))
        return None

    def _arrived(self, key: str, image: QImage) -> None:
        self._waiting.discard(key)
        self._images[key] = image
        self.ready.emit(key, image)

    def wait(self) -> None:
        """Let the thumbnails being made finish (before the cache goes)."""
        self._pool.clear()
        self._pool.waitForDone()


class _ThumbnailDelegate(QStyledItemDelegate):
    """A thumbnail centred in a square, its caption in two lines under it (the rest elided)."""

    PADDING = 6

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        line = option.fontMetrics.lineSpacing()
        return QSize(THUMBNAIL_PX + 2 * self.PADDING + 8, THUMBNAIL_PX + 2 * line + 3 * self.PADDING)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        rect = option.rect.adjusted(2, 2, -2, -2)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        focused = bool(option.state & QStyle.StateFlag.State_HasFocus)
        if selected:
            painter.fillRect(rect, palette.highlight())
        box = QRect(rect.x() + (rect.width() - THUMBNAIL_PX) // 2, rect.y() + self.PADDING, THUMBNAIL_PX, THUMBNAIL_PX)
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(icon, QIcon):
            pixmap = icon.pixmap(QSize(THUMBNAIL_PX, THUMBNAIL_PX), painter.device().devicePixelRatioF())
            size = pixmap.deviceIndependentSize().toSize().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(box.center())
            painter.drawPixmap(target, pixmap)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        metrics = option.fontMetrics
        text_rect = QRect(rect.x() + 4, box.bottom() + self.PADDING, rect.width() - 8, 2 * metrics.lineSpacing())
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        for n, line in enumerate(_wrap(text, metrics, text_rect.width(), 2)):
            line_rect = QRect(
                text_rect.x(), text_rect.y() + n * metrics.lineSpacing(), text_rect.width(), metrics.lineSpacing()
            )
            painter.drawText(line_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, line)
        if focused:
            pen = QPen(palette.highlight().color() if not selected else palette.highlightedText().color())
            pen.setWidth(2)
            painter.setPen(pen)
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()


def _wrap(text: str, metrics: QFontMetrics, width: int, lines: int) -> list[str]:
    """`text` in at most `lines` lines of `width` pixels, the last one elided with "…"."""
    out: list[str] = []
    words = text.split()
    current = ""
    while words:
        candidate = f"{current} {words[0]}".strip()
        if metrics.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            words.pop(0)
            continue
        if len(out) == lines - 1:
            break
        out.append(current)
        current = ""
    rest = " ".join([current, *words]).strip()
    if rest:
        out.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return out[:lines]


def _placeholder(text: str) -> QPixmap:
    pixmap = QPixmap(THUMBNAIL_PX, THUMBNAIL_PX * 3 // 4)
    pixmap.fill(QColor("#e8ebef"))
    painter = QPainter(pixmap)
    painter.setPen(QColor("#6b7480"))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
    painter.end()
    return pixmap


class PhotoStrip(EvidenceList):
    """The photos of a page as a row of thumbnails with their captions: Tab reaches it, the arrows move
    between photos, Enter opens one, F2 changes its caption, Delete removes it (both ask first)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cache: ThumbnailCache | None = None
        self._items: dict[str, list[QListWidgetItem]] = {}
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
        self.setItemDelegate(_ThumbnailDelegate(self))
        self.setSpacing(2)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        line = self.fontMetrics().lineSpacing()
        cell = THUMBNAIL_PX + 2 * line + 3 * _ThumbnailDelegate.PADDING
        self.setFixedHeight(cell + 2 * 2 + self.horizontalScrollBar().sizeHint().height() + 2 * self.frameWidth() + 4)

    def set_cache(self, cache: ThumbnailCache | None) -> None:
        self.cache = cache
        if cache is not None:
            cache.ready.connect(self._thumbnail_ready)

    def set_photos(
        self, photos: list[EvidenceItem], current: EvidenceItem | None, tooltip: Callable[[EvidenceItem], str]
    ) -> None:
        self.clear()
        self._items = {}
        loading: QPixmap | None = None
        for photo in photos:
            caption = photo.description or photo.file_name
            entry = QListWidgetItem(caption)
            entry.setData(EVIDENCE_ROLE, photo)
            entry.setData(Qt.ItemDataRole.AccessibleTextRole, self.tr("Photo: %1").replace("%1", caption))
            entry.setToolTip(f"{caption}\n{photo.file_name}\n{tooltip(photo)}")
            image = self.cache.image(photo) if self.cache is not None else None
            if image is None:
                loading = loading or _placeholder(self.tr("Loading…"))
                entry.setIcon(QIcon(loading))
            else:
                entry.setIcon(QIcon(self._pixmap(image)))
            self._items.setdefault(photo.sha256, []).append(entry)
            self.addItem(entry)
            if current is not None and photo.id == current.id:
                self.setCurrentItem(entry)
        if self.count() and self.currentItem() is None:
            self.setCurrentRow(0, QItemSelectionModel.SelectionFlag.NoUpdate)

    def _pixmap(self, image: QImage) -> QPixmap:
        if image.isNull():
            return _placeholder(self.tr("No preview"))
        return QPixmap.fromImage(image)

    def _thumbnail_ready(self, key: str, image: QImage) -> None:
        for entry in self._items.get(key, ()):
            entry.setIcon(QIcon(self._pixmap(image)))

    def photo_captions(self) -> list[str]:
        return [self.item(n).text() for n in range(self.count())]

    def has_thumbnail(self, row: int) -> bool:
        """Whether the photo at `row` shows its picture (not the loading or no-preview placeholder)."""
        entry = self.item(row)
        photo = entry.data(EVIDENCE_ROLE) if entry is not None else None
        if self.cache is None or not isinstance(photo, EvidenceItem):
            return False
        image = self.cache._images.get(photo.sha256)
        return image is not None and not image.isNull()
