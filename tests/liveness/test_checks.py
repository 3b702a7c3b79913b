"""The liveness checks inside the pipeline contract, and the plugin wiring."""

from __future__ import annotations

import numpy as np
import pytest

from openidv.checks.base import CheckContext, Environment
from openidv.config import Settings
from openidv.domain import Capture, CaptureKind, CaptureMetadata, Outcome, Session
from openidv.imaging.decode import encode_jpeg
from openidv.liveness.checks import (
    LivenessActiveCheck,
    LivenessIntegrityCheck,
    LivenessPassiveCheck,
    LivenessReplayCheck,
    decide,
)
from openidv.liveness.plugin import plugin
from openidv.liveness.redteam.common import FaceRef
from openidv.policy.thresholds import ThresholdRegistry


def ctx(session: Session, tmp_path) -> CheckContext:  # type: ignore[no-untyped-def]
    env = Environment(settings=Settings(home=tmp_path))
    return CheckContext(session, {}, ThresholdRegistry.load().view({}), env)


def selfie(rgb: np.ndarray, **md: object) -> Capture:
    return Capture(CaptureKind.SELFIE, encode_jpeg(rgb), rgb, "image/jpeg", CaptureMetadata(**md))  # type: ignore[arg-type]


def test_decision_bands() -> None:
    assert decide(0.1, 0.3, 0.6) == "attack"
    assert decide(0.3, 0.3, 0.6) == "undecided"
    assert decide(0.6, 0.3, 0.6) == "bona_fide"


def test_passive_scores_a_real_face(hopper: FaceRef, tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = LivenessPassiveCheck().run(ctx(Session(captures=[selfie(hopper.rgb)]), tmp_path))
    assert res.outcome in (Outcome.PASS, Outcome.REVIEW, Outcome.FAIL)
    assert res.score is not None and 0.0 <= res.score <= 1.0
    assert res.evidence["captures"][0]["species"]
    assert res.evidence["threshold_set"].startswith("liveness_pad@")


def test_passive_without_a_face_asks_for_review(tmp_path) -> None:  # type: ignore[no-untyped-def]
    blank = np.full((96, 96, 3), 90, np.uint8)
    res = LivenessPassiveCheck().run(ctx(Session(captures=[selfie(blank)]), tmp_path))
    assert res.outcome is Outcome.REVIEW and res.reason_codes == ["FACE_NOT_FOUND"]


def test_integrity_fails_a_virtual_camera(hopper: FaceRef, tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = Session(captures=[selfie(hopper.rgb, camera_label="OBS Virtual Camera")])
    res = LivenessIntegrityCheck().run(ctx(s, tmp_path))
    assert res.outcome is Outcome.FAIL and res.reason_codes == ["INJECTION_SUSPECTED"]
    assert "virtual_camera" in res.evidence["strong"]


def test_replay_needs_history(hopper: FaceRef, tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = LivenessReplayCheck().run(ctx(Session(captures=[selfie(hopper.rgb)]), tmp_path))
    assert res.outcome is Outcome.NOT_APPLICABLE and "no signal store" in res.evidence["reason"]


def test_active_refuses_frames_without_one_challenge(hopper: FaceRef, tmp_path) -> None:  # type: ignore[no-untyped-def]
    frames = [
        Capture(CaptureKind.FRAME, b"x", hopper.rgb, "image/jpeg", CaptureMetadata(frame_index=i, challenge_id=f"c{i}"))
        for i in range(3)
    ]
    res = LivenessActiveCheck().run(ctx(Session(captures=frames), tmp_path))
    assert res.outcome is Outcome.FAIL and res.reason_codes == ["CHALLENGE_FAILED"]
    one = [
        Capture(
            CaptureKind.FRAME, b"x", hopper.rgb, "image/jpeg", CaptureMetadata(frame_index=0, challenge_id="0" * 32)
        )
    ]
    res = LivenessActiveCheck().run(ctx(Session(captures=one), tmp_path))
    assert res.evidence["failures"] == ["unknown_challenge"]


def test_plugin_wiring() -> None:
    names = {c.name for c in plugin.checks()}
    assert names == {"liveness_passive", "liveness_active", "liveness_integrity", "liveness_replay"}
    from openidv.policy.reason_codes import ReasonCatalogue

    catalogue = ReasonCatalogue.load(None)
    for check in plugin.checks():
        for code in check.reason_codes:
            assert catalogue.get(code) is not None, code
    assert "liveness" in plugin.commands()
    assert [r.prefix for r in plugin.routers()] == ["/liveness"]


@pytest.mark.parametrize("name", ["liveness_pad", "liveness_active", "liveness_integrity", "liveness_replay"])
def test_threshold_sets_have_provenance(name: str) -> None:
    ts = ThresholdRegistry.load().get(name)
    assert ts.source.get("tool") and ts.values
