"""The review service's HTTP API (FastAPI; OpenAPI docs at /docs and /openapi.json).

Every endpoint but /api/v1/health needs ``Authorization: Bearer <token>``. Assessors upload bundles
and pull decisions on their own submissions; reviewers list, inspect, approve and return
submissions and publish catalogs. Errors are JSON ``{"detail": "<what happened and what to do>"}``
with a fitting status: 400 bad request, 401 unknown token, 403 wrong role or owner, 404, 409
conflict, 413 too large, 422 bundle refused.
"""

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from cryptography import x509
from fastapi import Body, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from esca_desktop import __version__
from esca_desktop.central.benchmarks import MIN_ORGANISATIONS
from esca_desktop.central.bundle_files import IncomingBundle
from esca_desktop.central.errors import (
    AuthenticationError,
    CentralError,
    ForbiddenError,
    InvalidRequestError,
    TooLargeError,
)
from esca_desktop.central.faults import FaultInjector
from esca_desktop.central.service import ReceivingService, check_key
from esca_desktop.central.store import CentralStore, User
from esca_desktop.errors import CatalogError

API = "/api/v1"
DEFAULT_MAX_BODY_MB = 512
WRITE_BATCH_BYTES = 1 << 20
BUNDLE_MEDIA_TYPE = "application/vnd.esca.bundle+zip"
CATALOG_MEDIA_TYPE = "application/yaml"

_bearer = HTTPBearer(auto_error=False, description="the API token printed by `esca-central user add`")


def create_app(
    store: CentralStore,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_MB << 20,
    trusted: Sequence[x509.Certificate] = (),
    faults: Sequence[str] = (),
) -> Any:
    """The ASGI application over `store` (wrapped in the fault injector only when faults are given)."""
    receiving = ReceivingService(store, trusted)
    app = FastAPI(
        title="ESCA central review service",
        version=__version__,
        description="Receives signed assessment bundles, records review decisions with comments per "
        "indicator, and distributes catalogs and benchmark statistics.",
    )
    app.state.store = store

    @app.exception_handler(CentralError)
    async def _central_error(_request: Request, exc: CentralError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(CatalogError)
    async def _catalog_error(_request: Request, exc: CatalogError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=422)

    def current_user(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> User:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise AuthenticationError("sign in: send the API token as 'Authorization: Bearer <token>'")
        user = store.user_by_token(credentials.credentials)
        if user is None:
            raise AuthenticationError(
                "the API token is not known to this server (revoked, or for another "
                "server); ask the secretariat for a new one and sign in again"
            )
        return user

    def reviewer(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role != "reviewer":
            raise ForbiddenError(f"{user.name} is an {user.role}; this needs a reviewer's token")
        return user

    def assessor(user: Annotated[User, Depends(current_user)]) -> User:
        if user.role != "assessor":
            raise ForbiddenError(f"{user.name} is a {user.role}; this needs an assessor's token")
        return user

    Current = Annotated[User, Depends(current_user)]
    Reviewer = Annotated[User, Depends(reviewer)]
    Assessor = Annotated[User, Depends(assessor)]

    @app.get(f"{API}/health", tags=["service"])
    def health() -> dict[str, Any]:
        """Whether the service runs (no token needed)."""
        return {"status": "ok", "version": __version__}

    @app.get(f"{API}/whoami", tags=["service"])
    def whoami(user: Current) -> dict[str, Any]:
        """The name and role the token belongs to."""
        return {"name": user.name, "role": user.role}

    # --- submissions ----------------------------------------------------------------------------

    @app.put(
        f"{API}/submissions/{{assessment_uuid}}/{{revision}}",
        tags=["submissions"],
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {BUNDLE_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        },
        responses={
            200: {"description": "the very same bundle was already stored (nothing changed)"},
            409: {"description": "different content for a stored revision, or an older revision"},
            413: {"description": "the bundle is larger than the server accepts"},
            422: {"description": "the bundle failed verification; the reason is in `detail`"},
        },
    )
    async def put_submission(assessment_uuid: str, revision: int, request: Request, user: Assessor) -> JSONResponse:
        """Upload a finalised assessment's signed bundle (the request body). Idempotent: the same
        bundle again answers 200 and changes nothing; it is stored whole or not at all."""
        check_key(assessment_uuid, revision)
        with store.incoming() as upload:
            await _receive_body(request, upload, max_body_bytes)
            receipt = await run_in_threadpool(receiving.receive, assessment_uuid, revision, upload, user)
        return JSONResponse(receipt.as_json(), status_code=201 if receipt.created else 200)

    @app.get(f"{API}/submissions", tags=["review"])
    def list_submissions(
        user: Reviewer, status: Literal["received", "returned", "approved"] | None = None, all_revisions: bool = False
    ) -> dict[str, Any]:
        """Submissions, newest first (by default only the newest revision of each assessment)."""
        found = store.submissions(status, latest_only=not all_revisions)
        return {"submissions": [s.as_json() for s in found]}

    @app.get(f"{API}/submissions/{{assessment_uuid}}/{{revision}}", tags=["review"])
    def show_submission(assessment_uuid: str, revision: int, user: Reviewer) -> dict[str, Any]:
        """One submission with its signer, indicators, the reviewer's comments, and the assessor's replies
        (`replies`) to the comments on the earlier revision, as this revision's bundle carries them."""
        return store.submission(assessment_uuid, revision).as_json(details=True)

    @app.get(f"{API}/submissions/{{assessment_uuid}}/{{revision}}/bundle", tags=["review"], response_class=Response)
    def download_bundle(assessment_uuid: str, revision: int, user: Reviewer) -> Response:
        """The bundle exactly as it was uploaded; the SHA-256 of these bytes in X-Content-SHA256."""
        submission, content = store.bundle(assessment_uuid, revision)
        name = f"{submission.assessment_uuid}-r{submission.revision}.esca"
        return Response(
            content,
            media_type=BUNDLE_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "X-Content-SHA256": hashlib.sha256(content).hexdigest(),
            },
        )

    @app.post(f"{API}/submissions/{{assessment_uuid}}/{{revision}}/approve", tags=["review"])
    def approve(assessment_uuid: str, revision: int, user: Reviewer) -> dict[str, Any]:
        """Approve the newest revision of a received submission."""
        return store.approve(assessment_uuid, revision, user).as_json(details=True)

    @app.post(f"{API}/submissions/{{assessment_uuid}}/{{revision}}/return", tags=["review"])
    def return_submission(
        assessment_uuid: str,
        revision: int,
        user: Reviewer,
        comments: Annotated[dict[str, str], Body(embed=True, description="{indicator id: comment}")],
    ) -> dict[str, Any]:
        """Return a received submission to its assessor with a comment per indicator."""
        return store.return_submission(assessment_uuid, revision, user, comments).as_json(details=True)

    @app.get(f"{API}/reviews", tags=["submissions"])
    def reviews(
        user: Current, since: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=1000)] = 500
    ) -> dict[str, Any]:
        """Decisions on the caller's submissions after the cursor `since` (0: from the start)."""
        events, cursor, more = store.reviews_since(user, since, limit)
        return {"reviews": [e.as_json() for e in events], "cursor": cursor, "more": more}

    # --- catalogs and benchmarks ----------------------------------------------------------------

    @app.get(f"{API}/catalogs", tags=["catalogs"])
    def list_catalogs(user: Current) -> dict[str, Any]:
        """Every published catalog version."""
        return {"catalogs": [c.as_json() for c in store.catalogs()]}

    @app.get(f"{API}/catalogs/{{catalog_id}}/{{version}}", tags=["catalogs"], response_class=Response)
    def catalog_content(catalog_id: str, version: str, user: Current) -> Response:
        """The catalog file (YAML) exactly as published; its hash in X-Content-Hash."""
        info, content = store.catalog_content(catalog_id, version)
        return Response(content, media_type=CATALOG_MEDIA_TYPE, headers={"X-Content-Hash": info.content_hash})

    @app.post(
        f"{API}/catalogs",
        tags=["catalogs"],
        status_code=201,
        openapi_extra={
            "requestBody": {"required": True, "content": {CATALOG_MEDIA_TYPE: {"schema": {"type": "string"}}}}
        },
    )
    async def publish_catalog(request: Request, user: Reviewer) -> JSONResponse:
        """Publish a new catalog version (the YAML file as the body); the same file again is a no-op."""
        content = await _read_body(request, max_body_bytes)
        info, created = await run_in_threadpool(publish_catalog_bytes, store, content, "uploaded catalog", user)
        return JSONResponse(info, status_code=201 if created else 200)

    @app.get(f"{API}/benchmarks", tags=["benchmarks"])
    def benchmarks(user: Current) -> dict[str, Any]:
        """Per numeric field, quartiles of approved Bronze benchmarkings per sector portfolio and per
        country — only where at least 5 organisations contribute."""
        stats, computed_at = store.benchmarks()
        return {
            "min_organisations": MIN_ORGANISATIONS,
            "computed_at": computed_at,
            "stats": [
                {
                    "field": q.field_key,
                    "group": q.group,
                    "count": q.count,
                    "min": q.minimum,
                    "q1": q.q1,
                    "median": q.median,
                    "q3": q.q3,
                    "max": q.maximum,
                }
                for q in stats
            ],
        }

    if faults:
        return FaultInjector(app, list(faults))
    return app


def publish_catalog_bytes(
    store: CentralStore, content: bytes, source_name: str, user: User
) -> tuple[dict[str, Any], bool]:
    """Check a catalog file with the desktop's own loader, then publish it."""
    from esca_desktop.forms.loader import parse_catalog

    catalog = parse_catalog(content, source_name)
    info, created = store.publish_catalog(catalog.id, catalog.version, catalog.content_hash, content, user)
    return info.as_json(), created


def _refuse_declared_size(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is None:
        return
    try:
        size = int(declared)
    except ValueError:
        raise InvalidRequestError("the Content-Length header is not a number") from None
    if size > limit:
        raise TooLargeError(
            f"the upload has {size} bytes; this server accepts at most {limit} (esca-central serve --max-body-mb)"
        )


def _too_large(limit: int) -> TooLargeError:
    return TooLargeError(f"the upload is larger than the {limit} bytes this server accepts")


async def _read_body(request: Request, limit: int) -> bytes:
    _refuse_declared_size(request, limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
    return b"".join(chunks)


async def _receive_body(request: Request, upload: IncomingBundle, limit: int) -> None:
    """The request body into `upload` as it arrives, never whole in memory: a worker thread hashes
    and writes each megabyte while the next one is received (hashing and writing release the GIL)."""
    _refuse_declared_size(request, limit)
    received = 0
    batch: list[bytes] = []
    batched = 0
    writing: asyncio.Future[None] | None = None
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _too_large(limit)
            batch.append(chunk)
            batched += len(chunk)
            if batched >= WRITE_BATCH_BYTES:
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(run_in_threadpool(upload.write_all, batch))
                batch, batched = [], 0
    finally:
        if writing is not None:
            await writing  # also on a broken upload: never discard a file a thread still writes
    await run_in_threadpool(upload.write_all, batch)
    upload.finish()
