"""`esca-desktop export ID --out FILE.esca` and `esca-desktop import FILE.esca`: signed assessment bundles.

Export needs the assessor's identity (the key that also signs the report); when its passphrase is typed
each time, it is read from the terminal, or as one line of standard input for scripts.
Import checks the whole bundle before it writes anything; see `services.bundles`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from esca_desktop.cli.base import Cli, Handlers, json_flag


def register(verbs: Any) -> Handlers:
    p = verbs.add_parser("export", help="write a finalised assessment as a signed bundle (.esca)")
    p.add_argument("id", help="assessment id (or a unique prefix of at least 4 characters)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.esca")
    json_flag(p)
    p = verbs.add_parser("import", help="check a bundle (.esca) and add the assessment it carries")
    p.add_argument("file", type=Path, metavar="FILE.esca")
    json_flag(p)
    return {
        ("export", None): export,
        ("import", None): import_,
    }


def export(cli: Cli) -> int:
    from esca_desktop.cli.identity import read_secret
    from esca_desktop.services.bundles import EXPORTABLE, export_bundle
    from esca_desktop.services.signing import identity_store

    assessment = cli.service.get(cli.args.id)
    passphrase = None
    # ask for the passphrase only when the export can go ahead (export_bundle says why not, otherwise)
    if assessment.status in EXPORTABLE and identity_store(cli.context).require_info().passphrase_mode == "ask":
        passphrase = read_secret("Passphrase of your signing key: ")
    path = export_bundle(cli.context, assessment.id, cli.args.out, passphrase)
    size = path.stat().st_size
    if cli.args.json:
        cli.emit_json(
            {"path": str(path), "assessment_id": assessment.id, "revision": assessment.revision, "size": size}
        )
    else:
        cli.print(
            f"{path}: bundle of assessment {assessment.id[:8]} revision {assessment.revision} written "
            f"({size:,} bytes, signed)"
        )
    return 0


def import_(cli: Cli) -> int:
    from esca_desktop.security.identity import trust_words
    from esca_desktop.services.bundles import import_bundle

    result = import_bundle(cli.context, cli.args.file)
    if cli.args.json:
        cli.emit_json(
            {
                "assessment_id": result.assessment_id,
                "revision": result.revision,
                "created": result.created,
                "replaced": result.replaced,
                "signer": result.signer,
            }
        )
    else:
        what = (
            "imported as a new assessment"
            if result.created
            else "updated from the bundle"
            if result.replaced
            else "already up to date; nothing changed"
        )
        trust = result.signature.trust_words(cli.lang) if result.signature else trust_words(False, False, "", cli.lang)
        cli.print(f"assessment {result.assessment_id[:8]} revision {result.revision}: {what}")
        cli.print(f"signature: {trust}, signed by {result.signer}")
    return 0
