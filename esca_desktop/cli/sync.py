"""`esca-desktop login | logout | sync | outbox`: the central review service from the command line.

`login --server URL` reads the API token with getpass on a terminal, or as one line of standard input
otherwise (for scripts), checks it with the server and keeps it in the OS keyring. `sync` exits 0 when
everything went through, 1 when something failed or stays queued (each with its reason), and 2 when
no server is set up or the sign-in is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from esca_desktop.cli.base import PROG, Cli, Handlers, json_flag

if TYPE_CHECKING:
    from esca_desktop.services.sync import SyncReport
    from esca_desktop.storage.sync_store import OutboxItem


def register(verbs: Any) -> Handlers:
    p = verbs.add_parser("login", help="sign in to the central review service (the token goes to the OS keyring)")
    p.add_argument("--server", required=True, metavar="URL", help="the review service, e.g. https://review.example.org")
    p.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="accept a plain http:// address of another computer (the token travels unencrypted)",
    )
    json_flag(p)
    verbs.add_parser("logout", help="sign out: remove the token from the keyring")
    p = verbs.add_parser("sync", help="send finalised assessments; fetch review decisions, catalogs, benchmarks")
    json_flag(p)
    p = verbs.add_parser("outbox", help="finalised assessments waiting to be sent, sent or failed")
    p.add_argument("--retry", metavar="ID", help="queue the failed uploads of this assessment again")
    json_flag(p)
    return {("login", None): login, ("logout", None): logout, ("sync", None): sync, ("outbox", None): outbox}


def login(cli: Cli) -> int:
    from esca_desktop.cli.identity import read_secret
    from esca_desktop.services import sync as service

    insecure = cli.args.allow_insecure_http
    service.server_address(cli.args.server, insecure, cli.lang)  # refused before the token is asked for
    token = read_secret("API token (from the secretariat): ")
    signed_in = service.login(cli.context, cli.args.server, token, allow_insecure_http=insecure)
    if cli.args.json:
        cli.emit_json(
            {
                "server": signed_in.server_url,
                "account": signed_in.account.name,
                "role": signed_in.account.role,
                "kept_in": signed_in.kept_in,
                "requeued": signed_in.requeued,
            }
        )
        return 0
    cli.print(
        f"Signed in to {signed_in.server_url} as {signed_in.account.name} ({signed_in.account.role}). "
        f"The token is kept in the {signed_in.kept_in}."
    )
    if signed_in.requeued:
        cli.print(f"{signed_in.requeued} upload(s) refused for the sign-in earlier are queued again.")
    return 0


def logout(cli: Cli) -> int:
    from esca_desktop.services import sync as service

    state = service.logout(cli.context)
    if state.server_url:
        cli.print(
            f"Signed out of {state.server_url}; the token was removed from the keyring. "
            "The outbox keeps what waits to be sent."
        )
    else:
        cli.print("Not signed in to any review service.")
    return 0


def _passphrase(cli: Cli) -> str | None:
    """The signing key's passphrase, asked for only when the identity asks each time and bundles are due."""
    from esca_desktop.cli.identity import read_secret
    from esca_desktop.services import sync as service
    from esca_desktop.services.signing import identity_store

    pending = service.sync_store(cli.context).pending()
    due = [i for i in pending if not service.bundle_path(cli.context, i.assessment_id, i.revision).is_file()]
    info = identity_store(cli.context).info() if due else None
    if info is not None and info.passphrase_mode == "ask":
        return read_secret("Passphrase of your signing key (to sign the bundles): ")
    return None


def sync(cli: Cli) -> int:

    from esca_desktop.services import sync as service

    def progress(step: service.SyncProgress) -> None:
        if not cli.args.json and step.phase == "upload":
            cli.warn(f"  [{step.done}/{step.total}] {step.message}")

    report = service.sync(cli.context, progress, passphrase=_passphrase(cli))
    if cli.args.json:
        cli.emit_json(report.as_json())
    else:
        _print_report(cli, report)
    return 0 if report.complete else 1


def _print_report(cli: Cli, report: SyncReport) -> None:
    cli.print(f"Sync with {report.server_url}: {report.summary()}")
    for u in report.uploaded:
        cli.print(f"  sent      {u.assessment_id[:8]} r{u.revision}  {u.organisation}  ({u.result})")
    for f in report.failed:
        kind = "FAILED   " if f.fatal else "queued   "
        cli.print(f"  {kind} {f.assessment_id[:8]} r{f.revision}  {f.organisation}: {f.reason}")
    for r in report.reviews:
        comments = f", {r.comments} comment(s)" if r.comments else ""
        cli.print(f"  {r.status:<9} {r.assessment_id[:8]} r{r.revision}  by {r.reviewer}{comments}: {r.outcome}")
    for ref in report.catalogs:
        cli.print(f"  catalog   {ref} installed")
    for problem in report.problems:
        cli.print(f"  problem   {problem}")
    if any(f.fatal for f in report.failed):
        cli.print(f"Failed uploads are not retried by themselves: fix the cause, then '{PROG} outbox --retry ID'.")


def _item_row(item: OutboxItem) -> list[str]:
    when = item.sent_at or item.queued_at
    reason = item.last_error if item.state != "sent" else ""
    return [
        item.assessment_id[:8],
        str(item.revision),
        item.state,
        str(item.attempts),
        item.organisation,
        f"{when:%Y-%m-%d %H:%M}",
        reason,
    ]


def outbox(cli: Cli) -> int:
    from esca_desktop.services import sync as service

    if cli.args.retry:
        count = service.requeue(cli.context, cli.args.retry)
        if not cli.args.json:
            cli.print(f"{count} upload(s) queued again; they are sent with the next '{PROG} sync'.")
    items = service.outbox(cli.context)
    if cli.args.json:
        cli.emit_json([item.as_json() for item in items])
        return 0
    if not items:
        cli.print("The outbox is empty: finalised assessments are queued here to be sent.")
        return 0
    cli.table(["ID", "REV", "STATE", "TRIES", "ORGANISATION", "WHEN (UTC)", "REASON"], [_item_row(i) for i in items])
    return 0
