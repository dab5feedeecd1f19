"""Makes the README's screenshots of the window from the sample assessments (offscreen).

.venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ESCA_DESKTOP_ASSESSOR", "Dr. Jens Hartmann")  # the name changes are recorded under

from PySide6.QtWidgets import QApplication

from esca_desktop.app import build_window

DOCS = Path(__file__).resolve().parent


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["ESCA_DESKTOP_CONFIG_DIR"] = str(Path(folder) / "config")
        data_dir = str(Path(folder) / "data")
        window = build_window(data_dir, interactive_errors=False)
        window.resize(1280, 820)
        window.show()
        window.start(data_dir, samples=True)
        app = QApplication.instance()
        assert app is not None and window.workspace is not None

        def shot(name: str) -> None:
            for _ in range(5):
                app.processEvents()
            window.grab().save(str(DOCS / name))
            print(DOCS / name)

        workspace = window.workspace
        workspace.jump_to("1.1.1")
        shot("screenshot-indicator.png")
        workspace.show_summary()
        shot("screenshot-summary.png")
        window.close_assessment()
        shot("screenshot-list.png")
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
