"""Makes the README's screenshots of the window from the sample assessments, on offscreen screens of
a real size: a 1024×600 netbook in English and a 1920×1080 monitor in German.

.venv/bin/python docs/make_screenshots.py

Each size runs in its own process (the offscreen screen is fixed when Qt starts) and writes
docs/screenshot-<page>-<lang>-<width>.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SCREENS = (("en", 1024, 600), ("de", 1920, 1080))


def shoot(lang: str, width: int, height: int) -> None:
    """In this process: the window maximised on the screen, the pages an assessor sees most."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from esca_desktop.app import build_window

    with tempfile.TemporaryDirectory() as folder:
        os.environ["ESCA_DESKTOP_CONFIG_DIR"] = str(Path(folder) / "config")
        data_dir = str(Path(folder) / "data")
        window = build_window(data_dir, interactive_errors=False, lang=lang)
        window.showMaximized()
        window.start(data_dir, samples=True)
        app = QApplication.instance()
        assert app is not None and window.workspace is not None
        QMessageBox.question = lambda *args: QMessageBox.StandardButton.Yes  # type: ignore[method-assign]

        def shot(page: str) -> None:
            for _ in range(10):
                app.processEvents()
            path = DOCS / f"screenshot-{page}-{lang}-{width}.png"
            window.grab().save(str(path))
            print(path)

        workspace = window.workspace
        workspace.set_interview_language(lang)  # the catalog's texts in the assessor's language too
        workspace.jump_to("1.1.1")
        # an entry that is no valid answer yet: kept, shown with its message and counted
        workspace._answer_edited("1.1.1.smes", "zehn" if lang == "de" else "ten")
        workspace.flush()
        shot("indicator")
        workspace.jump_to("2.4")
        shot("evidence")
        workspace.show_summary()
        shot("summary")
        window.close_assessment()
        shot("list")
        window.close()


def main() -> int:
    if len(sys.argv) == 4:
        shoot(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
        return 0
    status = 0
    with tempfile.TemporaryDirectory() as folder:
        for lang, width, height in SCREENS:
            screen = Path(folder) / f"screen-{width}.json"
            screen.write_text(
                json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": width, "height": height}]})
            )
            env = {
                **os.environ,
                "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
                "ESCA_DESKTOP_ASSESSOR": "Dr. Jens Hartmann",  # the name changes are recorded under
            }
            run = subprocess.run([sys.executable, __file__, lang, str(width), str(height)], env=env, check=False)
            status = status or run.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
