"""Creates realistic sample assessments (one per scheme) from `resources/samples/*.json`,
so that a new user has something to open at once. The Gold sample is complete."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from esca_desktop.domain.model import Organisation
from esca_desktop.resources import resource
from esca_desktop.services.assessments import AssessmentService, NewAssessment

SAMPLES = ("gold", "silver", "bronze")


def create_demo_assessments(service: AssessmentService) -> dict[str, str]:
    """Create the samples; returns {scheme: assessment id}."""
    created: dict[str, str] = {}
    for scheme in SAMPLES:
        sample: dict[str, Any] = json.loads(resource("samples", f"{scheme}.json").read_text(encoding="utf-8"))
        org = sample["organisation"]
        request = NewAssessment(
            catalog_ref=sample["catalog"],
            organisation=Organisation(
                org["name"],
                org["country"],
                org.get("region", ""),
                org.get("legal_form", ""),
                org.get("sector", ""),
                org.get("website", ""),
                org.get("contact", ""),
            ),
            assessors=tuple(sample.get("assessors", ())),
            interview_start=_date(sample.get("interview_start")),
            interview_end=_date(sample.get("interview_end")),
            place=sample.get("place", ""),
            interview_lang=sample.get("interview_lang", "en"),
        )
        assessment_id, _ = service.create(request)
        interview = service.open(assessment_id)
        interview.answer_many(sample["answers"])
        for indicator_id, note in sample.get("notes", {}).items():
            interview.set_note(indicator_id, note)
        for indicator_id, finding in sample.get("findings", {}).items():
            interview.set_finding(indicator_id, finding)
        for indicator_id in sample.get("follow_ups", []):
            interview.set_follow_up(indicator_id, True)
        if sample.get("summary"):
            interview.set_summary_texts(sample["summary"])
        created[scheme] = assessment_id
    return created


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None
