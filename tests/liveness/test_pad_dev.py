"""The three real samples in ../shared/data/pad-dev get the right decision (skips without them)."""

from __future__ import annotations

from pathlib import Path

import pytest

PAD_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "pad-dev"


@pytest.mark.shared
@pytest.mark.xfail(
    strict=True,
    reason="known shortfall of pad_passive 4.0.0 (and 3.0.0, 2.0.0, 1.0.0): both real attacks score in the "
    "undecided band (4.0.0: print 0.58, tablet 0.15 against attack_below 0.086; 3.0.0: 0.97-0.98, 2.0.0: about "
    "0.95, 1.0.0: 0.80-0.85), T1 is bona fide; see models/pad_passive.md",
)
def test_pad_dev_samples_are_decided_right() -> None:
    if not (PAD_DEV / "image_T1.jpg").is_file():
        pytest.skip(f"{PAD_DEV} is absent (real development data is optional)")
    from openidv.liveness.training.sanity import score_folder
    from openidv.policy.thresholds import ThresholdRegistry

    rows = score_folder(PAD_DEV, None, ThresholdRegistry.load().get("liveness_pad"))
    assert {r["image"]: r["decision"] for r in rows} == {
        "image_F1.jpg": "attack",
        "image_F2.jpg": "attack",
        "image_T1.jpg": "bona_fide",
    }
