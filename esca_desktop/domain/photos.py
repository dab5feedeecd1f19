"""Photos among the evidence: which files are pictures, told from the first bytes of the file (not its
name), so that a document renamed to .jpg is refused as a photo and a photo is shown as a thumbnail.

A photo is an evidence item like any other (copied, fingerprinted, linked to indicators); its caption
is the item's description."""

from __future__ import annotations

from pathlib import Path

from esca_desktop.domain.model import EvidenceItem

# The formats a camera or phone writes, by the suffix a stored photo keeps
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"})

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


def sniff_image(head: bytes) -> str | None:
    """The image format ("jpeg", "png", "webp", "heif") of a file starting with `head`, else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    return None


def image_format(path: Path) -> str | None:
    """The image format of a file (see `sniff_image`); None when it is not a picture. Raises OSError."""
    with path.open("rb") as reader:
        return sniff_image(reader.read(32))


def is_photo(item: EvidenceItem) -> bool:
    """Whether an evidence item is a picture (told from the stored file's suffix, kept when attached)."""
    return Path(item.stored_name).suffix.lower() in PHOTO_SUFFIXES
