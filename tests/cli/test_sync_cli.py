"""`esca-desktop login | logout | sync | outbox` and `esca-central user | review | catalog` as a person
or a script uses them, against the real service on 127.0.0.1."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from esca_desktop.central.cli import run as central_run
from esca_desktop.central.store import CentralStore
from esca_desktop.cli import run
from esca_desktop.context import AppContext
from tests.central.harness import Central, central, desktop, finalised_bronze, free_port, memory_keyring
from tests.security.conftest import InMemoryKeyring, failing_keyring

__all__ = ["central", "desktop", "memory_keyring"]  # fixtures used below


class Desktop:
    def __init__(
        self, context: AppContext, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        self.context = context
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *args: str, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))  # not a terminal: one line is read
        self.capsys.readouterr()
        code = run(["--data-dir", str(self.context.data_dir), *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def cli(desktop: AppContext, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Desktop:
    return Desktop(desktop, capsys, monkeypatch)


def test_login_sync_outbox_logout(cli: Desktop, central: Central, memory_keyring: InMemoryKeyring) -> None:
    assessment_id = finalised_bronze(cli.context)

    code, out, _ = cli("outbox")
    assert code == 0 and assessment_id[:8] in out and "queued" in out

    code, out, err = cli("login", "--server", central.url + "/", stdin=central.assessor_token + "\n")
    assert code == 0, err
    assert out.startswith(
        f"Signed in to {central.url} as Anna Assessor (assessor). The token is kept in the OS keyring"
    )
    assert list(memory_keyring.secrets.values()).count(central.assessor_token) == 1
    assert central.assessor_token not in (cli.context.data_dir / "assessments.sqlite3").read_bytes().decode("latin-1")

    code, out, err = cli("sync", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["complete"] and [u["assessment_id"] for u in report["uploaded"]] == [assessment_id]

    code, out, _ = cli("outbox", "--json")
    assert [(i["assessment"], i["state"]) for i in json.loads(out)] == [(assessment_id, "sent")]

    code, out, _ = cli("logout")
    assert code == 0 and "the token was removed from the keyring" in out
    assert central.assessor_token not in memory_keyring.secrets.values()
    code, _, err = cli("sync")
    assert code == 2 and f"Not signed in to {central.url}" in err


def test_sync_without_a_server_exits_2_with_what_to_do(cli: Desktop) -> None:
    code, out, err = cli("sync")
    assert code == 2 and out == ""
    assert err.startswith("esca-desktop: error: No review service is set up: sign in with 'esca-desktop login")


def test_sync_with_a_dead_server_exits_1_and_keeps_the_queue(cli: Desktop, central: Central) -> None:
    assessment_id = finalised_bronze(cli.context)
    assert cli("login", "--server", central.url, stdin=central.assessor_token)[0] == 0
    from esca_desktop.services.sync import sync_store

    sync_store(cli.context).sign_in(f"http://127.0.0.1:{free_port()}", "Anna Assessor")  # the server moved away
    keyring.set_password(
        "esca-desktop", f"review-service-token/{sync_store(cli.context).state().server_url}", central.assessor_token
    )

    code, out, _ = cli("sync")

    assert code == 1
    assert "The review service cannot be reached" in out and "Nothing was lost: 1 upload(s) stay queued" in out
    code, out, _ = cli("outbox", "--json")
    [item] = json.loads(out)
    assert (item["assessment"], item["state"], item["fatal"]) == (assessment_id, "queued", False)
    assert "cannot be reached" in item["last_error"]


def test_a_failed_upload_is_shown_with_its_reason_and_can_be_queued_again(cli: Desktop, central: Central) -> None:
    assessment_id = finalised_bronze(cli.context)
    cli("login", "--server", central.url, stdin=central.assessor_token)
    other, _ = central.store.add_user("Earlier Assessor", "assessor")
    from esca_desktop.central.store import SubmissionFacts

    with central.store.incoming() as upload:
        upload.write(b"earlier")
        upload.finish()
        central.store.store_submission(
            SubmissionFacts(
                assessment_id, 1, "x", "GR", "food", "bronze", "bronze", "2019.1", "h", "e" * 64, document_sha256="d"
            ),
            upload,
            other,
        )

    code, out, _ = cli("sync")

    assert code == 1
    assert "FAILED" in out and "was submitted by another assessor" in out and "HTTP 403" in out
    assert "outbox --retry ID" in out
    code, out, _ = cli("outbox", "--retry", assessment_id[:8])
    assert code == 0 and out.startswith("1 upload(s) queued again")


def test_login_without_a_secure_keyring_stores_nothing(cli: Desktop, central: Central) -> None:
    keyring.set_keyring(failing_keyring())
    code, _, err = cli("login", "--server", central.url, stdin=central.assessor_token)
    assert code == 2
    assert err.startswith(
        "esca-desktop: error: The sign-in token cannot be kept safely: The keyring backend "
        "keyring.backends.fail.Keyring does not keep secrets safely"
    )
    assert "never written to a file" in err and "passphrase" not in err
    code, _, err = cli("sync")
    assert code == 2 and "No review service is set up" in err


def test_login_with_a_wrong_token_says_so(cli: Desktop, central: Central) -> None:
    code, _, err = cli("login", "--server", central.url, stdin="esca_wrong\n")
    assert code == 2 and "does not accept this token" in err and "nothing was stored" in err


def test_central_user_add_prints_the_token_last(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "c.sqlite3"
    assert central_run(["user", "add", "Rita Reviewer", "--role", "reviewer", "--db", str(database)]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    store = CentralStore.open(database)
    user = store.user_by_token(token)
    assert user is not None and (user.name, user.role) == ("Rita Reviewer", "reviewer")
    assert token.encode() not in database.read_bytes()  # only its hash is kept
    store.close()

    assert central_run(["user", "add", "Rita Reviewer", "--role", "reviewer", "--db", str(database)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_token_can_be_replaced_or_revoked_and_the_old_one_stops_working_at_once(
    central: Central, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(central.database)
    with central.api(central.assessor_token) as api:
        assert api.get("/whoami").status_code == 200

    assert central_run(["user", "token", "Anna Assessor", "--db", database]) == 0
    new_token = capsys.readouterr().out.strip().splitlines()[-1]
    with central.api(central.assessor_token) as old, central.api(new_token) as new:
        assert old.get("/whoami").status_code == 401  # the running service sees it at once
        assert new.get("/whoami").json() == {"name": "Anna Assessor", "role": "assessor"}

    assert central_run(["user", "revoke", "Anna Assessor", "--db", database]) == 0
    assert "no longer works" in capsys.readouterr().out
    with central.api(new_token) as new:
        assert new.get("/whoami").status_code == 401
    assert [u.name for u in central.store.users()] == ["Anna Assessor", "Rita Reviewer"]  # the user stays

    assert central_run(["user", "revoke", "Nobody", "--db", database]) == 2
    assert "no user named 'Nobody'" in capsys.readouterr().err


def test_central_catalog_publish_checks_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = str(tmp_path / "c.sqlite3")
    central_run(["user", "add", "Rita Reviewer", "--role", "reviewer", "--db", database])
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nid: gold\nversion: '2030.1'\nareas: [\n", encoding="utf-8")
    capsys.readouterr()

    assert central_run(["catalog", "publish", str(broken), "--db", database]) == 2
    assert "broken.yaml" in capsys.readouterr().err
    from importlib import resources

    good = tmp_path / "gold.yaml"
    good.write_bytes(resources.files("esca_desktop.forms").joinpath("catalogs/gold.yaml").read_bytes())
    assert central_run(["catalog", "publish", str(good), "--db", database]) == 0
    assert capsys.readouterr().out.startswith("Published: gold@")
    assert central_run(["catalog", "list", "--db", database]) == 0
    assert "by Rita Reviewer" in capsys.readouterr().out


def test_esca_central_is_an_installed_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "esca_desktop.central.cli",
            "user",
            "add",
            "Anna",
            "--role",
            "assessor",
            "--db",
            str(tmp_path / "c.sqlite3"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("esca_")
