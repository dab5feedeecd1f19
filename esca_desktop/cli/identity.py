"""`esca-desktop identity ...` (the assessor's signing key and certificate) and `esca-desktop verify FILE`.

With a usable OS keyring, `identity create` asks nothing: a strong passphrase is generated and kept in
the keyring. With `--ask-passphrase`, or without a keyring, the passphrase is read with getpass on a
terminal, or as one line from standard input otherwise (for scripts); it is never stored.

`verify` exits 0 only when the file is signed, every signature is intact and nothing but signatures
was added after signing; 1 otherwise (changed, unsigned, signature removed); 2 when the file cannot be
read as a PDF.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from esca_desktop.cli.base import PROG, Cli, Handlers, json_flag
from esca_desktop.errors import UserError, ValidationError
from esca_desktop.text import terminal_safe

if TYPE_CHECKING:
    from esca_desktop.reports.signing import PdfVerification
    from esca_desktop.security.identity import IdentityInfo, IdentityStore, PassphraseMode


def register(verbs: Any) -> Handlers:
    identity = verbs.add_parser("identity", help="the assessor's signing identity (key pair and certificate)")
    i_verbs = identity.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = i_verbs.add_parser("create", help="create a key pair and a self-signed certificate")
    p.add_argument("--name", required=True, help="your name as it should appear on signatures")
    p.add_argument("--email", required=True)
    p.add_argument(
        "--ask-passphrase",
        action="store_true",
        help="protect the key with a passphrase you type each time instead of keeping one in the keyring",
    )
    json_flag(p)
    p = i_verbs.add_parser("show", help="name, e-mail, certificate fingerprint and validity")
    json_flag(p)
    p = i_verbs.add_parser("import", help="import a key and certificate from a PKCS#12 file (.p12/.pfx)")
    p.add_argument("file", type=Path)
    p.add_argument("--password-stdin", action="store_true", help="read the file's password from standard input")
    p.add_argument(
        "--ask-passphrase",
        action="store_true",
        help="protect the key with a passphrase you type each time instead of keeping one in the keyring",
    )
    json_flag(p)
    p = i_verbs.add_parser("request", help="write a certificate request (CSR) for the secretariat to sign")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.csr")
    p = i_verbs.add_parser("install", help="install the certificate the secretariat issued for your request")
    p.add_argument("file", type=Path)
    json_flag(p)
    p = i_verbs.add_parser("delete", help="remove the key, the certificate and the stored passphrase")
    p.add_argument("--yes", action="store_true", help="confirm: documents already signed stay valid")

    p = verbs.add_parser("verify", help="check the signatures of a PDF: signer, time, intact, trusted")
    p.add_argument("file", type=Path)
    json_flag(p)
    return {
        ("identity", "create"): identity_create,
        ("identity", "show"): identity_show,
        ("identity", "import"): identity_import,
        ("identity", "request"): identity_request,
        ("identity", "install"): identity_install,
        ("identity", "delete"): identity_delete,
        ("verify", None): verify,
    }


def _store(cli: Cli) -> IdentityStore:
    from esca_desktop.services.signing import identity_store

    return identity_store(cli.context)


def read_secret(prompt: str, confirm: bool = False) -> str:
    """A secret from the terminal (not echoed), or one line of standard input when it is not a terminal."""
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("Repeat it: ") != first:
            raise ValidationError("the two entries differ; nothing was changed")
        return first
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise UserError(f"{prompt.strip().rstrip(':')}: expected one line on standard input, found none")
    return line.rstrip("\r\n")


def _passphrase_mode(store: IdentityStore, ask: bool) -> PassphraseMode:
    """ "keyring" when it can keep the passphrase; else (or when asked) "ask", with a note why."""
    from esca_desktop.security.credentials import NoSecureStoreError

    if ask:
        return "ask"
    try:
        store.credentials.check()
        if not store.credentials.persistent:
            raise NoSecureStoreError(f"the {store.credentials.description} cannot keep the passphrase")
    except NoSecureStoreError as exc:
        print(
            terminal_safe(f"{PROG}: note: {exc.message} The passphrase will be asked for each time."), file=sys.stderr
        )
        return "ask"
    return "keyring"


def _print_pairs(cli: Cli, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        cli.print(f"{label + ':':<{width}}{value}")


def _print_info(cli: Cli, info: IdentityInfo, store: IdentityStore) -> None:
    if cli.args.json:
        cli.emit_json({**info.as_json(), "folder": str(store.folder)})
        return
    issuer = "self-signed" if info.self_signed else f"issued by {info.issuer}"
    passphrase = (
        ("kept in the " + store.credentials.description) if info.passphrase_mode == "keyring" else "asked for each time"
    )
    _print_pairs(
        cli,
        [
            ("Name", info.name),
            ("E-mail", info.email),
            ("Certificate", issuer),
            ("Fingerprint", f"SHA-256 {info.fingerprint}"),
            ("Valid", f"{info.not_before:%Y-%m-%d} to {info.not_after:%Y-%m-%d}"),
            ("Passphrase", passphrase),
            ("Created", f"{info.created:%Y-%m-%d %H:%M} UTC"),
            ("Folder", str(store.folder)),
        ],
    )


def identity_create(cli: Cli) -> int:
    store = _store(cli)
    store.ensure_no_identity()  # before asking for anything
    mode = _passphrase_mode(store, cli.args.ask_passphrase)
    passphrase = read_secret("New passphrase for your signing key: ", confirm=True) if mode == "ask" else None
    info = store.create(cli.args.name, cli.args.email, passphrase, mode)
    _print_info(cli, info, store)
    return 0


def identity_show(cli: Cli) -> int:
    store = _store(cli)
    _print_info(cli, store.require_info(), store)
    return 0


def identity_import(cli: Cli) -> int:
    store = _store(cli)
    store.ensure_no_identity()
    path: Path = cli.args.file
    if not path.is_file():
        raise UserError(f"{path} does not exist")
    if cli.args.password_stdin or (sys.stdin is not None and sys.stdin.isatty()):
        password: str | None = read_secret(f"Password of {path.name} (empty if none): ")
    else:
        password = None
    mode = _passphrase_mode(store, cli.args.ask_passphrase)
    passphrase = read_secret("New passphrase for your signing key: ", confirm=True) if mode == "ask" else None
    info = store.import_pkcs12(path, password or None, mode, passphrase)
    _print_info(cli, info, store)
    return 0


def _unlock_passphrase(store: IdentityStore) -> str | None:
    info = store.require_info()
    return read_secret("Passphrase of your signing key: ") if info.passphrase_mode == "ask" else None


def identity_request(cli: Cli) -> int:
    store = _store(cli)
    request = store.certificate_request(_unlock_passphrase(store))
    out: Path = cli.args.out
    try:
        out.write_bytes(request)
    except OSError as exc:
        raise UserError(f"{out} cannot be written ({exc.strerror or exc})") from None
    cli.print(
        f"Certificate request written to {out}. Send it to the ESCA secretariat, then install the "
        f"certificate they return with: {PROG} identity install FILE"
    )
    return 0


def identity_install(cli: Cli) -> int:
    store = _store(cli)
    path: Path = cli.args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path} cannot be read ({exc.strerror or exc})") from None
    _print_info(cli, store.install_certificate(data, str(path)), store)
    return 0


def identity_delete(cli: Cli) -> int:
    store = _store(cli)
    info = store.require_info()
    if not cli.args.yes:
        raise UserError(
            f"this removes the signing key of {info.name} for good (documents already signed stay "
            "valid); repeat with --yes"
        )
    store.delete()
    cli.print(f"Removed the signing identity of {info.name} <{info.email}>.")
    return 0


def pdf_trust_words(result: PdfVerification, lang: str = "en") -> str:
    """The trust verdict of a signed file in words, decisive ones first: the first signature that is not
    trusted, else the first one."""
    from esca_desktop.security.identity import trust_words

    untrusted = [s for s in result.signatures if not s.trusted]
    if not result.signatures:
        return trust_words(False, False, "", lang)
    first = (untrusted or list(result.signatures))[0]
    return trust_words(first.trusted, first.self_signed, first.issuer, lang)


def verify(cli: Cli) -> int:
    from esca_desktop.security.identity import trust_words
    from esca_desktop.services.signing import trust_dir, verify_file

    path: Path = cli.args.file
    result = verify_file(cli.context, path)
    if cli.args.json:
        cli.emit_json({"file": str(path), **result.as_json()})
    else:
        when = f"{result.signing_time:%Y-%m-%d %H:%M:%S %Z}".strip() if result.signing_time else "-"
        trust_hint = (
            ""
            if result.trusted
            else f"; to trust what the secretariat issues, put its CA certificate into {trust_dir(cli.context.data_dir)}/"
        )
        rows = [("File", str(path))]
        if result.signed:
            rows += [
                ("Trust", pdf_trust_words(result, cli.lang) + trust_hint),
                ("Signed by", result.signer or "-"),
                ("Signed at", when),
                ("Intact", "yes" if result.intact else "NO"),
                ("Changed after signing", "YES" if result.modified_after_signing else "no"),
            ]
            if len(result.signatures) > 1:
                rows += [
                    (
                        f"Signature {n}",
                        f"{s.field_name}: {trust_words(s.trusted, s.self_signed, s.issuer, cli.lang)}; "
                        f"{s.signer}; {s.problem or 'valid'}",
                    )
                    for n, s in enumerate(result.signatures, 1)
                ]
        else:
            rows.append(("Signed", "no"))
        _print_pairs(cli, rows)
    if not result.ok:
        cli.warn(f"{PROG}: {result.message}")
        return 1
    return 0
