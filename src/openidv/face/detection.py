"""Face detection with 5-point landmarks.

Three detectors, tried in order until one finds a face:

1. dlib's HOG frontal detector: fast (tens of ms), good on the frontal faces of selfies and
   document portraits, and the detector dlib's face-recognition model was evaluated with.
2. dlib's CNN (MMOD) detector from face-recognition-models: slower, finds rotated, dark and
   partially turned faces that HOG misses.
3. OpenCV's Haar cascade, a last resort for the rare face both miss; its boxes are accepted only
   when the 5-point landmarks found inside them are geometrically plausible.

Landmarks always come from dlib's 5-point shape predictor (two corners per eye and the base of
the nose, dlib's point order), run on the full-resolution image. Large images are searched on a
downscaled copy (long side :data:`MAX_WORK_SIDE`) and the boxes mapped back, so a 12-megapixel
selfie costs about as much as a webcam frame. Camera frames (no upsampling) are searched first on
a smaller copy still (:func:`coarse_first`), and again at full working size only when the faces
found there are too small for that copy to have shown every face that matters.

``confidence`` is the detector's margin over its own decision threshold through a logistic, so 0.5
means "exactly at the detector's threshold"; it is comparable within one detector only.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.errors import ImageError
from openidv.face import dlib_models

MAX_WORK_SIDE = 640  # long side of the image the HOG detector searches (before upsampling)
MAX_CNN_SIDE = 512  # long side after upsampling: the CNN costs ~2.5 s per 600x500 on one core
MIN_FACE_SIDE = 20  # boxes smaller than this (image pixels) are dropped as noise
COARSE_SIDE = 400  # camera frames are searched first on a copy this size (long side), see coarse_first
HOG_MIN_FACE = 80  # dlib's HOG window: the smallest face (box side, searched pixels) it finds at upsample 0
COMPARABLE = 0.6  # faces narrower than this fraction of the largest never matter downstream

_haar_lock = threading.Lock()
_haar: list[Any] = []

Found = list[tuple[tuple[float, float, float, float], float]]


class _RecentDetections:
    """The raw output of the last few detector runs, keyed by a digest of the searched pixels.

    Several checks of one session look for the face in the same selfie (face quality, passive and
    active liveness); the detectors are the expensive part (tens of ms for HOG, seconds for the
    CNN), so a run on identical pixels with identical settings is answered from here. Only boxes
    and margins are kept (never pixels), for a handful of images."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[str, bytes, tuple[int, ...], int], Found] = OrderedDict()

    def get_or_run(self, name: str, img: NDArray[np.uint8], upsample: int, run: Callable[[], Found]) -> Found:
        key = (name, hashlib.blake2b(img.data, digest_size=16).digest(), img.shape, upsample)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return list(self._items[key])
        found = run()
        with self._lock:
            self._items[key] = list(found)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return found


_recent = _RecentDetections()


@dataclass(frozen=True)
class FaceDetection:
    """One detected face.

    ``box`` is (left, top, right, bottom) in image pixels, clipped to the image;
    ``landmarks5`` is a (5, 2) float32 array of (x, y) in dlib's 5-point order: the two corners of
    the face's left eye (image right), the two corners of its right eye (image left), the base of
    the nose. ``detector`` says which detector found it ("hog", "cnn" or "haar").
    """

    box: tuple[int, int, int, int]
    landmarks5: NDArray[np.float32]
    confidence: float
    detector: str = "hog"

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)


def _check_rgb(rgb: Any) -> NDArray[np.uint8]:
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ImageError("face detection needs an RGB uint8 array of shape (H, W, 3)")
    if min(rgb.shape[:2]) < 16:
        raise ImageError("image too small for face detection")
    return np.ascontiguousarray(rgb)


def downscale(rgb: NDArray[np.uint8], max_side: int) -> tuple[NDArray[np.uint8], float]:
    """A copy whose long side is at most ``max_side``, and the factor that produced it."""
    h, w = rgb.shape[:2]
    scale = min(1.0, max_side / float(max(h, w)))
    if scale >= 1.0:
        return rgb, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)), scale


def margin_confidence(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def _hog(work: NDArray[np.uint8], upsample: int) -> Found:
    def run(det: Any) -> Any:
        return det.run(work, upsample, 0.0)

    def search() -> Found:
        rects, scores, _ = dlib_models.HOG_DETECTOR.call(run)
        pairs = zip(rects, scores, strict=True)
        return [((r.left(), r.top(), r.right(), r.bottom()), float(s)) for r, s in pairs]

    return _recent.get_or_run("hog", np.ascontiguousarray(work), upsample, search)


def _cnn(rgb: NDArray[np.uint8], upsample: int) -> Found:
    return _recent.get_or_run("cnn", np.ascontiguousarray(rgb), upsample, lambda: _cnn_search(rgb, upsample))


def _cnn_search(rgb: NDArray[np.uint8], upsample: int) -> Found:
    # Upsampling is folded into the size budget: the searched image never exceeds MAX_CNN_SIDE.
    while upsample > 0 and max(rgb.shape[:2]) * 2**upsample > MAX_CNN_SIDE:
        upsample -= 1
    work, scale = downscale(rgb, MAX_CNN_SIDE)

    def run(det: Any) -> Any:
        return det(work, upsample)

    found = dlib_models.CNN_DETECTOR.call(run)
    out = []
    for d in found:
        r = d.rect
        box = (r.left() / scale, r.top() / scale, r.right() / scale, r.bottom() / scale)
        out.append((box, float(d.confidence)))
    return out


def _haar_cascade() -> Any:
    with _haar_lock:
        if not _haar:
            path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined]
            cascade = cv2.CascadeClassifier(path)
            if cascade.empty():
                raise ImageError("OpenCV face cascade could not be loaded")
            _haar.append(cascade)
        return _haar[0]


def _haar_faces(work: NDArray[np.uint8]) -> list[tuple[tuple[float, float, float, float], float]]:
    grey = cv2.equalizeHist(cv2.cvtColor(work, cv2.COLOR_RGB2GRAY))
    cascade = _haar_cascade()
    with _haar_lock:
        rects, _, weights = cascade.detectMultiScale3(
            grey,
            scaleFactor=1.1,
            minNeighbors=6,
            minSize=(MIN_FACE_SIDE, MIN_FACE_SIDE),
            outputRejectLevels=True,
        )
    out = []
    for (x, y, w, h), weight in zip(rects, np.ravel(weights), strict=False):
        out.append(((float(x), float(y), float(x + w), float(y + h)), float(weight) - 2.0))
    return out


def landmarks_for_box(rgb: NDArray[np.uint8], box: tuple[int, int, int, int]) -> NDArray[np.float32]:
    import dlib

    rect = dlib.rectangle(*box)

    def run(sp: Any) -> Any:
        return sp(rgb, rect)

    shape = dlib_models.SHAPE_PREDICTOR.call(run)
    return np.array([[shape.part(i).x, shape.part(i).y] for i in range(5)], dtype=np.float32)


def plausible_landmarks(lm: NDArray[np.float32], box: tuple[int, int, int, int]) -> bool:
    """Eyes side by side above the nose, all inside the (slightly grown) box."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    eye_a, eye_b, nose = lm[0:2].mean(axis=0), lm[2:4].mean(axis=0), lm[4]
    inside = bool(np.all((lm[:, 0] > left - 0.1 * w) & (lm[:, 0] < right + 0.1 * w)))
    inside &= bool(np.all((lm[:, 1] > top - 0.1 * h) & (lm[:, 1] < bottom + 0.1 * h)))
    eye_dist = float(np.linalg.norm(eye_a - eye_b))
    nose_below = nose[1] > max(eye_a[1], eye_b[1]) - 0.05 * h
    return inside and 0.2 * w < eye_dist < 0.8 * w and bool(nose_below)


def _to_detections(
    rgb: NDArray[np.uint8], found: list[tuple[tuple[float, float, float, float], float]], detector: str
) -> list[FaceDetection]:
    h, w = rgb.shape[:2]
    dets = []
    for (l_, t_, r_, b_), margin in found:
        box = (max(0, round(l_)), max(0, round(t_)), min(w, round(r_)), min(h, round(b_)))
        if box[2] - box[0] < MIN_FACE_SIDE or box[3] - box[1] < MIN_FACE_SIDE:
            continue
        lm = landmarks_for_box(rgb, box)
        if detector == "haar" and not plausible_landmarks(lm, box):
            continue
        dets.append(FaceDetection(box=box, landmarks5=lm, confidence=margin_confidence(margin), detector=detector))
    return sorted(dets, key=lambda d: d.area, reverse=True)


def _scaled(found: list[tuple[tuple[float, float, float, float], float]], scale: float) -> list[Any]:
    return [((a / scale, b / scale, c / scale, d / scale), m) for (a, b, c, d), m in found]


def coarse_first(rgb: NDArray[np.uint8]) -> Found | None:
    """HOG boxes (image pixels) from a :data:`COARSE_SIDE` copy, or None to search at full size.

    HOG's cost grows with the searched area: a 640x640 frame costs about three times a 400x400
    copy (about 90 vs 30 ms here). Searching the copy first is safe when its largest face is wide
    enough that every face at least :data:`COMPARABLE` as wide (the only other faces any rule reads:
    MULTIPLE_FACES counts faces of half the area, about 0.71 of the width; the hidden-subject search
    faces of 0.6) is still :data:`HOG_MIN_FACE` pixels there. Otherwise (a small or distant face,
    or none) the full-size search runs as before, so small faces are found exactly as they were.
    """
    work, scale = downscale(rgb, COARSE_SIDE)
    if scale >= 1.0:
        return None
    found = _hog(work, 0)
    widest = max((b[2] - b[0] for b, _ in found), default=0.0)
    if COMPARABLE * widest < HOG_MIN_FACE:
        return None
    return _scaled(found, scale)


def detect_faces(rgb: NDArray[np.uint8], upsample: int = 1) -> list[FaceDetection]:
    """Every face in an RGB uint8 image, largest first; an empty list when there is none.

    ``upsample`` doubles the searched image that many times (after the downscale of large
    images): 1 finds faces down to about 40 pixels in the working image.
    """
    rgb = _check_rgb(rgb)
    upsample = max(0, min(int(upsample), 3))
    found = coarse_first(rgb) if upsample == 0 else None
    work, scale = downscale(rgb, MAX_WORK_SIDE)
    if found is None:
        found = _scaled(_hog(work, upsample), scale)
    dets = _to_detections(rgb, found, "hog")
    if not dets:
        dets = _to_detections(rgb, _cnn(rgb, upsample), "cnn")
    if not dets:
        dets = _to_detections(rgb, _scaled(_haar_faces(work), scale), "haar")
    return dets


def detect_faces_with(rgb: NDArray[np.uint8], detector: str, upsample: int = 1) -> list[FaceDetection]:
    """One named detector only ("hog", "cnn" or "haar"), for evaluation and diagnostics."""
    rgb = _check_rgb(rgb)
    work, scale = downscale(rgb, MAX_WORK_SIDE)
    if detector == "hog":
        return _to_detections(rgb, _scaled(_hog(work, upsample), scale), "hog")
    if detector == "cnn":
        return _to_detections(rgb, _cnn(rgb, upsample), "cnn")
    if detector == "haar":
        return _to_detections(rgb, _scaled(_haar_faces(work), scale), "haar")
    raise ValueError(f"unknown detector {detector!r}")
