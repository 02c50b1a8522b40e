"""Shared fixtures: paths, and the cleaning resources loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.clean import default_detector, default_resources

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = ROOT / "seeds" / "samples"
SAMPLE_ARTICLE = SAMPLES / "000_83adebb5c520ffc7.txt"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def resources():
    return default_resources()


@pytest.fixture(scope="session")
def detector():
    return default_detector()


@pytest.fixture
def counts():
    """A ``count(name)`` callable that records into a dict, for exact counter assertions."""
    tally: dict[str, int] = {}

    def count(name: str) -> None:
        tally[name] = tally.get(name, 0) + 1

    count.tally = tally
    return count
