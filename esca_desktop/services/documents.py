"""Use-cases that print: the interview protocol (blank or pre-filled) and the assessment report.

They gather what a document shows from the interview engine and the store into the frozen values
of `reports.model`, then hand them to the PDF builders. Writing is atomic: the PDF appears under
its name only when complete. Signing is a separate step (`services.signing`) on the written file,
or `write_signed_report`, which never leaves an unsigned copy under the signed file's name.

The report lists the evidence with its SHA-256, so before it is written every evidence file is
checked against what was recorded when it was attached (as for an export): a file changed or
deleted behind the program's back is named and no report is written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from esca_desktop.context import AppContext
from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.domain.countries import find_country
from esca_desktop.domain.model import Assessment, AuditEntry, AuditVerification, EvidenceItem, interviewees
from esca_desktop.errors import UserError, ValidationError
from esca_desktop.forms.catalog import Judgement
from esca_desktop.forms.results import ResultStatus
from esca_desktop.forms.session import FormSession
from esca_desktop.forms.values import AnswerValue
from esca_desktop.paths import make_private_dir, temp_dir, temp_name
from esca_desktop.reports.model import (
    AuditSummary,
    DrawnSignature,
    ProtocolData,
    ReportData,
    SignatureBox,
    label_valid_until,
    report_code,
)
from esca_desktop.services.assessments import AssessmentService, Interview
from esca_desktop.services.evidence_files import require_intact_evidence
from esca_desktop.storage.sync_store import SyncStore

LANGUAGES = ("en", "de")


class DocumentService:
    def __init__(self, context: AppContext, assessments: AssessmentService | None = None) -> None:
        self.context = context
        self.repository = context.repository
        self.assessments = assessments or AssessmentService(context)

    # --- protocol -------------------------------------------------------------------------------

    def _open(self, assessment_id: str, lang: str | None) -> tuple[Interview, str]:
        """The interview in the document's language (by default the interview's own)."""
        if lang is None:
            lang = self.assessments.get(assessment_id).interview_lang
        lang = _check_lang(lang)
        return self.assessments.open(assessment_id, lang=lang), lang

    def protocol_data(self, assessment_id: str, blank: bool, lang: str | None = None) -> ProtocolData:
        interview, lang = self._open(assessment_id, lang)
        assessment = interview.assessment
        session = interview.session
        values = {} if blank else _values(session)
        states = {} if blank else {ind.id: session.state(ind.id) for ind in session.indicators}
        not_applicable = (
            frozenset() if blank else frozenset(ind.id for ind in session.indicators if not session.is_relevant(ind))
        )
        sessions = self.repository.visit_sessions(assessment.id)
        attached: dict[str, list[EvidenceItem]] = {}
        for item in [] if blank else self.repository.evidence(assessment.id):
            for indicator_id in item.indicators:
                attached.setdefault(indicator_id, []).append(item)
        return ProtocolData(
            catalog=interview.catalog,
            organisation=assessment.organisation,
            assessment_id=assessment.id,
            assessors=assessment.assessors,
            interview_start=assessment.interview_start,
            interview_end=assessment.interview_end,
            place=assessment.place,
            generated_at=self.context.clock(),
            blank=blank,
            values=values,
            notes={i: state.note for i, state in states.items() if state.note},
            not_applicable=not_applicable,
            findings={i: state.finding for i, state in states.items() if state.finding},
            follow_ups=frozenset(i for i, state in states.items() if state.follow_up),
            evidence_checked={i: state.evidence_checked for i, state in states.items() if state.evidence_checked},
            evidence={i: tuple(items) for i, items in attached.items()},
            sessions=tuple(sessions),
            quick_notes=() if blank else tuple(self.repository.quick_notes(assessment.id)),
            lang=lang,
        )

    def write_protocol(self, assessment_id: str, out_path: Path, blank: bool = False, lang: str | None = None) -> Path:
        """Write the interview protocol (in `lang`, by default the interview's language); returns its path."""
        from esca_desktop.reports.protocol import build_protocol

        target = _check_target(out_path)
        data = self.protocol_data(assessment_id, blank, lang)
        build_protocol(data, target, data.lang)
        return target

    # --- report ---------------------------------------------------------------------------------

    def stored_quartiles(self, assessment: Assessment) -> list[Quartiles]:
        """Benchmark statistics from the review service for this organisation's comparison groups."""
        org = assessment.organisation
        groups = [f"country:{org.country}"] + ([f"sector:{org.sector}"] if org.sector else [])
        return SyncStore(self.repository.engine, self.context.clock).benchmarks(groups)

    def report_data(
        self, assessment_id: str, lang: str | None = None, quartiles: Sequence[Quartiles] | None = None
    ) -> ReportData:
        """What the report shows. `quartiles`: benchmark statistics of comparison groups (Bronze), any
        number per field, e.g. `sector:ict` and `country:DE`; statistics of other fields are ignored.
        By default, those the last sync brought for the organisation's sector and country."""
        interview, lang = self._open(assessment_id, lang)
        assessment = interview.assessment
        if quartiles is None:
            quartiles = self.stored_quartiles(assessment)
        session = interview.session
        catalog = interview.catalog
        generated_at = self.context.clock()
        country = find_country(assessment.organisation.country)
        month = interview_month(assessment, generated_at)
        code = report_code(
            country.alpha3 if country else "XXX", catalog.scheme, month, assessment.id, assessment.revision
        )
        outcome = session.outcome()
        evidence = tuple(self.repository.evidence(assessment.id))
        require_intact_evidence(
            self.context.evidence_dir / assessment.id,
            evidence,
            ("The report is not written", "Der Bericht wird nicht erstellt"),
            self.context.lang,
        )
        return ReportData(
            catalog=catalog,
            assessment=assessment,
            report_code=code,
            generated_at=generated_at,
            values=_values(session),
            results={r.indicator_id: r for r in session.results()},
            states={ind.id: session.state(ind.id) for ind in session.indicators},
            area_scores=tuple(session.area_scores()),
            total=session.total(),
            outcome=outcome,
            valid_until=_valid_until(interview, month),
            evidence=evidence,
            drawn_signatures=tuple(
                DrawnSignature(role, name, image, at)
                for role, name, image, at in self.repository.drawn_signatures(assessment.id)
            ),
            audit=audit_summary(
                self.repository.audit_entries(assessment.id), self.repository.verify_audit(assessment.id)
            ),
            quartiles=_by_field(quartiles, catalog.field_by_key),
            hidden_fields=frozenset(
                key for key, fld in catalog.field_by_key.items() if not session.field_relevant(fld)
            ),
            interviewees=tuple(interviewees(self.repository.visit_sessions(assessment.id))),
            lang=lang,
        )

    def write_report(
        self, assessment_id: str, out_path: Path, lang: str | None = None, quartiles: Sequence[Quartiles] | None = None
    ) -> tuple[Path, SignatureBox]:
        """Write the assessment report (in `lang`, by default the interview's language); returns its path
        and where its signature box is, for signing."""
        from esca_desktop.reports.report import build_report

        target = _check_target(out_path)
        data = self.report_data(assessment_id, lang, quartiles)
        box = build_report(data, target, data.lang)
        return target, box

    def write_signed_report(
        self, assessment_id: str, out_path: Path, passphrase: str | None = None, lang: str | None = None
    ) -> tuple[Path, SignatureBox]:
        """Write the report and sign it with the assessor's identity (see `services.signing`): the
        unsigned PDF is made in the data folder's private `tmp/` and removed whatever happens (a copy a
        killed process left there is removed at the next start); `out_path` only ever receives the
        signed file."""
        from esca_desktop.services.signing import sign_report_file  # pyHanko only when signing

        target = _check_target(out_path)
        lang = _check_lang(lang or self.assessments.get(assessment_id).interview_lang)
        unsigned = make_private_dir(temp_dir(self.context.data_dir)) / temp_name("unsigned", ".pdf")
        try:
            _, box = self.write_report(assessment_id, unsigned, lang=lang)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                sign_report_file(self.context, unsigned, box, passphrase, lang=lang, out_path=target)
            except OSError as exc:
                raise UserError(f"{target}: cannot write here: {exc.strerror or exc}") from None
        finally:
            unsigned.unlink(missing_ok=True)
        return target, box


# --- helpers --------------------------------------------------------------------------------------


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValidationError(f"document language: {lang!r} is not one of {', '.join(LANGUAGES)}")
    return lang


def _check_target(out_path: Path) -> Path:
    target = Path(out_path).expanduser()
    if target.is_dir():
        raise UserError(f"{target}: is a folder; give a file name such as report.pdf")
    if target.suffix.lower() != ".pdf":
        raise ValidationError(f"{target}: the file name must end in .pdf")
    return target


def _values(session: FormSession) -> dict[str, AnswerValue]:
    values: dict[str, AnswerValue] = {}
    for key in session.catalog.field_by_key:
        value = session.value(key)
        if value is not None:
            values[key] = value
    return values


def _by_field(quartiles: Sequence[Quartiles], fields: Mapping[str, object]) -> dict[str, tuple[Quartiles, ...]]:
    """Statistics of the catalog's fields, grouped by field in the order given (other fields dropped)."""
    grouped: dict[str, list[Quartiles]] = {}
    for stat in quartiles:
        if stat.field_key in fields:
            grouped.setdefault(stat.field_key, []).append(stat)
    return {key: tuple(stats) for key, stats in grouped.items()}


def interview_month(assessment: Assessment, fallback: dt.datetime) -> dt.date:
    """The month the label's validity counts from: the (first) interview day, else when it was
    finalised, else today."""
    if assessment.interview_start is not None:
        return assessment.interview_start
    if assessment.interview_end is not None:
        return assessment.interview_end
    if assessment.finalised_at is not None:
        return assessment.finalised_at.date()
    return fallback.date()


def _valid_until(interview: Interview, month: dt.date) -> dt.date | None:
    """The label's end date when the outcome awards one: a passed Gold or Silver, or a Bronze
    benchmarking whose eligibility checks are all met and whose indicators are all answered."""
    session = interview.session
    rule = interview.catalog.outcome
    outcome = session.outcome()
    if rule.judgement is Judgement.BENCHMARK:
        if any(check.status is not ResultStatus.MET for check in outcome.checks):
            return None
        progress = session.progress()
        if progress.indicators_done < progress.indicators_total:
            return None
    elif outcome.passed is not True:
        return None
    return label_valid_until(month, rule.validity_years)


def audit_summary(entries: Sequence[AuditEntry], verification: AuditVerification) -> AuditSummary:
    actors: list[str] = []
    for entry in entries:
        if entry.actor not in actors:
            actors.append(entry.actor)
    actions = Counter(entry.action for entry in entries).most_common()
    return AuditSummary(
        entries=len(entries),
        intact=verification.ok,
        message=verification.message,
        head_hash=entries[-1].hash if entries else "",
        first_at=entries[0].at if entries else None,
        last_at=entries[-1].at if entries else None,
        actors=tuple(actors),
        actions=tuple(actions),
    )
