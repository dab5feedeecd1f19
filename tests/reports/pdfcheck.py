"""Looking at a written PDF from outside, as a reader or a printer would: its text (pypdf and
poppler's pdftotext), its fonts (pdffonts) and its structure (qpdf --check).

The poppler and qpdf tools are required, never skipped: CI installs poppler-utils and qpdf.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pypdf import PdfReader


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)


def page_texts(path: Path) -> list[str]:
    """The text of each page (pypdf), whitespace collapsed."""
    return [flat(page.extract_text() or "") for page in PdfReader(path).pages]


def pdftotext(path: Path) -> str:
    """The whole document's text as poppler extracts it, whitespace collapsed."""
    result = _run("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert result.returncode == 0, result.stderr
    return flat(result.stdout)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def fonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table: name, type, emb (yes/no) of every font the document uses."""
    result = _run("pdffonts", str(path))
    assert result.returncode == 0, result.stderr
    rows = []
    for line in result.stdout.splitlines()[2:]:
        parts = line.split()
        # name type [type…] encoding emb sub uni object generation
        rows.append({"name": parts[0], "type": " ".join(parts[1:-6]), "emb": parts[-5]})
    return rows


def assert_only_embedded_truetype(path: Path) -> None:
    used = fonts(path)
    assert used, f"{path.name}: no fonts at all"
    for font in used:
        assert font["emb"] == "yes", f"{path.name}: font {font['name']} is not embedded"
        assert "TrueType" in font["type"], f"{path.name}: font {font['name']} is {font['type']}, not TrueType"
    assert any("DejaVuSans" in font["name"] for font in used)


def assert_qpdf_clean(path: Path) -> None:
    result = _run("qpdf", "--check", str(path))
    assert result.returncode == 0, f"qpdf --check {path.name}: {result.stdout}{result.stderr}"
    assert "No syntax or stream encoding errors" in result.stdout


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)
