"""Use-cases on assessments: create, list, edit details, archive, delete, interview (answer, note,
override, undo), finalise, reopen.

Each edit goes through the interview engine first (validation, recomputation), then into the store
as one durable transaction; if saving fails, the engine is rolled back so that what the person sees
is always what is saved. Every mutation returns a `Changes` value naming what to refresh.

An open `Interview` is a copy of the stored assessment at one version. Another program (the command
line beside the window) may change the store meanwhile: each edit is then refused inside its
transaction, the interview reads the stored state again and `AssessmentChangedError` says so, so
that no score, snapshot or audit entry is ever computed from a stale copy. Finalising takes its
problems and snapshot from the stored answers, never from the copy.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from esca_desktop.context import AppContext
from esca_desktop.domain.countries import find_country
from esca_desktop.domain.model import (
    Assessment,
    AssessmentDetails,
    AssessmentStatus,
    AssessmentSummary,
    AuditEntry,
    AuditVerification,
    CatalogBinding,
    Changes,
    DeletedAssessment,
    EvidenceItem,
    Organisation,
    ReviewComment,
)
from esca_desktop.domain.photos import PHOTO_SUFFIXES, image_format
from esca_desktop.domain.sectors import SECTORS, find_sector
from esca_desktop.errors import NotFoundError, ReadOnlyError, UserError, ValidationError
from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.loader import parse_catalog
from esca_desktop.forms.results import (
    AnswerResult,
    IndicatorResult,
    IndicatorState,
    NavEvent,
    Override,
    Problem,
    ProblemKind,
    ResultStatus,
)
from esca_desktop.forms.session import FormSession
from esca_desktop.forms.values import AnswerValue, from_json, msg, stored_value_problem, to_json
from esca_desktop.services.evidence_files import check_attached_name, copy_evidence
from esca_desktop.storage.repository import (
    AnswerWrite,
    ChangedElsewhereError,
    RemovedSignature,
    ScoreSummary,
    StoredAssessment,
)

logger = logging.getLogger(__name__)


class AssessmentChangedError(UserError):
    """An edit was refused because another program changed the assessment since it was read here;
    the interview now holds the stored state (nothing of the refused edit was stored)."""


@dataclass(frozen=True, slots=True)
class NewAssessment:
    """What the person gives to start an assessment."""

    catalog_ref: str
    organisation: Organisation
    assessors: tuple[str, ...] = ()
    interview_start: dt.date | None = None
    interview_end: dt.date | None = None
    place: str = ""
    interview_lang: str = "en"


def normalise_organisation(org: Organisation, lang: str = "en") -> Organisation:
    """Check the organisation's details; raise `ValidationError` naming the wrong one."""
    name = org.name.strip()
    if not name:
        raise ValidationError(
            msg(lang, "organisation name: must not be empty", "Name der Organisation: darf nicht leer sein")
        )
    if len(name) > 300:
        raise ValidationError(
            msg(lang, "organisation name: at most 300 characters", "Name der Organisation: höchstens 300 Zeichen")
        )
    country = find_country(org.country)
    if country is None:
        raise ValidationError(
            msg(
                lang,
                f"country: {org.country!r} is not an ISO 3166 country code or name (e.g. DE, DNK)",
                f"Land: {org.country!r} ist kein ISO-3166-Ländercode oder Ländername (z. B. DE, DNK)",
            )
        )
    sector = ""
    if org.sector.strip():
        found = find_sector(org.sector)
        if found is None:
            raise ValidationError(
                msg(
                    lang,
                    f"sector: {org.sector!r} is not a sector portfolio (one of: {', '.join(SECTORS)})",
                    f"Branche: {org.sector!r} ist kein Branchenportfolio (eines von: {', '.join(SECTORS)})",
                )
            )
        sector = found
    website = org.website.strip()
    if website and "://" not in website:
        website = "https://" + website
    return replace(
        org,
        name=name,
        country=country.alpha2,
        sector=sector,
        website=website,
        region=org.region.strip(),
        legal_form=org.legal_form.strip(),
        contact=org.contact.strip(),
    )


def check_interview_dates(start: dt.date | None, end: dt.date | None, lang: str = "en") -> None:
    if start and end and end < start:
        raise ValidationError(
            msg(
                lang,
                "interview dates: the last day is before the first day",
                "Interviewtermine: der letzte Tag liegt vor dem ersten",
            )
        )


def normalise_details(details: AssessmentDetails, lang: str = "en") -> AssessmentDetails:
    """Check edited details as the New-assessment dialog does; raise `ValidationError` naming the field."""
    check_interview_dates(details.interview_start, details.interview_end, lang)
    assessors = tuple(dict.fromkeys(a.strip() for a in details.assessors if a.strip()))
    if not assessors:
        raise ValidationError(
            msg(lang, "assessors: give at least one name", "Gutachter: mindestens ein Name ist nötig")
        )
    return replace(
        details,
        organisation=normalise_organisation(details.organisation, lang),
        assessors=assessors,
        place=details.place.strip(),
    )


def score_summary(session: FormSession) -> ScoreSummary:
    progress = session.progress()
    total = session.total()
    outcome = session.outcome()
    judged = total.max_points > 0
    return ScoreSummary(
        progress.indicators_done,
        progress.indicators_total,
        total.points if judged else None,
        total.max_points if judged else None,
        outcome.passed,
    )


class AssessmentService:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.repository = context.repository
        self._catalogs: dict[str, Catalog] = {}

    # --- catalogs -------------------------------------------------------------------------------

    def catalog_for(self, binding: CatalogBinding) -> Catalog:
        """The exact catalog an assessment was started under (from the store if not installed)."""
        cached = self._catalogs.get(binding.content_hash)
        if cached is not None:
            return cached
        entry = self.context.catalogs.by_hash(binding.content_hash)
        if entry is not None:
            catalog = entry.catalog
        else:
            source_name, content = self.repository.catalog_source(binding.content_hash)
            catalog = parse_catalog(content, source_name)
        self._catalogs[binding.content_hash] = catalog
        return catalog

    # --- assessments ----------------------------------------------------------------------------

    def create(self, request: NewAssessment) -> tuple[str, Changes]:
        organisation = normalise_organisation(request.organisation, self.context.lang)
        check_interview_dates(request.interview_start, request.interview_end, self.context.lang)
        if request.interview_lang not in ("en", "de"):
            raise ValidationError(f"interview language: {request.interview_lang!r} is not en or de")
        entry = self.context.catalogs.find(request.catalog_ref)
        catalog = entry.catalog
        self.repository.store_catalog_source(
            catalog.id, catalog.version, catalog.content_hash, catalog.source_name, entry.content
        )
        session = FormSession(catalog, lang=request.interview_lang)
        assessors = tuple(a.strip() for a in request.assessors if a.strip()) or (self.context.actor,)
        new_id = self.repository.create(
            organisation,
            CatalogBinding(catalog.id, catalog.version, catalog.content_hash),
            catalog.scheme,
            assessors,
            request.interview_start,
            request.interview_end,
            request.place.strip(),
            request.interview_lang,
            self.context.actor,
            score_summary(session),
            session.current.id,
        )
        return new_id, Changes(assessment_ids=frozenset({new_id}), list=True)

    def resolve(self, id_or_prefix: str) -> str:
        return self.repository.resolve_id(id_or_prefix)

    def _msg(self, en: str, de: str) -> str:
        return msg(self.context.lang, en, de)

    def archive(self, assessment_id: str) -> Changes:
        """Hide an assessment from the list; it is read-only until unarchived (audited, reversible)."""
        full_id = self.resolve(assessment_id)
        changed = self.repository.set_archived(full_id, True, self.context.actor)
        return Changes(assessment_ids=frozenset({full_id}), status=True, list=True) if changed else Changes()

    def unarchive(self, assessment_id: str) -> Changes:
        full_id = self.resolve(assessment_id)
        changed = self.repository.set_archived(full_id, False, self.context.actor)
        return Changes(assessment_ids=frozenset({full_id}), status=True, list=True) if changed else Changes()

    def deletable(self, assessment_id: str) -> bool:
        """Whether the assessment may be deleted: no revision of it was ever sent to the secretariat."""
        return not self.repository.was_sent(self.resolve(assessment_id))

    def delete(self, assessment_id: str) -> tuple[DeletedAssessment, Changes]:
        """Delete an assessment that was never sent to the secretariat, and its evidence files in the data
        folder (and a bundle waiting in the outbox). The audit trail stays, ending with the deletion and
        the names and SHA-256 of the evidence files; `audit` and `verify_audit` still read it."""
        full_id = self.resolve(assessment_id)
        try:
            deleted, evidence = self.repository.delete(full_id, self.context.actor)
        except ReadOnlyError:
            assessment = self.repository.get(full_id)
            raise ReadOnlyError(
                self._msg(
                    f"assessment {full_id[:8]} ({assessment.organisation.name}) was sent to the secretariat and "
                    "cannot be deleted; archive it to hide it from the list",
                    f"Die Bewertung {full_id[:8]} ({assessment.organisation.name}) wurde an das Sekretariat "
                    "gesendet und kann nicht gelöscht werden; archivieren Sie sie, um sie aus der Liste zu nehmen",
                )
            ) from None
        folder = self.context.evidence_dir / full_id
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():
            logger.warning("deleted assessment %s: its evidence folder %s could not be removed", full_id, folder)
        for bundle in (self.context.data_dir / "outbox").glob(f"{full_id}-r*.esca"):
            bundle.unlink(missing_ok=True)
        logger.info("deleted assessment %s (%s) with %d evidence file(s)", full_id, deleted.organisation, len(evidence))
        return deleted, Changes(assessment_ids=frozenset({full_id}), list=True)

    def get(self, assessment_id: str) -> Assessment:
        return self.repository.get(self.resolve(assessment_id))

    def list_summaries(self) -> list[AssessmentSummary]:
        return self.repository.list_summaries()

    def open(self, assessment_id: str, lang: str | None = None) -> Interview:
        stored = self.repository.load(self.resolve(assessment_id))
        assessment = stored.assessment
        catalog = self.catalog_for(assessment.catalog)
        answers, drafts = session_values(catalog, stored)
        session = FormSession(
            catalog,
            answers,
            stored.indicator_states,
            lang=lang or assessment.interview_lang,
            position=assessment.current_indicator,
            drafts=drafts,
        )
        return Interview(self, stored, session)

    def audit(self, assessment_id: str) -> list[AuditEntry]:
        """The trail of an assessment, also of a deleted one."""
        return self.repository.audit_entries(self.repository.resolve_id(assessment_id, deleted=True))

    def verify_audit(self, assessment_id: str) -> AuditVerification:
        return self.repository.verify_audit(self.repository.resolve_id(assessment_id, deleted=True))


def session_values(catalog: Catalog, stored: StoredAssessment) -> tuple[dict[str, AnswerValue], dict[str, str]]:
    """The stored answers and drafts as a form session takes them. A stored value its field could never
    hold (e.g. a 400-digit number from an old import) becomes a draft: a problem to correct, never a crash."""
    answers: dict[str, AnswerValue] = {}
    drafts = dict(stored.drafts)
    for key, data in stored.answers_json.items():
        fld = catalog.field_by_key.get(key)
        if fld is None:
            continue
        if stored_value_problem(fld, data) is None:
            answers[key] = from_json(fld, data)
        else:
            drafts.setdefault(key, data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))
    return answers, drafts


class Interview:
    """One open assessment: the engine plus persistence of every edit."""

    def __init__(self, service: AssessmentService, stored: StoredAssessment, session: FormSession) -> None:
        self.service = service
        self.repository = service.repository
        self.context = service.context
        self.assessment = stored.assessment
        self.version = stored.version  # what the session shows; every edit is checked against it
        self.session = session
        self._review_comments: dict[str, ReviewComment] | None = None  # read once per opening

    # --- changes made by another program --------------------------------------------------------

    def changed_elsewhere(self) -> bool:
        """Whether another program changed the stored assessment since this interview read it (a
        cheap read: the window asks every few seconds)."""
        return self.repository.changed_elsewhere(self.id, self.version)

    def reload(self) -> None:
        """Read the stored assessment again into this interview (the session keeps its position and
        language; its undo history goes)."""
        stored = self.repository.load(self.id)
        answers, drafts = session_values(self.catalog, stored)
        self.session.replace_state(answers, stored.indicator_states, drafts)
        self.assessment = stored.assessment
        self.version = stored.version
        self._review_comments = None

    def _changed_error(self) -> AssessmentChangedError:
        """After a refused write: read the stored state and say that it was changed elsewhere."""
        self.reload()
        return AssessmentChangedError(
            self._msg(
                f"assessment {self.id[:8]} was changed by another program (the command line?) since it was "
                "read here; nothing was stored: the stored answers were read again, check them and repeat "
                "the change",
                f"Die Bewertung {self.id[:8]} wurde inzwischen von einem anderen Programm (der Kommandozeile?) "
                "geändert; nichts wurde gespeichert: die gespeicherten Antworten wurden neu gelesen, prüfen Sie "
                "sie und wiederholen Sie die Änderung",
            )
        )

    @property
    def id(self) -> str:
        return self.assessment.id

    @property
    def catalog(self) -> Catalog:
        return self.session.catalog

    @property
    def editable(self) -> bool:
        return self.assessment.editable

    def _require_editable(self) -> None:
        if self.assessment.archived_at is not None:
            raise ReadOnlyError(
                self._msg(
                    f"assessment {self.id[:8]} is archived and read-only; unarchive it to change it",
                    f"Die Bewertung {self.id[:8]} ist archiviert und schreibgeschützt; holen Sie sie aus dem "
                    "Archiv zurück, um sie zu ändern",
                )
            )
        if not self.editable:
            raise ReadOnlyError(
                self._msg(
                    f"assessment {self.id[:8]} is {self.assessment.status.label()} and read-only; "
                    "reopen it as a new revision to change it",
                    f"Die Bewertung {self.id[:8]} ist {self.assessment.status.label('de')} und schreibgeschützt; "
                    "öffnen Sie sie als neue Revision, um sie zu ändern",
                )
            )

    def _msg(self, en: str, de: str) -> str:
        """A message for the person, in the language of the window or command line."""
        return msg(self.context.lang, en, de)

    def _changed_results(self, indicator_ids: frozenset[str]) -> list[IndicatorResult]:
        return [self.session.result(i) for i in sorted(indicator_ids)]

    def _changes(
        self, fields: frozenset[str] = frozenset(), indicators: frozenset[str] = frozenset(), notes: bool = False
    ) -> Changes:
        return Changes(
            assessment_ids=frozenset({self.id}),
            answers=fields,
            indicators=indicators,
            notes=notes,
            summary=True,
            list=True,
        )

    # --- details --------------------------------------------------------------------------------

    def details(self) -> AssessmentDetails:
        a = self.assessment
        return AssessmentDetails(a.organisation, a.assessors, a.interview_start, a.interview_end, a.place)

    def edit_details(self, details: AssessmentDetails) -> tuple[list[str], Changes]:
        """Correct the organisation, interview dates, place or assessors until the assessment is finalised;
        each changed item is audited with its old and new value, and drawn signatures are removed (the
        details are part of what they sign). Returns the items changed."""
        self._require_editable()
        checked = normalise_details(details, self.context.lang)
        try:
            changed = self.repository.update_details(self.id, checked, self.context.actor, self.version)
        except ChangedElsewhereError:
            raise self._changed_error() from None
        if not changed:
            return [], Changes()
        self.assessment = self.repository.get(self.id)
        return changed, Changes(assessment_ids=frozenset({self.id}), summary=True, list=True)

    # --- answers --------------------------------------------------------------------------------

    def answer(
        self, key: str, raw: object, *, keep: bool = False, typing: bool = False
    ) -> tuple[AnswerResult, Changes]:
        """Check, apply and durably save one answer. A refused value changes nothing, unless `keep`:
        then what was typed is saved anyway (a contradicting value, or the text as a draft) and counts
        as a problem until it is corrected (the window keeps everything typed). `typing`: see
        `FormSession.answer`."""
        self._require_editable()
        result = self.session.answer(key, raw, keep=keep, typing=typing)
        if not result.stored or not result.changed_fields:
            return result, Changes()
        self._persist([result], "answer")
        return result, self._changes(result.changed_fields, result.changed_indicators)

    def _persist(self, results: Sequence[AnswerResult], action: str) -> None:
        catalog = self.catalog
        writes = [
            AnswerWrite(
                r.key,
                to_json(catalog.field_by_key[r.key], r.value),
                to_json(catalog.field_by_key[r.key], r.previous),
                r.draft,
                r.previous_draft,
            )
            for r in results
        ]
        changed: set[str] = set()
        for r in results:
            changed |= r.changed_indicators
        try:
            self.repository.save_answers(
                self.id,
                writes,
                self.context.actor,
                self._changed_results(frozenset(changed)),
                score_summary(self.session),
                action,
                self.version,
            )
        except ChangedElsewhereError:
            raise self._changed_error() from None  # the session is read again: no revert needed
        except BaseException:
            for r in reversed(results):
                self.session.revert(r)
            raise
        if self.assessment.status is AssessmentStatus.DRAFT:
            self.assessment = replace(self.assessment, status=AssessmentStatus.IN_PROGRESS)

    def answer_many(self, values: Mapping[str, object]) -> tuple[list[AnswerResult], Changes]:
        """Apply many answers at once, all or nothing; constraints are judged on the final state."""
        self._require_editable()
        errors: list[str] = []
        parsed: list[AnswerResult] = []
        for key, raw in values.items():
            try:
                checked = self.session.check_answer(key, raw, constraints=False)
            except NotFoundError as exc:
                errors.append(str(exc))
                continue
            if checked.stored:
                parsed.append(checked)
            else:
                errors.append(checked.message)
        applied: list[AnswerResult] = []
        if not errors:
            for checked in parsed:
                result = self.session.answer(checked.key, checked.value, record=False, constraints=False)
                if result.changed_fields:
                    applied.append(result)
            errors = [
                p.message for p in self.session.problems() if p.kind is ProblemKind.CONSTRAINT and p.field_key in values
            ]
        if errors:
            for r in reversed(applied):
                self.session.revert(r)
            raise ValidationError("nothing was stored: " + "; ".join(errors))
        if applied:
            self._persist(applied, "load")
        fields: set[str] = set()
        indicators: set[str] = set()
        for r in applied:
            fields |= r.changed_fields
            indicators |= r.changed_indicators
        return applied, self._changes(frozenset(fields), frozenset(indicators))

    def undo(self) -> tuple[AnswerResult | None, Changes]:
        self._require_editable()
        result = self.session.undo()
        if result is None:
            return None, Changes()
        try:
            self._persist([result], "undo")
        except AssessmentChangedError:
            raise
        except BaseException:
            self.session.redo()
            raise
        return result, self._changes(result.changed_fields, result.changed_indicators)

    def redo(self) -> tuple[AnswerResult | None, Changes]:
        self._require_editable()
        result = self.session.redo()
        if result is None:
            return None, Changes()
        try:
            self._persist([result], "redo")
        except AssessmentChangedError:
            raise
        except BaseException:
            self.session.undo()
            raise
        return result, self._changes(result.changed_fields, result.changed_indicators)

    def review_comments(self) -> list[ReviewComment]:
        """The reviewer's comments on the latest returned revision, in catalog order, with the replies."""
        if self._review_comments is None:
            order = {indicator_id: index for index, indicator_id in enumerate(self.catalog.indicator_by_id)}
            threads = self.repository.review_threads(self.id)
            self._review_comments = {
                c.indicator_id: c for c in sorted(threads, key=lambda c: order.get(c.indicator_id, len(order)))
            }
        return list(self._review_comments.values())

    def review_comment(self, indicator_id: str) -> ReviewComment | None:
        self.review_comments()
        assert self._review_comments is not None
        return self._review_comments.get(indicator_id)

    def reviewer_comment(self, indicator_id: str) -> str:
        """The central reviewer's comment on an indicator, when the assessment came back returned."""
        comment = self.review_comment(indicator_id)
        return comment.comment if comment is not None else ""

    def set_review_reply(self, indicator_id: str, reply: str, resolved: bool) -> Changes:
        """Answer the reviewer's comment on an indicator and mark it resolved (or not); the reply goes to
        the review service with the next finalised revision."""
        self._require_editable()
        comment = self.review_comment(indicator_id)
        if comment is None:
            raise NotFoundError(f"the reviewer made no comment on {indicator_id}")
        if (comment.reply, comment.resolved) == (reply, resolved):
            return Changes()
        try:
            self.repository.save_review_reply(
                self.id, comment.revision, indicator_id, reply, resolved, self.context.actor, self.version
            )
        except ChangedElsewhereError:
            raise self._changed_error() from None
        assert self._review_comments is not None
        self._review_comments[indicator_id] = replace(
            comment, reply=reply, resolved=resolved, replied_by=self.context.actor, replied_at=self.context.clock()
        )
        return Changes(assessment_ids=frozenset({self.id}), notes=True, list=True)

    # --- navigation -----------------------------------------------------------------------------

    def remember_position(self, event: NavEvent | None = None) -> None:
        self.repository.set_position(self.id, event.indicator_id if event else self.session.current.id)

    # --- notes, follow-ups, overrides -----------------------------------------------------------

    def _save_state(self, indicator_id: str, state: IndicatorState, action: str, old: Any, new: Any) -> Changes:
        self._require_editable()
        previous = self.session.state(indicator_id)
        changed = self.session.set_state(indicator_id, state)
        try:
            self.repository.save_indicator_state(
                self.id,
                indicator_id,
                state,
                self.context.actor,
                action,
                old,
                new,
                [self.session.result(indicator_id)] if changed else [],
                score_summary(self.session),
                self.version,
            )
        except ChangedElsewhereError:
            raise self._changed_error() from None
        except BaseException:
            self.session.set_state(indicator_id, previous)
            raise
        return self._changes(indicators=frozenset({indicator_id}) if changed else frozenset(), notes=True)

    def set_note(self, indicator_id: str, note: str) -> Changes:
        state = self.session.state(indicator_id)
        if state.note == note:
            return Changes()
        return self._save_state(indicator_id, replace(state, note=note), "note", state.note, note)

    def set_finding(self, indicator_id: str, finding: str) -> Changes:
        """The finding written for the report (the client reads it), apart from the internal note."""
        state = self.session.state(indicator_id)
        if state.finding == finding:
            return Changes()
        return self._save_state(indicator_id, replace(state, finding=finding), "finding", state.finding, finding)

    def set_evidence_checked(self, indicator_id: str, position: int, checked: bool) -> Changes:
        """Tick (or untick) one item of the indicator's evidence checklist as seen on site."""
        indicator = self.catalog.indicator_by_id.get(indicator_id)
        if indicator is None:
            raise NotFoundError(f"no indicator {indicator_id!r} in {self.catalog.ref}")
        if not 0 <= position < len(indicator.evidence):
            raise ValidationError(
                msg(
                    self.session.lang,
                    f"{indicator_id}: the evidence checklist has {len(indicator.evidence)} item(s), "
                    f"no item {position + 1}",
                    f"{indicator_id}: die Nachweisliste hat {len(indicator.evidence)} Einträge, "
                    f"keinen Eintrag {position + 1}",
                )
            )
        state = self.session.state(indicator_id)
        ticked = set(state.evidence_checked)
        if (position in ticked) == checked:
            return Changes()
        if checked:
            ticked.add(position)
        else:
            ticked.discard(position)
        new = tuple(sorted(ticked))

        def labels(positions: Sequence[int]) -> list[str]:
            return [indicator.evidence[n].get("en") for n in positions]

        return self._save_state(
            indicator_id,
            replace(state, evidence_checked=new),
            "evidence_checklist",
            labels(state.evidence_checked),
            labels(new),
        )

    def set_follow_up(self, indicator_id: str, flag: bool) -> Changes:
        state = self.session.state(indicator_id)
        if state.follow_up == flag:
            return Changes()
        return self._save_state(indicator_id, replace(state, follow_up=flag), "follow_up", state.follow_up, flag)

    def set_override(
        self, indicator_id: str, status: ResultStatus, points: float | None, justification: str
    ) -> Changes:
        override = Override(status, points, justification.strip(), self.context.actor, self.context.clock())
        problem = self.session.check_override(indicator_id, override)
        if problem:
            raise ValidationError(problem)
        state = self.session.state(indicator_id)
        old = _override_json(state.override)
        return self._save_state(
            indicator_id, replace(state, override=override), "override", old, _override_json(override)
        )

    def clear_override(self, indicator_id: str) -> Changes:
        state = self.session.state(indicator_id)
        if state.override is None:
            return Changes()
        return self._save_state(
            indicator_id, replace(state, override=None), "override", _override_json(state.override), None
        )

    def set_summary_texts(self, texts: Mapping[str, str]) -> Changes:
        self._require_editable()
        try:
            self.repository.save_summary_texts(self.id, texts, self.context.actor, self.version)
        except ChangedElsewhereError:
            raise self._changed_error() from None
        self.assessment = self.repository.get(self.id)
        return self._changes(notes=True)

    # --- evidence -------------------------------------------------------------------------------

    def add_evidence(
        self, source: Path, description: str = "", indicators: Sequence[str] = (), suffix: str | None = None
    ) -> tuple[EvidenceItem, Changes]:
        """Copy a file into the data folder with its SHA-256 and link it to indicators (the copy keeps the
        file's suffix, or `suffix`)."""
        self._require_editable()
        for indicator_id in indicators:
            if indicator_id not in self.catalog.indicator_by_id:
                raise NotFoundError(
                    self._msg(
                        f"no indicator {indicator_id!r} in {self.catalog.ref}",
                        f"kein Indikator {indicator_id!r} in {self.catalog.ref}",
                    )
                )
        if not source.is_file():
            raise UserError(self._msg(f"{source}: not a readable file", f"{source}: keine lesbare Datei"))
        empty = ValidationError(
            self._msg(
                f"{source.name}: the file is empty (0 bytes), so it cannot be evidence; attach the document itself",
                f"{source.name}: die Datei ist leer (0 Byte) und kann kein Nachweis sein; hängen Sie das Dokument "
                "selbst an",
            )
        )
        try:
            if source.stat().st_size == 0:
                raise empty
        except OSError as exc:
            raise UserError(
                self._msg(
                    f"{source}: cannot read the file: {exc.strerror}", f"{source}: Datei nicht lesbar: {exc.strerror}"
                )
            ) from None
        check_attached_name(source.name, self.context.lang)
        evidence_id = str(uuid.uuid4())
        stored_name = f"{evidence_id}{suffix or source.suffix.lower()}"
        check_attached_name(stored_name, self.context.lang)
        target = self.context.evidence_dir / self.id / stored_name
        sha256, size = copy_evidence(source, target, self.context.lang)  # on the disk before it is recorded
        try:
            if size == 0:  # emptied between the check and the copy
                raise empty
            item = EvidenceItem(
                evidence_id,
                self.id,
                source.name,
                stored_name,
                sha256,
                size,
                description.strip(),
                tuple(indicators),
                self.context.actor,
                self.context.clock(),
            )
            self.repository.add_evidence(item, self.context.actor)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        return item, Changes(assessment_ids=frozenset({self.id}), evidence=True)

    def add_photo(
        self, source: Path, caption: str = "", indicators: Sequence[str] = ()
    ) -> tuple[EvidenceItem, Changes]:
        """Attach a picture (JPEG, PNG, WebP or HEIF, told from its first bytes) with a caption; a file
        that is not a picture is refused, naming it. The caption is the evidence item's description."""
        self._require_editable()
        try:
            found = image_format(source) if source.is_file() and source.stat().st_size > 0 else "unchecked"
        except OSError as exc:
            raise UserError(
                self._msg(
                    f"{source}: cannot read the file: {exc.strerror}", f"{source}: Datei nicht lesbar: {exc.strerror}"
                )
            ) from None
        if found is None:
            raise ValidationError(
                self._msg(
                    f"{source.name}: not a photo (JPEG, PNG, WebP or HEIC); attach it as a document instead",
                    f"{source.name}: kein Foto (JPEG, PNG, WebP oder HEIC); hängen Sie es als Dokument an",
                )
            )
        # the stored copy gets a picture's suffix, by which it is shown as a photo
        suffix = source.suffix.lower()
        if found != "unchecked" and suffix not in PHOTO_SUFFIXES:
            suffix = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "heif": ".heic"}[found]
        return self.add_evidence(source, caption.strip() or source.stem, indicators, suffix=suffix)

    def evidence(self) -> list[EvidenceItem]:
        return self.repository.evidence(self.id)

    def find_evidence(self, ref: str) -> EvidenceItem:
        """An evidence item by its id, the start of its id or SHA-256 (at least 6 characters), or its file name."""
        text = ref.strip()
        lower = text.lower()
        items = self.evidence()
        for matches in (
            [e for e in items if e.id == lower],
            [e for e in items if e.file_name == text],
            [e for e in items if e.file_name.casefold() == text.casefold()],
            [e for e in items if len(text) >= 6 and (e.id.startswith(lower) or e.sha256.startswith(lower))],
        ):
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise NotFoundError(
                    f"evidence {ref!r} is ambiguous ({len(matches)} items match); give its id or SHA-256"
                )
        raise NotFoundError(f"no evidence {ref!r} in assessment {self.id[:8]}")

    def remove_evidence(self, evidence_id: str) -> tuple[EvidenceItem, Changes]:
        """Take an evidence item out of the assessment and delete its copy in the data folder.

        The audit trail keeps that it was attached and removed, with its name, size and SHA-256; the
        report and any bundle exported afterwards no longer carry it."""
        self._require_editable()
        item = self.repository.remove_evidence(self.id, evidence_id, self.context.actor)
        try:
            self.evidence_path(item).unlink(missing_ok=True)
        except OSError:
            logger.warning("removed evidence %s: its file %s could not be deleted", item.id, self.evidence_path(item))
        return item, Changes(assessment_ids=frozenset({self.id}), evidence=True, summary=True)

    def describe_evidence(self, evidence_id: str, description: str) -> tuple[EvidenceItem, Changes]:
        """Rename an evidence item: its description (the file keeps its name and fingerprint)."""
        self._require_editable()
        item = self.repository.update_evidence(
            self.id, evidence_id, self.context.actor, description=description.strip()
        )
        return item, Changes(assessment_ids=frozenset({self.id}), evidence=True)

    def link_evidence(self, evidence_id: str, indicators: Sequence[str]) -> tuple[EvidenceItem, Changes]:
        """Set the indicators an evidence item belongs to (none: it belongs to the whole assessment)."""
        self._require_editable()
        linked: list[str] = []
        for indicator_id in indicators:
            if indicator_id not in self.catalog.indicator_by_id:
                raise NotFoundError(f"no indicator {indicator_id!r} in {self.catalog.ref}")
            if indicator_id not in linked:
                linked.append(indicator_id)
        order = {ind.id: n for n, ind in enumerate(self.catalog.indicators)}
        linked.sort(key=order.__getitem__)
        item = self.repository.update_evidence(self.id, evidence_id, self.context.actor, indicators=linked)
        return item, Changes(assessment_ids=frozenset({self.id}), evidence=True)

    def evidence_path(self, item: EvidenceItem) -> Path:
        return self.context.evidence_dir / self.id / item.stored_name

    # --- drawn signatures -----------------------------------------------------------------------

    def add_drawn_signature(self, role: str, signer_name: str, image_png: bytes) -> Changes:
        """A signature drawn by hand (assessor or interviewee) of the content as it is now; replaces an
        earlier one of that role."""
        self._require_editable()
        if not signer_name.strip():
            raise ValidationError(
                self._msg(
                    "signature: the signer's name is required",
                    "Unterschrift: der Name der unterschreibenden Person fehlt",
                )
            )
        if not image_png.startswith(b"\x89PNG"):
            raise ValidationError(self._msg("signature: the image is not a PNG", "Unterschrift: das Bild ist kein PNG"))
        try:
            self.repository.add_drawn_signature(
                self.id, role, signer_name.strip(), image_png, self.context.actor, self.version
            )
        except ChangedElsewhereError:
            raise self._changed_error() from None
        return Changes(assessment_ids=frozenset({self.id}), summary=True)

    def drawn_signatures(self) -> list[tuple[str, str, bytes, dt.datetime]]:
        """The signatures of the content as it is now; any change after signing removes them."""
        return self.repository.drawn_signatures(self.id)

    def removed_signatures(self) -> list[RemovedSignature]:
        """Signatures removed because the content changed after signing, not drawn again since."""
        return self.repository.removed_drawn_signatures(self.id)

    # --- finalise and reopen --------------------------------------------------------------------

    def blocking_problems(self) -> list[Problem]:
        return self.session.problems()

    def finalise(self) -> Changes:
        """Make the assessment read-only; refused while problems remain, listing them.

        The problems and the snapshot come from the stored answers, read now, and the finalisation is
        refused if they changed before it is written: never from this interview's copy alone."""
        self._require_editable()
        stored = self.repository.load(self.id)
        if self.repository.moved_since(self.version, stored.version):
            raise self._changed_error()  # the assessor has not seen what is stored: show it first
        self.assessment = stored.assessment
        self._require_editable()
        answers, drafts = session_values(self.catalog, stored)
        session = FormSession(
            self.catalog,
            answers,
            stored.indicator_states,
            lang=self.session.lang,
            drafts=drafts,
        )
        problems = session.problems()
        if problems:
            listed = "; ".join(p.message for p in problems[:20])
            left = len(problems) - 20
            if self.context.lang == "de":
                more = f" (und {left} weitere)" if left > 0 else ""
                open_ = "1 Problem ist" if len(problems) == 1 else f"{len(problems)} Probleme sind"
                raise ValidationError(f"Abschließen nicht möglich, {open_} noch offen: {listed}{more}")
            more = f" (and {left} more)" if left > 0 else ""
            remain = "1 problem remains" if len(problems) == 1 else f"{len(problems)} problems remain"
            raise ValidationError(f"cannot finalise, {remain}: {listed}{more}")
        try:
            self.repository.set_status(
                self.id,
                AssessmentStatus.FINALISED,
                self.context.actor,
                snapshot=self._snapshot(session, stored.assessment.revision),
                version=stored.version,
            )
        except ChangedElsewhereError:
            raise self._changed_error() from None
        self.version = stored.version
        self.assessment = self.repository.get(self.id)
        return Changes(assessment_ids=frozenset({self.id}), status=True, list=True)

    def reopen(self, status: AssessmentStatus = AssessmentStatus.IN_PROGRESS) -> Changes:
        """Start a new revision of a finalised (or returned) assessment; the old one stays in the snapshot."""
        if self.assessment.archived_at is not None:
            self._require_editable()  # says: unarchive it first
        if self.editable:
            raise UserError(
                self._msg(
                    f"assessment {self.id[:8]} is {self.assessment.status.label()}, not finalised",
                    f"Die Bewertung {self.id[:8]} ist {self.assessment.status.label('de')}, nicht abgeschlossen",
                )
            )
        try:
            self.repository.set_status(self.id, status, self.context.actor, new_revision=True, version=self.version)
        except ChangedElsewhereError:
            raise self._changed_error() from None
        self.assessment = self.repository.get(self.id)
        return Changes(assessment_ids=frozenset({self.id}), status=True, list=True)

    def snapshot(self) -> dict[str, Any]:
        """Answers, results and outcome as JSON (kept with each finalised revision)."""
        return self._snapshot(self.session, self.assessment.revision)

    def _snapshot(self, session: FormSession, revision: int) -> dict[str, Any]:
        catalog = self.catalog
        total = session.total()
        outcome = session.outcome()
        return {
            "catalog": {"id": catalog.id, "version": catalog.version, "hash": catalog.content_hash},
            "revision": revision,
            "answers": {
                key: to_json(catalog.field_by_key[key], value) for key, value in sorted(session.answers.items())
            },
            "results": [
                {
                    "indicator": r.indicator_id,
                    "status": r.status.value,
                    "points": r.points,
                    "max_points": r.max_points,
                    "overridden": r.overridden,
                }
                for r in session.results()
            ],
            "total": {"points": total.points, "max_points": total.max_points, "percent": total.percent},
            "outcome": {"passed": outcome.passed, "reasons": list(outcome.reasons)},
        }


def _override_json(override: Override | None) -> Any:
    if override is None:
        return None
    return {"status": override.status.value, "points": override.points, "justification": override.justification}
