"""Receiving bundles: the same bytes again are a no-op, a conflict is refused before any work, and a
new bundle is verified completely (format, signature, every hash and size) with the desktop's own
bundle reader before it is stored — whole, in one transaction."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from esca_desktop.central.bundle_files import IncomingBundle
from esca_desktop.central.errors import ForbiddenError, InvalidRequestError, RefusedBundleError
from esca_desktop.central.store import (
    CentralStore,
    CommentReply,
    StoreOutcome,
    SubmissionFacts,
    User,
    numeric_values,
)
from esca_desktop.errors import UserError
from esca_desktop.storage.repository import verify_exported_chain
from esca_desktop.sync.bundle import VerifiedBundle, read_bundle

UUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True, slots=True)
class Receipt:
    outcome: StoreOutcome

    @property
    def created(self) -> bool:
        return self.outcome.created

    def as_json(self) -> dict[str, Any]:
        return {"result": "stored" if self.created else "unchanged", "submission": self.outcome.submission.as_json()}


def check_key(assessment_uuid: str, revision: int) -> None:
    if not UUID_PATTERN.match(assessment_uuid):
        raise InvalidRequestError(f"{assessment_uuid!r} is not an assessment UUID (lower-case, with hyphens)")
    if revision < 1:
        raise InvalidRequestError(f"revision {revision}: revisions start at 1")


class ReceivingService:
    def __init__(self, store: CentralStore, trusted: Sequence[x509.Certificate] = ()) -> None:
        self.store = store
        self.trusted = tuple(trusted)

    def receive(self, assessment_uuid: str, revision: int, upload: IncomingBundle, user: User) -> Receipt:
        """Check, verify and store one complete upload (idempotent by assessment, revision and content)."""
        check_key(assessment_uuid, revision)
        if user.role != "assessor":
            raise ForbiddenError(f"{user.name} is a {user.role}; only assessors submit assessments")
        if not upload.size:
            raise InvalidRequestError("the upload is empty: send the bundle file as the request body")
        self.store.check_upload(assessment_uuid, revision, user)  # an older revision: refused before any work
        facts = self.verify(upload)
        if (facts.assessment_uuid, facts.revision) != (assessment_uuid, revision):
            raise InvalidRequestError(
                f"the bundle holds revision {facts.revision} of assessment {facts.assessment_uuid}, but was sent "
                f"as revision {revision} of {assessment_uuid}"
            )
        return Receipt(self.store.store_submission(facts, upload, user))

    def verify(self, upload: IncomingBundle) -> SubmissionFacts:
        """Every check of the desktop's bundle reader, then the audit chain inside assessment.json."""
        try:
            verified = read_bundle(
                upload.path, self.trusted, evidence="check", label="bundle", streamed=upload.entries.entries
            )
        except UserError as exc:  # BundleError: the reader names the entry and the reason
            raise RefusedBundleError(f"bundle refused: {exc.message}") from None
        return facts_from_bundle(verified)


def facts_from_bundle(verified: VerifiedBundle) -> SubmissionFacts:
    """What the service keeps of a verified bundle: its key, who and what it is about, the numbers."""
    manifest, document = verified.manifest, verified.document
    problem = audit_problem(document)
    if problem:
        raise RefusedBundleError(f"bundle refused: assessment.json: the audit trail is not intact ({problem})")
    if verified.status not in ("finalised", "submitted"):
        raise RefusedBundleError(
            f"bundle refused: the assessment is {verified.status}; only finalised assessments are submitted for review"
        )
    organisation = document["organisation"]
    catalog = verified.catalog
    document_sha = next((f["sha256"] for f in manifest["files"] if f["name"] == "assessment.json"), "")
    return SubmissionFacts(
        assessment_uuid=verified.assessment_id,
        revision=verified.revision,
        organisation=organisation["name"],
        country=organisation["country"],
        sector=organisation["sector"],
        scheme=document["scheme"],
        catalog_id=catalog["id"],
        catalog_version=catalog["version"],
        catalog_hash=catalog["hash"],
        content_hash=verified.content_hash,
        document_sha256=document_sha,
        signer_name=verified.signer,
        signer_fingerprint=verified.signer_fingerprint,
        signer_trusted=verified.trusted,
        indicators=tuple(str(item["id"]) for item in document["indicators"]),
        values=numeric_values({item["key"]: item["value"] for item in document["answers"]}),
        manifest=manifest,
        replies=tuple(
            CommentReply(
                item["revision"],
                item["indicator"],
                item["comment"],
                item["reply"],
                item["resolved"],
                item["replied_by"],
                item["replied_at"],
            )
            for item in document.get("review_comments", ())
        ),
    )


def audit_problem(document: Mapping[str, Any]) -> str | None:
    """Recompute the hash chain of the audit trail carried in assessment.json (the store's own rules)."""
    audit = document["audit"]
    verification = verify_exported_chain(str(document["id"]), audit["entries"], audit["head"], audit["count"])
    return None if verification.ok else verification.message
