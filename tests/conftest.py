"""Shared fixtures: paths to ../shared (skipped cleanly when absent) and analysis builders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from marsad.model import Analysis, Document
from marsad.text.normalise import normalise

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ../shared folder; tests that need it skip where it is absent."""
    if not (SHARED / "gold" / "dev.jsonl").exists():
        pytest.skip("../shared is not available here")
    return SHARED


def make_analysis(text: str, published: date | None = None, doc_id: str = "t") -> Analysis:
    """An analysis with the normalised text filled in (what recognisers require)."""
    norm, offsets = normalise(text)
    return Analysis(doc=Document(doc_id, text, published), norm=norm, offsets=offsets)
