"""`assessment edit`, `archive`, `unarchive` and `delete` as a script or a person uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import Runner, cli, gold_id

__all__ = ["cli", "gold_id"]


def test_edit_changes_only_the_given_details_and_the_audit_trail_says_what(cli: Runner, gold_id: str) -> None:
    code, out, err = cli(
        "assessment", "edit", gold_id[:8], "--organisation", "Klaster Łódź sp. z o.o.", "--place", "Łódź",
        "--start", "2026-12-03", "--end", "2026-12-04", "--assessor", "A. Expert", "--assessor", "B. Zweite",
    )  # fmt: skip
    assert code == 0, err
    assert "organisation.name" in out and "place" in out
    shown = cli.json("assessment", "show", gold_id)
    assert isinstance(shown, dict)
    assert shown["organisation"]["name"] == "Klaster Łódź sp. z o.o."
    assert shown["organisation"]["country"] == "PL"  # not given: kept
    assert (shown["place"], shown["interview_start"], shown["interview_end"]) == ("Łódź", "2026-12-03", "2026-12-04")
    assert shown["assessors"] == ["A. Expert", "B. Zweite"]
    trail = cli.json("assessment", "audit", gold_id)
    assert isinstance(trail, list)
    assert {"action": "details", "target": "place", "old": "", "new": "Łódź"}.items() <= next(
        e for e in trail if e["target"] == "place"
    ).items()


def test_edit_names_the_wrong_field_and_exits_2(cli: Runner, gold_id: str) -> None:
    code, _out, err = cli("assessment", "edit", gold_id, "--country", "Atlantis")
    assert code == 2
    assert "country: 'Atlantis'" in err
    code, _out, err = cli("assessment", "edit", gold_id, "--start", "2026-12-04", "--end", "2026-12-03")
    assert code == 2 and "interview dates" in err


def test_archive_hides_from_the_list_until_unarchived(cli: Runner, gold_id: str) -> None:
    assert cli("assessment", "archive", gold_id)[0] == 0
    assert cli.json("assessment", "list") == []
    listed = cli.json("assessment", "list", "--archived")
    assert isinstance(listed, list) and listed[0]["archived"] is True
    code, _out, err = cli("assessment", "answer", gold_id, "1.1.2.participants", "85")
    assert code != 0 and "archived" in err
    assert cli("assessment", "unarchive", gold_id)[0] == 0
    listed = cli.json("assessment", "list")
    assert isinstance(listed, list) and [a["id"] for a in listed] == [gold_id]
    assert cli("assessment", "answer", gold_id, "1.1.2.participants", "85")[0] == 0


def test_delete_asks_for_yes_then_deletes_and_keeps_the_trail(
    cli: Runner, gold_id: str, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evidence = tmp_path / "statutes.pdf"
    evidence.write_bytes(b"%PDF-1.4 statutes")
    assert cli("assessment", "evidence", gold_id, str(evidence))[0] == 0
    assert (data_dir / "evidence" / gold_id).is_dir()

    code, _out, err = cli("assessment", "delete", gold_id)  # not a terminal: nothing deleted without --yes
    assert code == 2 and "--yes" in err
    assert len(cli.json("assessment", "list")) == 1  # type: ignore[arg-type]

    code, out, err = cli("assessment", "delete", gold_id, "--yes")
    assert code == 0, err
    assert "Klaster Łódź" in out and "audit trail is kept" in out
    assert cli.json("assessment", "list") == []
    assert not (data_dir / "evidence" / gold_id).exists()
    code, _out, err = cli("assessment", "show", gold_id)
    assert code != 0 and "was deleted" in err
    trail = cli.json("assessment", "audit", gold_id)
    assert isinstance(trail, list) and trail[-1]["action"] == "deleted"
    code, out, _err = cli("assessment", "audit", gold_id, "--verify")
    assert code == 0 and out.startswith("OK")
