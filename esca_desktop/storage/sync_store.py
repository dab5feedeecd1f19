"""The desktop's side of sync in the store: the outbox, reviewers' comments, benchmark statistics and
the sync state (which server, as whom, how far the review feed was read).

The outbox row of a revision is written by `queue_upload` inside the transaction that finalises it
(`AssessmentRepository.set_status`), so a finalised assessment can never miss its upload; and it is
marked sent by `mark_upload_sent` inside the transaction that makes the assessment SUBMITTED. States:
``queued`` → ``sending`` → ``sent``; a failure that retrying may cure goes back to ``queued`` with
its reason and the time of the next automatic attempt; one that it cannot cure (refused, conflict,
authentication) is ``failed`` with ``fatal`` set and is not retried until the person asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.domain.model import Clock, iso_utc
from esca_desktop.storage.tables import (
    AssessmentRow,
    BenchmarkStatRow,
    OrganisationRow,
    OutboxRow,
    ReviewCommentRow,
    SyncStateRow,
)

_outbox = cast(Table, OutboxRow.__table__)
_comment = cast(Table, ReviewCommentRow.__table__)
_stat = cast(Table, BenchmarkStatRow.__table__)
_state = cast(Table, SyncStateRow.__table__)
_assessment = cast(Table, AssessmentRow.__table__)
_org = cast(Table, OrganisationRow.__table__)

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
OUTBOX_STATES = (QUEUED, SENDING, SENT, FAILED)


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def queue_upload(conn: Connection, assessment_id: str, revision: int, at: str) -> None:
    """Queue a finalised revision for upload, inside the caller's (finalising) transaction."""
    values: dict[str, Any] = {
        "state": QUEUED,
        "attempts": 0,
        "next_attempt_at": at,
        "last_error": "",
        "fatal": False,
        "queued_at": at,
        "sent_at": None,
    }
    conn.execute(
        sqlite_insert(_outbox)
        .values(assessment_id=assessment_id, revision=revision, **values)
        .on_conflict_do_update(index_elements=[_outbox.c.assessment_id, _outbox.c.revision], set_=values)
    )


def mark_upload_sent(conn: Connection, assessment_id: str, revision: int, at: str) -> None:
    """Record a revision as sent, inside the caller's transaction (the one that makes it SUBMITTED)."""
    conn.execute(
        update(_outbox)
        .where(_outbox.c.assessment_id == assessment_id, _outbox.c.revision == revision)
        .values(state=SENT, sent_at=at, last_error="", fatal=False, next_attempt_at=None)
    )


@dataclass(frozen=True, slots=True)
class OutboxItem:
    assessment_id: str
    revision: int
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    fatal: bool
    queued_at: dt.datetime
    sent_at: dt.datetime | None
    organisation: str = ""

    @property
    def pending(self) -> bool:
        """Still to be sent by the next sync (sending: an upload that was interrupted)."""
        return self.state in (QUEUED, SENDING)

    def as_json(self) -> dict[str, Any]:
        return {
            "assessment": self.assessment_id,
            "revision": self.revision,
            "organisation": self.organisation,
            "state": self.state,
            "attempts": self.attempts,
            "fatal": self.fatal,
            "last_error": self.last_error,
            "queued_at": self.queued_at.isoformat(),
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


@dataclass(frozen=True, slots=True)
class SyncState:
    server_url: str = ""
    account: str = ""
    review_cursor: int = 0
    last_sync_at: dt.datetime | None = None

    @property
    def signed_in(self) -> bool:
        return bool(self.server_url and self.account)


class SyncStore:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    def _now(self) -> str:
        return iso_utc(self.clock())

    # --- outbox ---------------------------------------------------------------------------------

    def outbox(self, include_sent: bool = True) -> list[OutboxItem]:
        query = (
            select(_outbox, _org.c.name.label("organisation"))
            .join(_assessment, _assessment.c.id == _outbox.c.assessment_id)
            .join(_org, _org.c.id == _assessment.c.organisation_id)
            .order_by(_outbox.c.queued_at, _outbox.c.assessment_id, _outbox.c.revision)
        )
        if not include_sent:
            query = query.where(_outbox.c.state != SENT)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            OutboxItem(
                r.assessment_id,
                r.revision,
                r.state,
                r.attempts,
                _time(r.next_attempt_at),
                r.last_error,
                bool(r.fatal),
                dt.datetime.fromisoformat(r.queued_at),
                _time(r.sent_at),
                r.organisation,
            )
            for r in rows
        ]

    def pending(self) -> list[OutboxItem]:
        return [item for item in self.outbox(include_sent=False) if item.pending]

    def item(self, assessment_id: str, revision: int) -> OutboxItem | None:
        return next((i for i in self.outbox() if (i.assessment_id, i.revision) == (assessment_id, revision)), None)

    def _update(self, assessment_id: str, revision: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(_outbox)
                .where(_outbox.c.assessment_id == assessment_id, _outbox.c.revision == revision)
                .values(**values)
            )

    def mark_sending(self, assessment_id: str, revision: int, attempts: int) -> None:
        self._update(assessment_id, revision, state=SENDING, attempts=attempts)

    def mark_sent(self, assessment_id: str, revision: int) -> None:
        self._update(
            assessment_id, revision, state=SENT, sent_at=self._now(), last_error="", fatal=False, next_attempt_at=None
        )

    def mark_retry(self, assessment_id: str, revision: int, error: str, next_attempt_at: dt.datetime) -> None:
        """A failure that may pass (network, timeout, server error): stays queued, with its reason."""
        self._update(
            assessment_id,
            revision,
            state=QUEUED,
            last_error=error,
            fatal=False,
            next_attempt_at=iso_utc(next_attempt_at),
        )

    def mark_failed(self, assessment_id: str, revision: int, error: str) -> None:
        """A failure retrying cannot cure: not sent again until `requeue`."""
        self._update(assessment_id, revision, state=FAILED, last_error=error, fatal=True, next_attempt_at=None)

    def requeue(self, assessment_id: str, revision: int | None = None) -> int:
        """Queue failed uploads of an assessment again (after the cause was fixed); returns how many."""
        query = update(_outbox).where(_outbox.c.assessment_id == assessment_id, _outbox.c.state == FAILED)
        if revision is not None:
            query = query.where(_outbox.c.revision == revision)
        with self.engine.begin() as conn:
            result = conn.execute(query.values(state=QUEUED, fatal=False, attempts=0, next_attempt_at=self._now()))
        return int(result.rowcount)

    def requeue_matching(self, error_prefix: str) -> int:
        """Queue again the failed uploads whose reason starts with `error_prefix` (e.g. after signing in)."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(_outbox)
                .where(_outbox.c.state == FAILED, _outbox.c.last_error.startswith(error_prefix))
                .values(state=QUEUED, fatal=False, attempts=0, next_attempt_at=self._now())
            )
        return int(result.rowcount)

    # --- review comments ------------------------------------------------------------------------

    def store_review_comments(
        self, assessment_id: str, revision: int, comments: Mapping[str, str], reviewer: str, at: str
    ) -> None:
        """The comments of one returned revision (replacing any stored for that revision); a reply the
        assessor already wrote to a comment stays with it."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(_comment).where(
                    _comment.c.assessment_id == assessment_id,
                    _comment.c.revision == revision,
                    _comment.c.indicator_id.not_in(list(comments)),
                )
            )
            for indicator, text in sorted(comments.items()):
                values = {"comment": text, "reviewer": reviewer, "at": at}
                conn.execute(
                    sqlite_insert(_comment)
                    .values(assessment_id=assessment_id, revision=revision, indicator_id=indicator, **values)
                    .on_conflict_do_update(
                        index_elements=[_comment.c.assessment_id, _comment.c.revision, _comment.c.indicator_id],
                        set_=values,
                    )
                )

    # --- benchmarks -----------------------------------------------------------------------------

    def replace_benchmarks(self, stats: Iterable[Quartiles]) -> int:
        """The service's current statistics replace the stored ones, in one transaction."""
        now = self._now()
        rows = [{**q.stored_row(), "fetched_at": now} for q in stats]
        with self.engine.begin() as conn:
            conn.execute(delete(_stat))
            if rows:
                conn.execute(insert(_stat), rows)
        return len(rows)

    def benchmarks(self, groups: Iterable[str] | None = None) -> list[Quartiles]:
        """Stored statistics, optionally of some groups only (e.g. ``sector:ict``, ``country:DE``)."""
        query = select(_stat).order_by(_stat.c.field_key, _stat.c.group_key)
        if groups is not None:
            query = query.where(_stat.c.group_key.in_(list(groups)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            Quartiles(r.field_key, r.group_key, r._mapping["count"], r.minimum, r.q1, r.median, r.q3, r.maximum)
            for r in rows
        ]

    # --- sync state -----------------------------------------------------------------------------

    def state(self) -> SyncState:
        with self.engine.connect() as conn:
            row = conn.execute(select(_state).where(_state.c.id == 1)).first()
        if row is None:
            return SyncState()
        return SyncState(row.server_url, row.account, row.review_cursor, _time(row.last_sync_at))

    def _save_state(self, **values: Any) -> None:
        with self.engine.begin() as conn:
            exists = conn.execute(select(_state.c.id).where(_state.c.id == 1)).first()
            if exists:
                conn.execute(update(_state).where(_state.c.id == 1).values(**values))
            else:
                conn.execute(
                    insert(_state).values(**{"id": 1, "server_url": "", "account": "", "review_cursor": 0, **values})
                )

    def sign_in(self, server_url: str, account: str) -> None:
        """Remember the server and account; another server starts its review feed from the beginning."""
        if self.state().server_url != server_url:
            self._save_state(server_url=server_url, account=account, review_cursor=0, last_sync_at=None)
        else:
            self._save_state(account=account)

    def sign_out(self) -> None:
        self._save_state(account="")

    def set_review_cursor(self, cursor: int) -> None:
        self._save_state(review_cursor=cursor)

    def set_last_sync(self) -> None:
        self._save_state(last_sync_at=self._now())
