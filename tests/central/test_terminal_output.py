"""The reviewer's terminal: an organisation's name from a bundle cannot repaint it in `review list`
or `review show` (a fake green "APPROVED"); --json stays exact JSON."""

from __future__ import annotations

import json

import pytest

from esca_desktop.central.cli import run as central_run
from esca_desktop.context import AppContext
from esca_desktop.services import sync as service
from tests.central.harness import NO_WAIT, Central, finalised_bronze

CRAFTED = "\x1b[2J\x1b[32mAPPROVED\u202e"


def test_a_crafted_organisation_name_prints_without_esc_in_review_list_and_show(
    desktop: AppContext, central: Central, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment_id = finalised_bronze(desktop, name=CRAFTED)
    service.login(desktop, central.url, central.assessor_token)
    assert service.sync(desktop, options=NO_WAIT).uploaded
    database = str(central.database)
    capsys.readouterr()
    for command in (["review", "list"], ["review", "show", assessment_id]):
        assert central_run([*command, "--db", database]) == 0
        out = capsys.readouterr().out
        assert "\x1b" not in out and "\u202e" not in out, command
        assert "\\u001b[2J\\u001b[32mAPPROVED\\u202e" in out, command
    assert central_run(["review", "show", assessment_id, "--json", "--db", database]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and json.loads(out)["organisation"] == CRAFTED
