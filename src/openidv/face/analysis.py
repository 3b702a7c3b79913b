"""Analyse the face images of a session once: detect, judge quality, embed the usable ones.

The quality check runs this and leaves the results in its artifacts; the match and 1:N checks
read them from there, so each image is decoded, detected and embedded exactly once per session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from openidv.face.detection import FaceDetection
from openidv.face.diagnose import diagnose_no_face, hidden_subject
from openidv.face.embedding import Embedder, default_embedder
from openidv.face.extract import FaceSample, auto_upsample, find_face
from openidv.face.occlusion import shipped_model
from openidv.face.quality import QualityAssessment, QualityMeasures, assess, measure_quality
from openidv.policy.thresholds import ThresholdSet


@dataclass
class FaceAnalysis:
    """One face image: where it came from, the face found, its quality and (if usable) embedding."""

    source: str  # capture id, or "<check name>:portrait_rgb" for a document portrait crop
    kind: str  # selfie | portrait | document_portrait
    sample: FaceSample | None
    measures: QualityMeasures | None = None
    assessment: QualityAssessment | None = None
    embedding: NDArray[np.float32] | None = None
    no_face: tuple[tuple[str, ...], dict[str, Any]] | None = None  # diagnosis when no face was found
    hidden: tuple[tuple[str, ...], dict[str, Any]] | None = None  # the subject half hidden (diagnose.hidden_subject)

    @property
    def reason_codes(self) -> tuple[str, ...]:
        if self.sample is None:
            return self.no_face[0] if self.no_face else ("FACE_NOT_FOUND",)
        if self.hidden is not None:
            return self.hidden[0]
        return self.assessment.reason_codes if self.assessment else ()

    @property
    def usable(self) -> bool:
        return self.sample is not None and not self.reason_codes and self.embedding is not None

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "kind": self.kind, "reason_codes": list(self.reason_codes)}
        if self.no_face is not None:
            out["no_face_diagnosis"] = self.no_face[1]
        if self.hidden is not None:
            out["hidden_subject"] = self.hidden[1]
        if self.sample is not None:
            d = self.sample.detection
            out |= {"faces": self.sample.n_faces, "box": list(d.box), "detector": d.detector}
            out["detector_confidence"] = round(d.confidence, 4)
        if self.measures is not None and self.assessment is not None:
            out["measures"] = self.measures.as_dict()
            out["quality_score"] = round(self.assessment.score, 4)
            out["margins"] = self.assessment.margins
        return out


def hidden_subject_suspected(det: FaceDetection, shape: tuple[int, ...], assessment: QualityAssessment) -> bool:
    """Whether to look for a half-hidden subject behind the detected face (a search of ~0.1 s).

    When the detected face fails quality for another reason, or when it lies off the central
    half of the frame (a subject faces the camera near the middle; a bystander need not): those
    are the faces that may be someone else while the applicant's own face is half hidden.
    """
    if "FACE_OCCLUDED" in assessment.reason_codes:
        return False
    if assessment.reason_codes:
        return True
    h, w = shape[:2]
    cx, cy = (det.box[0] + det.box[2]) / 2, (det.box[1] + det.box[3]) / 2
    return not (w / 4 <= cx <= 3 * w / 4 and h / 4 <= cy <= 3 * h / 4)


def assess_image(
    source: str, kind: str, rgb: NDArray[np.uint8], thresholds: ThresholdSet, embedder: Embedder
) -> FaceAnalysis:
    """Detect the (largest) face and judge its quality, or diagnose why there is none."""
    occlusion = shipped_model()
    upsample = auto_upsample(rgb.shape)
    sample = find_face(rgb, embedder, upsample=upsample, rule="largest")
    if sample is None:
        return FaceAnalysis(source, kind, None, no_face=diagnose_no_face(rgb, thresholds, occlusion, upsample))
    m = measure_quality(rgb, sample.detection, sample.detections, occlusion)
    assessment = assess(m, thresholds)
    hidden = None
    if hidden_subject_suspected(sample.detection, rgb.shape, assessment):
        hidden = hidden_subject(rgb, sample.detection, thresholds, sample.detections)
    return FaceAnalysis(source, kind, sample, m, assessment, hidden=hidden)


def analyse(
    images: list[tuple[str, str, NDArray[np.uint8]]],
    thresholds: ThresholdSet,
    embedder: Embedder | None = None,
) -> list[FaceAnalysis]:
    """Analyse ``(source, kind, rgb)`` images; usable faces are embedded in one batch."""
    embedder = embedder or default_embedder()
    out = [assess_image(source, kind, rgb, thresholds, embedder) for source, kind, rgb in images]
    usable = [a for a in out if a.sample is not None and not a.reason_codes]
    if usable:
        vectors = embedder.embed(np.stack([a.sample.chip for a in usable if a.sample is not None]))
        for a, v in zip(usable, vectors, strict=True):
            a.embedding = v
    return out
