"""The command line as a script or a person uses it: output, --json, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from esca_desktop.cli import run
from tests.memory_keyring import InMemoryKeyring, install_memory_keyring


class Runner:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.data_dir = data_dir
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = run(["--data-dir", str(self.data_dir), *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *args: str) -> object:
        code, out, err = self(*args, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Runner:
    return Runner(data_dir, capsys)


@pytest.fixture
def gold_id(cli: Runner) -> str:
    data = cli.json("assessment", "new", "--catalog", "gold", "--organisation", "Klaster Łódź", "--country", "PL")
    assert isinstance(data, dict)
    return str(data["id"])


def test_version_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("esca-desktop 0.")


def test_catalog_list_shows_the_three_schemes(cli: Runner) -> None:
    catalogs = cli.json("catalog", "list")
    assert isinstance(catalogs, list)
    assert {c["id"] for c in catalogs} == {"gold", "silver", "bronze"}
    gold = next(c for c in catalogs if c["id"] == "gold")
    assert gold["indicators"] == 31 and gold["max_points"] == 150 and gold["provisional"]


def test_catalog_show_lists_field_keys(cli: Runner) -> None:
    code, out, _ = cli("catalog", "show", "gold")
    assert code == 0
    assert "1.1.2.participants" in out and "4.6.2  Internet presence" in out


def test_catalog_validate_reports_the_location_of_an_error(cli: Runner, tmp_path: Path) -> None:
    source = (Path(__file__).resolve().parents[2] / "esca_desktop/forms/catalogs/gold.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "gold.yaml"
    broken.write_text(source.replace("type: integer", "type: scal", 1), encoding="utf-8")
    code, out, err = cli("catalog", "validate", str(broken))
    assert code == 2 and out == ""
    assert err.startswith("esca-desktop: error: gold.yaml: areas[0].indicators[1].fields[0].type: unknown type 'scal'")
    assert "Traceback" not in err
    good = tmp_path / "good.yaml"
    good.write_text(source, encoding="utf-8")
    code, out, _ = cli("catalog", "validate", str(good))
    assert code == 0 and "valid catalog gold@2013.1" in out


def test_assessment_new_prints_the_id_and_list_shows_it(cli: Runner, gold_id: str) -> None:
    rows = cli.json("assessment", "list")
    assert isinstance(rows, list)
    assert rows[0]["id"] == gold_id and rows[0]["organisation"] == "Klaster Łódź"
    _, out, _ = cli("assessment", "list")
    assert gold_id[:8] in out and "Klaster Łódź" in out


def test_bad_country_exits_2_with_one_line(cli: Runner) -> None:
    code, out, err = cli("assessment", "new", "--catalog", "gold", "--organisation", "X", "--country", "XX")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "country: 'XX'" in err


def test_invalid_answer_exits_2_naming_field_and_rule_and_stores_nothing(cli: Runner, gold_id: str) -> None:
    code, _, err = cli("assessment", "answer", gold_id, "1.1.2.participants", "-3")
    assert code == 2
    assert "1.1.2.participants" in err and "at least 0" in err
    code, _, err = cli("assessment", "answer", gold_id, "3.2.fees_share", "140")
    assert code == 2 and "at most 100" in err
    code, _, err = cli("assessment", "answer", gold_id, "9.9.nothing", "1")
    assert code == 2 and "no field '9.9.nothing'" in err
    audit = cli.json("assessment", "audit", gold_id)
    assert isinstance(audit, list) and len(audit) == 1


def test_answer_and_score_json(cli: Runner, gold_id: str) -> None:
    code, out, _ = cli("assessment", "answer", gold_id, "1.1.2.participants", "120")
    assert code == 0 and "1.1.2.participants = 120" in out
    score = cli.json("assessment", "score", gold_id)
    assert isinstance(score, dict)
    indicator = next(i for i in score["indicators"] if i["id"] == "1.1.2")
    assert indicator == {"id": "1.1.2", "result": "met", "points": 5.0, "max_points": 5.0, "overridden": False}
    assert score["total"]["max_points"] == 150
    assert score["outcome"]["scheme"] == "gold" and score["outcome"]["passed"] is None
    assert {"id", "points", "max_points"} <= set(score["areas"][0])


def test_load_is_all_or_nothing(cli: Runner, gold_id: str, tmp_path: Path) -> None:
    bad = tmp_path / "answers.json"
    bad.write_text(json.dumps({"1.1.2.participants": 80, "2.1.founded": "soon"}), encoding="utf-8")
    code, _, err = cli("assessment", "load", gold_id, str(bad))
    assert code == 2 and "2.1.founded" in err
    score = cli.json("assessment", "score", gold_id)
    assert isinstance(score, dict)
    assert next(i for i in score["indicators"] if i["id"] == "1.1.2")["result"] == "open"
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = cli("assessment", "load", gold_id, str(broken))
    assert code == 2 and "invalid JSON at line 1" in err


def test_finalise_lists_missing_answers(cli: Runner, gold_id: str) -> None:
    code, _, err = cli("assessment", "finalise", gold_id)
    assert code == 2 and "cannot finalise" in err and "1.1.0.commitment_form" in err


def test_demo_creates_one_assessment_per_scheme_with_a_complete_gold(cli: Runner) -> None:
    created = cli.json("demo")
    assert isinstance(created, dict) and set(created) == {"gold", "silver", "bronze"}
    score = cli.json("assessment", "score", created["gold"])
    assert isinstance(score, dict)
    assert score["problems"] == []
    assert score["outcome"]["passed"] is True and score["total"]["percent"] >= 80
    code, out, _ = cli("assessment", "finalise", created["gold"])
    assert code == 0 and "finalised" in out


def test_audit_verify_exit_code(cli: Runner, gold_id: str) -> None:
    code, out, _ = cli("assessment", "audit", gold_id, "--verify")
    assert code == 0 and out.startswith("OK")


def test_unknown_assessment_exits_2(cli: Runner) -> None:
    code, _, err = cli("assessment", "show", "deadbeef")
    assert code == 2 and "no assessment 'deadbeef'" in err


def test_the_installed_entry_point_runs(data_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "esca_desktop", "--data-dir", str(data_dir), "catalog", "list"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "gold@2013.1" in result.stdout


def test_evidence_is_listed_renamed_relinked_and_removed(cli: Runner, gold_id: str, tmp_path: Path) -> None:
    source = tmp_path / "Satzung.pdf"
    source.write_bytes(b"%PDF-1.4 statutes")
    assert cli("assessment", "evidence", gold_id, str(source), "--indicator", "2.4")[0] == 0
    assert cli("assessment", "evidence-rename", gold_id, "Satzung.pdf", "Statutes of 2019")[0] == 0
    assert cli("assessment", "evidence-link", gold_id, "satzung.pdf", "--indicator", "1.1.0")[0] == 0
    [item] = cli.json("assessment", "evidence-list", gold_id)  # type: ignore[misc]
    assert (item["description"], item["indicators"]) == ("Statutes of 2019", ["1.1.0"])
    code, out, _ = cli("assessment", "evidence-remove", gold_id, item["sha256"][:8])
    assert code == 0 and "removed Satzung.pdf" in out
    assert cli.json("assessment", "evidence-list", gold_id) == []
    code, _, err = cli("assessment", "evidence-remove", gold_id, "Satzung.pdf")
    assert code == 2 and "no evidence 'Satzung.pdf'" in err
    actions = [e["action"] for e in cli.json("assessment", "audit", gold_id)]  # type: ignore[union-attr]
    assert actions[-4:] == ["evidence", "evidence_described", "evidence_linked", "evidence_removed"]


def test_an_empty_evidence_file_exits_2_naming_it(cli: Runner, gold_id: str, tmp_path: Path) -> None:
    empty = tmp_path / "leer.pdf"
    empty.write_bytes(b"")
    code, _, err = cli("assessment", "evidence", gold_id, str(empty))
    assert code == 2 and "leer.pdf: the file is empty (0 bytes)" in err


def test_finding_and_evidence_checklist_from_the_command_line(cli: Runner, gold_id: str) -> None:
    assert cli("assessment", "finding", gold_id, "1.1.0", "All participants signed.")[0] == 0
    assert cli("assessment", "note", gold_id, "1.1.0", "Ask for the 2025 list.")[0] == 0
    assert cli("assessment", "evidence-check", gold_id, "1.1.0", "2")[0] == 0
    code, out, _ = cli("assessment", "show", gold_id)
    assert code == 0
    assert "evidence seen: Statutes" in out
    assert "finding: All participants signed." in out and "note (internal): Ask for the 2025 list." in out
    code, _, err = cli("assessment", "evidence-check", gold_id, "1.1.0", "7")
    assert code == 2 and "no item 7" in err


def test_without_an_assessor_name_a_change_is_refused_saying_how_to_set_it(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ESCA_DESKTOP_ASSESSOR", raising=False)
    new = ("assessment", "new", "--catalog", "gold", "--organisation", "Klaster Łódź", "--country", "PL")
    code, out, err = cli(*new)
    assert code == 2 and out == ""
    assert "No assessor name is set" in err and "profile set --name" in err and "Traceback" not in err
    assert cli.json("assessment", "list") == []  # nothing was created under another name
    code, out, _ = cli("profile", "set", "--name", "Anna Muster", "--email", "anna@example.de")
    assert code == 0 and "Anna Muster" in out
    created = cli.json(*new)
    assert isinstance(created, dict)
    shown = cli.json("assessment", "show", str(created["id"]))
    assert isinstance(shown, dict) and shown["assessors"] == ["Anna Muster"]
    audit = cli.json("assessment", "audit", str(created["id"]))
    assert isinstance(audit, list) and {e["actor"] for e in audit} == {"Anna Muster"}
    assert cli.json("profile", "show") == {
        "name": "Anna Muster",
        "email": "anna@example.de",
        "expert_id": "",
        "source": "profile",
    }


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryKeyring]:
    yield from install_memory_keyring(monkeypatch)


def test_without_a_stored_name_the_signing_identity_names_the_assessor(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, memory_keyring: InMemoryKeyring
) -> None:
    monkeypatch.delenv("ESCA_DESKTOP_ASSESSOR", raising=False)
    code, _, err = cli("identity", "create", "--name", "Ingrid Solberg", "--email", "is@example.no")
    assert code == 0, err
    created = cli.json("assessment", "new", "--catalog", "bronze", "--organisation", "Fjord", "--country", "NO")
    assert isinstance(created, dict)
    audit = cli.json("assessment", "audit", str(created["id"]))
    assert isinstance(audit, list) and {e["actor"] for e in audit} == {"Ingrid Solberg"}
    profile = cli.json("profile", "show")
    assert isinstance(profile, dict) and profile["name"] == "Ingrid Solberg" and profile["source"] == "profile"


def test_german_messages_on_the_command_line(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESCA_DESKTOP_ASSESSOR", raising=False)
    code, _, err = cli(
        "--lang", "de", "assessment", "new", "--catalog", "gold", "--organisation", "X", "--country", "DE"
    )
    assert code == 2 and "Es ist kein Name der Expertin bzw. des Experten hinterlegt" in err
