"""Benchmark statistics: quartiles of approved Bronze benchmarkings per sector portfolio and per
country, published only where at least five organisations contribute, and pulled by the desktop."""

from __future__ import annotations

import uuid

import pytest

from esca_desktop.central.benchmarks import MIN_ORGANISATIONS, Contribution, compute_benchmarks, quartiles
from esca_desktop.central.store import CentralStore, SubmissionFacts, User, benchmark_stats
from esca_desktop.context import AppContext
from esca_desktop.domain.benchmarks import Quartiles
from esca_desktop.services import sync as service
from tests.central.harness import NO_WAIT, Central


def approved_bronze(
    store: CentralStore,
    assessor: User,
    reviewer: User,
    organisation: str,
    country: str,
    sector: str,
    values: dict[str, float],
    scheme: str = "bronze",
    approve: bool = True,
) -> str:
    """A submission stored directly in the service's store (as a verified upload would be), approved."""
    assessment_id = str(uuid.uuid4())
    facts = SubmissionFacts(
        assessment_id,
        1,
        organisation,
        country,
        sector,
        scheme,
        scheme,
        "2019.1",
        "sha256:" + "0" * 64,
        content_hash=uuid.uuid4().hex * 2,
        document_sha256=uuid.uuid4().hex,
        indicators=("B1.4",),
        values=values,
    )
    with store.incoming() as upload:
        upload.write(f"bundle of {organisation}".encode())
        upload.finish()
        store.store_submission(facts, upload, assessor)
    if approve:
        store.approve(assessment_id, 1, reviewer)
    return assessment_id


def five_ict_clusters(central: Central, count: int = 5) -> None:
    for n in range(count):
        approved_bronze(
            central.store,
            central.assessor,
            central.reviewer,
            f"ICT Cluster {n}",
            "DE",
            "ict",
            {"B1.4.committed_members": 20.0 + 10 * n, "B2.2.fte": 1.0 + n},
        )


def test_quartiles_interpolate_between_order_statistics() -> None:
    assert quartiles([20, 30, 40, 50, 60]) == (20, 30, 40, 50, 60)
    assert quartiles([1, 2, 3, 4]) == (1, 1.75, 2.5, 3.25, 4)
    assert quartiles([7]) == (7, 7, 7, 7, 7)


def test_a_group_is_published_only_from_five_organisations() -> None:
    def org(n: int, sector: str = "ict", country: str = "DE") -> Contribution:
        return Contribution(f"org{n}", sector, country, {"x": float(n)})

    four = compute_benchmarks([org(n) for n in range(4)])
    five = compute_benchmarks([org(n) for n in range(5)] + [org(9, sector="food", country="FR")])

    assert four == []
    assert MIN_ORGANISATIONS == 5
    assert five == [Quartiles("x", "country:DE", 5, 0, 1, 2, 3, 4), Quartiles("x", "sector:ict", 5, 0, 1, 2, 3, 4)]


def test_an_organisation_counts_once_with_its_latest_benchmarking() -> None:
    contributions = [Contribution(f"org{n}", "ict", "DE", {"x": float(n)}) for n in range(4)]
    contributions += [Contribution("org0", "ict", "DE", {"x": 100.0})]  # a renewal of org0, later

    assert compute_benchmarks(contributions) == []


def test_five_approved_bronze_assessments_publish_quartiles(central: Central) -> None:
    five_ict_clusters(central)

    stats, computed_at = central.store.benchmarks()

    assert computed_at is not None
    by_key = {(q.field_key, q.group): q for q in stats}
    assert by_key[("B1.4.committed_members", "sector:ict")] == Quartiles(
        "B1.4.committed_members", "sector:ict", 5, 20, 30, 40, 50, 60
    )
    assert by_key[("B2.2.fte", "country:DE")] == Quartiles("B2.2.fte", "country:DE", 5, 1, 2, 3, 4, 5)
    assert len(stats) == 4


def test_four_organisations_publish_nothing(central: Central) -> None:
    five_ict_clusters(central, count=4)
    # neither do submissions that are not approved Bronze benchmarkings
    approved_bronze(
        central.store,
        central.assessor,
        central.reviewer,
        "Gold Cluster",
        "DE",
        "ict",
        {"B1.4.committed_members": 99.0},
        scheme="gold",
    )
    approved_bronze(
        central.store,
        central.assessor,
        central.reviewer,
        "Waiting Cluster",
        "DE",
        "ict",
        {"B1.4.committed_members": 99.0},
        approve=False,
    )

    assert central.store.benchmarks() == ([], None)


def test_the_same_organisation_twice_is_one_contribution(central: Central) -> None:
    five_ict_clusters(central, count=4)
    approved_bronze(
        central.store,
        central.assessor,
        central.reviewer,
        "ict cluster  0",
        "DE",
        "ict",
        {"B1.4.committed_members": 25.0},
    )

    assert central.store.benchmarks()[0] == []


@pytest.fixture
def signed_in(desktop: AppContext, central: Central) -> AppContext:
    service.login(desktop, central.url, central.assessor_token)
    return desktop


def test_the_desktop_pulls_published_statistics(signed_in: AppContext, central: Central) -> None:
    five_ict_clusters(central)

    report = service.sync(signed_in, options=NO_WAIT)

    assert report.benchmarks == 4
    stored = service.sync_store(signed_in).benchmarks(["sector:ict"])
    assert stored == [q for q in central.store.benchmarks()[0] if q.group == "sector:ict"]


def test_the_desktop_stores_nothing_below_the_threshold(signed_in: AppContext, central: Central) -> None:
    five_ict_clusters(central, count=4)

    report = service.sync(signed_in, options=NO_WAIT)

    assert report.benchmarks == 0
    assert service.sync_store(signed_in).benchmarks() == []


def test_statistics_withdrawn_on_the_server_are_withdrawn_on_the_desktop(
    signed_in: AppContext, central: Central
) -> None:
    five_ict_clusters(central)
    service.sync(signed_in, options=NO_WAIT)
    assert service.sync_store(signed_in).benchmarks()
    with central.store.engine.begin() as conn:  # as after a data-protection request
        conn.execute(benchmark_stats.delete())

    service.sync(signed_in, options=NO_WAIT)

    assert service.sync_store(signed_in).benchmarks() == []
