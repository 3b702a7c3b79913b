"""Shared fixtures of the evaluation tests: small synthetic score sets and files (no network, no shared data)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from openidv.evaluation.scores import ScoreSet, score_set_from_frame
from openidv.evaluation.synthetic import presentation_frame, verification_frame


@pytest.fixture(scope="session")
def ver_frame() -> pd.DataFrame:
    return verification_frame(120, 4, 25, fta_rate=0.01, seed=3)


@pytest.fixture(scope="session")
def pad_frame() -> pd.DataFrame:
    return presentation_frame(120, 5, 6, seed=4)


@pytest.fixture(scope="session")
def ver_set(ver_frame: pd.DataFrame) -> ScoreSet:
    return score_set_from_frame(ver_frame, "verification")


@pytest.fixture(scope="session")
def pad_set(pad_frame: pd.DataFrame) -> ScoreSet:
    return score_set_from_frame(pad_frame, "pad")


@pytest.fixture(scope="session")
def cls_set(pad_frame: pd.DataFrame) -> ScoreSet:
    return score_set_from_frame(pad_frame, "classifier")


@pytest.fixture
def ver_csv(tmp_path: Path, ver_frame: pd.DataFrame) -> Path:
    path = tmp_path / "ver.csv"
    ver_frame.to_csv(path, index=False)
    return path


@pytest.fixture
def pad_csv(tmp_path: Path, pad_frame: pd.DataFrame) -> Path:
    path = tmp_path / "pad.csv"
    pad_frame.to_csv(path, index=False)
    return path
