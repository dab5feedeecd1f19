"""The review loop over real sockets: a desktop sends finalised assessments to the running service,
a reviewer returns one with comments, the desktop reopens it as a new revision, sends it again, and
the reviewer approves it. Plus idempotent uploads, conflicts, catalog and benchmark pulls."""

from __future__ import annotations

import json
from importlib import resources as importlib_resources
from pathlib import Path

import pytest

from esca_desktop.central.cli import run as central_run
from esca_desktop.context import AppContext
from esca_desktop.domain.model import AssessmentStatus
from esca_desktop.services import sync as service
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.bundles import export_bundle
from esca_desktop.services.signing import identity_store
from esca_desktop.services.sync import TOKEN_SERVICE
from esca_desktop.storage.sync_store import FAILED, QUEUED, SENT
from tests.central.harness import NO_WAIT, Central, finalised_bronze
from tests.security.conftest import InMemoryKeyring
from tests.sync.tampering import resign


def signed_in(desktop: AppContext, central: Central) -> AppContext:
    service.login(desktop, central.url, central.assessor_token)
    return desktop


def item_state(desktop: AppContext, assessment_id: str, revision: int) -> str:
    item = service.sync_store(desktop).item(assessment_id, revision)
    assert item is not None
    return item.state


def test_finalising_queues_the_assessment_and_sync_sends_it(desktop: AppContext, central: Central) -> None:
    assessment_id = finalised_bronze(desktop)
    assert item_state(desktop, assessment_id, 1) == QUEUED
    signed_in(desktop, central)

    report = service.sync(desktop, options=NO_WAIT)

    assert report.complete, report.as_json()
    assert [(u.assessment_id, u.revision, u.result) for u in report.uploaded] == [(assessment_id, 1, "stored")]
    assert item_state(desktop, assessment_id, 1) == SENT
    assert AssessmentService(desktop).get(assessment_id).status is AssessmentStatus.SUBMITTED
    stored = central.store.submission(assessment_id)
    assert (stored.revision, stored.status, stored.organisation, stored.country, stored.scheme) == (
        1,
        "received",
        "Ελληνικό Σύμπλεγμα Τροφίμων",
        "GR",
        "bronze",
    )
    assert stored.signer_name.startswith("Anna Assessor")
    assert not service.bundle_path(desktop, assessment_id, 1).exists()  # the sent bundle is not kept


def test_a_second_sync_sends_nothing_again(desktop: AppContext, central: Central) -> None:
    finalised_bronze(desktop)
    signed_in(desktop, central)
    service.sync(desktop, options=NO_WAIT)

    again = service.sync(desktop, options=NO_WAIT)

    assert again.uploaded == [] and again.complete
    assert central.store.count_submissions() == 1


def test_the_same_bundle_uploaded_again_is_a_no_op(desktop: AppContext, central: Central, tmp_path: Path) -> None:
    assessment_id = finalised_bronze(desktop)
    bundle = export_bundle(desktop, assessment_id, tmp_path / "a.esca").read_bytes()
    url = f"/submissions/{assessment_id}/1"
    with central.api(central.assessor_token) as api:
        first = api.put(url, content=bundle)
        second = api.put(url, content=bundle)
        # exported once more: a new signature and time, but the very same assessment
        reexport = api.put(url, content=export_bundle(desktop, assessment_id, tmp_path / "b.esca").read_bytes())

    assert (first.status_code, first.json()["result"]) == (201, "stored")
    assert (second.status_code, second.json()["result"]) == (200, "unchanged")
    assert (reexport.status_code, reexport.json()["result"]) == (200, "unchanged")
    assert central.store.count_submissions() == 1
    assert central.store.bundle(assessment_id)[1] == bundle  # the first upload is what stays


def test_other_content_for_a_stored_revision_is_a_conflict(
    desktop: AppContext, central: Central, tmp_path: Path
) -> None:
    assessment_id = finalised_bronze(desktop)
    bundle = export_bundle(desktop, assessment_id, tmp_path / "a.esca").read_bytes()
    identity = identity_store(desktop).unlock()
    changed = resign(bundle, identity, document=lambda d: d["summary"].update(strengths="Rewritten afterwards"))
    with central.api(central.assessor_token) as api:
        assert api.put(f"/submissions/{assessment_id}/1", content=bundle).status_code == 201
        reply = api.put(f"/submissions/{assessment_id}/1", content=changed)

    assert reply.status_code == 409
    assert "already stored with different content" in reply.json()["detail"]
    assert central.store.bundle(assessment_id)[1] == bundle


def test_an_older_revision_than_the_stored_one_is_a_conflict(
    desktop: AppContext, central: Central, tmp_path: Path
) -> None:
    assessment_id = finalised_bronze(desktop)
    first = export_bundle(desktop, assessment_id, tmp_path / "r1.esca").read_bytes()
    interview = AssessmentService(desktop).open(assessment_id)
    interview.reopen()
    interview.answer("B1.4.committed_members", 70)
    interview.finalise()
    second = export_bundle(desktop, assessment_id, tmp_path / "r2.esca").read_bytes()
    with central.api(central.assessor_token) as api:
        assert api.put(f"/submissions/{assessment_id}/2", content=second).status_code == 201
        reply = api.put(f"/submissions/{assessment_id}/1", content=first)

    assert reply.status_code == 409
    assert reply.json()["detail"] == (
        f"revision 1 of assessment {assessment_id} is older than revision 2 already "
        "stored; an older revision cannot replace a newer one"
    )
    assert [s.revision for s in central.store.submissions(latest_only=False)] == [2]


def test_a_conflict_fails_the_upload_with_the_servers_reason_and_is_not_retried(
    desktop: AppContext, central: Central, tmp_path: Path
) -> None:
    assessment_id = finalised_bronze(desktop)
    bundle = export_bundle(desktop, assessment_id, tmp_path / "a.esca").read_bytes()
    other = resign(bundle, identity_store(desktop).unlock(), document=lambda d: d["summary"].update(strengths="x"))
    with central.api(central.assessor_token) as api:
        assert api.put(f"/submissions/{assessment_id}/1", content=other).status_code == 201
    signed_in(desktop, central)

    report = service.sync(desktop, options=NO_WAIT)

    assert not report.complete
    [failure] = report.failed
    assert failure.fatal and "already stored with different content" in failure.reason and "HTTP 409" in failure.reason
    item = service.sync_store(desktop).item(assessment_id, 1)
    assert item is not None and (item.state, item.fatal, item.attempts) == (FAILED, True, 1)
    assert AssessmentService(desktop).get(assessment_id).status is AssessmentStatus.FINALISED

    again = service.sync(desktop, options=NO_WAIT)  # fatal: not tried again by itself
    assert again.uploaded == [] and again.failed == []
    assert service.sync_store(desktop).item(assessment_id, 1).attempts == 1  # type: ignore[union-attr]


def test_returned_with_comments_reopens_resubmits_and_is_approved(desktop: AppContext, central: Central) -> None:
    assessment_id = finalised_bronze(desktop)
    signed_in(desktop, central)
    service.sync(desktop, options=NO_WAIT)

    # the reviewer returns it from the shell, on the service's own database
    code = central_run(
        [
            "review",
            "return",
            assessment_id[:8],
            "--db",
            str(central.database),
            "--comment",
            "B2.2=Staff figures differ from the annual report; check FTE.",
            "--comment",
            "B6.5=Say where the member numbers come from.",
        ]
    )
    assert code == 0

    report = service.sync(desktop, options=NO_WAIT)

    [decision] = report.reviews
    assert (decision.status, decision.revision, decision.comments) == ("returned", 1, 2)
    assessments = AssessmentService(desktop)
    returned = assessments.get(assessment_id)
    assert (returned.status, returned.revision) == (AssessmentStatus.RETURNED, 2)
    interview = assessments.open(assessment_id)
    assert interview.editable
    assert interview.reviewer_comment("B2.2") == "Staff figures differ from the annual report; check FTE."
    assert interview.reviewer_comment("B6.5") == "Say where the member numbers come from."
    assert interview.reviewer_comment("B1.1") == ""
    assert any(e.actor == "Rita Reviewer (review service)" for e in assessments.audit(assessment_id))

    interview.answer("B2.2.fte", 2.5)
    interview.finalise()
    resent = service.sync(desktop, options=NO_WAIT)
    assert [(u.revision, u.result) for u in resent.uploaded] == [(2, "stored")]
    assert central.store.submission(assessment_id).revision == 2

    with central.api(central.reviewer_token) as api:
        listed = api.get("/submissions", params={"status": "received"}).json()["submissions"]
        assert [(s["assessment"], s["revision"]) for s in listed] == [(assessment_id, 2)]
        approved = api.post(f"/submissions/{assessment_id}/2/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"

    final = service.sync(desktop, options=NO_WAIT)
    assert [(r.status, r.revision, r.outcome) for r in final.reviews] == [("approved", 2, "approved")]
    after = assessments.get(assessment_id)
    assert (after.status, after.revision) == (AssessmentStatus.APPROVED, 2)
    assert assessments.verify_audit(assessment_id).ok
    assert service.sync(desktop, options=NO_WAIT).reviews == []  # each decision is applied once


def test_replies_to_the_reviewers_comments_travel_back_with_the_next_revision(
    desktop: AppContext, central: Central, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment_id = finalised_bronze(desktop)
    signed_in(desktop, central)
    service.sync(desktop, options=NO_WAIT)
    with central.api(central.reviewer_token) as api:
        comments = {"B2.2": "Check the FTE figures.", "B6.5": "Where do the member numbers come from?"}
        assert api.post(f"/submissions/{assessment_id}/1/return", json={"comments": comments}).status_code == 200
    service.sync(desktop, options=NO_WAIT)

    assessments = AssessmentService(desktop)
    interview = assessments.open(assessment_id)
    interview.set_review_reply("B2.2", "Corrected to 2.5 FTE from the payroll.", True)
    interview.set_review_reply("B6.5", "From the member register; see the minutes.", False)
    # stored durably and in the audit trail
    reopened = assessments.open(assessment_id)
    comment = reopened.review_comment("B2.2")
    assert comment is not None and (comment.reply, comment.resolved, comment.replied_by) == (
        "Corrected to 2.5 FTE from the payroll.",
        True,
        "Anna Assessor",
    )
    replies = [e for e in assessments.audit(assessment_id) if e.action == "review_reply"]
    assert [e.target for e in replies] == ["B2.2", "B6.5"]
    assert assessments.verify_audit(assessment_id).ok

    reopened.answer("B2.2.fte", 2.5)
    reopened.finalise()
    service.sync(desktop, options=NO_WAIT)

    with central.api(central.reviewer_token) as api:
        shown = api.get(f"/submissions/{assessment_id}/2").json()
    assert [(r["revision"], r["indicator"], r["reply"], r["resolved"]) for r in shown["replies"]] == [
        (1, "B2.2", "Corrected to 2.5 FTE from the payroll.", True),
        (1, "B6.5", "From the member register; see the minutes.", False),
    ]
    capsys.readouterr()
    assert central_run(["review", "show", assessment_id, "--db", str(central.database)]) == 0
    printed = capsys.readouterr().out
    assert "Replies to the comments on revision 1:" in printed
    assert "B2.2: Check the FTE figures." in printed
    assert "reply by Anna Assessor (resolved): Corrected to 2.5 FTE from the payroll." in printed
    assert "reply by Anna Assessor (open): From the member register; see the minutes." in printed


def test_a_decision_is_only_for_the_newest_received_revision(desktop: AppContext, central: Central) -> None:
    assessment_id = finalised_bronze(desktop)
    signed_in(desktop, central)
    service.sync(desktop, options=NO_WAIT)
    with central.api(central.reviewer_token) as api:
        assert api.post(f"/submissions/{assessment_id}/1/approve").status_code == 200
        again = api.post(f"/submissions/{assessment_id}/1/return", json={"comments": {"B1.1": "late"}})
        unknown = api.post(f"/submissions/{assessment_id}/1/approve".replace(assessment_id, "0" * 8))
    assert again.status_code == 409 and again.json()["detail"].endswith("was already approved")
    assert unknown.status_code == 404


def test_returning_needs_comments_on_the_assessments_own_indicators(desktop: AppContext, central: Central) -> None:
    assessment_id = finalised_bronze(desktop)
    signed_in(desktop, central)
    service.sync(desktop, options=NO_WAIT)
    with central.api(central.reviewer_token) as api:
        empty = api.post(f"/submissions/{assessment_id}/1/return", json={"comments": {}})
        wrong = api.post(f"/submissions/{assessment_id}/1/return", json={"comments": {"9.9": "what?"}})
    assert empty.status_code == 400 and "at least one comment" in empty.json()["detail"]
    assert wrong.status_code == 400 and "no indicator 9.9 in this assessment" in wrong.json()["detail"]
    assert central.store.submission(assessment_id).status == "received"


def test_a_new_catalog_version_is_pulled_and_installed(desktop: AppContext, central: Central) -> None:
    original = importlib_resources.files("esca_desktop.forms").joinpath("catalogs/bronze.yaml").read_bytes()
    newer = original.replace(b'version: "2019.1"', b'version: "2027.1"', 1)
    signed_in(desktop, central)
    with central.api(central.reviewer_token) as api:
        published = api.post("/catalogs", content=newer, headers={"Content-Type": "application/yaml"})
        broken = api.post("/catalogs", content=b"format: 1\nid: bronze\n", headers={"Content-Type": "application/yaml"})
    assert published.status_code == 201
    assert broken.status_code == 422

    report = service.sync(desktop, options=NO_WAIT)

    assert report.catalogs == ["bronze@2027.1"]
    assert desktop.catalogs.find("bronze@2027.1").catalog.content_hash == published.json()["hash"]
    assert service.sync(desktop, options=NO_WAIT).catalogs == []  # installed once


def test_sync_without_a_server_says_so(desktop: AppContext) -> None:
    finalised_bronze(desktop)
    with pytest.raises(
        service.NotSignedInError, match="No review service is set up: sign in with 'esca-desktop login --server URL'"
    ):
        service.sync(desktop)
    assert [i.state for i in service.outbox(desktop)] == [QUEUED]


def test_after_sign_out_sync_asks_to_sign_in_and_the_token_is_gone(
    desktop: AppContext, central: Central, memory_keyring: InMemoryKeyring
) -> None:
    signed_in(desktop, central)
    assert central.assessor_token in memory_keyring.secrets.values()

    service.logout(desktop)

    assert central.assessor_token not in memory_keyring.secrets.values()
    with pytest.raises(service.NotSignedInError, match=f"Not signed in to {central.url}"):
        service.sync(desktop)


def test_sign_in_refuses_an_unknown_token_and_a_reviewers_token(desktop: AppContext, central: Central) -> None:
    with pytest.raises(service.SyncError, match="does not accept this token"):
        service.login(desktop, central.url, "esca_not-a-token")
    with pytest.raises(service.SyncError, match="Rita Reviewer, a reviewer; sign in with an assessor's token"):
        service.login(desktop, central.url, central.reviewer_token)
    assert not service.status(desktop).signed_in


def test_a_revoked_token_stops_sync_and_signing_in_again_requeues(
    desktop: AppContext, central: Central, memory_keyring: InMemoryKeyring
) -> None:
    assessment_id = finalised_bronze(desktop)
    signed_in(desktop, central)
    memory_keyring.set_password(TOKEN_SERVICE, f"review-service-token/{central.url}", "esca_revoked")

    report = service.sync(desktop, options=NO_WAIT)

    assert "refused the sign-in" in report.stopped
    assert service.sync_store(desktop).item(assessment_id, 1).state == FAILED  # type: ignore[union-attr]
    signed = service.login(desktop, central.url, central.assessor_token)
    assert signed.requeued == 1
    assert [u.assessment_id for u in service.sync(desktop, options=NO_WAIT).uploaded] == [assessment_id]


def test_reviewer_lists_and_shows_from_the_shell(
    desktop: AppContext, central: Central, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment_id = finalised_bronze(desktop)
    signed_in(desktop, central)
    service.sync(desktop, options=NO_WAIT)
    capsys.readouterr()

    assert central_run(["review", "list", "--status", "received", "--db", str(central.database)]) == 0
    listing = capsys.readouterr().out
    assert assessment_id[:8] in listing and "Ελληνικό Σύμπλεγμα Τροφίμων" in listing
    assert central_run(["review", "show", assessment_id, "--json", "--db", str(central.database)]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "received" and shown["signer"]["name"].startswith("Anna Assessor")
    assert "B2.2" in shown["indicators"]
    assert central_run(["review", "approve", assessment_id, "--db", str(central.database)]) == 0
    assert "Approved revision 1" in capsys.readouterr().out
    assert central_run(["review", "list", "--status", "received", "--db", str(central.database)]) == 0
    assert "No submissions with status received." in capsys.readouterr().out


def test_prepared_bundles_are_sent_as_they_are(desktop: AppContext, central: Central) -> None:
    assessment_id = finalised_bronze(desktop)
    assert service.prepare_outbox(desktop) == 1
    prepared = service.bundle_path(desktop, assessment_id, 1).read_bytes()
    assert service.prepare_outbox(desktop) == 0  # ready already
    signed_in(desktop, central)

    service.sync(desktop, options=NO_WAIT)

    assert central.store.bundle(assessment_id)[1] == prepared


def test_an_upload_interrupted_by_a_crash_is_sent_by_the_next_sync(desktop: AppContext, central: Central) -> None:
    assessment_id = finalised_bronze(desktop)
    service.sync_store(desktop).mark_sending(assessment_id, 1, attempts=1)  # the program died while sending
    signed_in(desktop, central)

    report = service.sync(desktop, options=NO_WAIT)

    assert [u.assessment_id for u in report.uploaded] == [assessment_id]
    assert item_state(desktop, assessment_id, 1) == SENT


def test_several_assessments_are_sent_in_one_run_with_progress(desktop: AppContext, central: Central) -> None:
    ids = [finalised_bronze(desktop, name=f"Cluster {n}", country="AT") for n in range(5)]
    signed_in(desktop, central)
    steps: list[service.SyncProgress] = []

    report = service.sync(desktop, steps.append, options=NO_WAIT)

    assert sorted(u.assessment_id for u in report.uploaded) == sorted(ids)
    uploads = [s for s in steps if s.phase == "upload"]
    assert uploads[0].message == "Sending 5 assessment(s)"
    assert sorted(s.done for s in uploads[1:]) == [1, 2, 3, 4, 5] and all(s.total == 5 for s in uploads)
    assert steps[-1].phase == "done"
    assert central.store.count_submissions() == 5


def test_cancelling_before_the_uploads_leaves_everything_queued(desktop: AppContext, central: Central) -> None:
    finalised_bronze(desktop)
    signed_in(desktop, central)

    report = service.sync(desktop, cancel=lambda: True, options=NO_WAIT)

    assert report.cancelled and report.uploaded == [] and "Cancelled" in report.stopped
    assert [i.state for i in service.outbox(desktop)] == [QUEUED]
    assert central.store.count_submissions() == 0
