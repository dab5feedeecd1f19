"""The review service's store: users, submissions (with their bundles), review decisions and
comments, catalogs and benchmark statistics — one SQLAlchemy schema for SQLite and PostgreSQL.

Only the URL differs between the two: a path or ``sqlite:///file`` for a single reviewer's machine,
``postgresql+psycopg://…`` for a larger secretariat. Everything is written in single transactions:
a submission is recorded with its numeric answers, or not at all; its bundle is made durable first,
as a file named by its hash (`bundle_files`) or inside that same transaction (without a folder).
Uniqueness of (assessment, revision) is a database constraint, so two uploads of the same bundle
racing each other still store it once.

API tokens are kept as SHA-256 hashes only; the token itself is shown once, when the user is added.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from esca_desktop.central.benchmarks import Contribution, compute_benchmarks
from esca_desktop.central.bundle_files import BundleFiles, IncomingBundle
from esca_desktop.central.errors import ConflictError, ForbiddenError, InvalidRequestError, MissingError
from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.domain.model import Clock, iso_utc, utcnow
from esca_desktop.errors import StoreError

SCHEMA_VERSION = 1
ROLES = ("assessor", "reviewer")
STATUSES = ("received", "returned", "approved")
DEFAULT_DATABASE = "esca-central.sqlite3"
TOKEN_PREFIX = "esca_"


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

meta_table = Table(
    "central_meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256 of the token, never the token
    Column("created_at", String(40), nullable=False),
)

user_certificates = Table(
    "user_certificates",
    metadata,  # the one certificate an assessor account signs with (added later: created where missing)
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("fingerprint", String(64), nullable=False, unique=True),  # SHA-256 of the DER certificate
    Column("signer", String(300), nullable=False),  # "Name <email>" from the certificate
    Column("certificate_pem", Text, nullable=False),
    Column("source", String(20), nullable=False),  # "registered" (by the secretariat) or "first upload"
    Column("bound_at", String(40), nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("assessment_uuid", String(36), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    # The bundle's content hash (sync.bundle.content_hash), which also names its file. Databases
    # written before it existed hold the SHA-256 of the whole upload here; it names their files too.
    Column("sha256", String(64), nullable=False, key="content_hash"),
    Column("document_sha256", String(64), nullable=False),  # of its assessment.json: the content itself
    Column("size", Integer, nullable=False),
    Column("organisation", String(300), nullable=False),
    Column("country", String(2), nullable=False),
    Column("sector", String(100), nullable=False),
    Column("scheme", String(20), nullable=False),
    Column("catalog_id", String(100), nullable=False),
    Column("catalog_version", String(100), nullable=False),
    Column("catalog_hash", String(80), nullable=False),
    Column("signer_name", String(300), nullable=False),
    Column("signer_fingerprint", String(100), nullable=False),
    Column("signer_trusted", Boolean, nullable=False),
    Column("indicators_json", Text, nullable=False),  # the assessment's indicator ids
    Column("manifest_json", Text, nullable=False),
    Column("submitted_by", ForeignKey("users.id"), nullable=False, index=True),
    Column("received_at", String(40), nullable=False),
    Column("decided_at", String(40), nullable=True),
    Column("decided_by", String(200), nullable=True),
    UniqueConstraint("assessment_uuid", "revision", name="uq_submissions_assessment_revision"),
)

submission_bundles = Table(
    "submission_bundles",
    metadata,  # the bytes, when the store has no bundle folder (see bundle_files)
    Column("submission_id", ForeignKey("submissions.id"), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

submission_values = Table(
    "submission_values",
    metadata,  # numeric answers, the raw material of the benchmarks
    Column("submission_id", ForeignKey("submissions.id"), primary_key=True),
    Column("field_key", String(200), primary_key=True),
    Column("value", Float, nullable=False),
)

review_events = Table(
    "review_events",
    metadata,  # the feed assessors pull; `id` is their cursor
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", ForeignKey("submissions.id"), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("reviewer", String(200), nullable=False),
    Column("at", String(40), nullable=False),
)

review_comments = Table(
    "review_comments",
    metadata,
    Column("submission_id", ForeignKey("submissions.id"), primary_key=True),
    Column("indicator_id", String(50), primary_key=True),
    Column("comment", Text, nullable=False),
    Column("reviewer", String(200), nullable=False),
    Column("at", String(40), nullable=False),
)

review_replies = Table(
    "review_replies",
    metadata,  # the assessor's replies to the comments on a returned revision, from the next revision's bundle
    Column("submission_id", ForeignKey("submissions.id"), primary_key=True),  # the revision that carries them
    Column("revision", Integer, primary_key=True),  # the revision that was returned
    Column("indicator_id", String(50), primary_key=True),
    Column("comment", Text, nullable=False),  # the comment as the assessor received it
    Column("reply", Text, nullable=False),
    Column("resolved", Boolean, nullable=False),
    Column("replied_by", String(200), nullable=False),
    Column("replied_at", String(40), nullable=True),
)

catalogs = Table(
    "catalogs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("catalog_id", String(100), nullable=False),
    Column("version", String(100), nullable=False),
    Column("content_hash", String(80), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("published_by", String(200), nullable=False),
    Column("published_at", String(40), nullable=False),
    UniqueConstraint("catalog_id", "version", name="uq_catalogs_catalog_version"),
)

benchmark_stats = Table(
    "benchmark_stats",
    metadata,  # derived from approved Bronze submissions; recomputed on each approval
    Column("field_key", String(200), primary_key=True),
    Column("group_key", String(120), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("minimum", Float, nullable=False),
    Column("q1", Float, nullable=False),
    Column("median", Float, nullable=False),
    Column("q3", Float, nullable=False),
    Column("maximum", Float, nullable=False),
    Column("computed_at", String(40), nullable=False),
)


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class SignerCertificate:
    """The certificate an assessor account is bound to: its bundles must be signed with it."""

    fingerprint: str
    signer: str
    certificate_pem: str
    source: Literal["registered", "first upload"] = "registered"
    bound_at: str = ""


@dataclass(frozen=True, slots=True)
class CommentReply:
    """The assessor's answer to a reviewer's comment on an earlier revision."""

    revision: int  # the revision that was returned with the comment
    indicator: str
    comment: str
    reply: str
    resolved: bool
    replied_by: str = ""
    replied_at: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "revision": self.revision,
            "indicator": self.indicator,
            "comment": self.comment,
            "reply": self.reply,
            "resolved": self.resolved,
            "replied_by": self.replied_by,
            "replied_at": self.replied_at,
        }


@dataclass(frozen=True, slots=True)
class SubmissionFacts:
    """What the service keeps of a verified bundle besides its bytes."""

    assessment_uuid: str
    revision: int
    organisation: str
    country: str
    sector: str
    scheme: str
    catalog_id: str
    catalog_version: str
    catalog_hash: str
    content_hash: str
    document_sha256: str = ""
    signer_name: str = ""
    signer_fingerprint: str = ""
    signer_trusted: bool = False
    indicators: tuple[str, ...] = ()
    values: Mapping[str, float] = field(default_factory=dict)  # numeric answers by field key
    manifest: Mapping[str, Any] = field(default_factory=dict)
    replies: tuple[CommentReply, ...] = ()  # to the comments on earlier revisions


@dataclass(frozen=True, slots=True)
class Submission:
    id: int
    assessment_uuid: str
    revision: int
    status: str
    content_hash: str
    size: int
    organisation: str
    country: str
    sector: str
    scheme: str
    catalog: str  # id@version
    catalog_hash: str
    signer_name: str
    signer_fingerprint: str
    signer_trusted: bool
    submitted_by: str
    received_at: str
    decided_at: str | None
    decided_by: str | None
    indicators: tuple[str, ...] = ()
    comments: Mapping[str, str] = field(default_factory=dict)
    replies: tuple[CommentReply, ...] = ()  # the assessor's replies to the comments on earlier revisions

    def as_json(self, details: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "assessment": self.assessment_uuid,
            "revision": self.revision,
            "status": self.status,
            "content_hash": self.content_hash,
            "size": self.size,
            "organisation": self.organisation,
            "country": self.country,
            "sector": self.sector,
            "scheme": self.scheme,
            "catalog": self.catalog,
            "submitted_by": self.submitted_by,
            "received_at": self.received_at,
            "decided_at": self.decided_at,
            "decided_by": self.decided_by,
        }
        if details:
            data.update(
                {
                    "catalog_hash": self.catalog_hash,
                    "signer": {
                        "name": self.signer_name,
                        "fingerprint": self.signer_fingerprint,
                        "trusted": self.signer_trusted,
                    },
                    "indicators": list(self.indicators),
                    "comments": dict(self.comments),
                    "replies": [r.as_json() for r in self.replies],
                }
            )
        return data


@dataclass(frozen=True, slots=True)
class StoreOutcome:
    submission: Submission
    created: bool  # False: the very same bundle was already stored (an idempotent no-op)


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    cursor: int
    assessment_uuid: str
    revision: int
    status: str
    reviewer: str
    at: str
    comments: Mapping[str, str]

    def as_json(self) -> dict[str, Any]:
        return {
            "cursor": self.cursor,
            "assessment": self.assessment_uuid,
            "revision": self.revision,
            "status": self.status,
            "reviewer": self.reviewer,
            "at": self.at,
            "comments": dict(self.comments),
        }


@dataclass(frozen=True, slots=True)
class CatalogInfo:
    catalog_id: str
    version: str
    content_hash: str
    published_by: str
    published_at: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.catalog_id,
            "version": self.version,
            "hash": self.content_hash,
            "published_by": self.published_by,
            "published_at": self.published_at,
        }


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def database_url(value: str | Path | None) -> str:
    """A SQLAlchemy URL from a URL or a plain file path (a SQLite file); default: ./esca-central.sqlite3."""
    text = str(value) if value else DEFAULT_DATABASE
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below starts the transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # Writers take the write lock at BEGIN, so that two writers wait for each other instead of one
    # failing when it upgrades a read lock; readers stay concurrent (WAL).
    write = connection.get_execution_options().get("esca_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class CentralStore:
    """The store over `engine`; bundles go to `files` when given, else into the database itself."""

    def __init__(self, engine: Engine, clock: Clock = utcnow, files: BundleFiles | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.files = files
        # SQLite has one writer at a time; waiting here instead of in SQLite's busy handler (which
        # sleeps in growing steps) keeps concurrent uploads from idling. Other processes still wait
        # in the busy handler.
        self._writer = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()

    @classmethod
    def open(
        cls, url: str | Path | None = None, clock: Clock = utcnow, bundles: Path | Literal["auto"] | None = "auto"
    ) -> CentralStore:
        """Open (creating the schema if needed) the store at a URL or SQLite file path.

        `bundles`: the folder for the bundle files; "auto" is `<database file>.bundles` for a SQLite
        file, and the database itself (a binary column) for anything else; None: the database."""
        text = database_url(url)
        parsed = make_url(text)
        folder = None if bundles == "auto" else bundles
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
                if bundles == "auto":
                    folder = Path(database).with_name(Path(database).name + ".bundles")
            engine = create_engine(text, pool_size=20, max_overflow=20, pool_timeout=60)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            engine = create_engine(text, pool_pre_ping=True, pool_size=20, max_overflow=20)
        store = cls(engine, clock, BundleFiles(folder) if folder is not None else None)
        store.create_schema()
        if store.files is not None and store.files.folder.is_dir():
            store.files.remove_abandoned()
        return store

    def close(self) -> None:
        self.engine.dispose()

    def create_schema(self) -> None:
        try:
            with self._write() as conn:
                metadata.create_all(conn)
                version = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "schema")).scalar()
                if version is None:
                    conn.execute(insert(meta_table).values(key="schema", value=str(SCHEMA_VERSION)))
                elif int(version) > SCHEMA_VERSION:
                    raise StoreError(
                        f"the review database has schema {version}, newer than this program "
                        f"understands ({SCHEMA_VERSION}); update esca-central"
                    )
        except OperationalError as exc:
            raise StoreError(f"cannot open the review database: {exc.orig}") from None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._writer, self.engine.connect() as conn:
            conn.execution_options(esca_write=True)
            with conn.begin():
                yield conn

    def _now(self) -> str:
        return iso_utc(self.clock())

    # --- users ----------------------------------------------------------------------------------

    def add_user(self, name: str, role: str, certificate: SignerCertificate | None = None) -> tuple[User, str]:
        """A new user and their API token (returned once: only its hash is stored); an assessor may be
        bound to the certificate they sign with at once (see `set_certificate`)."""
        name = name.strip()
        if not name:
            raise InvalidRequestError("the user's name is empty")
        if role not in ROLES:
            raise InvalidRequestError(f"role {role!r}: use one of {', '.join(ROLES)}")
        if certificate is not None and role != "assessor":
            raise InvalidRequestError(f"only assessors sign bundles; a {role} has no certificate")
        token = new_token()
        try:
            user = self._insert_user(name, role, token, certificate)
        except IntegrityError:
            raise ConflictError(f"a user named {name!r} already exists") from None
        return user, token

    def _insert_user(self, name: str, role: str, token: str, certificate: SignerCertificate | None) -> User:
        with self._write() as conn:
            if conn.execute(select(users.c.id).where(users.c.name == name)).first() is not None:
                raise ConflictError(f"a user named {name!r} already exists")
            user_id = conn.execute(
                insert(users)
                .values(
                    name=name,
                    role=role,
                    token_hash=hash_token(token),
                    created_at=self._now(),
                )
                .returning(users.c.id)
            ).scalar_one()
            user = User(int(user_id), name, role)
            if certificate is not None:
                self._bind(conn, user, certificate, replace=True)
        return user

    def set_certificate(self, name: str, certificate: SignerCertificate) -> tuple[User, SignerCertificate | None]:
        """Bind an assessor account to the certificate they sign with, replacing the one before (which
        is returned, or None); from then on their uploads must be signed with it."""
        with self._write() as conn:
            row = conn.execute(select(users.c.id, users.c.name, users.c.role).where(users.c.name == name)).first()
            if row is None:
                raise MissingError(f"no user named {name!r} (esca-central user list shows them)")
            user = User(row.id, row.name, row.role)
            if user.role != "assessor":
                raise InvalidRequestError(f"{name} is a {user.role}; only assessors sign bundles")
            before = self._certificate(conn, user)
            self._bind(conn, user, certificate, replace=True)
        return user, before

    def bind_first_certificate(self, user: User, certificate: SignerCertificate) -> SignerCertificate:
        """The account's certificate: the one it is bound to, or else `certificate`, bound now (the
        first upload of an account that the secretariat registered no certificate for)."""
        with self._write() as conn:
            bound = self._certificate(conn, user)
            if bound is not None:
                return bound
            self._bind(conn, user, certificate, replace=False)
            bound = self._certificate(conn, user)
            assert bound is not None
            return bound

    def certificate_of(self, user: User) -> SignerCertificate | None:
        with self.engine.connect() as conn:
            return self._certificate(conn, user)

    def certificate_owner(self, fingerprint: str) -> str | None:
        """The name of the account bound to this certificate, or None."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(users.c.name)
                .join(user_certificates, user_certificates.c.user_id == users.c.id)
                .where(user_certificates.c.fingerprint == fingerprint)
            ).scalar()

    def _certificate(self, conn: Connection, user: User) -> SignerCertificate | None:
        row = conn.execute(select(user_certificates).where(user_certificates.c.user_id == user.id)).first()
        if row is None:
            return None
        return SignerCertificate(row.fingerprint, row.signer, row.certificate_pem, row.source, row.bound_at)

    def _bind(self, conn: Connection, user: User, certificate: SignerCertificate, replace: bool) -> None:
        owner = conn.execute(
            select(users.c.name)
            .join(user_certificates, user_certificates.c.user_id == users.c.id)
            .where(user_certificates.c.fingerprint == certificate.fingerprint, users.c.id != user.id)
        ).scalar()
        if owner is not None:
            raise ConflictError(
                f"the certificate of {certificate.signer} (SHA-256 {certificate.fingerprint[:16]}…) is already "
                f"bound to {owner}; a certificate belongs to one account"
            )
        if replace:
            conn.execute(delete(user_certificates).where(user_certificates.c.user_id == user.id))
        conn.execute(
            insert(user_certificates).values(
                user_id=user.id,
                fingerprint=certificate.fingerprint,
                signer=certificate.signer,
                certificate_pem=certificate.certificate_pem,
                source=certificate.source,
                bound_at=self._now(),
            )
        )

    def replace_token(self, name: str, issue_new: bool = True) -> str | None:
        """Invalidate a user's API token at once; with `issue_new`, return their new one (shown once).
        The user and their submissions stay; without a new token they can no longer sign in."""
        token = new_token()  # when revoking, a random secret nobody ever sees
        with self._write() as conn:
            result = conn.execute(update(users).where(users.c.name == name).values(token_hash=hash_token(token)))
        if result.rowcount == 0:
            raise MissingError(f"no user named {name!r} (esca-central user list shows them)")
        return token if issue_new else None

    def user_by_token(self, token: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(users.c.id, users.c.name, users.c.role).where(users.c.token_hash == hash_token(token))
            ).first()
        return None if row is None else User(row.id, row.name, row.role)

    def user_by_name(self, name: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(users.c.id, users.c.name, users.c.role).where(users.c.name == name)).first()
        return None if row is None else User(row.id, row.name, row.role)

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users.c.id, users.c.name, users.c.role).order_by(users.c.name)).all()
        return [User(r.id, r.name, r.role) for r in rows]

    # --- submissions ----------------------------------------------------------------------------

    def check_upload(
        self,
        assessment_uuid: str,
        revision: int,
        user: User,
        content_hash: str | None = None,
        document_sha256: str | None = None,
    ) -> Submission | None:
        """The stored submission this upload repeats (a no-op), or None; raises when it can never be
        accepted (an older revision, another assessor's assessment, other content for a stored
        revision). Before the bundle is verified, call it without the hashes: it then only refuses."""
        with self.engine.connect() as conn:
            return self._check_upload(conn, assessment_uuid, revision, content_hash, document_sha256, user)

    def _check_upload(
        self,
        conn: Connection,
        assessment_uuid: str,
        revision: int,
        content_hash: str | None,
        document_sha256: str | None,
        user: User,
    ) -> Submission | None:
        """The stored submission this upload repeats, or None when it is new. The same revision with
        other bytes repeats it when assessment.json is the same (a re-export: new signature and time);
        with another assessment.json it is a conflict. `document_sha256` None: not known yet."""
        rows = conn.execute(
            select(
                submissions.c.id,
                submissions.c.revision,
                submissions.c.content_hash,
                submissions.c.document_sha256,
                submissions.c.submitted_by,
            )
            .where(submissions.c.assessment_uuid == assessment_uuid)
            .order_by(submissions.c.revision)
        ).all()
        if not rows:
            return None
        owner = rows[0].submitted_by
        if owner != user.id:
            raise ForbiddenError(
                f"assessment {assessment_uuid} was submitted by another assessor; "
                "only they can send new revisions of it"
            )
        for row in rows:
            if row.revision == revision:
                if row.content_hash == content_hash or (document_sha256 and row.document_sha256 == document_sha256):
                    return self._submission(conn, row.id)
                if document_sha256 is None:
                    return None  # decided once the bundle is verified and its content known
                raise ConflictError(
                    f"revision {revision} of assessment {assessment_uuid} is already stored with different "
                    "content; a changed assessment must be sent as a new revision (reopen it, finalise it again)"
                )
        newest = rows[-1].revision
        if newest > revision:
            raise ConflictError(
                f"revision {revision} of assessment {assessment_uuid} is older than revision {newest} "
                "already stored; an older revision cannot replace a newer one"
            )
        return None

    def incoming(self) -> IncomingBundle:
        """A place for an upload to arrive: beside the bundle files, or a temporary file."""
        return self.files.incoming() if self.files is not None else IncomingBundle()

    def store_submission(self, facts: SubmissionFacts, upload: IncomingBundle, user: User) -> StoreOutcome:
        """Store a verified upload whole (bytes, row, numeric answers) or not at all; the same
        submission again is a no-op. The caller discards `upload` afterwards, unless it was kept."""
        key, content_hash = (facts.assessment_uuid, facts.revision), facts.content_hash
        # The very same bundle again finds its file in place (no write); the transaction decides.
        created = self.files.adopt(upload, content_hash) if self.files is not None else False
        stored: Submission | None = None
        try:
            with self._write() as conn:
                existing = self._check_upload(conn, *key, content_hash, facts.document_sha256, user)
                if existing is not None:
                    return StoreOutcome(existing, False)
                if self.files is not None and not created and not self.files.path(content_hash).is_file():
                    # the file this upload found in place was another upload's, which then failed
                    created = self.files.adopt(upload, content_hash)
                submission_id = self._insert_submission(conn, facts, upload, user)
                stored = self._submission(conn, submission_id)
        except IntegrityError:
            # Another upload of the same (assessment, revision) won the race: judge against it.
            existing = self.check_upload(*key, user, content_hash, facts.document_sha256)
            if existing is None:
                raise
            return StoreOutcome(existing, False)
        finally:
            if created and stored is None:
                self._discard_unreferenced(content_hash)
        return StoreOutcome(stored, True)

    def _insert_submission(self, conn: Connection, facts: SubmissionFacts, upload: IncomingBundle, user: User) -> int:
        submission_id: int = conn.execute(
            insert(submissions)
            .values(
                assessment_uuid=facts.assessment_uuid,
                revision=facts.revision,
                status="received",
                content_hash=facts.content_hash,
                document_sha256=facts.document_sha256,
                size=upload.size,
                organisation=facts.organisation,
                country=facts.country,
                sector=facts.sector,
                scheme=facts.scheme,
                catalog_id=facts.catalog_id,
                catalog_version=facts.catalog_version,
                catalog_hash=facts.catalog_hash,
                signer_name=facts.signer_name,
                signer_fingerprint=facts.signer_fingerprint,
                signer_trusted=facts.signer_trusted,
                indicators_json=json.dumps(list(facts.indicators)),
                manifest_json=json.dumps(facts.manifest, ensure_ascii=False, sort_keys=True, default=str),
                submitted_by=user.id,
                received_at=self._now(),
            )
            .returning(submissions.c.id)
        ).scalar_one()
        if self.files is None:
            conn.execute(insert(submission_bundles).values(submission_id=submission_id, content=upload.read_bytes()))
        replies = [r for r in facts.replies if r.revision < facts.revision]
        if replies:
            conn.execute(
                insert(review_replies),
                [
                    {
                        "submission_id": submission_id,
                        "revision": r.revision,
                        "indicator_id": r.indicator,
                        "comment": r.comment,
                        "reply": r.reply,
                        "resolved": r.resolved,
                        "replied_by": r.replied_by,
                        "replied_at": r.replied_at,
                    }
                    for r in replies
                ],
            )
        if facts.values:
            conn.execute(
                insert(submission_values),
                [
                    {"submission_id": submission_id, "field_key": key, "value": float(value)}
                    for key, value in sorted(facts.values.items())
                ],
            )
        return submission_id

    def _discard_unreferenced(self, content_hash: str) -> None:
        """Remove a bundle file this upload wrote but did not record (unless another upload did)."""
        if self.files is None:
            return
        with self._writer, self.engine.connect() as conn:  # not while another upload records this file
            referenced = conn.execute(
                select(submissions.c.id).where(submissions.c.content_hash == content_hash).limit(1)
            ).first()
            if referenced is None:
                self.files.discard(content_hash)

    def _submission(self, conn: Connection, submission_id: int) -> Submission:
        row = conn.execute(
            select(submissions, users.c.name.label("submitter"))
            .join(users, users.c.id == submissions.c.submitted_by)
            .where(submissions.c.id == submission_id)
        ).one()
        comments = dict(
            conn.execute(
                select(review_comments.c.indicator_id, review_comments.c.comment)
                .where(review_comments.c.submission_id == submission_id)
                .order_by(review_comments.c.indicator_id)
            ).all()
        )
        replies = tuple(
            CommentReply(r.revision, r.indicator_id, r.comment, r.reply, bool(r.resolved), r.replied_by, r.replied_at)
            for r in conn.execute(
                select(review_replies)
                .where(review_replies.c.submission_id == submission_id)
                .order_by(review_replies.c.revision, review_replies.c.indicator_id)
            )
        )
        return Submission(
            row.id,
            row.assessment_uuid,
            row.revision,
            row.status,
            row.content_hash,
            row.size,
            row.organisation,
            row.country,
            row.sector,
            row.scheme,
            f"{row.catalog_id}@{row.catalog_version}",
            row.catalog_hash,
            row.signer_name,
            row.signer_fingerprint,
            bool(row.signer_trusted),
            row.submitter,
            row.received_at,
            row.decided_at,
            row.decided_by,
            tuple(json.loads(row.indicators_json)),
            comments,
            replies,
        )

    def _find_id(self, conn: Connection, assessment_uuid: str, revision: int | None) -> int:
        """A submission by assessment (a unique prefix of at least 4 characters will do) and revision
        (default: the newest)."""
        text = assessment_uuid.strip().lower()
        uuids = (
            conn.execute(select(submissions.c.assessment_uuid).distinct().where(submissions.c.assessment_uuid == text))
            .scalars()
            .all()
        )
        if not uuids and len(text) >= 4:
            uuids = (
                conn.execute(
                    select(submissions.c.assessment_uuid)
                    .distinct()
                    .where(submissions.c.assessment_uuid.like(text.replace("%", "") + "%"))
                    .limit(2)
                )
                .scalars()
                .all()
            )
            if len(uuids) > 1:
                raise MissingError(f"assessment {assessment_uuid!r} is ambiguous: give more characters")
        if not uuids:
            raise MissingError(f"no submission of assessment {assessment_uuid!r}")
        query = select(submissions.c.id).where(submissions.c.assessment_uuid == uuids[0])
        if revision is None:
            query = query.order_by(submissions.c.revision.desc()).limit(1)
        else:
            query = query.where(submissions.c.revision == revision)
        found = conn.execute(query).scalar()
        if found is None:
            raise MissingError(f"no revision {revision} of assessment {uuids[0]}")
        return int(found)

    def submission(self, assessment_uuid: str, revision: int | None = None) -> Submission:
        with self.engine.connect() as conn:
            return self._submission(conn, self._find_id(conn, assessment_uuid, revision))

    def bundle(self, assessment_uuid: str, revision: int | None = None) -> tuple[Submission, bytes]:
        with self.engine.connect() as conn:
            submission = self._submission(conn, self._find_id(conn, assessment_uuid, revision))
            if self.files is not None:
                return submission, self.files.get(submission.content_hash)
            content = conn.execute(
                select(submission_bundles.c.content).where(submission_bundles.c.submission_id == submission.id)
            ).scalar_one()
            return submission, bytes(content)

    def submissions(self, status: str | None = None, latest_only: bool = True) -> list[Submission]:
        """Submissions, newest first; by default only the newest revision of each assessment."""
        if status is not None and status not in STATUSES:
            raise InvalidRequestError(f"status {status!r}: use one of {', '.join(STATUSES)}")
        query = select(submissions.c.id)
        if latest_only:
            newest = (
                select(submissions.c.assessment_uuid, func.max(submissions.c.revision).label("revision"))
                .group_by(submissions.c.assessment_uuid)
                .subquery()
            )
            query = query.join(
                newest,
                (newest.c.assessment_uuid == submissions.c.assessment_uuid)
                & (newest.c.revision == submissions.c.revision),
            )
        if status is not None:
            query = query.where(submissions.c.status == status)
        with self.engine.connect() as conn:
            ids = conn.execute(query.order_by(submissions.c.received_at.desc(), submissions.c.id.desc())).scalars()
            return [self._submission(conn, i) for i in ids.all()]

    def count_submissions(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(submissions)).scalar_one())

    # --- review decisions -----------------------------------------------------------------------

    def _decide(self, conn: Connection, assessment_uuid: str, revision: int | None, reviewer: User, status: str) -> int:
        if reviewer.role != "reviewer":
            raise ForbiddenError(f"{reviewer.name} is an {reviewer.role}; only reviewers decide on submissions")
        submission_id = self._find_id(conn, assessment_uuid, revision)
        row = conn.execute(
            select(submissions.c.assessment_uuid, submissions.c.revision, submissions.c.status).where(
                submissions.c.id == submission_id
            )
        ).one()
        newest = conn.execute(
            select(func.max(submissions.c.revision)).where(submissions.c.assessment_uuid == row.assessment_uuid)
        ).scalar_one()
        if row.revision != newest:
            raise ConflictError(
                f"revision {row.revision} of {row.assessment_uuid} was replaced by revision "
                f"{newest}; decide on that one"
            )
        if row.status != "received":
            raise ConflictError(f"revision {row.revision} of {row.assessment_uuid} was already {row.status}")
        now = self._now()
        conn.execute(
            update(submissions)
            .where(submissions.c.id == submission_id)
            .values(status=status, decided_at=now, decided_by=reviewer.name)
        )
        conn.execute(
            insert(review_events).values(submission_id=submission_id, status=status, reviewer=reviewer.name, at=now)
        )
        return submission_id

    def approve(self, assessment_uuid: str, revision: int | None, reviewer: User) -> Submission:
        with self._write() as conn:
            submission_id = self._decide(conn, assessment_uuid, revision, reviewer, "approved")
            self._recompute_benchmarks(conn)
            return self._submission(conn, submission_id)

    def return_submission(
        self, assessment_uuid: str, revision: int | None, reviewer: User, comments: Mapping[str, str]
    ) -> Submission:
        """Send the assessment back to its assessor with a comment per indicator."""
        cleaned = {key.strip(): text.strip() for key, text in comments.items() if text.strip()}
        if not cleaned:
            raise InvalidRequestError("a returned assessment needs at least one comment (indicator: text)")
        with self._write() as conn:
            submission_id = self._decide(conn, assessment_uuid, revision, reviewer, "returned")
            known = json.loads(
                conn.execute(
                    select(submissions.c.indicators_json).where(submissions.c.id == submission_id)
                ).scalar_one()
            )
            unknown = sorted(set(cleaned) - set(known)) if known else []
            if unknown:
                raise InvalidRequestError(
                    f"no indicator {', '.join(unknown)} in this assessment (its indicators: {', '.join(known)})"
                )
            now = self._now()
            conn.execute(
                insert(review_comments),
                [
                    {
                        "submission_id": submission_id,
                        "indicator_id": key,
                        "comment": text,
                        "reviewer": reviewer.name,
                        "at": now,
                    }
                    for key, text in sorted(cleaned.items())
                ],
            )
            return self._submission(conn, submission_id)

    def reviews_since(self, user: User, cursor: int = 0, limit: int = 500) -> tuple[list[ReviewEvent], int, bool]:
        """Decisions on the user's submissions after `cursor`: (events, new cursor, more to come)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    review_events.c.id,
                    review_events.c.submission_id,
                    review_events.c.status,
                    review_events.c.reviewer,
                    review_events.c.at,
                    submissions.c.assessment_uuid,
                    submissions.c.revision,
                )
                .join(submissions, submissions.c.id == review_events.c.submission_id)
                .where(submissions.c.submitted_by == user.id, review_events.c.id > cursor)
                .order_by(review_events.c.id)
                .limit(limit + 1)
            ).all()
            more = len(rows) > limit
            rows = rows[:limit]
            events = []
            for row in rows:
                comments: dict[str, str] = {}
                if row.status == "returned":
                    comments = dict(
                        conn.execute(
                            select(review_comments.c.indicator_id, review_comments.c.comment)
                            .where(review_comments.c.submission_id == row.submission_id)
                            .order_by(review_comments.c.indicator_id)
                        ).all()
                    )
                events.append(
                    ReviewEvent(row.id, row.assessment_uuid, row.revision, row.status, row.reviewer, row.at, comments)
                )
        return events, (rows[-1].id if rows else cursor), more

    # --- catalogs -------------------------------------------------------------------------------

    def publish_catalog(
        self, catalog_id: str, version: str, content_hash: str, content: bytes, publisher: User
    ) -> tuple[CatalogInfo, bool]:
        """Add a catalog version (already parsed and checked); the same file again is a no-op."""
        if publisher.role != "reviewer":
            raise ForbiddenError(f"{publisher.name} is an {publisher.role}; only reviewers publish catalogs")
        try:
            with self._write() as conn:
                existing = conn.execute(
                    select(catalogs.c.content_hash).where(
                        catalogs.c.catalog_id == catalog_id, catalogs.c.version == version
                    )
                ).scalar()
                if existing is None:
                    conn.execute(
                        insert(catalogs).values(
                            catalog_id=catalog_id,
                            version=version,
                            content_hash=content_hash,
                            content=content,
                            published_by=publisher.name,
                            published_at=self._now(),
                        )
                    )
        except IntegrityError:
            with self.engine.connect() as conn:
                existing = conn.execute(
                    select(catalogs.c.content_hash).where(
                        catalogs.c.catalog_id == catalog_id, catalogs.c.version == version
                    )
                ).scalar()
        if existing is not None and existing != content_hash:
            raise ConflictError(
                f"{catalog_id}@{version} is already published with different content; "
                "a changed catalog needs a new version"
            )
        info = next(c for c in self.catalogs() if c.catalog_id == catalog_id and c.version == version)
        return info, existing is None

    def catalogs(self) -> list[CatalogInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    catalogs.c.catalog_id,
                    catalogs.c.version,
                    catalogs.c.content_hash,
                    catalogs.c.published_by,
                    catalogs.c.published_at,
                ).order_by(catalogs.c.catalog_id, catalogs.c.id)
            ).all()
        return [CatalogInfo(*row) for row in rows]

    def catalog_content(self, catalog_id: str, version: str) -> tuple[CatalogInfo, bytes]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(catalogs).where(catalogs.c.catalog_id == catalog_id, catalogs.c.version == version)
            ).first()
        if row is None:
            raise MissingError(f"no catalog {catalog_id}@{version} is published")
        info = CatalogInfo(row.catalog_id, row.version, row.content_hash, row.published_by, row.published_at)
        return info, bytes(row.content)

    # --- benchmarks -----------------------------------------------------------------------------

    def _recompute_benchmarks(self, conn: Connection) -> None:
        newest_approved = (
            select(submissions.c.assessment_uuid, func.max(submissions.c.revision).label("revision"))
            .where(submissions.c.status == "approved", submissions.c.scheme == "bronze")
            .group_by(submissions.c.assessment_uuid)
            .subquery()
        )
        rows = conn.execute(
            select(submissions.c.id, submissions.c.organisation, submissions.c.country, submissions.c.sector)
            .join(
                newest_approved,
                (newest_approved.c.assessment_uuid == submissions.c.assessment_uuid)
                & (newest_approved.c.revision == submissions.c.revision),
            )
            .order_by(submissions.c.decided_at, submissions.c.id)
        ).all()
        values: dict[int, dict[str, float]] = {row.id: {} for row in rows}
        if rows:
            for submission_id, key, value in conn.execute(
                select(
                    submission_values.c.submission_id, submission_values.c.field_key, submission_values.c.value
                ).where(submission_values.c.submission_id.in_([row.id for row in rows]))
            ):
                values[submission_id][key] = value
        contributions = [
            Contribution(
                f"{row.country}:{' '.join(row.organisation.casefold().split())}",
                row.sector,
                row.country,
                values[row.id],
            )
            for row in rows
        ]
        stats = compute_benchmarks(contributions)
        now = self._now()
        conn.execute(delete(benchmark_stats))
        if stats:
            conn.execute(
                insert(benchmark_stats),
                [{**q.stored_row(), "computed_at": now} for q in stats],
            )

    def recompute_benchmarks(self) -> None:
        with self._write() as conn:
            self._recompute_benchmarks(conn)

    def benchmarks(self) -> tuple[list[Quartiles], str | None]:
        """The published statistics and when they were computed."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(benchmark_stats).order_by(benchmark_stats.c.field_key, benchmark_stats.c.group_key)
            ).all()
        stats = [
            Quartiles(r.field_key, r.group_key, r._mapping["count"], r.minimum, r.q1, r.median, r.q3, r.maximum)
            for r in rows
        ]
        return stats, (max(r.computed_at for r in rows) if rows else None)


def numeric_values(answers: Mapping[str, Any]) -> dict[str, float]:
    """The answers that are plain numbers (booleans and choices are not benchmarked)."""
    return {
        key: float(value)
        for key, value in answers.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def parse_comment_pairs(pairs: Sequence[str]) -> dict[str, str]:
    """`INDICATOR=TEXT` pairs from the command line."""
    comments: dict[str, str] = {}
    for pair in pairs:
        indicator, sep, text = pair.partition("=")
        if not sep or not indicator.strip() or not text.strip():
            raise InvalidRequestError(f"--comment {pair!r}: write INDICATOR=TEXT, e.g. B2.1='Show the statutes'")
        comments[indicator.strip()] = text.strip()
    return comments
