"""`esca-desktop assessment session|attend|quicknote`: the visit from the command line."""

from __future__ import annotations

from tests.cli.test_cli import Runner, cli, gold_id  # noqa: F401  (fixtures)


def test_sessions_attendance_and_quick_notes_from_the_command_line(cli: Runner, gold_id: str) -> None:  # noqa: F811
    added = cli.json(
        "assessment",
        "session",
        "add",
        gold_id,
        "--date",
        "2026-12-03",
        "--start",
        "09:00",
        "--end",
        "12:00",
        "--title",
        "Strategy",
        "--area",
        "1",
    )
    assert isinstance(added, dict) and added["number"] == 1 and added["areas"] == ["1"]
    code, out, err = cli(
        "assessment",
        "attend",
        gold_id,
        "1",
        "--name",
        "Anna Berg",
        "--role",
        "Cluster manager",
        "--organisation",
        "Klaster Łódź",
    )
    assert code == 0, err
    assert "Anna Berg attended Strategy" in out
    note = cli.json("assessment", "quicknote", gold_id, "Board member left early")
    assert isinstance(note, dict) and note["text"] == "Board member left early"

    listed = cli.json("assessment", "session", "list", gold_id)
    assert isinstance(listed, list)
    assert [(s["title"], [a["name"] for a in s["attendees"]]) for s in listed] == [("Strategy", ["Anna Berg"])]
    code, out, _ = cli("assessment", "session", "list", gold_id)
    assert "Anna Berg, Cluster manager, Klaster Łódź" in out
    notes = cli.json("assessment", "quicknote", gold_id)
    assert [n["text"] for n in notes] == ["Board member left early"]  # type: ignore[union-attr]


def test_a_session_ending_before_it_starts_is_refused_with_a_message(cli: Runner, gold_id: str) -> None:  # noqa: F811
    code, _, err = cli(
        "assessment", "session", "add", gold_id, "--date", "2026-12-03", "--start", "12:00", "--end", "09:00"
    )
    assert code != 0
    assert "before it starts" in err
    code, _, err = cli("assessment", "attend", gold_id, "7", "--name", "X")
    assert code != 0 and "no interview session '7'" in err
