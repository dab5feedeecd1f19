"""`esca-desktop assessment ...` and `esca-desktop demo`."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from esca_desktop.cli import visit
from esca_desktop.cli.base import PROG, Cli, Handlers, json_flag
from esca_desktop.domain.model import Organisation
from esca_desktop.errors import UserError, ValidationError
from esca_desktop.forms.results import AnswerStatus, ResultStatus
from esca_desktop.forms.values import format_value
from esca_desktop.services.assessments import Interview, NewAssessment


def register(verbs: Any) -> Handlers:
    assessment = verbs.add_parser("assessment", help="create, answer, score and finalise assessments")
    a_verbs = assessment.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = a_verbs.add_parser("new", help="start an assessment")
    p.add_argument("--catalog", required=True, help="gold, silver, bronze (or id@version)")
    p.add_argument("--organisation", required=True, help="name of the cluster organisation")
    p.add_argument("--country", required=True, help="ISO 3166 country code (DE, DNK) or name")
    p.add_argument("--sector", default="", help="sector portfolio (e.g. ict, biotechnology)")
    p.add_argument("--region", default="")
    p.add_argument("--website", default="")
    p.add_argument("--assessor", action="append", default=[], help="assessor name (repeatable)")
    p.add_argument("--start", type=_date, help="first interview day YYYY-MM-DD")
    p.add_argument("--end", type=_date, help="last interview day YYYY-MM-DD")
    p.add_argument("--place", default="")
    p.add_argument("--interview-lang", choices=("en", "de"), default="en")
    json_flag(p)
    p = a_verbs.add_parser("list", help="all assessments (not the archived ones, unless --archived)")
    p.add_argument("--archived", action="store_true", help="list the archived assessments too")
    json_flag(p)
    p = a_verbs.add_parser("edit", help="correct the organisation, place, dates or assessors (until finalised)")
    p.add_argument("id")
    p.add_argument("--organisation", help="name of the cluster organisation")
    p.add_argument("--country", help="ISO 3166 country code (DE, DNK) or name")
    p.add_argument("--region")
    p.add_argument("--legal-form")
    p.add_argument("--sector", help="sector portfolio (e.g. ict, biotechnology)")
    p.add_argument("--website")
    p.add_argument("--contact")
    p.add_argument("--place")
    p.add_argument("--start", type=_date, help="first interview day YYYY-MM-DD")
    p.add_argument("--end", type=_date, help="last interview day YYYY-MM-DD")
    p.add_argument("--assessor", action="append", help="assessor name (repeatable; replaces the list)")
    json_flag(p)
    p = a_verbs.add_parser("archive", help="hide an assessment from the list; read-only until unarchived")
    p.add_argument("id")
    p = a_verbs.add_parser("unarchive", help="bring an archived assessment back into the list")
    p.add_argument("id")
    p = a_verbs.add_parser(
        "delete", help="delete an assessment never sent, with its evidence files (the audit trail is kept)"
    )
    p.add_argument("id")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = a_verbs.add_parser("show", help="details, answers and results of an assessment")
    p.add_argument("id")
    json_flag(p)
    p = a_verbs.add_parser("answer", help="answer one field: FIELD is <indicator>.<field>")
    p.add_argument("id")
    p.add_argument("field")
    p.add_argument("value")
    json_flag(p)
    p = a_verbs.add_parser("load", help="answer many fields from a JSON object {FIELD: value}, all or nothing")
    p.add_argument("id")
    p.add_argument("file", type=Path)
    json_flag(p)
    p = a_verbs.add_parser("score", help="indicator results, area and total scores, outcome")
    p.add_argument("id")
    json_flag(p)
    p = a_verbs.add_parser("finalise", help="make the assessment read-only (refused while problems remain)")
    p.add_argument("id")
    json_flag(p)
    p = a_verbs.add_parser("reopen", help="start a new revision of a finalised assessment")
    p.add_argument("id")
    json_flag(p)
    p = a_verbs.add_parser("note", help="set the internal note of an indicator (never printed in the report)")
    p.add_argument("id")
    p.add_argument("indicator")
    p.add_argument("text")
    p = a_verbs.add_parser("override", help="override an indicator's result, with a justification")
    p.add_argument("id")
    p.add_argument("indicator")
    p.add_argument("result", choices=("met", "not_met", "not_applicable", "clear"))
    p.add_argument("--points", type=float)
    p.add_argument("--justification", default="")
    p = a_verbs.add_parser("evidence", help="attach a file as evidence")
    p.add_argument("id")
    p.add_argument("file", type=Path)
    p.add_argument("--description", default="")
    p.add_argument("--indicator", action="append", default=[], help="linked indicator (repeatable)")
    json_flag(p)
    p = a_verbs.add_parser("evidence-list", help="the evidence files of an assessment")
    p.add_argument("id")
    json_flag(p)
    p = a_verbs.add_parser("evidence-remove", help="remove an evidence file from the assessment (audited)")
    p.add_argument("id")
    p.add_argument("evidence", help="file name, evidence id or SHA-256 (or their first 6+ characters)")
    p = a_verbs.add_parser("evidence-rename", help="change the description of an evidence file")
    p.add_argument("id")
    p.add_argument("evidence", help="file name, evidence id or SHA-256 (or their first 6+ characters)")
    p.add_argument("description")
    p = a_verbs.add_parser("evidence-link", help="set the indicators an evidence file belongs to")
    p.add_argument("id")
    p.add_argument("evidence", help="file name, evidence id or SHA-256 (or their first 6+ characters)")
    p.add_argument(
        "--indicator", action="append", default=[], help="linked indicator (repeatable; none: the whole assessment)"
    )
    p = a_verbs.add_parser("evidence-check", help="tick an item of an indicator's evidence checklist as seen")
    p.add_argument("id")
    p.add_argument("indicator")
    p.add_argument("item", type=int, help="the item's number in the checklist, from 1")
    p.add_argument("--uncheck", action="store_true", help="untick it instead")
    p = a_verbs.add_parser("finding", help="set the finding of an indicator printed in the report")
    p.add_argument("id")
    p.add_argument("indicator")
    p.add_argument("text")
    p = a_verbs.add_parser("audit", help="the history of every change")
    p.add_argument("id")
    p.add_argument("--verify", action="store_true", help="check the hash chain; exit 1 when broken")
    json_flag(p)

    visit_handlers = visit.register(a_verbs)

    p = verbs.add_parser("demo", help="create realistic sample assessments (one per scheme)")
    json_flag(p)
    return {
        **visit_handlers,
        ("assessment", "new"): assessment_new,
        ("assessment", "list"): assessment_list,
        ("assessment", "edit"): assessment_edit,
        ("assessment", "archive"): assessment_archive,
        ("assessment", "unarchive"): assessment_unarchive,
        ("assessment", "delete"): assessment_delete,
        ("assessment", "show"): assessment_show,
        ("assessment", "answer"): assessment_answer,
        ("assessment", "load"): assessment_load,
        ("assessment", "score"): assessment_score,
        ("assessment", "finalise"): assessment_finalise,
        ("assessment", "reopen"): assessment_reopen,
        ("assessment", "note"): assessment_note,
        ("assessment", "override"): assessment_override,
        ("assessment", "evidence"): assessment_evidence,
        ("assessment", "evidence-list"): assessment_evidence_list,
        ("assessment", "evidence-remove"): assessment_evidence_remove,
        ("assessment", "evidence-rename"): assessment_evidence_rename,
        ("assessment", "evidence-link"): assessment_evidence_link,
        ("assessment", "evidence-check"): assessment_evidence_check,
        ("assessment", "finding"): assessment_finding,
        ("assessment", "audit"): assessment_audit,
        ("demo", None): demo,
    }


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


def assessment_new(cli: Cli) -> int:
    a = cli.args
    request = NewAssessment(
        catalog_ref=a.catalog,
        organisation=Organisation(a.organisation, a.country, a.region, "", a.sector, a.website),
        assessors=tuple(a.assessor),
        interview_start=a.start,
        interview_end=a.end,
        place=a.place,
        interview_lang=a.interview_lang,
    )
    new_id, _ = cli.service.create(request)
    if a.json:
        cli.emit_json({"id": new_id})
    else:
        cli.print(new_id)
    return 0


def assessment_list(cli: Cli) -> int:
    summaries = [s for s in cli.service.list_summaries() if cli.args.archived or not s.archived]
    if cli.args.json:
        cli.emit_json(
            [
                {
                    "id": s.id,
                    "organisation": s.organisation,
                    "country": s.country,
                    "scheme": s.scheme,
                    "status": s.status.value,
                    "revision": s.revision,
                    "progress": [s.progress_done, s.progress_total],
                    "score": None if s.score_points is None else {"points": s.score_points, "max_points": s.score_max},
                    "passed": s.outcome_passed,
                    "updated_at": s.updated_at.isoformat(),
                    "archived": s.archived,
                }
                for s in summaries
            ]
        )
        return 0
    rows = []
    for s in summaries:
        score = "" if s.score_points is None or not s.score_max else f"{100 * s.score_points / s.score_max:.1f} %"
        rows.append(
            (
                s.id[:8],
                s.organisation,
                s.country,
                s.scheme,
                s.status.label(cli.lang) + (" (archived)" if s.archived else ""),
                f"{s.progress_done}/{s.progress_total}",
                score,
                s.updated_at.strftime("%Y-%m-%d %H:%M"),
            )
        )
    cli.table(("ID", "ORGANISATION", "CC", "SCHEME", "STATUS", "PROGRESS", "SCORE", "CHANGED"), rows)
    return 0


def assessment_edit(cli: Cli) -> int:
    a = cli.args
    interview = cli.open_interview()
    details = interview.details()
    org = details.organisation
    given = {
        "name": a.organisation,
        "country": a.country,
        "region": a.region,
        "legal_form": a.legal_form,
        "sector": a.sector,
        "website": a.website,
        "contact": a.contact,
    }
    details = replace(
        details,
        organisation=replace(org, **{k: v for k, v in given.items() if v is not None}),
        place=details.place if a.place is None else a.place,
        interview_start=a.start or details.interview_start,
        interview_end=a.end or details.interview_end,
        assessors=tuple(a.assessor) if a.assessor is not None else details.assessors,
    )
    changed, _ = interview.edit_details(details)
    if a.json:
        cli.emit_json({"id": interview.id, "changed": changed})
    elif changed:
        cli.print(f"{interview.id}: changed {', '.join(changed)}")
    else:
        cli.print(f"{interview.id}: nothing changed")
    return 0


def assessment_archive(cli: Cli) -> int:
    full_id = cli.service.resolve(cli.args.id)
    changes = cli.service.archive(full_id)
    cli.print(f"{full_id}: archived" if changes.list else f"{full_id}: already archived")
    return 0


def assessment_unarchive(cli: Cli) -> int:
    full_id = cli.service.resolve(cli.args.id)
    changes = cli.service.unarchive(full_id)
    cli.print(f"{full_id}: unarchived" if changes.list else f"{full_id}: was not archived")
    return 0


def assessment_delete(cli: Cli) -> int:
    service = cli.service
    assessment = service.get(cli.args.id)
    what = f"{assessment.id[:8]} ({assessment.organisation.name}, {assessment.scheme}, {assessment.status.label()})"
    if not cli.args.yes:
        if not sys.stdin.isatty():
            raise UserError(f"delete {what}: add --yes to confirm; it cannot be undone")
        answer = input(f"Delete assessment {what} and its evidence files? This cannot be undone. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            cli.print("nothing deleted")
            return 1
    service.delete(assessment.id)
    cli.print(f"deleted {what}; its audit trail is kept (assessment audit {assessment.id[:8]})")
    return 0


def assessment_show(cli: Cli) -> int:
    interview = cli.open_interview()
    a = interview.assessment
    session = interview.session
    lang = session.lang
    if cli.args.json:
        cli.emit_json(
            {
                "id": a.id,
                "organisation": vars_of(a.organisation),
                "catalog": a.catalog.ref,
                "catalog_hash": a.catalog.content_hash,
                "scheme": a.scheme,
                "status": a.status.value,
                "revision": a.revision,
                "archived": a.archived_at is not None,
                "assessors": list(a.assessors),
                "interview_start": a.interview_start,
                "interview_end": a.interview_end,
                "place": a.place,
                **interview.snapshot(),
            }
        )
        return 0
    org = a.organisation
    cli.print(f"{org.name} ({org.country}{', ' + org.region if org.region else ''})")
    cli.print(f"  id        {a.id}")
    cli.print(f"  catalog   {a.catalog.ref}  {a.catalog.content_hash[:19]}…")
    cli.print(f"  status    {a.status.label(lang)}, revision {a.revision}{', archived' if a.archived_at else ''}")
    cli.print(f"  assessors {', '.join(a.assessors)}")
    if a.interview_start:
        end = f" – {a.interview_end}" if a.interview_end and a.interview_end != a.interview_start else ""
        cli.print(f"  interview {a.interview_start}{end} {a.place}")
    for ind in session.indicators:
        result = session.result(ind.id)
        cli.print(
            f"\n{ind.id} {ind.title.get(lang)}: {_result_text(result.status, result.points, result.max_points, lang)}"
        )
        for fld in ind.fields:
            value = session.value(fld.key)
            if value is not None:
                cli.print(f"    {fld.label.get(lang)}: {format_value(fld, value, lang)}")
        state = session.state(ind.id)
        if ind.evidence and state.evidence_checked:
            seen = ", ".join(ind.evidence[n].get(lang) for n in state.evidence_checked)
            cli.print(f"    evidence seen: {seen}")
        if state.finding:
            cli.print(f"    finding: {state.finding}")
        if state.note:
            cli.print(f"    note (internal): {state.note}")
        if state.override:
            cli.print(f"    override: {state.override.justification}")
    return 0


def assessment_answer(cli: Cli) -> int:
    interview = cli.open_interview()
    result, _ = interview.answer(cli.args.field, cli.args.value)
    if not result.stored:
        raise ValidationError(f"nothing stored: {result.message}")
    if cli.args.json:
        cli.emit_json(
            {
                "field": result.key,
                "status": result.status.value,
                "message": result.message,
                "value": cli.args.value if result.value is None else str(result.value),
            }
        )
    else:
        fld = interview.session.field(result.key)
        shown = format_value(fld, result.value, interview.session.lang) or "(empty)"
        cli.print(f"{result.key} = {shown}")
        if result.status is AnswerStatus.REQUIRED_BUT_EMPTY:
            cli.warn(f"{PROG}: warning: {result.message}")
    return 0


def assessment_load(cli: Cli) -> int:
    try:
        data = json.loads(cli.args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{cli.args.file}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{cli.args.file}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise UserError(f'{cli.args.file}: expected a JSON object {{"<indicator>.<field>": value}}')
    applied, _ = cli.open_interview().answer_many(data)
    if cli.args.json:
        cli.emit_json({"stored": len(applied)})
    else:
        cli.print(f"stored {len(applied)} answer(s) ({len(data) - len(applied)} unchanged)")
    return 0


def assessment_score(cli: Cli) -> int:
    interview = cli.open_interview()
    data = score_json(interview)
    if cli.args.json:
        cli.emit_json(data)
        return 0
    lang = interview.session.lang
    catalog = interview.catalog
    for area in interview.session.area_scores():
        title = catalog.area_by_id[area.area_id].title.get(lang)
        if area.max_points:
            cli.print(f"{area.area_id:<4} {title:<50} {area.points:>5g} / {area.max_points:g}")
        else:
            counts = ", ".join(f"{n} {s.label(lang)}" for s, n in area.counts.items())
            cli.print(f"{area.area_id:<4} {title:<50} {counts}")
    total = data["total"]
    if total["max_points"]:
        cli.print(f"\nTotal: {total['points']:g} / {total['max_points']:g} points ({total['percent']:.1f} %)")
    outcome = data["outcome"]
    for check in outcome["checks"]:
        cli.print(f"Check: {check['label']}: {ResultStatus(check['status']).label(lang)}")
    verdict = {
        True: "PASSED",
        False: "NOT PASSED",
        None: "no judgement" if outcome["judgement"] == "benchmark" else "OPEN",
    }
    threshold = f" (threshold {outcome['pass_percent']:g} %)" if outcome["pass_percent"] else ""
    cli.print(f"Outcome ({outcome['scheme']}): {verdict[outcome['passed']]}{threshold}")
    for reason in outcome["reasons"]:
        cli.print(f"  - {reason}")
    progress = data["progress"]
    cli.print(f"Progress: {progress['indicators_done']}/{progress['indicators_total']} indicators")
    return 0


def assessment_finalise(cli: Cli) -> int:
    interview = cli.open_interview()
    interview.finalise()
    return _report_status(cli, interview, f"finalised (revision {interview.assessment.revision})")


def assessment_reopen(cli: Cli) -> int:
    interview = cli.open_interview()
    interview.reopen()
    return _report_status(cli, interview, f"reopened as revision {interview.assessment.revision}")


def _report_status(cli: Cli, interview: Interview, text: str) -> int:
    assessment = interview.assessment
    if cli.args.json:
        cli.emit_json({"id": interview.id, "status": assessment.status.value, "revision": assessment.revision})
    else:
        cli.print(f"{interview.id}: {text}")
    return 0


def assessment_note(cli: Cli) -> int:
    cli.open_interview().set_note(cli.args.indicator, cli.args.text)
    return 0


def assessment_override(cli: Cli) -> int:
    interview = cli.open_interview()
    if cli.args.result == "clear":
        interview.clear_override(cli.args.indicator)
    else:
        interview.set_override(
            cli.args.indicator, ResultStatus(cli.args.result), cli.args.points, cli.args.justification
        )
    return 0


def assessment_evidence(cli: Cli) -> int:
    item, _ = cli.open_interview().add_evidence(cli.args.file, cli.args.description, cli.args.indicator)
    if cli.args.json:
        cli.emit_json({"id": item.id, "sha256": item.sha256, "size": item.size})
    else:
        cli.print(f"{item.file_name}: {item.size} bytes, sha256 {item.sha256}")
    return 0


def assessment_evidence_list(cli: Cli) -> int:
    items = cli.open_interview().evidence()
    if cli.args.json:
        cli.emit_json(
            [
                {
                    "id": e.id,
                    "file_name": e.file_name,
                    "description": e.description,
                    "sha256": e.sha256,
                    "size": e.size,
                    "indicators": list(e.indicators),
                    "added_by": e.added_by,
                    "added_at": e.added_at.isoformat(),
                }
                for e in items
            ]
        )
        return 0
    rows = [
        (e.id[:8], e.file_name, e.description, str(e.size), ", ".join(e.indicators) or "(all)", e.sha256[:12])
        for e in items
    ]
    cli.table(("ID", "FILE", "DESCRIPTION", "BYTES", "INDICATORS", "SHA-256"), rows)
    return 0


def assessment_evidence_remove(cli: Cli) -> int:
    interview = cli.open_interview()
    item, _ = interview.remove_evidence(interview.find_evidence(cli.args.evidence).id)
    cli.print(f"removed {item.file_name} (sha256 {item.sha256}); the audit trail keeps the record")
    return 0


def assessment_evidence_rename(cli: Cli) -> int:
    interview = cli.open_interview()
    item, _ = interview.describe_evidence(interview.find_evidence(cli.args.evidence).id, cli.args.description)
    cli.print(f"{item.file_name}: {item.description}")
    return 0


def assessment_evidence_link(cli: Cli) -> int:
    interview = cli.open_interview()
    item, _ = interview.link_evidence(interview.find_evidence(cli.args.evidence).id, cli.args.indicator)
    cli.print(f"{item.file_name}: {', '.join(item.indicators) or 'the whole assessment'}")
    return 0


def assessment_evidence_check(cli: Cli) -> int:
    cli.open_interview().set_evidence_checked(cli.args.indicator, cli.args.item - 1, not cli.args.uncheck)
    return 0


def assessment_finding(cli: Cli) -> int:
    cli.open_interview().set_finding(cli.args.indicator, cli.args.text)
    return 0


def assessment_audit(cli: Cli) -> int:
    service = cli.service
    if cli.args.verify:
        verification = service.verify_audit(cli.args.id)
        if cli.args.json:
            cli.emit_json(
                {
                    "ok": verification.ok,
                    "entries": verification.entries,
                    "message": verification.message,
                    "first_bad_seq": verification.first_bad_seq,
                }
            )
        else:
            cli.print(("OK: " if verification.ok else "BROKEN: ") + verification.message)
        return 0 if verification.ok else 1
    entries = service.audit(cli.args.id)
    if cli.args.json:
        cli.emit_json(
            [
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "target": e.target,
                    "old": e.old,
                    "new": e.new,
                    "hash": e.hash,
                }
                for e in entries
            ]
        )
        return 0
    for e in entries:
        change = f"{_short(e.old)} → {_short(e.new)}"
        cli.print(f"{e.seq:>6} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<16} {e.action:<10} {e.target:<28} {change}")
    return 0


def demo(cli: Cli) -> int:
    from esca_desktop.services.demo import create_demo_assessments

    created = create_demo_assessments(cli.service)
    if cli.args.json:
        cli.emit_json(created)
        return 0
    for scheme, assessment_id in created.items():
        interview = cli.service.open(assessment_id)
        total = interview.session.total()
        outcome = interview.session.outcome()
        org = interview.assessment.organisation.name
        score = (
            f"{total.points:g}/{total.max_points:g} points ({total.percent:.1f} %)"
            if total.max_points
            else outcome.judgement.replace("_", "/")
        )
        verdict = {
            True: "passes",
            False: "does not pass",
            None: "no judgement" if outcome.judgement == "benchmark" else "open",
        }
        cli.print(f"{scheme:<7} {assessment_id}  {org}: {score}, {verdict[outcome.passed]}")
    return 0


def vars_of(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "…"


def _result_text(status: ResultStatus, points: float | None, max_points: float, lang: str) -> str:
    if max_points and points is not None:
        return f"{status.label(lang)}, {points:g}/{max_points:g}"
    return status.label(lang)


def score_json(interview: Interview) -> dict[str, Any]:
    session = interview.session
    total = session.total()
    outcome = session.outcome()
    progress = session.progress()
    return {
        "id": interview.id,
        "catalog": interview.catalog.ref,
        "indicators": [
            {
                "id": r.indicator_id,
                "result": r.status.value,
                "points": r.points,
                "max_points": r.max_points,
                "overridden": r.overridden,
            }
            for r in session.results()
        ],
        "areas": [
            {
                "id": a.area_id,
                "points": a.points,
                "max_points": a.max_points,
                "percent": a.percent,
                "counts": {s.value: n for s, n in a.counts.items()},
            }
            for a in session.area_scores()
        ],
        "total": {"points": total.points, "max_points": total.max_points, "percent": total.percent},
        "outcome": {
            "scheme": outcome.scheme,
            "judgement": outcome.judgement,
            "passed": outcome.passed,
            "reasons": list(outcome.reasons),
            "percent": outcome.percent,
            "pass_percent": outcome.pass_percent,
            "checks": [{"id": c.check_id, "label": c.label, "status": c.status.value} for c in outcome.checks],
        },
        "progress": {
            "indicators_done": progress.indicators_done,
            "indicators_total": progress.indicators_total,
            "required_answered": progress.required_answered,
            "required_total": progress.required_total,
        },
        "problems": [
            {"indicator": p.indicator_id, "field": p.field_key, "kind": p.kind.value, "message": p.message}
            for p in session.problems()
        ],
    }
