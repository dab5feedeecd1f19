"""`esca-desktop assessment session|attend|quicknote ...`: the visit's agenda, attendance and quick notes."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from esca_desktop.cli.base import Cli, Handlers, json_flag
from esca_desktop.domain.model import VisitSession
from esca_desktop.services.visit import Visit


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def register(a_verbs: Any) -> Handlers:
    """Adds the visit's verbs to `esca-desktop assessment`."""
    p = a_verbs.add_parser("session", help="the visit's agenda: plan, list and remove interview sessions")
    s_verbs = p.add_subparsers(dest="session_action", metavar="SESSION_ACTION", required=True)
    q = s_verbs.add_parser("add", help="plan an interview session")
    q.add_argument("id")
    q.add_argument("--date", required=True, type=_date, help="the day, YYYY-MM-DD")
    q.add_argument("--start", required=True, help="HH:MM")
    q.add_argument("--end", required=True, help="HH:MM")
    q.add_argument("--title", default="", help="the topic")
    q.add_argument("--area", action="append", default=[], help="an area planned (repeatable), e.g. 1")
    json_flag(q)
    q = s_verbs.add_parser("list", help="the agenda with the attendance of each session")
    q.add_argument("id")
    json_flag(q)
    q = s_verbs.add_parser("remove", help="take a session off the agenda, with its attendance (audited)")
    q.add_argument("id")
    q.add_argument("session", help="its number on the agenda (1, 2 …) or its id")
    json_flag(q)
    p = a_verbs.add_parser("attend", help="record a person present at an interview session")
    p.add_argument("id")
    p.add_argument("session", help="its number on the agenda (1, 2 …) or its id")
    p.add_argument("--name", required=True)
    p.add_argument("--role", default="")
    p.add_argument("--organisation", default="")
    p.add_argument("--from", dest="present_from", default="", help="present from HH:MM (default: the whole session)")
    p.add_argument("--to", dest="present_to", default="", help="present until HH:MM")
    json_flag(p)
    p = a_verbs.add_parser(
        "quicknote", help="add a timestamped note for the whole visit (internal); without TEXT, list them"
    )
    p.add_argument("id")
    p.add_argument("text", nargs="?")
    json_flag(p)
    return {
        ("assessment", "session"): assessment_session,
        ("assessment", "attend"): assessment_attend,
        ("assessment", "quicknote"): assessment_quicknote,
    }


def _visit(cli: Cli) -> Visit:
    return Visit(cli.open_interview())


def _session_json(session: VisitSession) -> dict[str, Any]:
    return {
        "id": session.id,
        "date": session.day.isoformat(),
        "start": session.start,
        "end": session.end,
        "title": session.title,
        "areas": list(session.areas),
        "attendees": [
            {
                "id": a.id,
                "name": a.name,
                "role": a.role,
                "organisation": a.organisation,
                "present_from": a.present_from,
                "present_to": a.present_to,
            }
            for a in session.attendees
        ],
    }


def assessment_session(cli: Cli) -> int:
    visit = _visit(cli)
    action = cli.args.session_action
    if action == "add":
        session, _ = visit.add_session(cli.args.date, cli.args.start, cli.args.end, cli.args.title, cli.args.area)
        number = [s.id for s in visit.sessions()].index(session.id) + 1
        if cli.args.json:
            cli.emit_json({**_session_json(session), "number": number})
        else:
            cli.print(
                f"session {number}: {session.day} {session.start}–{session.end} {session.title} ({session.id[:8]})"
            )
        return 0
    if action == "remove":
        session = visit.find_session(cli.args.session)
        visit.remove_session(session.id)
        if cli.args.json:
            cli.emit_json({"removed": session.id})
        else:
            cli.print(f"removed session {session.day} {session.start}–{session.end} {session.title}")
        return 0
    sessions = visit.sessions()
    if cli.args.json:
        cli.emit_json([{**_session_json(s), "number": n} for n, s in enumerate(sessions, 1)])
        return 0
    rows = []
    for n, s in enumerate(sessions, 1):
        people = "; ".join(", ".join(x for x in (a.name, a.role, a.organisation) if x) for a in s.attendees)
        rows.append((str(n), s.day.isoformat(), f"{s.start}–{s.end}", s.title, ", ".join(s.areas), people or "–"))
    cli.table(("#", "DATE", "TIME", "TITLE", "AREAS", "ATTENDEES"), rows)
    return 0


def assessment_attend(cli: Cli) -> int:
    visit = _visit(cli)
    session = visit.find_session(cli.args.session)
    a = cli.args
    attendee, _ = visit.attend(session.id, a.name, a.role, a.organisation, a.present_from, a.present_to)
    if a.json:
        cli.emit_json({"id": attendee.id, "session": session.id, "name": attendee.name})
    else:
        cli.print(f"{attendee.name} attended {session.title or session.start} ({session.day})")
    return 0


def assessment_quicknote(cli: Cli) -> int:
    visit = _visit(cli)
    if cli.args.text is not None:
        note, _ = visit.add_quick_note(cli.args.text)
        if cli.args.json:
            cli.emit_json({"id": note.id, "at": note.at.isoformat(), "text": note.text})
        else:
            cli.print(f"{note.at.astimezone():%H:%M} {note.text}")
        return 0
    notes = visit.quick_notes()
    if cli.args.json:
        cli.emit_json([{"id": n.id, "at": n.at.isoformat(), "author": n.author, "text": n.text} for n in notes])
    else:
        for n in notes:
            cli.print(f"{n.at.astimezone():%Y-%m-%d %H:%M} {n.text}")
    return 0
