"""Receiving bundles: the same bytes again are a no-op, a conflict is refused before any work, and a
new bundle is verified completely (format, signature, every hash and size) with the desktop's own
bundle reader before it is stored — whole, in one transaction."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from esca_desktop.central.bundle_files import IncomingBundle
from esca_desktop.central.errors import ForbiddenError, InvalidRequestError, RefusedBundleError
from esca_desktop.central.store import (
    CentralStore,
    CommentReply,
    SignerCertificate,
    StoreOutcome,
    SubmissionFacts,
    User,
    numeric_values,
)
from esca_desktop.errors import CatalogError, UserError
from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.loader import parse_catalog
from esca_desktop.forms.registry import CatalogRegistry
from esca_desktop.security.identity import (
    certificate_fingerprint,
    certificate_name,
    describe_certificate,
    load_certificates,
)
from esca_desktop.storage.repository import verify_exported_chain
from esca_desktop.sync.bundle import VerifiedBundle, read_bundle
from esca_desktop.sync.content import catalog_problem

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


class ServiceCatalogs:
    """The catalogs the service judges submissions by: those built into the program and those
    published in its store, by content hash (each parsed once)."""

    def __init__(self, store: CentralStore) -> None:
        self.store = store
        self._builtin = CatalogRegistry(None)
        self._published: dict[str, Catalog] = {}
        self._lock = threading.Lock()

    def by_hash(self, content_hash: str) -> Catalog | None:
        entry = self._builtin.by_hash(content_hash)
        if entry is not None:
            return entry.catalog
        with self._lock:
            if content_hash in self._published:
                return self._published[content_hash]
        for info in self.store.catalogs():
            if info.content_hash != content_hash:
                continue
            _, content = self.store.catalog_content(info.catalog_id, info.version)
            try:
                catalog = parse_catalog(content, f"{info.catalog_id}@{info.version}")
            except CatalogError:
                return None  # published before this program's checks refused such a file
            with self._lock:
                self._published[content_hash] = catalog
            return catalog
        return None


class ReceivingService:
    def __init__(self, store: CentralStore, trusted: Sequence[x509.Certificate] = ()) -> None:
        self.store = store
        self.trusted = tuple(trusted)
        self.catalogs = ServiceCatalogs(store)

    def receive(self, assessment_uuid: str, revision: int, upload: IncomingBundle, user: User) -> Receipt:
        """Check, verify and store one complete upload (idempotent by assessment, revision and content)."""
        check_key(assessment_uuid, revision)
        if user.role != "assessor":
            raise ForbiddenError(f"{user.name} is a {user.role}; only assessors submit assessments")
        if not upload.size:
            raise InvalidRequestError("the upload is empty: send the bundle file as the request body")
        self.store.check_upload(assessment_uuid, revision, user)  # an older revision: refused before any work
        verified = self.read(upload)
        self.check_signer(verified, user)
        facts = facts_from_bundle(verified)
        if (facts.assessment_uuid, facts.revision) != (assessment_uuid, revision):
            raise InvalidRequestError(
                f"the bundle holds revision {facts.revision} of assessment {facts.assessment_uuid}, but was sent "
                f"as revision {revision} of {assessment_uuid}"
            )
        return Receipt(self.store.store_submission(facts, upload, user))

    def verify(self, upload: IncomingBundle) -> SubmissionFacts:
        """Every check of the desktop's bundle reader and of the content against its catalog, then the
        audit chain inside assessment.json."""
        return facts_from_bundle(self.read(upload))

    def read(self, upload: IncomingBundle) -> VerifiedBundle:
        """The bundle, checked by the desktop's own reader, its answers checked against the catalog."""
        try:
            verified = read_bundle(
                upload.path, self.trusted, evidence="check", label="bundle", streamed=upload.entries.entries
            )
        except UserError as exc:  # BundleError: the reader names the entry and the reason
            raise RefusedBundleError(f"bundle refused: {exc.message}") from None
        check_content(verified, self.catalogs)
        return verified

    def check_signer(self, verified: VerifiedBundle, user: User) -> None:
        """The bundle is signed by the uploading account's own certificate: the one registered for it
        (`esca-central user certificate`), or one issued by the secretariat's CA (`serve --trust`) in the
        account's name. An account without either is bound to its first signer whose certificate
        bears the account's name; from then on only that certificate (or the CA's) is accepted."""
        signed_by = f"{verified.signer} (certificate SHA-256 {verified.signer_fingerprint[:16]}…)"
        named = same_name(certificate_subject_name(verified.signer_certificate), user.name)
        if verified.trusted and named:
            return  # issued by the secretariat's CA for this account
        bound = self.store.certificate_of(user)
        if bound is None:
            owner = self.store.certificate_owner(verified.signer_fingerprint)
            if owner is not None and owner != user.name:
                raise ForbiddenError(
                    f"the bundle is signed by {signed_by}, whose certificate is registered for {owner}, not "
                    f"for {user.name}: an assessor uploads only what they signed themselves"
                )
            if not named:
                raise ForbiddenError(
                    f"the bundle is signed by {signed_by}, but it is uploaded by {user.name}, whose account "
                    "has no certificate registered: an assessor uploads only what they signed themselves. "
                    f"If this is your own certificate, ask the secretariat to register it "
                    f"('esca-central user certificate \"{user.name}\" CERT.pem')"
                )
            bound = self.store.bind_first_certificate(
                user,
                SignerCertificate(
                    verified.signer_fingerprint, verified.signer, verified.signer_certificate, "first upload"
                ),
            )
        if bound.fingerprint != verified.signer_fingerprint:
            raise ForbiddenError(
                f"the bundle is signed by {signed_by}, but {user.name}'s account is bound to the certificate of "
                f"{bound.signer} (SHA-256 {bound.fingerprint[:16]}…): sign with that one, or, for a new "
                f"certificate, ask the secretariat to register it ('esca-central user certificate "
                f'"{user.name}" CERT.pem\')'
            )


def signer_certificate(data: bytes, source: str) -> SignerCertificate:
    """The certificate an assessor signs with, from a PEM or DER file (the first of a PEM chain)."""
    try:
        certificate = load_certificates(data, source)[0]
    except IndexError:
        raise InvalidRequestError(f"{source} holds no certificate") from None
    return SignerCertificate(
        certificate_fingerprint(certificate),
        describe_certificate(certificate),
        certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
    )


def same_name(a: str, b: str) -> bool:
    """Whether a certificate's name and an account's name are the same person's (case, spaces and
    Unicode form aside)."""

    def key(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return bool(key(a)) and key(a) == key(b)


def certificate_subject_name(pem: str) -> str:
    """The common name of a certificate (PEM), or "" when it cannot be read."""
    try:
        return certificate_name(x509.load_pem_x509_certificate(pem.encode("ascii")))
    except (ValueError, UnicodeEncodeError):
        return ""


def check_content(verified: VerifiedBundle, catalogs: ServiceCatalogs) -> None:
    """The assessment fits the catalog it names, answer by answer, before it is stored and before any
    of its numbers can reach the benchmark statistics."""
    wanted = verified.catalog
    ref = f"{wanted['id']}@{wanted['version']}"
    catalog = catalogs.by_hash(wanted["hash"])
    if catalog is None:
        raise RefusedBundleError(
            f"bundle refused: the assessment was made under the catalog {ref} ({wanted['hash']}), which this "
            "review service does not know; the secretariat publishes it with 'esca-central catalog publish FILE'"
        )
    if (catalog.id, catalog.version) != (wanted["id"], wanted["version"]):
        raise RefusedBundleError(
            f"bundle refused: the catalog with hash {wanted['hash']} is {catalog.ref} here, not {ref}"
        )
    problem = catalog_problem(verified.document, catalog)
    if problem:
        raise RefusedBundleError(f"bundle refused: assessment.json: {problem}")


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
