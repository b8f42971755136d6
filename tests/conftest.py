"""Shared test fixtures: where the real clips and samples are, and quiet MediaPipe."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SHARED_CLIPS = Path(os.environ.get("POSTURECAM_SHARED_CLIPS", REPO.parent / "shared" / "clips"))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def shared_clips() -> Path:
    """The real footage in ../shared/clips; tests using it skip cleanly when it is absent."""
    if not (SHARED_CLIPS / "MANIFEST.tsv").is_file():
        pytest.skip("real clips not available (../shared/clips)")
    return SHARED_CLIPS
