"""The desktop window (PySide6): the only package that imports Qt. No business rule lives here."""
