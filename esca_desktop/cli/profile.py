"""`esca-desktop profile ...`: the assessor's name (and e-mail, expert id), recorded with every change.

Without a stored name (and without a signing identity to take it from) the verbs that change
something refuse and point here."""

from __future__ import annotations

from typing import Any

from esca_desktop.cli.base import Cli, Handlers, json_flag
from esca_desktop.context import ASSESSOR_ENV
from esca_desktop.domain.model import AssessorProfile
from esca_desktop.errors import ValidationError


def register(verbs: Any) -> Handlers:
    profile = verbs.add_parser("profile", help="your name as it is recorded with every change and printed in reports")
    p_verbs = profile.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = p_verbs.add_parser("show", help="the stored name, e-mail and expert id")
    json_flag(p)
    p = p_verbs.add_parser("set", help="store your name (and e-mail, expert id) for this data folder")
    p.add_argument("--name", required=True, help="first name and surname")
    p.add_argument("--email", default=None, help="e-mail address (kept when not given)")
    p.add_argument("--expert-id", default=None, help="ESCA expert number (kept when not given)")
    json_flag(p)
    return {("profile", "show"): profile_show, ("profile", "set"): profile_set}


def _emit(cli: Cli, profile: AssessorProfile | None, source: str) -> None:
    if cli.args.json:
        data = {"name": "", "email": "", "expert_id": ""} if profile is None else vars_of(profile)
        cli.emit_json({**data, "source": source})
    elif profile is None:
        cli.print(
            f"no assessor name is set: store one with 'esca-desktop profile set --name \"Your Name\"' (or {ASSESSOR_ENV})"
        )
    else:
        cli.print(f"Name:      {profile.name}")
        cli.print(f"E-mail:    {profile.email or '—'}")
        cli.print(f"Expert id: {profile.expert_id or '—'}")


def vars_of(profile: AssessorProfile) -> dict[str, str]:
    return {"name": profile.name, "email": profile.email, "expert_id": profile.expert_id}


def profile_show(cli: Cli) -> int:
    context = cli.context
    name = context.assessor_name()  # takes the identity's name when no profile is stored
    profile = context.repository.profile()
    if profile is None and name:
        _emit(cli, AssessorProfile(name), "environment")
    else:
        _emit(cli, profile, "profile" if profile else "none")
    return 0


def profile_set(cli: Cli) -> int:
    name = cli.args.name.strip()
    if not name:
        raise ValidationError("--name: the name must not be empty; it is recorded with every change")
    repository = cli.context.repository
    old = repository.profile() or AssessorProfile("")
    profile = AssessorProfile(
        name,
        old.email if cli.args.email is None else cli.args.email.strip(),
        old.expert_id if cli.args.expert_id is None else cli.args.expert_id.strip(),
    )
    repository.save_profile(profile)
    cli.context.set_actor(name)
    if cli.args.json:
        cli.emit_json({**vars_of(profile), "source": "profile"})
    else:
        cli.print(f"changes are now recorded as {name}")
    return 0
