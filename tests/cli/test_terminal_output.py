"""What others typed cannot steer the terminal: control characters and bidi overrides in an
organisation's name (or any other text) are printed as visible escapes; --json stays exact JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esca_desktop.cli import run
from esca_desktop.text import terminal_safe

CRAFTED = "\x1b[2J\x1b[32mAPPROVED"  # clears the screen, then paints a green "APPROVED"
REVERSED = "Klaster \u202eDEVORPPA\u202c \x9b31m\x07\x7f"  # right-to-left override, 8-bit CSI, bell, DEL
RAW = ("\x1b", "\u202e", "\u202c", "\x9b", "\x07", "\x7f")


def _run(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(["--data-dir", str(data_dir), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _new(data_dir: Path, capsys: pytest.CaptureFixture[str], name: str) -> str:
    code, out, err = _run(
        data_dir, capsys, "assessment", "new", "--catalog", "bronze", "--organisation", name, "--country", "PL"
    )
    assert code == 0, err
    return out.strip()


def _clean(text: str) -> bool:
    return not any(c in text for c in RAW)


def test_a_crafted_organisation_name_prints_without_esc_in_assessment_list_and_show(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _new(data_dir, capsys, CRAFTED)
    second = _new(data_dir, capsys, REVERSED)
    code, listing, _ = _run(data_dir, capsys, "assessment", "list")
    assert code == 0 and _clean(listing)
    assert "\\u001b[2J\\u001b[32mAPPROVED" in listing and "\\u202eDEVORPPA\\u202c" in listing
    for assessment_id, escaped in ((first, "\\u001b[32mAPPROVED"), (second, "\\u202eDEVORPPA")):
        code, shown, _ = _run(data_dir, capsys, "assessment", "show", assessment_id)
        assert code == 0 and _clean(shown) and escaped in shown


def test_json_output_keeps_the_exact_name_and_no_raw_control_character(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _new(data_dir, capsys, REVERSED)
    code, out, _ = _run(data_dir, capsys, "assessment", "list", "--json")
    assert code == 0 and _clean(out)
    assert json.loads(out)[0]["organisation"] == REVERSED


def test_an_error_message_naming_a_crafted_text_is_escaped_too(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(data_dir, capsys, "verify", str(data_dir / "\x1b[2Jreport.pdf"))
    assert code == 2 and "cannot be read" in err and _clean(err)


def test_terminal_safe_escapes_controls_and_bidi_but_keeps_text_and_lines() -> None:
    assert terminal_safe("Klaster Łódź — Ελληνικό\n\tσύμπλεγμα") == "Klaster Łódź — Ελληνικό\n\tσύμπλεγμα"
    assert terminal_safe("a\rb\x00c\x1bd\x7fe\x85f\u2066g\u2069") == (
        "a\\u000db\\u0000c\\u001bd\\u007fe\\u0085f\\u2066g\\u2069"
    )
    assert terminal_safe("one\nline\tcell", multiline=False) == "one\\u000aline\\u0009cell"
    document = json.dumps({"name": REVERSED + "\n"}, ensure_ascii=False)
    assert _clean(terminal_safe(document)) and json.loads(terminal_safe(document)) == {"name": REVERSED + "\n"}
