"""Image usability: can every uploaded image be used at all?

Runs first; document reading and face checks depend on it. Each capture is measured
(:mod:`openidv.imaging.measures`) and compared with the ``image_usability`` threshold set, which
``scripts/tune_usability.py`` derives from clean versus degraded images (see its provenance in the
threshold file). A failure asks the applicant to resubmit with a specific reason.
"""

from __future__ import annotations

import math
from typing import Any

from openidv.checks.base import BaseCheck, CheckContext
from openidv.domain import CaptureKind, CheckResult, Outcome, Session
from openidv.imaging.measures import UsabilityMeasures, measure
from openidv.policy.thresholds import ThresholdSet

# Frames of a liveness sequence are judged by the liveness checks; here only stills.
_KINDS = (CaptureKind.DOCUMENT_FRONT, CaptureKind.DOCUMENT_BACK, CaptureKind.SELFIE, CaptureKind.PORTRAIT)


def _margin(value: float, threshold: float, higher_is_better: bool, scale: float) -> float:
    """Signed distance to a threshold in units of `scale`; positive = on the good side."""
    d = (value - threshold) if higher_is_better else (threshold - value)
    return d / scale


def judge(m: UsabilityMeasures, kind: CaptureKind, t: ThresholdSet) -> tuple[list[str], float]:
    """Reason codes for one capture and its score (0.5 exactly at the nearest threshold)."""
    min_side = t["min_short_side_document"] if kind.is_document else t["min_short_side_face"]
    tests = [
        ("IMAGE_LOW_RESOLUTION", _margin(m.short_side, min_side, True, min_side * 0.25)),
        ("IMAGE_BLURRY", _margin(math.log1p(m.sharpness), math.log1p(t["min_sharpness"]), True, 0.5)),
        ("IMAGE_GLARE", _margin(m.glare_fraction, t["max_glare_fraction"], False, 0.05)),
        ("IMAGE_TOO_DARK", _margin(m.mean_luma, t["min_mean_luma"], True, 20.0)),
        ("IMAGE_TOO_DARK", _margin(m.dark_clip, t["max_dark_clip"], False, 0.1)),
        ("IMAGE_OVEREXPOSED", _margin(m.mean_luma, t["max_mean_luma"], False, 20.0)),
        ("IMAGE_OVEREXPOSED", _margin(m.bright_clip, t["max_bright_clip"], False, 0.1)),
    ]
    codes = sorted({code for code, margin in tests if margin < 0})
    worst = min(margin for _, margin in tests)
    score = 1.0 / (1.0 + math.exp(-2.0 * worst))
    return codes, score


class ImageUsabilityCheck(BaseCheck):
    name = "image_usability"
    version = "1.0.0"
    reason_codes = (
        "IMAGE_LOW_RESOLUTION",
        "IMAGE_BLURRY",
        "IMAGE_GLARE",
        "IMAGE_TOO_DARK",
        "IMAGE_OVEREXPOSED",
    )
    score_meaning = (
        "worst capture's margin to its nearest usability threshold through a logistic: "
        "0.5 at the threshold, higher = more usable"
    )

    def applies(self, session: Session) -> bool:
        return bool(session.captures_of(*_KINDS))

    def run(self, ctx: CheckContext) -> CheckResult:
        thresholds = ctx.thresholds.set("image_usability")
        per_capture: list[dict[str, Any]] = []
        codes: set[str] = set()
        scores: list[float] = []
        for cap in ctx.session.captures_of(*_KINDS):
            m = measure(cap.image)
            cap_codes, score = judge(m, cap.kind, thresholds)
            codes.update(cap_codes)
            scores.append(score)
            per_capture.append(
                {"capture_id": cap.id, "kind": cap.kind.value, "measures": m.as_dict(), "reason_codes": cap_codes}
            )
        outcome = Outcome.FAIL if codes else Outcome.PASS
        return self.result(
            outcome,
            score=min(scores),
            reason_codes=sorted(codes),
            evidence={"captures": per_capture, "threshold_set": f"{thresholds.name}@{thresholds.version}"},
        )
