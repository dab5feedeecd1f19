"""`esca-central`: run the review service, and manage it from a shell on the secretariat's machine.

    esca-central serve --db URL --host 127.0.0.1 --port 8750 [--max-body-mb N] [limits: serve --help]
    esca-central user add NAME --role assessor|reviewer [--certificate CERT.pem]   (the API token is the LAST line)
    esca-central user certificate NAME CERT.pem     (the certificate an assessor signs with; replaces the old one)
    esca-central user list
    esca-central review list [--status received|returned|approved] [--all] [--json]
    esca-central review show UUID [--revision N] [--json]
    esca-central review approve UUID [--revision N] [--reviewer NAME]
    esca-central review return UUID [--revision N] --comment INDICATOR=TEXT [--comment …] [--reviewer NAME]
    esca-central review bundle UUID [--revision N] --out FILE
    esca-central catalog publish FILE [--reviewer NAME]
    esca-central catalog list

Every command takes `--db URL` (a SQLAlchemy URL or a SQLite file path; default: ESCA_CENTRAL_DB, else
./esca-central.sqlite3) and works on the same database the server uses. Exit 0 on success, 2 with
a one-line message for an expected error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from esca_desktop.central.errors import InvalidRequestError
from esca_desktop.central.store import (
    ROLES,
    STATUSES,
    CentralStore,
    SignerCertificate,
    Submission,
    User,
    parse_comment_pairs,
)
from esca_desktop.errors import UserError
from esca_desktop.text import terminal_safe

PROG = "esca-central"
DB_ENV = "ESCA_CENTRAL_DB"
DEFAULT_PORT = 8750


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=os.environ.get(DB_ENV),
        help=f"database URL or SQLite file (default: ${DB_ENV}, else ./esca-central.sqlite3)",
    )


def _submission_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assessment", metavar="UUID", help="assessment UUID (or a unique prefix)")
    parser.add_argument("--revision", type=int, help="revision (default: the newest)")


def _reviewer_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reviewer", metavar="NAME", help="who decides (default: the only reviewer user)")


def _limit_options(parser: argparse.ArgumentParser) -> None:
    from esca_desktop.central.limits import DEFAULT_LIMITS as d

    group = parser.add_argument_group("limits", "what one client may take of the server")
    group.add_argument(
        "--max-connections",
        type=_positive_int,
        default=d.max_connections,
        metavar="N",
        help=f"open connections; more are answered 503 (default {d.max_connections})",
    )
    group.add_argument(
        "--backlog",
        type=_positive_int,
        default=d.backlog,
        metavar="N",
        help=f"connections waiting to be accepted (default {d.backlog})",
    )
    group.add_argument(
        "--keep-alive",
        type=_positive_int,
        default=d.keep_alive,
        metavar="SECONDS",
        help=f"how long an idle connection stays open (default {d.keep_alive})",
    )
    group.add_argument(
        "--header-timeout",
        type=_positive_float,
        default=d.header_timeout,
        metavar="SECONDS",
        help=f"time for a request's headers to arrive (default {d.header_timeout:g})",
    )
    group.add_argument(
        "--body-timeout",
        type=_positive_float,
        default=d.body_idle_timeout,
        metavar="SECONDS",
        help=f"an upload that sends nothing this long is aborted with 408 (default {d.body_idle_timeout:g})",
    )
    group.add_argument(
        "--min-upload-rate",
        type=_positive_int,
        default=d.min_body_rate,
        metavar="BYTES",
        help=f"bytes per second an upload must average after its first {d.body_rate_grace:g} s, "
        f"else 408 (default {d.min_body_rate})",
    )
    group.add_argument(
        "--uploads-per-account",
        type=_positive_int,
        default=d.uploads_per_account,
        metavar="N",
        help=f"uploads one account may send at the same time; more are answered 429 (default {d.uploads_per_account})",
    )
    group.add_argument(
        "--sign-in-failures",
        type=_positive_int,
        default=d.auth_failures,
        metavar="N",
        help=f"failed sign-ins per client address in {d.auth_window:g} s before 429 (default {d.auth_failures})",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value}: use 1 or more")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text}: use a number of seconds above 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="The ESCA central review service.")
    verbs = parser.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = verbs.add_parser("serve", help="run the HTTP API (OpenAPI docs at /docs)")
    _db_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--max-body-mb", type=int, default=512, help="largest accepted bundle in MiB (default 512)")
    p.add_argument(
        "--trust",
        type=Path,
        metavar="DIR",
        help="folder of *.pem CA certificates whose assessor certificates count as trusted",
    )
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    _limit_options(p)

    user = verbs.add_parser("user", help="API users (assessors and reviewers)")
    u_verbs = user.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = u_verbs.add_parser("add", help="add a user; prints the API token as the last line (shown only once)")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument(
        "--certificate",
        type=Path,
        metavar="CERT.pem",
        help="an assessor's certificate: their uploads must be signed with it (else the first signer bearing "
        "their name is bound)",
    )
    _db_option(p)
    p = u_verbs.add_parser("list", help="users, their roles and the certificates assessors are bound to")
    _db_option(p)
    p = u_verbs.add_parser(
        "certificate", help="bind an assessor to the certificate they sign with (replaces the one before)"
    )
    p.add_argument("name")
    p.add_argument("certificate", type=Path, metavar="CERT.pem", help="the assessor's certificate (PEM or DER)")
    _db_option(p)
    p = u_verbs.add_parser("token", help="a new API token for a user (the old one stops working); printed last")
    p.add_argument("name")
    _db_option(p)
    p = u_verbs.add_parser("revoke", help="stop a user's API token from working (a lost laptop, someone leaving)")
    p.add_argument("name")
    _db_option(p)

    review = verbs.add_parser("review", help="review submissions from the shell")
    r_verbs = review.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = r_verbs.add_parser("list", help="submissions, newest first")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--all", action="store_true", help="every revision, not only the newest of each assessment")
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p = r_verbs.add_parser("show", help="one submission: organisation, signer, comments")
    _submission_options(p)
    p.add_argument("--json", action="store_true")
    _db_option(p)
    p = r_verbs.add_parser("approve", help="approve a received submission")
    _submission_options(p)
    _reviewer_option(p)
    _db_option(p)
    p = r_verbs.add_parser("return", help="return a received submission with comments per indicator")
    _submission_options(p)
    p.add_argument(
        "--comment",
        action="append",
        default=[],
        metavar="INDICATOR=TEXT",
        required=True,
        help="a comment on one indicator (repeatable)",
    )
    _reviewer_option(p)
    _db_option(p)
    p = r_verbs.add_parser("bundle", help="write the submitted bundle to a file")
    _submission_options(p)
    p.add_argument("--out", type=Path, required=True, metavar="FILE.esca")
    _db_option(p)

    catalog = verbs.add_parser("catalog", help="catalogs distributed to the assessors")
    c_verbs = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = c_verbs.add_parser("publish", help="publish a catalog file (checked first) as a new version")
    p.add_argument("file", type=Path)
    _reviewer_option(p)
    _db_option(p)
    p = c_verbs.add_parser("list", help="published catalog versions")
    _db_option(p)
    return parser


class Shell:
    def __init__(self, args: argparse.Namespace, out: TextIO) -> None:
        self.args = args
        self.out = out
        self._store: CentralStore | None = None

    @property
    def store(self) -> CentralStore:
        if self._store is None:
            self._store = CentralStore.open(self.args.db)
        return self._store

    def print(self, text: str = "") -> None:
        # every line, JSON too (its escapes are JSON's own): names and comments come from others
        print(terminal_safe(text), file=self.out)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def reviewer(self) -> User:
        name = getattr(self.args, "reviewer", None)
        if name:
            user = self.store.user_by_name(name)
            if user is None:
                raise InvalidRequestError(f"no user named {name!r} (esca-central user list)")
            if user.role != "reviewer":
                raise InvalidRequestError(f"{name} is an {user.role}, not a reviewer")
            return user
        reviewers = [u for u in self.store.users() if u.role == "reviewer"]
        if len(reviewers) == 1:
            return reviewers[0]
        if not reviewers:
            raise InvalidRequestError(f"there is no reviewer yet: {PROG} user add NAME --role reviewer")
        raise InvalidRequestError("there are several reviewers: say who decides with --reviewer NAME")


def serve(shell: Shell) -> int:
    import uvicorn

    from esca_desktop.central.app import create_app
    from esca_desktop.central.faults import FAULTS_ENV, parse_faults
    from esca_desktop.central.limits import Limits, ensure_file_handles, server_config

    args = shell.args
    trusted = _load_trust(args.trust) if args.trust else []
    try:
        faults = parse_faults(os.environ.get(FAULTS_ENV, ""))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    limits = Limits(
        max_connections=args.max_connections,
        backlog=args.backlog,
        keep_alive=args.keep_alive,
        header_timeout=args.header_timeout,
        body_idle_timeout=args.body_timeout,
        min_body_rate=args.min_upload_rate,
        uploads_per_account=args.uploads_per_account,
        auth_failures=args.sign_in_failures,
    )
    app = create_app(shell.store, max_body_bytes=args.max_body_mb << 20, trusted=trusted, faults=faults, limits=limits)
    print(
        f"{PROG}: serving {_safe_url(shell.store)} on http://{args.host}:{args.port} "
        f"(API docs: http://{args.host}:{args.port}/docs)",
        file=sys.stderr,
        flush=True,
    )
    warning = ensure_file_handles(limits)
    if warning:
        print(f"{PROG}: warning: {warning}", file=sys.stderr, flush=True)
    uvicorn.Server(server_config(app, args.host, args.port, limits, args.log_level)).run()
    return 0


def _safe_url(store: CentralStore) -> str:
    return store.engine.url.render_as_string(hide_password=True)


def _load_trust(folder: Path) -> list[Any]:
    from esca_desktop.security.identity import load_certificates

    if not folder.is_dir():
        raise UserError(f"--trust {folder}: not a folder")
    certificates = []
    for path in sorted(folder.glob("*.pem")):
        certificates.extend(load_certificates(path.read_bytes(), str(path)))
    return certificates


def _read_certificate(path: Path) -> SignerCertificate:
    from esca_desktop.central.service import signer_certificate

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    return signer_certificate(data, str(path))


def user_add(shell: Shell) -> int:
    certificate = _read_certificate(shell.args.certificate) if shell.args.certificate else None
    user, token = shell.store.add_user(shell.args.name, shell.args.role, certificate)
    if certificate is not None:
        shell.print(
            f"{user.name} signs with the certificate of {certificate.signer} (SHA-256 {certificate.fingerprint})."
        )
    shell.print(f"Added {user.role} {user.name}. Their API token (shown only this once; only its hash is kept):")
    shell.print(token)
    return 0


def user_certificate(shell: Shell) -> int:
    certificate = _read_certificate(shell.args.certificate)
    user, before = shell.store.set_certificate(shell.args.name, certificate)
    shell.print(
        f"{user.name}'s uploads must now be signed with the certificate of {certificate.signer} "
        f"(SHA-256 {certificate.fingerprint})"
        + (f"; it replaces the one of {before.signer} (SHA-256 {before.fingerprint[:16]}…)." if before else ".")
    )
    return 0


def user_token(shell: Shell) -> int:
    token = shell.store.replace_token(shell.args.name)
    shell.print(f"{shell.args.name}'s old API token no longer works. Their new one (shown only this once):")
    shell.print(str(token))
    return 0


def user_revoke(shell: Shell) -> int:
    shell.store.replace_token(shell.args.name, issue_new=False)
    shell.print(f"{shell.args.name}'s API token no longer works; 'esca-central user token' issues a new one.")
    return 0


def user_list(shell: Shell) -> int:
    for user in shell.store.users():
        bound = shell.store.certificate_of(user) if user.role == "assessor" else None
        signs = f"  signs with {bound.signer} (SHA-256 {bound.fingerprint[:16]}…, {bound.source})" if bound else ""
        shell.print(f"{user.role:<9} {user.name}{signs}")
    return 0


def _summary_row(s: Submission) -> list[str]:
    return [
        s.assessment_uuid[:8],
        str(s.revision),
        s.status,
        s.scheme,
        s.organisation,
        s.country,
        s.submitted_by,
        s.received_at[:16].replace("T", " "),
    ]


def _table(shell: Shell, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    cells = [[terminal_safe(str(c), multiline=False) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for row in cells:
        shell.print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def review_list(shell: Shell) -> int:
    found = shell.store.submissions(shell.args.status, latest_only=not shell.args.all)
    if shell.args.json:
        shell.print(json.dumps([s.as_json() for s in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        shell.print("No submissions" + (f" with status {shell.args.status}." if shell.args.status else "."))
        return 0
    _table(
        shell,
        ["ID", "REV", "STATUS", "SCHEME", "ORGANISATION", "CC", "ASSESSOR", "RECEIVED"],
        [_summary_row(s) for s in found],
    )
    return 0


def _print_submission(shell: Shell, s: Submission) -> None:
    trusted = (
        "TRUSTED (issued by an authority in the server's trust list)"
        if s.signer_trusted
        else "NOT TRUSTED (self-signed, or issued by an authority the server does not trust)"
    )
    rows = [
        ("Assessment", f"{s.assessment_uuid} revision {s.revision}"),
        ("Status", s.status + (f" by {s.decided_by} at {s.decided_at}" if s.decided_at else "")),
        ("Organisation", f"{s.organisation} ({s.country}{', ' + s.sector if s.sector else ''})"),
        ("Scheme", f"{s.scheme} ({s.catalog})"),
        ("Submitted", f"by {s.submitted_by} at {s.received_at}"),
        ("Signature", trusted),
        ("Signed by", f"{s.signer_name} (SHA-256 {s.signer_fingerprint})"),
        ("Bundle", f"{s.size} bytes, content hash {s.content_hash}"),
    ]
    for label, value in rows:
        shell.print(f"{label + ':':<14}{terminal_safe(value, multiline=False)}")
    if s.comments:
        shell.print("Comments:")
        for indicator, text in s.comments.items():
            shell.print(f"  {indicator}: {text}")
    revisions = sorted({r.revision for r in s.replies})
    for revision in revisions:
        shell.print(f"Replies to the comments on revision {revision}:")
        for r in s.replies:
            if r.revision != revision:
                continue
            state = "resolved" if r.resolved else "open"
            shell.print(f"  {r.indicator}: {r.comment}")
            if r.reply:
                shell.print(f"    reply by {r.replied_by or 'the assessor'} ({state}): {r.reply}")
            else:
                shell.print(f"    no reply ({state})")


def review_show(shell: Shell) -> int:
    submission = shell.store.submission(shell.args.assessment, shell.args.revision)
    if shell.args.json:
        shell.print(json.dumps(submission.as_json(details=True), ensure_ascii=False, indent=2))
    else:
        _print_submission(shell, submission)
    return 0


def review_approve(shell: Shell) -> int:
    s = shell.store.approve(shell.args.assessment, shell.args.revision, shell.reviewer())
    shell.print(
        f"Approved revision {s.revision} of {s.assessment_uuid} ({s.organisation}). "
        "The assessor receives the decision with the next sync."
    )
    return 0


def review_return(shell: Shell) -> int:
    comments = parse_comment_pairs(shell.args.comment)
    s = shell.store.return_submission(shell.args.assessment, shell.args.revision, shell.reviewer(), comments)
    shell.print(
        f"Returned revision {s.revision} of {s.assessment_uuid} ({s.organisation}) with "
        f"{len(s.comments)} comment(s). The assessor receives them with the next sync."
    )
    return 0


def review_bundle(shell: Shell) -> int:
    submission, content = shell.store.bundle(shell.args.assessment, shell.args.revision)
    try:
        shell.args.out.write_bytes(content)
    except OSError as exc:
        raise UserError(f"{shell.args.out} cannot be written ({exc.strerror or exc})") from None
    shell.print(f"Wrote {len(content)} bytes (revision {submission.revision}) to {shell.args.out}")
    return 0


def catalog_publish(shell: Shell) -> int:
    from esca_desktop.central.app import publish_catalog_bytes

    path: Path = shell.args.file
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    info, created = publish_catalog_bytes(shell.store, content, path.name, shell.reviewer())
    verb = "Published" if created else "Already published (unchanged)"
    shell.print(f"{verb}: {info['id']}@{info['version']} ({info['hash']})")
    return 0


def catalog_list(shell: Shell) -> int:
    found = shell.store.catalogs()
    if not found:
        shell.print("No catalogs published yet.")
    for c in found:
        shell.print(f"{c.catalog_id}@{c.version}  {c.content_hash}  by {c.published_by} at {c.published_at}")
    return 0


HANDLERS: dict[tuple[str, str | None], Callable[[Shell], int]] = {
    ("serve", None): serve,
    ("user", "add"): user_add,
    ("user", "list"): user_list,
    ("user", "certificate"): user_certificate,
    ("user", "token"): user_token,
    ("user", "revoke"): user_revoke,
    ("review", "list"): review_list,
    ("review", "show"): review_show,
    ("review", "approve"): review_approve,
    ("review", "return"): review_return,
    ("review", "bundle"): review_bundle,
    ("catalog", "publish"): catalog_publish,
    ("catalog", "list"): catalog_list,
}


def run(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    shell = Shell(args, out or sys.stdout)
    try:
        return HANDLERS[(args.verb, getattr(args, "action", None))](shell)
    except UserError as exc:
        print(terminal_safe(f"{PROG}: error: {exc.message}"), file=sys.stderr)
        return exc.exit_code
    finally:
        shell.close()


def main() -> int:
    return run()


if __name__ == "__main__":
    sys.exit(main())
