"""The command line: headless verbs over the same services the window uses.

Human-readable output by default, `--json` where a machine reads it. Exit 0 on success, 2 with a
one-line message on stderr for a user error; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from esca_desktop import __version__
from esca_desktop.context import AppContext, open_context
from esca_desktop.domain.model import Organisation
from esca_desktop.errors import UserError, ValidationError
from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.loader import load_catalog
from esca_desktop.forms.results import AnswerStatus, ResultStatus
from esca_desktop.forms.values import format_value
from esca_desktop.services.assessments import AssessmentService, Interview, NewAssessment

PROG = "esca-desktop"


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON for programs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="ESCA Assessor: prepare, conduct and score Cluster Management Excellence assessments.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (default: ESCA_DESKTOP_DATA_DIR or the user data folder)")
    parser.add_argument("--lang", choices=("en", "de"), help="language of catalog texts and messages")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB")

    catalog = verbs.add_parser("catalog", help="list, show and validate label catalogs")
    catalog_verbs = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = catalog_verbs.add_parser("list", help="the installed catalogs")
    _json_flag(p)
    p = catalog_verbs.add_parser("show", help="areas, indicators and fields of a catalog")
    p.add_argument("catalog", help="catalog id, optionally with @version (gold, gold@2013.1)")
    _json_flag(p)
    p = catalog_verbs.add_parser("validate", help="check a catalog file for catalog authors")
    p.add_argument("file", type=Path)
    _json_flag(p)

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
    _json_flag(p)
    p = a_verbs.add_parser("list", help="all assessments")
    _json_flag(p)
    p = a_verbs.add_parser("show", help="details, answers and results of an assessment")
    p.add_argument("id")
    _json_flag(p)
    p = a_verbs.add_parser("answer", help="answer one field: FIELD is <indicator>.<field>")
    p.add_argument("id")
    p.add_argument("field")
    p.add_argument("value")
    _json_flag(p)
    p = a_verbs.add_parser("load", help="answer many fields from a JSON object {FIELD: value}, all or nothing")
    p.add_argument("id")
    p.add_argument("file", type=Path)
    _json_flag(p)
    p = a_verbs.add_parser("score", help="indicator results, area and total scores, outcome")
    p.add_argument("id")
    _json_flag(p)
    p = a_verbs.add_parser("finalise", help="make the assessment read-only (refused while problems remain)")
    p.add_argument("id")
    _json_flag(p)
    p = a_verbs.add_parser("reopen", help="start a new revision of a finalised assessment")
    p.add_argument("id")
    _json_flag(p)
    p = a_verbs.add_parser("note", help="set the note of an indicator")
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
    _json_flag(p)
    p = a_verbs.add_parser("audit", help="the history of every change")
    p.add_argument("id")
    p.add_argument("--verify", action="store_true", help="check the hash chain; exit 1 when broken")
    _json_flag(p)

    p = verbs.add_parser("demo", help="create realistic sample assessments (one per scheme)")
    _json_flag(p)
    return parser


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date as YYYY-MM-DD") from None


class Cli:
    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.args = args
        self.out = out
        self.lang: str = args.lang or "en"
        self._context: AppContext | None = None

    @property
    def context(self) -> AppContext:
        if self._context is None:
            self._context = open_context(self.args.data_dir)
        return self._context

    @property
    def service(self) -> AssessmentService:
        return AssessmentService(self.context)

    def print(self, text: str = "") -> None:
        print(text, file=self.out)

    def emit_json(self, data: Any) -> None:
        json.dump(data, self.out, ensure_ascii=False, indent=2, default=str)
        self.out.write("\n")

    def close(self) -> None:
        if self._context is not None:
            self._context.close()

    # --- catalog --------------------------------------------------------------------------------

    def catalog_list(self) -> int:
        entries = self.context.catalogs.entries()
        if self.args.json:
            self.emit_json([
                {"id": e.catalog.id, "version": e.catalog.version, "scheme": e.catalog.scheme,
                 "title": e.catalog.title.get(self.lang), "indicators": len(e.catalog.indicators),
                 "max_points": e.catalog.max_points, "provisional": e.catalog.provisional,
                 "hash": e.catalog.content_hash, "builtin": e.builtin}
                for e in entries
            ])
            return 0
        rows = [(e.catalog.ref, e.catalog.scheme, str(len(e.catalog.indicators)),
                 "provisional" if e.catalog.provisional else "", e.catalog.title.get(self.lang)) for e in entries]
        self._table(("CATALOG", "SCHEME", "INDICATORS", "STATUS", "TITLE"), rows)
        for problem in self.context.catalogs.problems:
            print(f"{PROG}: warning: {problem}", file=sys.stderr)
        return 0

    def catalog_show(self) -> int:
        catalog = self.context.catalogs.find(self.args.catalog).catalog
        if self.args.json:
            self.emit_json(_catalog_json(catalog, self.lang))
            return 0
        lang = self.lang
        self.print(f"{catalog.title.get(lang)}  ({catalog.ref}, {catalog.content_hash[:19]}…)")
        if catalog.provisional:
            self.print(f"PROVISIONAL: {catalog.provisional_note.get(lang)}")
        for area in catalog.areas:
            self.print(f"\n{area.id}  {area.title.get(lang)}")
            for ind in area.indicators:
                flags = []
                if ind.minimum_requirement:
                    flags.append("minimum requirement")
                if ind.silver_scope:
                    flags.append("Silver scope")
                if ind.scoring.max_points:
                    flags.append(f"{ind.scoring.max_points:g} points")
                extra = f" [{', '.join(flags)}]" if flags else ""
                self.print(f"  {ind.id}  {ind.title.get(lang)}{extra}")
                for fld in ind.fields:
                    details = [fld.type.value]
                    if fld.unit:
                        details.append(fld.unit.get(lang))
                    if fld.required:
                        details.append("required")
                    if fld.computed:
                        details.append(f"computed: {fld.compute.source}" if fld.compute else "computed")
                    if fld.choices:
                        details.append("choices: " + ", ".join(c.id for c in fld.choices))
                    self.print(f"      {fld.key:<32} {fld.label.get(lang)} ({'; '.join(details)})")
        return 0

    def catalog_validate(self) -> int:
        catalog = load_catalog(self.args.file)
        if self.args.json:
            self.emit_json({"valid": True, **_catalog_json(catalog, self.lang, fields=False)})
        else:
            fields = len(catalog.field_by_key)
            self.print(f"{self.args.file.name}: valid catalog {catalog.ref} ({catalog.scheme}): "
                       f"{len(catalog.areas)} areas, {len(catalog.indicators)} indicators, {fields} fields, "
                       f"{catalog.max_points:g} points")
        return 0

    # --- assessment -----------------------------------------------------------------------------

    def assessment_new(self) -> int:
        a = self.args
        request = NewAssessment(
            catalog_ref=a.catalog,
            organisation=Organisation(a.organisation, a.country, a.region, "", a.sector, a.website),
            assessors=tuple(a.assessor), interview_start=a.start, interview_end=a.end, place=a.place,
            interview_lang=a.interview_lang,
        )
        new_id, _ = self.service.create(request)
        if a.json:
            self.emit_json({"id": new_id})
        else:
            self.print(new_id)
        return 0

    def assessment_list(self) -> int:
        summaries = self.service.list_summaries()
        if self.args.json:
            self.emit_json([
                {"id": s.id, "organisation": s.organisation, "country": s.country, "scheme": s.scheme,
                 "status": s.status.value, "revision": s.revision, "progress": [s.progress_done, s.progress_total],
                 "score": None if s.score_points is None else {"points": s.score_points, "max_points": s.score_max},
                 "passed": s.outcome_passed, "updated_at": s.updated_at.isoformat()}
                for s in summaries
            ])
            return 0
        rows = []
        for s in summaries:
            score = "" if s.score_points is None or not s.score_max else f"{100 * s.score_points / s.score_max:.1f} %"
            rows.append((s.id[:8], s.organisation, s.country, s.scheme, s.status.label(self.lang),
                         f"{s.progress_done}/{s.progress_total}", score, s.updated_at.strftime("%Y-%m-%d %H:%M")))
        self._table(("ID", "ORGANISATION", "CC", "SCHEME", "STATUS", "PROGRESS", "SCORE", "CHANGED"), rows)
        return 0

    def _open(self) -> Interview:
        return self.service.open(self.args.id, lang=self.args.lang)

    def assessment_show(self) -> int:
        interview = self._open()
        a = interview.assessment
        session = interview.session
        lang = session.lang
        if self.args.json:
            self.emit_json({
                "id": a.id, "organisation": vars_of(a.organisation), "catalog": a.catalog.ref,
                "catalog_hash": a.catalog.content_hash, "scheme": a.scheme, "status": a.status.value,
                "revision": a.revision, "assessors": list(a.assessors),
                "interview_start": a.interview_start, "interview_end": a.interview_end, "place": a.place,
                **interview.snapshot(),
            })
            return 0
        org = a.organisation
        self.print(f"{org.name} ({org.country}{', ' + org.region if org.region else ''})")
        self.print(f"  id        {a.id}")
        self.print(f"  catalog   {a.catalog.ref}  {a.catalog.content_hash[:19]}…")
        self.print(f"  status    {a.status.label(lang)}, revision {a.revision}")
        self.print(f"  assessors {', '.join(a.assessors)}")
        if a.interview_start:
            end = f" – {a.interview_end}" if a.interview_end and a.interview_end != a.interview_start else ""
            self.print(f"  interview {a.interview_start}{end} {a.place}")
        for ind in session.indicators:
            result = session.result(ind.id)
            self.print(f"\n{ind.id} {ind.title.get(lang)}: {_result_text(result.status, result.points, result.max_points, lang)}")
            for fld in ind.fields:
                value = session.value(fld.key)
                if value is not None:
                    self.print(f"    {fld.label.get(lang)}: {format_value(fld, value, lang)}")
            state = session.state(ind.id)
            if state.note:
                self.print(f"    note: {state.note}")
            if state.override:
                self.print(f"    override: {state.override.justification}")
        return 0

    def assessment_answer(self) -> int:
        interview = self._open()
        result, _ = interview.answer(self.args.field, self.args.value)
        if not result.stored:
            raise ValidationError(f"nothing stored: {result.message}")
        if self.args.json:
            self.emit_json({"field": result.key, "status": result.status.value, "message": result.message,
                            "value": self.args.value if result.value is None else str(result.value)})
        else:
            fld = interview.session.field(result.key)
            shown = format_value(fld, result.value, interview.session.lang) or "(empty)"
            self.print(f"{result.key} = {shown}")
            if result.status is AnswerStatus.REQUIRED_BUT_EMPTY:
                print(f"{PROG}: warning: {result.message}", file=sys.stderr)
        return 0

    def assessment_load(self) -> int:
        try:
            data = json.loads(self.args.file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UserError(f"{self.args.file}: cannot read: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise UserError(f"{self.args.file}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        if not isinstance(data, dict):
            raise UserError(f"{self.args.file}: expected a JSON object {{\"<indicator>.<field>\": value}}")
        applied, _ = self._open().answer_many(data)
        if self.args.json:
            self.emit_json({"stored": len(applied)})
        else:
            self.print(f"stored {len(applied)} answer(s) ({len(data) - len(applied)} unchanged)")
        return 0

    def assessment_score(self) -> int:
        interview = self._open()
        data = score_json(interview)
        if self.args.json:
            self.emit_json(data)
            return 0
        lang = interview.session.lang
        catalog = interview.catalog
        for area in interview.session.area_scores():
            title = catalog.area_by_id[area.area_id].title.get(lang)
            if area.max_points:
                self.print(f"{area.area_id:<4} {title:<50} {area.points:>5g} / {area.max_points:g}")
            else:
                counts = ", ".join(f"{n} {s.label(lang)}" for s, n in area.counts.items())
                self.print(f"{area.area_id:<4} {title:<50} {counts}")
        total = data["total"]
        if total["max_points"]:
            self.print(f"\nTotal: {total['points']:g} / {total['max_points']:g} points ({total['percent']:.1f} %)")
        outcome = data["outcome"]
        for check in outcome["checks"]:
            self.print(f"Check: {check['label']}: {ResultStatus(check['status']).label(lang)}")
        verdict = {True: "PASSED", False: "NOT PASSED", None: "no judgement" if outcome["judgement"] == "benchmark" else "OPEN"}
        threshold = f" (threshold {outcome['pass_percent']:g} %)" if outcome["pass_percent"] else ""
        self.print(f"Outcome ({outcome['scheme']}): {verdict[outcome['passed']]}{threshold}")
        for reason in outcome["reasons"]:
            self.print(f"  - {reason}")
        progress = data["progress"]
        self.print(f"Progress: {progress['indicators_done']}/{progress['indicators_total']} indicators")
        return 0

    def assessment_finalise(self) -> int:
        interview = self._open()
        interview.finalise()
        if self.args.json:
            self.emit_json({"id": interview.id, "status": interview.assessment.status.value,
                            "revision": interview.assessment.revision})
        else:
            self.print(f"{interview.id}: finalised (revision {interview.assessment.revision})")
        return 0

    def assessment_reopen(self) -> int:
        interview = self._open()
        interview.reopen()
        if self.args.json:
            self.emit_json({"id": interview.id, "status": interview.assessment.status.value,
                            "revision": interview.assessment.revision})
        else:
            self.print(f"{interview.id}: reopened as revision {interview.assessment.revision}")
        return 0

    def assessment_note(self) -> int:
        self._open().set_note(self.args.indicator, self.args.text)
        return 0

    def assessment_override(self) -> int:
        interview = self._open()
        if self.args.result == "clear":
            interview.clear_override(self.args.indicator)
        else:
            interview.set_override(self.args.indicator, ResultStatus(self.args.result), self.args.points,
                                   self.args.justification)
        return 0

    def assessment_evidence(self) -> int:
        item, _ = self._open().add_evidence(self.args.file, self.args.description, self.args.indicator)
        if self.args.json:
            self.emit_json({"id": item.id, "sha256": item.sha256, "size": item.size})
        else:
            self.print(f"{item.file_name}: {item.size} bytes, sha256 {item.sha256}")
        return 0

    def assessment_audit(self) -> int:
        service = self.service
        if self.args.verify:
            verification = service.verify_audit(self.args.id)
            if self.args.json:
                self.emit_json({"ok": verification.ok, "entries": verification.entries,
                                "message": verification.message, "first_bad_seq": verification.first_bad_seq})
            else:
                self.print(("OK: " if verification.ok else "BROKEN: ") + verification.message)
            return 0 if verification.ok else 1
        entries = service.audit(self.args.id)
        if self.args.json:
            self.emit_json([
                {"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "target": e.target,
                 "old": e.old, "new": e.new, "hash": e.hash}
                for e in entries
            ])
            return 0
        for e in entries:
            change = f"{_short(e.old)} → {_short(e.new)}"
            self.print(f"{e.seq:>6} {e.at:%Y-%m-%d %H:%M:%S} {e.actor:<16} {e.action:<10} {e.target:<28} {change}")
        return 0

    def demo(self) -> int:
        from esca_desktop.services.demo import create_demo_assessments

        created = create_demo_assessments(self.service)
        if self.args.json:
            self.emit_json(created)
            return 0
        for scheme, assessment_id in created.items():
            interview = self.service.open(assessment_id)
            total = interview.session.total()
            outcome = interview.session.outcome()
            org = interview.assessment.organisation.name
            score = f"{total.points:g}/{total.max_points:g} points ({total.percent:.1f} %)" if total.max_points else "benchmark"
            verdict = {True: "passes", False: "does not pass", None: "no judgement" if outcome.judgement == "benchmark" else "open"}
            self.print(f"{scheme:<7} {assessment_id}  {org}: {score}, {verdict[outcome.passed]}")
        return 0

    def _table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


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
            {"id": r.indicator_id, "result": r.status.value, "points": r.points, "max_points": r.max_points,
             "overridden": r.overridden}
            for r in session.results()
        ],
        "areas": [
            {"id": a.area_id, "points": a.points, "max_points": a.max_points, "percent": a.percent,
             "counts": {s.value: n for s, n in a.counts.items()}}
            for a in session.area_scores()
        ],
        "total": {"points": total.points, "max_points": total.max_points, "percent": total.percent},
        "outcome": {
            "scheme": outcome.scheme, "judgement": outcome.judgement, "passed": outcome.passed,
            "reasons": list(outcome.reasons), "percent": outcome.percent, "pass_percent": outcome.pass_percent,
            "checks": [{"id": c.check_id, "label": c.label, "status": c.status.value} for c in outcome.checks],
        },
        "progress": {"indicators_done": progress.indicators_done, "indicators_total": progress.indicators_total,
                     "required_answered": progress.required_answered, "required_total": progress.required_total},
        "problems": [{"indicator": p.indicator_id, "field": p.field_key, "kind": p.kind.value, "message": p.message}
                     for p in session.problems()],
    }


def _catalog_json(catalog: Catalog, lang: str, fields: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": catalog.id, "version": catalog.version, "scheme": catalog.scheme,
        "title": catalog.title.get(lang), "hash": catalog.content_hash, "provisional": catalog.provisional,
        "indicators": len(catalog.indicators), "max_points": catalog.max_points,
    }
    if fields:
        data["areas"] = [
            {"id": area.id, "title": area.title.get(lang), "indicators": [
                {"id": ind.id, "title": ind.title.get(lang), "max_points": ind.scoring.max_points,
                 "minimum_requirement": ind.minimum_requirement, "silver_scope": ind.silver_scope,
                 "fields": [
                     {"key": f.key, "type": f.type.value, "label": f.label.get(lang), "unit": f.unit.get(lang),
                      "required": f.required, "computed": f.computed, "choices": [c.id for c in f.choices]}
                     for f in ind.fields
                 ]}
                for ind in area.indicators
            ]}
            for area in catalog.areas
        ]
    return data


_HANDLERS: dict[tuple[str, str | None], Callable[[Cli], int]] = {
    ("catalog", "list"): Cli.catalog_list,
    ("catalog", "show"): Cli.catalog_show,
    ("catalog", "validate"): Cli.catalog_validate,
    ("assessment", "new"): Cli.assessment_new,
    ("assessment", "list"): Cli.assessment_list,
    ("assessment", "show"): Cli.assessment_show,
    ("assessment", "answer"): Cli.assessment_answer,
    ("assessment", "load"): Cli.assessment_load,
    ("assessment", "score"): Cli.assessment_score,
    ("assessment", "finalise"): Cli.assessment_finalise,
    ("assessment", "reopen"): Cli.assessment_reopen,
    ("assessment", "note"): Cli.assessment_note,
    ("assessment", "override"): Cli.assessment_override,
    ("assessment", "evidence"): Cli.assessment_evidence,
    ("assessment", "audit"): Cli.assessment_audit,
    ("demo", None): Cli.demo,
}


def run(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run a verb; returns the exit code. A `UserError` prints one line on stderr and returns 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verb is None:
        parser.print_help(out or sys.stdout)
        return 0
    cli = Cli(args, out or sys.stdout)
    handler = _HANDLERS[(args.verb, getattr(args, "action", None))]
    try:
        return handler(cli)
    except UserError as exc:
        print(f"{PROG}: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    finally:
        cli.close()
