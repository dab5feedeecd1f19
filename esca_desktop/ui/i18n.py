"""UI translations: a JSON table per language (resources/translations/<lang>.json, source text →
translation) served through a QTranslator, plus Qt's own translations for standard dialogs."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from esca_desktop.resources import resources_dir

SUPPORTED = ("en", "de")


class TableTranslator(QTranslator):
    """Looks source texts up in a dict; the Qt context is ignored (our texts are unique enough)."""

    def __init__(self, table: dict[str, str]) -> None:
        super().__init__()
        self.table = table

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str | None:
        return self.table.get(source)

    def isEmpty(self) -> bool:
        return not self.table


def resolve_language(setting: str) -> str:
    if setting in SUPPORTED:
        return setting
    system = QLocale.system().name().split("_")[0]
    return system if system in SUPPORTED else "en"


def counted(n: int, one: str, many: str) -> str:
    """A count with the right form, both forms already translated: `counted(n, self.tr("%1 problem"),
    self.tr("%1 problems"))`. English and German share the rule: singular for exactly one."""
    return (one if n == 1 else many).replace("%1", str(n))


def ui_locale(lang: str) -> QLocale:
    """The locale of the UI language: the system's when it speaks that language (its region's
    formats), else German (Germany) or English (United Kingdom, day before month, Monday first)."""
    system = QLocale.system()
    if system.name().split("_")[0] == lang:
        return system
    if lang == "de":
        return QLocale(QLocale.Language.German, QLocale.Country.Germany)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def apply_locale(lang: str) -> QLocale:
    """Make the UI language's locale the default, so that calendars and dates follow the UI language."""
    locale = ui_locale(lang)
    QLocale.setDefault(locale)
    return locale


def moment_format_of(locale: QLocale) -> str:
    """A strftime format for a date and time to the minute in the locale's language (ISO in English)."""
    return "%d.%m.%Y %H:%M" if locale.language() == QLocale.Language.German else "%Y-%m-%d %H:%M"


def translation_table(lang: str) -> dict[str, str]:
    path: Path = resources_dir() / "translations" / f"{lang}.json"
    if lang == "en" or not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items() if v}


def install_translators(app: QApplication, lang: str) -> list[QTranslator]:
    """Install our table and Qt's own catalogue; keep the returned objects alive."""
    installed: list[QTranslator] = []
    if lang == "en":
        return installed
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    ours = TableTranslator(translation_table(lang))
    ours.setParent(app)
    app.installTranslator(ours)
    installed.append(ours)
    return installed
