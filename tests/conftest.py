"""Shared fixtures: a fresh data folder (and database) per test, a fake clock, the services."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt
# Changes need an assessor's name; a test that is about a missing name removes this.
os.environ.setdefault("ESCA_DESKTOP_ASSESSOR", "Test Assessor")

from collections.abc import Iterator
from pathlib import Path

import pytest

from esca_desktop.context import AppContext, open_context
from esca_desktop.domain.model import FakeClock, Organisation
from esca_desktop.services.assessments import AssessmentService, NewAssessment


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def context(data_dir: Path) -> Iterator[AppContext]:
    ctx = open_context(data_dir, clock=FakeClock())
    ctx.set_actor("Test Assessor")
    yield ctx
    ctx.close()


@pytest.fixture
def service(context: AppContext) -> AssessmentService:
    return AssessmentService(context)


def new_request(catalog: str = "gold", name: str = "Cluster Nordwest", country: str = "DE") -> NewAssessment:
    return NewAssessment(catalog, Organisation(name, country, sector="ict"), assessors=("A. Expert",))
