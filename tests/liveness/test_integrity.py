"""Capture-integrity signals from metadata, telemetry and pixels."""

from __future__ import annotations

import numpy as np

from openidv.domain import Capture, CaptureKind, CaptureMetadata, Session, Telemetry
from openidv.liveness import integrity


def cap(img: np.ndarray, kind: CaptureKind = CaptureKind.SELFIE, **md: object) -> Capture:
    return Capture(kind, b"", img, "image/jpeg", CaptureMetadata(**md))  # type: ignore[arg-type]


def noisy(seed: int, shape: tuple[int, int] = (120, 120)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    base = np.full((*shape, 3), 128.0)
    return np.clip(base + rng.normal(0, 4, base.shape), 0, 255).astype(np.uint8)


def findings(captures: list[Capture], session: Session | None = None) -> integrity.IntegrityFindings:
    out = integrity.IntegrityFindings()
    s = session or Session(captures=captures)
    integrity.metadata_findings(captures, s, out)
    integrity.telemetry_findings(s, out)
    frames = [c.image for c in captures if c.kind is CaptureKind.FRAME]
    stills = [c.image for c in captures if c.kind is CaptureKind.SELFIE]
    integrity.pixel_findings(stills, frames, min_noise=0.8, max_static_share=0.3, out=out)
    return out


def test_clean_capture_has_no_findings() -> None:
    f = findings([cap(noisy(0), camera_label="FaceTime HD Camera", source="camera")])
    assert not f.strong and not f.weak


def test_virtual_cameras_and_emulators_are_strong() -> None:
    for label in ("OBS Virtual Camera", "ManyCam Video Source", "e2eSoft VCam", "Android SDK built for x86"):
        assert findings([cap(noisy(1), camera_label=label)]).strong, label


def test_automation_flags_are_strong() -> None:
    s = Session(telemetry=Telemetry(device={"webdriver": True}))
    assert "automation_flag" in findings([cap(noisy(2))], s).strong
    s = Session(telemetry=Telemetry(device={"user_agent": "Mozilla/5.0 HeadlessChrome/120"}))
    assert "automation_user_agent" in findings([cap(noisy(2))], s).strong


def test_weak_metadata_findings() -> None:
    f = findings(
        [
            cap(
                noisy(3),
                fps=900.0,
                exif={"software": "Adobe Photoshop 25", "model": "Pixel 8"},
                camera_label="iPhone 15 front",
            )
        ]
    )
    assert {"impossible_frame_rate", "edited_in_software", "exif_contradicts_camera"} <= set(f.weak)
    assert "impossible_resolution" in findings([cap(noisy(4, (64, 400)))]).weak


def test_frozen_sequence_and_too_clean_pixels() -> None:
    frame = noisy(5)
    frozen = [cap(frame, CaptureKind.FRAME, frame_index=i) for i in range(6)]
    assert "frozen_sequence" in findings(frozen).strong
    live = [cap(noisy(10 + i), CaptureKind.FRAME, frame_index=i) for i in range(6)]
    assert "frozen_sequence" not in findings(live).strong
    flat = np.full((120, 120, 3), 128, np.uint8)
    assert "too_clean_for_a_camera" in findings([cap(flat)]).weak
    assert integrity.noise_sigma(noisy(6)) > 2.0 > integrity.noise_sigma(flat)
