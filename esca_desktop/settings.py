"""User settings (assessor-independent preferences), a small versioned JSON file in the user's
config folder. Unknown or damaged content falls back to defaults without losing the file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from esca_desktop.paths import APP_NAME

SETTINGS_VERSION = 1
CONFIG_DIR_ENV = "ESCA_DESKTOP_CONFIG_DIR"


@dataclass
class Settings:
    ui_language: str = "system"  # "system", "en" or "de"
    interview_language: str = ""  # empty: the assessment's own
    data_dir: str = ""  # empty: the default data folder
    last_assessment: str = ""
    last_directory: str = ""
    photo_directory: str = ""  # where photos were last attached from
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    splitter_state: str = ""
    samples_created: list[str] = field(default_factory=list)  # data folders that got the samples


def settings_path() -> Path:
    folder = os.environ.get(CONFIG_DIR_ENV) or platformdirs.user_config_dir(APP_NAME, appauthor=False)
    return Path(folder) / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    target = path or settings_path()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Settings()
    if not isinstance(data, dict) or data.get("version", 0) > SETTINGS_VERSION:
        return Settings()
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    defaults = Settings()
    for name, value in data.items():
        if name in known and type(value) is type(getattr(defaults, name)):
            values[name] = value
    return Settings(**values)


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically: a crash while saving keeps the previous file."""
    target = path or settings_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps({"version": SETTINGS_VERSION, **asdict(settings)}, indent=2), encoding="utf-8")
    temporary.replace(target)
