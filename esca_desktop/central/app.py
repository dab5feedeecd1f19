"""The review service's HTTP API (FastAPI; OpenAPI docs at /docs and /openapi.json).

Every endpoint but /api/v1/health needs ``Authorization: Bearer <token>``. Assessors upload bundles
and pull decisions on their own submissions; reviewers list, inspect, approve and return
submissions and publish catalogs. Errors are JSON ``{"detail": "<what happened and what to do>"}``
with a fitting status: 400 bad request (also a path or query parameter out of range), 401 unknown
token, 403 wrong role or owner, 404, 408 too slow, 409 conflict, 413 too large, 422 bundle refused,
429 too many at once (with Retry-After).

The token is checked from the headers alone before any body is read, and every body is bounded
(bundles and catalogs by --max-body-mb, any other body by `Limits.json_body_bytes`): see
`esca_desktop.central.limits`.
"""

import asyncio
import hashlib
import json
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from cryptography import x509
from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
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
from esca_desktop.central.limits import (
    DEFAULT_LIMITS,
    MAX_INT64,
    USER_KEY,
    BodyLimit,
    Guard,
    Limits,
    Scope,
    UploadSlots,
    error_response,
    parse_json,
)
from esca_desktop.central.service import UUID_PATTERN, ReceivingService, check_key
from esca_desktop.central.store import CentralStore, User
from esca_desktop.errors import CatalogError

API = "/api/v1"
DEFAULT_MAX_BODY_MB = 512
WRITE_BATCH_BYTES = 1 << 20
BUNDLE_MEDIA_TYPE = "application/vnd.esca.bundle+zip"
CATALOG_MEDIA_TYPE = "application/yaml"

_bearer = HTTPBearer(auto_error=False, description="the API token printed by `esca-central user add`")

# Path and query parameters, bounded (a number beyond 64 bits would reach SQLite and fail there).
AssessmentUuid = Annotated[str, Path(pattern=UUID_PATTERN.pattern, description="the assessment's UUID")]
AssessmentKey = Annotated[
    str, Path(pattern=r"^[0-9A-Fa-f-]{1,36}$", description="the assessment's UUID (or a unique prefix)")
]
Revision = Annotated[int, Path(ge=1, le=MAX_INT64, description="the revision, from 1")]
CatalogName = Annotated[str, Path(min_length=1, max_length=200)]
MAX_INDICATOR_CHARS = 64
COMMENTS_EXAMPLE = '{"comments": {"B2.1": "Show the statutes"}}'


def create_app(
    store: CentralStore,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_MB << 20,
    trusted: Sequence[x509.Certificate] = (),
    faults: Sequence[str] = (),
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """The ASGI application over `store`, within `limits` (and wrapped in the fault injector only when
    faults are given)."""
    receiving = ReceivingService(store, trusted)
    uploads = UploadSlots(limits.uploads_per_account)
    app = FastAPI(
        title="ESCA central review service",
        version=__version__,
        description="Receives signed assessment bundles, records review decisions with comments per "
        "indicator, and distributes catalogs and benchmark statistics.",
    )
    app.state.store = store

    @app.exception_handler(CentralError)
    async def _central_error(_request: Request, exc: CentralError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid_parameter(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(InvalidRequestError(validation_message(exc.errors())))

    @app.exception_handler(CatalogError)
    async def _catalog_error(_request: Request, exc: CatalogError) -> JSONResponse:
        return JSONResponse({"detail": exc.message}, status_code=422)

    def authenticate(authorization: str | None) -> User:
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("sign in: send the API token as 'Authorization: Bearer <token>'")
        user = store.user_by_token(token.strip())
        if user is None:
            raise AuthenticationError(
                "the API token is not known to this server (revoked, or for another "
                "server); ask the secretariat for a new one and sign in again"
            )
        return user

    def current_user(
        request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> User:
        user = request.scope.get(USER_KEY)  # Guard checked the token before the body could be read
        return user if isinstance(user, User) else authenticate(request.headers.get("authorization"))

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
            400: {"description": "the address is malformed or does not name the bundle's assessment and revision"},
            408: {"description": "the bundle arrived too slowly or stalled; nothing was stored"},
            409: {"description": "different content for a stored revision, or an older revision"},
            413: {"description": "the bundle is larger than the server accepts"},
            422: {"description": "the bundle failed verification; the reason is in `detail`"},
            429: {"description": "this account already sends several uploads; try again after Retry-After"},
        },
    )
    async def put_submission(
        assessment_uuid: AssessmentUuid, revision: Revision, request: Request, user: Assessor
    ) -> JSONResponse:
        """Upload a finalised assessment's signed bundle (the request body). Idempotent: the same
        bundle again answers 200 and changes nothing; it is stored whole or not at all. An account
        sends at most a few bundles at the same time (429 with Retry-After beyond that)."""
        check_key(assessment_uuid, revision)
        with uploads.taken_by(user), store.incoming() as upload:
            await _receive_body(request, upload)
            receipt = await run_in_threadpool(receiving.receive, assessment_uuid, revision, upload, user)
        return JSONResponse(receipt.as_json(), status_code=201 if receipt.created else 200)

    @app.get(f"{API}/submissions", tags=["review"])
    def list_submissions(
        user: Reviewer,
        status: Literal["received", "returned", "approved"] | None = None,
        all_revisions: bool = False,
    ) -> dict[str, Any]:
        """Submissions, newest first (by default only the newest revision of each assessment)."""
        found = store.submissions(status, latest_only=not all_revisions)
        return {"submissions": [s.as_json() for s in found]}

    @app.get(f"{API}/submissions/{{assessment_uuid}}/{{revision}}", tags=["review"])
    def show_submission(assessment_uuid: AssessmentKey, revision: Revision, user: Reviewer) -> dict[str, Any]:
        """One submission with its signer, indicators, the reviewer's comments, and the assessor's replies
        (`replies`) to the comments on the earlier revision, as this revision's bundle carries them."""
        return store.submission(assessment_uuid, revision).as_json(details=True)

    @app.get(f"{API}/submissions/{{assessment_uuid}}/{{revision}}/bundle", tags=["review"], response_class=Response)
    def download_bundle(assessment_uuid: AssessmentKey, revision: Revision, user: Reviewer) -> Response:
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
    def approve(assessment_uuid: AssessmentKey, revision: Revision, user: Reviewer) -> dict[str, Any]:
        """Approve the newest revision of a received submission."""
        return store.approve(assessment_uuid, revision, user).as_json(details=True)

    @app.post(
        f"{API}/submissions/{{assessment_uuid}}/{{revision}}/return",
        tags=["review"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["comments"],
                            "properties": {
                                "comments": {
                                    "type": "object",
                                    "description": "{indicator id: comment}",
                                    "maxProperties": limits.max_comments,
                                    "additionalProperties": {"type": "string", "maxLength": limits.max_comment_chars},
                                }
                            },
                        },
                        "example": json.loads(COMMENTS_EXAMPLE),
                    }
                },
            }
        },
        responses={413: {"description": "the body, the number of comments or a comment is too large"}},
    )
    async def return_submission(
        assessment_uuid: AssessmentKey, revision: Revision, request: Request, user: Reviewer
    ) -> dict[str, Any]:
        """Return a received submission to its assessor with a comment per indicator (the JSON body
        `{"comments": {indicator id: comment}}`)."""
        comments = returned_comments(parse_json(await _read_body(request)), limits)
        returned = await run_in_threadpool(store.return_submission, assessment_uuid, revision, user, comments)
        return returned.as_json(details=True)

    @app.get(f"{API}/reviews", tags=["submissions"])
    def reviews(
        user: Current,
        since: Annotated[int, Query(ge=0, le=MAX_INT64)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
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
    def catalog_content(catalog_id: CatalogName, version: CatalogName, user: Current) -> Response:
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
        content = await _read_body(request)
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

    described = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's description, with the 400 this API answers for a bad path or query parameter
        in place of FastAPI's own 422 (which here means a refused bundle)."""
        schema = described()
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                if responses.get("422", {}).get("description") == "Validation Error":
                    del responses["422"]
                    responses.setdefault(
                        "400", {"description": "a path or query parameter is malformed or out of range (`detail`)"}
                    )
        for name in ("HTTPValidationError", "ValidationError"):
            schema.get("components", {}).get("schemas", {}).pop(name, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    def needs_token(path: str) -> bool:
        return path.startswith(f"{API}/") and path != f"{API}/health"

    upload_limit = BodyLimit(max_body_bytes, upload=True)
    json_limit = BodyLimit(limits.json_body_bytes, upload=False)
    submissions, catalogs = f"{API}/submissions/", f"{API}/catalogs"

    def body_limit(scope: Scope) -> BodyLimit:
        path, method = str(scope["path"]), scope["method"]
        if (method == "PUT" and path.startswith(submissions)) or (method == "POST" and path == catalogs):
            return upload_limit
        return json_limit

    inner = FaultInjector(app, list(faults)) if faults else app
    return Guard(inner, authenticate=authenticate, needs_token=needs_token, body_limit=body_limit, limits=limits)


def publish_catalog_bytes(
    store: CentralStore, content: bytes, source_name: str, user: User
) -> tuple[dict[str, Any], bool]:
    """Check a catalog file with the desktop's own loader, then publish it."""
    from esca_desktop.forms.loader import parse_catalog

    catalog = parse_catalog(content, source_name)
    info, created = store.publish_catalog(catalog.id, catalog.version, catalog.content_hash, content, user)
    return info.as_json(), created


def returned_comments(body: Any, limits: Limits) -> dict[str, str]:
    """The comments of a return (`{"comments": {indicator id: text}}`), bounded in number and length."""
    comments = body.get("comments") if isinstance(body, dict) else None
    if not isinstance(comments, dict):
        raise InvalidRequestError(f"send the comments as JSON like {COMMENTS_EXAMPLE}")
    if len(comments) > limits.max_comments:
        raise TooLargeError(
            f"{len(comments)} comments: a return takes at most {limits.max_comments} (one per indicator)"
        )
    for indicator, text in comments.items():
        if len(indicator) > MAX_INDICATOR_CHARS:
            raise InvalidRequestError(f"{indicator[:20]!r}… is not an indicator id (those are short, like B2.1)")
        if not isinstance(text, str):
            raise InvalidRequestError(f"the comment on {indicator} is not text: send JSON like {COMMENTS_EXAMPLE}")
        if len(text) > limits.max_comment_chars:
            raise TooLargeError(
                f"the comment on {indicator} has {len(text)} characters; a comment holds at most "
                f"{limits.max_comment_chars}"
            )
    return comments


def validation_message(errors: Sequence[Any]) -> str:
    """FastAPI's validation errors of path and query parameters as one sentence: what and where."""
    return "; ".join(_one_invalid(error) for error in errors) or "the request is not valid"


def _one_invalid(error: Any) -> str:
    loc = tuple(error.get("loc", ()))
    place = {"path": "address", "query": "query", "header": "headers"}.get(str(loc[0]) if loc else "", "request")
    name = str(loc[-1]) if len(loc) > 1 else "the request"
    shown = repr(error.get("input"))
    shown = shown if len(shown) <= 42 else shown[:40] + "…"
    if name == "assessment_uuid":
        return f"{shown} is not an assessment UUID (lower-case, with hyphens)"
    if name == "revision":
        return f"revision {shown}: revisions start at 1 and are at most {MAX_INT64}"
    if name == "since":
        return f"since={shown}: use 0 (from the start) or the cursor this server sent, at most {MAX_INT64}"
    text = str(error.get("msg", "not valid"))
    return f"{name} {shown} in the {place}: {text[:1].lower()}{text[1:]}"


async def _read_body(request: Request) -> bytes:
    """The whole body; `Guard` has bounded it and refuses it when it arrives too slowly."""
    chunks = [chunk async for chunk in request.stream()]
    return b"".join(chunks)


async def _receive_body(request: Request, upload: IncomingBundle) -> None:
    """The request body into `upload` as it arrives, never whole in memory: a worker thread hashes
    and writes each megabyte while the next one is received (hashing and writing release the GIL).
    `Guard` bounds the body and refuses it when it arrives too slowly."""
    batch: list[bytes] = []
    batched = 0
    writing: asyncio.Future[None] | None = None
    try:
        async for chunk in request.stream():
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
