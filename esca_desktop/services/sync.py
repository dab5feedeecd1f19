"""Sync with the central review service: sign in and out, send the outbox, pull review decisions,
catalogs and benchmark statistics.

Sign-in checks the token against the server (/whoami) and keeps it in the OS keyring (through
`credential_store_for`): never in a file; without a secure store, sign-in says so and stores nothing.

`sync` never loses anything. Each finalised revision waits in the outbox (queued in the transaction
that finalised it). Its bundle is exported once into `data_dir/outbox/` and that very file is sent
on every attempt, so a retry repeats the same bytes and the server stores it once. A failure that
may pass (unreachable, timeout, cut-off reply, 5xx) is retried with exponential backoff a few times
in the run and then left queued with its reason; a failure retrying cannot cure (401/403, 409
conflict, 400/413/422 refused bundle) marks the item failed with the server's reason, and it is not
sent again until the person asks (`requeue`). When the server cannot be reached, the run stops
early and says so: the queue stays as it was. Before the uploads the server is asked a quick
question (who am I), so that one which accepts connections and never answers (a hotel network
holding them) stops the run within the short reply timeout, not after each upload's long one.

Uploads run a few at a time (`SyncOptions.parallel_uploads`), so `progress` and `cancel` are called
from worker threads too; a window hands progress over to its own thread.

Review decisions come from the server's feed, in order, each applied at most once (the cursor is
saved after each): approved → APPROVED; returned → the reviewer's comments are stored per
indicator and the assessment reopens as a new, editable revision (RETURNED).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from esca_desktop.context import AppContext
from esca_desktop.domain.model import AssessmentStatus, AssessmentSummary, Changes
from esca_desktop.errors import CatalogError, NotFoundError, UserError
from esca_desktop.forms.values import msg
from esca_desktop.security.credentials import WAY_OUT, CredentialStore, NoSecureStoreError
from esca_desktop.services.signing import credential_store_for
from esca_desktop.storage.sync_store import FAILED, SENT, OutboxItem, SyncState, SyncStore
from esca_desktop.sync.client import (
    Account,
    HttpTransport,
    NetworkError,
    ReviewDecision,
    ReviewServiceClient,
    ServerRefusal,
    SyncCancelled,
    SyncError,
    SyncTransport,
    normalise_server_url,
    refuse_insecure_http,
)

TOKEN_SERVICE = "esca-desktop"
CANCELLED_UPLOAD = "cancelled during the upload"  # the saved reason of an upload cut off by Cancel (not reported)
OUTBOX_FOLDER = "outbox"
SIGN_IN_AGAIN = "Sign-in refused: "  # the reason prefix of uploads that failed for authentication
SIGN_IN_AGAIN_DE = "Anmeldung abgelehnt: "  # the same, written by a German window

Progress = Callable[["SyncProgress"], None]
Cancel = Callable[[], bool]
TransportFactory = Callable[[str], SyncTransport]


class NotSignedInError(UserError):
    """No review service is configured, or its token is missing."""


@dataclass(frozen=True, slots=True)
class SyncOptions:
    attempts_per_run: int = 3  # tries of one upload within one sync run
    parallel_uploads: int = 4  # uploads in flight at once
    retry_delay: float = 0.5  # seconds before the 2nd try; doubles for each further one
    next_sync_delay: dt.timedelta = dt.timedelta(minutes=1)  # after a run's tries: doubles per failed run ...
    max_next_sync_delay: dt.timedelta = dt.timedelta(hours=1)  # ... up to this
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True, slots=True)
class SyncProgress:
    phase: str  # "prepare" | "connect" | "upload" | "reviews" | "catalogs" | "benchmarks" | "done"
    done: int
    total: int
    message: str


@dataclass(frozen=True, slots=True)
class Upload:
    assessment_id: str
    revision: int
    organisation: str
    result: str  # "stored" | "already on the server"


@dataclass(frozen=True, slots=True)
class UploadFailure:
    assessment_id: str
    revision: int
    organisation: str
    reason: str
    fatal: bool  # True: not retried until requeued; False: stays queued for the next sync


@dataclass(frozen=True, slots=True)
class ReviewApplied:
    assessment_id: str
    revision: int
    status: str
    reviewer: str
    comments: int
    outcome: str  # what happened on this computer


@dataclass
class SyncReport:
    server_url: str
    uploaded: list[Upload] = field(default_factory=list)
    failed: list[UploadFailure] = field(default_factory=list)
    reviews: list[ReviewApplied] = field(default_factory=list)
    catalogs: list[str] = field(default_factory=list)  # id@version installed
    problems: list[str] = field(default_factory=list)  # what could not be pulled, and why
    benchmarks: int | None = None  # statistics stored (None: not pulled)
    still_queued: int = 0
    stopped: str = ""  # why the run stopped early (unreachable, sign-in refused, cancelled)
    cancelled: bool = False
    changes: Changes = field(default_factory=Changes)
    lang: str = "en"  # of the messages in the report

    @property
    def complete(self) -> bool:
        """Everything went through: nothing failed, nothing left queued, nothing stopped the run."""
        return not (self.failed or self.problems or self.stopped or self.still_queued)

    def summary(self) -> str:
        if self.lang == "de":
            return self._summary_de()
        parts = [f"{len(self.uploaded)} sent"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.still_queued:
            parts.append(f"{self.still_queued} still queued")
        parts.append(_counted(len(self.reviews), "review decision", "review decisions"))
        if self.catalogs:
            parts.append(_counted(len(self.catalogs), "new catalog", "new catalogs"))
        if self.benchmarks is not None:
            parts.append(f"{self.benchmarks} benchmark statistics")
        text = ", ".join(parts)
        return f"{text}. {self.stopped}" if self.stopped else text + "."

    def _summary_de(self) -> str:
        parts = [f"{len(self.uploaded)} gesendet"]
        if self.failed:
            parts.append(f"{len(self.failed)} fehlgeschlagen")
        if self.still_queued:
            parts.append(f"{self.still_queued} noch in der Warteschlange")
        parts.append(_counted(len(self.reviews), "Prüfentscheidung", "Prüfentscheidungen"))
        if self.catalogs:
            parts.append(_counted(len(self.catalogs), "neuer Katalog", "neue Kataloge"))
        if self.benchmarks is not None:
            parts.append(_counted(self.benchmarks, "Benchmark-Statistik", "Benchmark-Statistiken"))
        text = ", ".join(parts)
        return f"{text}. {self.stopped}" if self.stopped else text + "."

    def as_json(self) -> dict[str, Any]:
        return {
            "server": self.server_url,
            "complete": self.complete,
            "stopped": self.stopped,
            "cancelled": self.cancelled,
            "still_queued": self.still_queued,
            "uploaded": [vars_of(u) for u in self.uploaded],
            "failed": [vars_of(f) for f in self.failed],
            "reviews": [vars_of(r) for r in self.reviews],
            "catalogs": self.catalogs,
            "benchmarks": self.benchmarks,
            "problems": self.problems,
        }


def _counted(n: int, one: str, many: str) -> str:
    """ "1 review decision", "2 review decisions" (English and German: singular for exactly one)."""
    return f"{n} {one if n == 1 else many}"


def vars_of(value: Any) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__slots__}


def sync_store(context: AppContext) -> SyncStore:
    return SyncStore(context.repository.engine, context.clock)


def _token_name(server_url: str) -> str:
    return f"review-service-token/{server_url}"


def _credentials(context: AppContext) -> CredentialStore:
    """The store for the token, checked before anything is sent or stored."""
    store = credential_store_for(context)
    try:
        store.check()
    except NoSecureStoreError as exc:
        reason = exc.message.replace(WAY_OUT, "").strip()
        raise NoSecureStoreError(
            msg(
                context.lang,
                f"The sign-in token cannot be kept safely: {reason} Install and unlock the system's password store "
                "(GNOME Keyring or KWallet on Linux, the Keychain on macOS, the Credential Manager on Windows), or "
                "name a secure keyring backend in PYTHON_KEYRING_BACKEND. The token is never written to a file.",
                f"Das Anmelde-Token kann nicht sicher aufbewahrt werden: {reason} Installieren und entsperren Sie "
                "den Passwortspeicher des Systems (GNOME Keyring oder KWallet unter Linux, den Schlüsselbund unter "
                "macOS, die Anmeldeinformationsverwaltung unter Windows) oder nennen Sie ein sicheres "
                "Keyring-Backend in PYTHON_KEYRING_BACKEND. Das Token wird nie in eine Datei geschrieben.",
            )
        ) from None
    return store


def _default_transport(url: str) -> SyncTransport:
    return HttpTransport(url)


# --- sign in and out ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignIn:
    server_url: str
    account: Account
    kept_in: str  # where the token is kept
    requeued: int  # uploads refused for authentication earlier, queued again


def server_address(server_url: str, allow_insecure_http: bool = False, lang: str = "en") -> str:
    """The address to sign in to, normalised; refused when it is not one, or when it is a plain
    http:// address of another computer and `allow_insecure_http` is not given (`InsecureServerError`)."""
    url = normalise_server_url(server_url, lang)
    refuse_insecure_http(url, allow_insecure_http, lang)
    return url


def login(
    context: AppContext,
    server_url: str,
    token: str,
    transport_factory: TransportFactory = _default_transport,
    cancel: Cancel | None = None,
    allow_insecure_http: bool = False,
) -> SignIn:
    """Check `token` with the server, then keep it in the OS keyring; only assessors sign in here.

    `cancel` is asked once the server has answered: a sign-in the person gave up on stores nothing,
    even when the server answers after all (`SyncCancelled`). A plain http:// address of another
    computer is refused before anything is sent, unless `allow_insecure_http`."""
    lang = context.lang
    url = server_address(server_url, allow_insecure_http, lang)
    token = token.strip()
    if not token:
        raise SyncError(
            msg(
                lang,
                "the API token is empty: paste the token the secretariat gave you",
                "Das API-Token ist leer: fügen Sie das Token ein, das Sie vom Sekretariat erhalten haben",
            )
        )
    credentials = _credentials(context)
    transport = transport_factory(url)
    try:
        account = ReviewServiceClient(transport, token).whoami()
    except ServerRefusal as exc:
        if exc.status == 401:
            raise SyncError(
                msg(
                    lang,
                    f"{url} does not accept this token ({exc.detail}); nothing was stored",
                    f"{url} nimmt dieses Token nicht an ({exc.detail}); nichts wurde gespeichert",
                )
            ) from None
        if exc.status == 404:
            raise SyncError(
                msg(
                    lang,
                    f"{url} is not an ESCA review service (no /api/v1/whoami); check the address",
                    f"{url} ist kein ESCA-Prüfdienst (kein /api/v1/whoami); prüfen Sie die Adresse",
                )
            ) from None
        raise SyncError(
            msg(lang, f"{url} refused the sign-in: {exc.message}", f"{url} hat die Anmeldung abgelehnt: {exc.message}")
        ) from None
    except NetworkError as exc:
        if exc.kind == "timeout":  # the message says what happened and what to do
            raise SyncError(
                msg(
                    lang,
                    f"Cannot sign in. {exc.text(lang)} Nothing was stored.",
                    f"Anmeldung nicht möglich. {exc.text(lang)} Nichts wurde gespeichert.",
                )
            ) from None
        raise SyncError(
            msg(
                lang,
                f"cannot sign in: {exc.text(lang)}. Check the address and the network; nothing was stored",
                f"Anmeldung nicht möglich: {exc.text(lang)}. Prüfen Sie die Adresse und das Netz; nichts wurde "
                "gespeichert",
            )
        ) from None
    finally:
        transport.close()
    if cancel is not None and cancel():
        raise SyncCancelled("Sign-in cancelled: nothing was stored.")
    if account.role != "assessor":
        raise SyncError(
            msg(
                lang,
                f"the token belongs to {account.name}, a {account.role}; sign in with an assessor's token",
                f"Das Token gehört {account.name} (Rolle: {account.role}); melden Sie sich mit dem Token einer "
                "Expertin bzw. eines Experten an",
            )
        )
    credentials.set(TOKEN_SERVICE, _token_name(url), token)
    store = sync_store(context)
    store.sign_in(url, account.name)
    requeued = store.requeue_matching(SIGN_IN_AGAIN) + store.requeue_matching(SIGN_IN_AGAIN_DE)
    return SignIn(url, account, credentials.description, requeued)


def logout(context: AppContext) -> SyncState:
    """Forget the token (in the keyring) and the account; the outbox and everything else stays."""
    store = sync_store(context)
    state = store.state()
    if state.server_url:
        credential_store_for(context).delete(TOKEN_SERVICE, _token_name(state.server_url))
    store.sign_out()
    return state


def status(context: AppContext) -> SyncState:
    return sync_store(context).state()


def outbox(context: AppContext, include_sent: bool = True) -> list[OutboxItem]:
    return sync_store(context).outbox(include_sent)


RETURNED, APPROVED = "returned", "approved"


@dataclass(frozen=True, slots=True)
class AssessmentSync:
    """Where one assessment is on its way to the secretariat and back."""

    state: str  # queued | sending (interrupted, sent again) | sent | failed | returned | approved
    revision: int
    at: dt.datetime | None = None  # when it was queued, or sent
    detail: str = ""  # why the last try failed
    comments: int = 0  # the reviewer's comments on a returned assessment


@dataclass(frozen=True, slots=True)
class SyncOverview:
    """The sync state as a person sees it: signed in where, the last sync, what waits in the outbox,
    and (when asked for) each assessment's state."""

    state: SyncState
    queued: int  # waiting for the next sync (an interrupted upload is sent again, so it waits too)
    failed: int  # refused by the server: not sent again until queued again
    assessments: Mapping[str, AssessmentSync] = field(default_factory=dict)


def overview(context: AppContext, summaries: Iterable[AssessmentSummary] | None = None) -> SyncOverview:
    """The sync state, and that of the given assessments: the outbox says whether the current
    revision is queued, sent or failed; one the secretariat returned or approved says that instead."""
    store = sync_store(context)
    items = store.outbox(include_sent=summaries is not None)
    queued = sum(1 for item in items if item.pending)
    failed = sum(1 for item in items if item.state == FAILED)
    if summaries is None:
        return SyncOverview(store.state(), queued, failed)
    latest: dict[str, OutboxItem] = {}
    for item in items:
        if item.assessment_id not in latest or item.revision > latest[item.assessment_id].revision:
            latest[item.assessment_id] = item
    states: dict[str, AssessmentSync] = {}
    for summary in summaries:
        current = latest.get(summary.id)
        if summary.status is AssessmentStatus.APPROVED:
            states[summary.id] = AssessmentSync(APPROVED, summary.revision)
        elif summary.status is AssessmentStatus.RETURNED:
            comments = len(context.repository.review_comments(summary.id))
            states[summary.id] = AssessmentSync(RETURNED, summary.revision, comments=comments)
        elif current is not None and current.revision == summary.revision:  # a reopened revision is not sent yet
            at = current.sent_at if current.state == SENT else current.queued_at
            states[summary.id] = AssessmentSync(current.state, current.revision, at, current.last_error)
    return SyncOverview(store.state(), queued, failed, states)


def requeue(context: AppContext, assessment_id: str) -> int:
    """Queue the failed uploads of an assessment again (after its cause was dealt with)."""
    full_id = context.repository.resolve_id(assessment_id)
    count = sync_store(context).requeue(full_id)
    if not count:
        raise UserError(
            msg(
                context.lang,
                f"assessment {full_id[:8]} has no failed upload to queue again",
                f"Die Bewertung {full_id[:8]} hat keine fehlgeschlagene Übertragung, die erneut einzureihen wäre",
            )
        )
    return count


def bundle_path(context: AppContext, assessment_id: str, revision: int) -> Path:
    """The bundle exported for an outbox item: sent as is on every attempt, removed once sent."""
    return context.data_dir / OUTBOX_FOLDER / f"{assessment_id}-r{revision}.esca"


def _prepare(context: AppContext, item: OutboxItem, passphrase: str | None) -> bool:
    """Export the item's bundle unless it is ready; True when it was exported now."""
    path = bundle_path(context, item.assessment_id, item.revision)
    if path.is_file():
        return False
    from esca_desktop.services.bundles import export_bundle  # the report and PDF libraries: only when needed

    path.parent.mkdir(parents=True, exist_ok=True)
    export_bundle(context, item.assessment_id, path, passphrase)
    return True


def prepare_outbox(
    context: AppContext, progress: Progress | None = None, cancel: Cancel | None = None, passphrase: str | None = None
) -> int:
    """Export the bundles of queued uploads ahead of sync (no network needed: e.g. right after
    finalising, while offline), so that sync only sends. Returns how many were exported."""
    items = sync_store(context).pending()
    exported = 0
    for index, item in enumerate(items):
        if cancel is not None and cancel():
            break
        if progress is not None:
            text = msg(context.lang, f"Preparing {item.organisation}", f"{item.organisation} wird vorbereitet")
            progress(SyncProgress("prepare", index, len(items), text))
        assessment = context.repository.get(item.assessment_id)
        if assessment.revision == item.revision:
            exported += _prepare(context, item, passphrase)
    return exported


# --- sync -----------------------------------------------------------------------------------------


class _Run:
    def __init__(
        self,
        context: AppContext,
        client: ReviewServiceClient,
        report: SyncReport,
        options: SyncOptions,
        progress: Progress | None,
        cancel: Cancel | None,
        passphrase: str | None,
    ) -> None:
        self.context = context
        self.repository = context.repository
        self.store = sync_store(context)
        self.client = client
        self.report = report
        self.options = options
        self.progress = progress or (lambda _p: None)
        self.cancel = cancel or (lambda: False)
        self.passphrase = passphrase
        self.changed: set[str] = set()
        self.lang = context.lang

    def _msg(self, en: str, de: str) -> str:
        return msg(self.lang, en, de)

    def _cancelled(self) -> bool:
        if self.cancel():
            self.report.cancelled = True
            self.report.stopped = self._msg(
                "Cancelled: what was not done stays queued for the next sync.",
                "Abgebrochen: was nicht erledigt wurde, bleibt für die nächste Synchronisierung in der Warteschlange.",
            )
            return True
        return False

    def _stop(self, message: str) -> None:
        self.report.stopped = message

    # --- uploads --------------------------------------------------------------------------------

    def check_server(self) -> None:
        """Ask the server a quick question before the uploads. One that accepts connections and never
        answers (a hotel network holding them) is found within the short reply timeout, not after
        each upload has waited out its long one; every other outcome is left to the uploads, which
        record it per item."""
        pending = self.store.pending()
        if not pending or self._cancelled():
            return
        self.progress(SyncProgress("connect", 0, 0, f"Connecting to {self.report.server_url}"))
        try:
            self.client.whoami()
        except NetworkError as exc:
            if exc.kind == "timeout":
                self._stop(
                    self._msg(
                        f"{exc.text(self.lang)} Nothing was lost: {len(pending)} upload(s) stay queued and are sent "
                        "with the next sync.",
                        f"{exc.text(self.lang)} Nichts ging verloren: {len(pending)} Übertragung(en) bleiben in der "
                        "Warteschlange und werden mit der nächsten Synchronisierung gesendet.",
                    )
                )
        except ServerRefusal:
            pass

    def upload_all(self) -> None:
        """Send the pending items, a few at a time (the server verifies one while the next arrives)."""
        items = self.store.pending()
        if not items:
            return
        total = len(items)
        finished = 0
        lock = threading.Lock()
        sending = self._msg(
            f"Sending {total} assessment(s)",
            f"{total} {'Bewertung wird' if total == 1 else 'Bewertungen werden'} gesendet",
        )
        self.progress(SyncProgress("upload", 0, total, sending))

        def send(item: OutboxItem) -> None:
            nonlocal finished
            if self.report.stopped or self._cancelled():
                return  # not started: stays queued as it was
            sent = self._upload(item)
            with lock:
                finished += 1
                done = finished
            outcome = self._msg("sent", "gesendet") if sent else self._msg("not sent", "nicht gesendet")
            revision = self._msg("revision", "Revision")
            self.progress(
                SyncProgress("upload", done, total, f"{item.organisation} ({revision} {item.revision}): {outcome}")
            )

        workers = max(1, min(self.options.parallel_uploads, total))
        if workers == 1:
            for item in items:
                send(item)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync-upload") as pool:
            for future in [pool.submit(send, item) for item in items]:
                future.result()  # a bug in one upload surfaces here, after the others finished

    def _upload(self, item: OutboxItem) -> bool:
        """Send one item; False when it was not sent (its state and reason are saved)."""
        key = (item.assessment_id, item.revision)
        try:
            assessment = self.repository.get(item.assessment_id)
        except NotFoundError:
            return self._fail(
                item,
                self._msg(
                    "the assessment is no longer on this computer", "die Bewertung ist nicht mehr auf diesem Rechner"
                ),
                fatal=True,
            )
        if assessment.revision != item.revision:
            return self._fail(
                item,
                self._msg(
                    f"revision {item.revision} was reopened as revision {assessment.revision} before "
                    "it was sent; finalise the new revision to send it",
                    f"Revision {item.revision} wurde vor dem Senden als Revision {assessment.revision} wieder "
                    "geöffnet; schließen Sie die neue Revision ab, um sie zu senden",
                ),
                fatal=True,
            )
        try:
            bundle = self._bundle(item)
        except UserError as exc:  # no identity, locked keyring, evidence changed …: fixable, so kept queued
            reason = self._msg(
                f"the bundle cannot be prepared: {exc.message}", f"das Paket kann nicht erstellt werden: {exc.message}"
            )
            return self._retry_later(item, reason, item.attempts)
        attempts = item.attempts
        for attempt in range(1, max(1, self.options.attempts_per_run) + 1):
            if attempt > 1:
                self.options.sleep(self.options.retry_delay * 2 ** (attempt - 2))
                if self._cancelled():
                    return self._retry_later(item, item.last_error or "cancelled", attempts)
            attempts += 1
            self.store.mark_sending(*key, attempts)
            try:
                receipt = self.client.upload(item.assessment_id, item.revision, bundle, cancel=self.cancel)
            except SyncCancelled:
                self.report.cancelled = True
                self._stop(
                    self._msg(
                        "Cancelled during an upload: it stays queued for the next sync.",
                        "Während einer Übertragung abgebrochen: sie bleibt für die nächste Synchronisierung in der "
                        "Warteschlange.",
                    )
                )
                return self._retry_later(item, CANCELLED_UPLOAD, attempts - 1)
            except NetworkError as exc:
                error: SyncError = exc
                continue
            except ServerRefusal as exc:
                if exc.retryable:
                    error = exc
                    continue
                return self._refused(item, exc)
            except SyncError as exc:  # the bundle file went missing: prepared again next time
                return self._retry_later(item, exc.message, attempts)
            self._sent(item, assessment.status, receipt.created)
            bundle_path(self.context, *key).unlink(missing_ok=True)
            return True
        said = error.text(self.lang) if isinstance(error, NetworkError) else error.message
        self._retry_later(item, said, attempts)
        if isinstance(error, NetworkError) and error.kind != "interrupted":
            left = len(self.store.pending())
            what = (
                said
                if error.kind == "timeout"
                else self._msg(
                    f"The review service cannot be reached ({said}).", f"Der Prüfdienst ist nicht erreichbar ({said})."
                )
            )
            self._stop(
                self._msg(
                    f"{what} Nothing was lost: {left} upload(s) stay queued and are sent with the next sync.",
                    f"{what} Nichts ging verloren: {left} "
                    f"{'Übertragung bleibt' if left == 1 else 'Übertragungen bleiben'} in der Warteschlange und "
                    "werden mit der nächsten Synchronisierung gesendet.",
                )
            )
        return False

    def _bundle(self, item: OutboxItem) -> Path:
        """The item's bundle file: exported once, then the very same bytes on every attempt."""
        _prepare(self.context, item, self.passphrase)
        return bundle_path(self.context, item.assessment_id, item.revision)

    def _sent(self, item: OutboxItem, local_status: AssessmentStatus, created: bool) -> None:
        if local_status is AssessmentStatus.FINALISED:  # SUBMITTED, and the item sent, in one transaction
            self.repository.set_status(item.assessment_id, AssessmentStatus.SUBMITTED, self.context.actor)
            self.changed.add(item.assessment_id)
        else:
            self.store.mark_sent(item.assessment_id, item.revision)
        self.report.uploaded.append(
            Upload(
                item.assessment_id, item.revision, item.organisation, "stored" if created else "already on the server"
            )
        )

    def _refused(self, item: OutboxItem, exc: ServerRefusal) -> bool:
        if exc.status == 401:
            reason = self._msg(
                f"{SIGN_IN_AGAIN}{exc.message}. Sign in again (esca-desktop login); it is then queued again",
                f"{SIGN_IN_AGAIN_DE}{exc.message}. Melden Sie sich erneut an (Synchronisation → Beim Prüfdienst anmelden… oder "
                "esca-desktop login); dann wird sie erneut eingereiht",
            )
            self._fail(item, reason, fatal=True)
            self._stop(
                self._msg(
                    f"The review service refused the sign-in ({exc.detail}). Sign in again with "
                    "'esca-desktop login --server URL'; nothing was lost.",
                    f"Der Prüfdienst hat die Anmeldung abgelehnt ({exc.detail}). Melden Sie sich erneut an "
                    "(Synchronisation → Beim Prüfdienst anmelden… oder 'esca-desktop login --server URL'); nichts ging verloren.",
                )
            )
            return False
        return self._fail(item, exc.message, fatal=True)

    def _fail(self, item: OutboxItem, reason: str, fatal: bool) -> bool:
        self.store.mark_failed(item.assessment_id, item.revision, reason)
        self.report.failed.append(UploadFailure(item.assessment_id, item.revision, item.organisation, reason, fatal))
        return False

    def _retry_later(self, item: OutboxItem, reason: str, attempts: int) -> bool:
        runs = max(1, attempts // max(1, self.options.attempts_per_run))
        delay = min(self.options.next_sync_delay * 2 ** (runs - 1), self.options.max_next_sync_delay)
        self.store.mark_retry(item.assessment_id, item.revision, reason, self.context.clock() + delay)
        if reason != CANCELLED_UPLOAD:
            self.report.failed.append(
                UploadFailure(item.assessment_id, item.revision, item.organisation, reason, False)
            )
        return False

    # --- pulls ----------------------------------------------------------------------------------

    def pull_reviews(self) -> None:
        cursor = self.store.state().review_cursor
        while True:
            if self._cancelled():
                return
            fetching = self._msg("Fetching review decisions", "Prüfentscheidungen werden abgerufen")
            self.progress(SyncProgress("reviews", len(self.report.reviews), 0, fetching))
            decisions, next_cursor, more = self.client.reviews(cursor)
            for decision in decisions:
                self.report.reviews.append(self._apply(decision))
                self.store.set_review_cursor(decision.cursor)
            cursor = next_cursor
            self.store.set_review_cursor(cursor)
            if not more or not decisions:
                return

    def _apply(self, decision: ReviewDecision) -> ReviewApplied:
        def applied(outcome: str) -> ReviewApplied:
            return ReviewApplied(
                decision.assessment_id,
                decision.revision,
                decision.status,
                decision.reviewer,
                len(decision.comments),
                outcome,
            )

        try:
            assessment = self.repository.get(decision.assessment_id)
        except NotFoundError:
            return applied(
                self._msg("not on this computer; nothing to update", "nicht auf diesem Rechner; nichts zu ändern")
            )
        actor = f"{decision.reviewer} (review service)"
        current = assessment.revision == decision.revision and assessment.status in (
            AssessmentStatus.FINALISED,
            AssessmentStatus.SUBMITTED,
        )
        if decision.status == "returned":
            self.store.store_review_comments(
                assessment.id, decision.revision, decision.comments, decision.reviewer, decision.at
            )
            self.changed.add(assessment.id)
            if not current:
                return applied(
                    self._msg(
                        f"comments stored; the assessment is already at revision {assessment.revision}",
                        f"Kommentare gespeichert; die Bewertung ist bereits bei Revision {assessment.revision}",
                    )
                )
            self.repository.set_status(assessment.id, AssessmentStatus.RETURNED, actor, new_revision=True)
            return applied(
                self._msg(
                    f"reopened as revision {decision.revision + 1} with the reviewer's comments",
                    f"als Revision {decision.revision + 1} mit den Kommentaren der Prüfung wieder geöffnet",
                )
            )
        if decision.status == "approved":
            if not current:
                return applied(
                    self._msg(
                        f"recorded; the assessment is already at revision {assessment.revision} "
                        f"({assessment.status.label()})",
                        f"vermerkt; die Bewertung ist bereits bei Revision {assessment.revision} "
                        f"({assessment.status.label('de')})",
                    )
                )
            self.repository.set_status(assessment.id, AssessmentStatus.APPROVED, actor)
            self.changed.add(assessment.id)
            return applied(self._msg("approved", "bestätigt"))
        return applied(
            self._msg(
                f"unknown decision {decision.status!r}; ignored",
                f"unbekannte Entscheidung {decision.status!r}; übergangen",
            )
        )

    def pull_catalogs(self) -> None:
        if self._cancelled():
            return
        self.progress(
            SyncProgress("catalogs", 0, 0, self._msg("Checking for new catalogs", "Neue Kataloge werden gesucht"))
        )
        registry = self.context.catalogs
        for published in self.client.catalogs():
            if registry.by_hash(published.content_hash) is not None:
                continue
            ref = f"{published.catalog_id}@{published.version}"
            content = self.client.catalog_content(published.catalog_id, published.version)
            try:
                entry = registry.install(content, f"{published.catalog_id}-{published.version}.yaml")
            except CatalogError as exc:
                self.report.problems.append(
                    self._msg(
                        f"catalog {ref} was not installed: {exc.message}",
                        f"Katalog {ref} wurde nicht installiert: {exc.message}",
                    )
                )
                continue
            if entry.catalog.content_hash != published.content_hash:
                self.report.problems.append(
                    self._msg(
                        f"catalog {ref}: the file received does not match the published hash",
                        f"Katalog {ref}: die empfangene Datei passt nicht zum veröffentlichten Hash",
                    )
                )
                continue
            self.report.catalogs.append(entry.catalog.ref)

    def pull_benchmarks(self) -> None:
        if self._cancelled():
            return
        fetching = self._msg("Fetching benchmark statistics", "Benchmark-Statistiken werden abgerufen")
        self.progress(SyncProgress("benchmarks", 0, 0, fetching))
        self.report.benchmarks = self.store.replace_benchmarks(self.client.benchmarks())


def sync(
    context: AppContext,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    passphrase: str | None = None,
    options: SyncOptions = SyncOptions(),
    transport_factory: TransportFactory = _default_transport,
) -> SyncReport:
    """Send the outbox, then pull review decisions, catalogs and benchmark statistics.

    Raises `NotSignedInError` when no server is configured; every other failure is in the report
    (`report.stopped` says why a run ended early) and leaves the outbox intact.
    `passphrase` unlocks the signing key for the bundles when the identity asks for it each time.
    """
    lang = context.lang
    store = sync_store(context)
    state = store.state()
    if not state.server_url:
        raise NotSignedInError(
            msg(
                lang,
                "No review service is set up: sign in with 'esca-desktop login --server URL'. "
                "Everything else works without it; finalised assessments wait in the outbox.",
                "Es ist kein Prüfdienst eingerichtet: melden Sie sich an (Synchronisation → Beim Prüfdienst anmelden… oder "
                "'esca-desktop login --server URL'). Alles andere funktioniert ohne; abgeschlossene Bewertungen "
                "warten im Postausgang.",
            )
        )
    if not state.account:
        raise NotSignedInError(
            msg(
                lang,
                f"Not signed in to {state.server_url}: sign in with 'esca-desktop login --server "
                f"{state.server_url}'. Finalised assessments wait in the outbox.",
                f"Nicht bei {state.server_url} angemeldet: melden Sie sich an (Synchronisation → Beim Prüfdienst anmelden… oder "
                f"'esca-desktop login --server {state.server_url}'). Abgeschlossene Bewertungen warten im "
                "Postausgang.",
            )
        )
    token = _credentials(context).get(TOKEN_SERVICE, _token_name(state.server_url))
    if not token:
        raise NotSignedInError(
            msg(
                lang,
                f"The sign-in token for {state.server_url} is not in the keyring (any more): sign "
                f"in again with 'esca-desktop login --server {state.server_url}'.",
                f"Das Anmelde-Token für {state.server_url} ist nicht (mehr) im Schlüsselbund: melden Sie sich "
                f"erneut an (Synchronisation → Beim Prüfdienst anmelden… oder 'esca-desktop login --server {state.server_url}').",
            )
        )
    report = SyncReport(state.server_url, lang=lang)
    transport = transport_factory(state.server_url)
    run = _Run(context, ReviewServiceClient(transport, token), report, options, progress, cancel, passphrase)
    try:
        run.check_server()
        if not report.stopped:
            run.upload_all()
        for step, what in (
            (run.pull_reviews, msg(lang, "review decisions", "Prüfentscheidungen")),
            (run.pull_catalogs, msg(lang, "catalogs", "Kataloge")),
            (run.pull_benchmarks, msg(lang, "benchmark statistics", "Benchmark-Statistiken")),
        ):
            if report.stopped:
                break
            try:
                step()
            except NetworkError as exc:
                report.stopped = (
                    msg(
                        lang,
                        f"{exc.text(lang)} The {what} were not fetched; sync again later.",
                        f"{exc.text(lang)} Die {what} wurden nicht abgerufen; synchronisieren Sie später erneut.",
                    )
                    if exc.kind == "timeout"
                    else msg(
                        lang,
                        f"The {what} could not be fetched: {exc.message}. Sync again later.",
                        f"Die {what} konnten nicht abgerufen werden: {exc.text(lang)}. Synchronisieren Sie später erneut.",
                    )
                )
            except ServerRefusal as exc:
                if exc.status == 401:
                    report.stopped = msg(
                        lang,
                        f"The review service refused the sign-in ({exc.detail}). Sign in again with "
                        "'esca-desktop login'.",
                        f"Der Prüfdienst hat die Anmeldung abgelehnt ({exc.detail}). Melden Sie sich erneut an "
                        "(Synchronisation → Beim Prüfdienst anmelden… oder 'esca-desktop login').",
                    )
                else:
                    report.problems.append(
                        msg(
                            lang,
                            f"the {what} could not be fetched: {exc.message}",
                            f"die {what} konnten nicht abgerufen werden: {exc.message}",
                        )
                    )
    finally:
        transport.close()
        report.still_queued = len(store.pending())
        if not report.stopped:
            store.set_last_sync()
    report.changes = Changes(
        assessment_ids=frozenset(run.changed), status=bool(run.changed), list=bool(run.changed), notes=bool(run.changed)
    )
    run.progress(SyncProgress("done", 1, 1, report.summary()))
    return report
