"""A small CNN that finds a face of which one half is hidden, anywhere in a photo.

The dlib HOG half-face detectors of :mod:`openidv.face.partial` miss a visible half whose edge
cells do not look like their training windows, and they cannot say anything about a face that
*was* detected but is half covered while its box still looks plausible. This network classifies
square windows, each read as a hypothetical face box grown by :data:`EXPAND`, into six classes:
background, a whole visible face, and a face whose upper, lower, left or right half is hidden
(image orientation). Scanning a photo at several window sizes gives the hidden-half windows,
which :mod:`openidv.face.diagnose` uses as evidence for FACE_OCCLUDED next to the HOG halves.

Trained by ``python -m openidv.face.training.hidden_net`` on real LFW faces of the identities
that also train the occlusion grid model, with occluders cut from other photos (a family the
quality report does not test with); model card ``models/face_hidden_net.md``. The probability
it must reach is the ``min_hidden_face_prob`` threshold of the ``face_quality`` set, tuned by
``python -m openidv.face.training.quality`` on faces with other quality problems.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from openidv.face.detection import downscale

PACKAGE = "openidv.face"
MODEL_NAME = "face_hidden_net"
INPUT = 40  # network input side in pixels
EXPAND = 1.25  # window side / face box side: a little context (hair, chin, the occluder's edge)
CLASSES = ("background", "face", "hidden_upper", "hidden_lower", "hidden_left", "hidden_right")
HIDDEN = CLASSES[2:]
# Window sides as shares of the photo's shorter side: faces whose box is about 0.3-0.72 of it.
# FACE_OCCLUDED is about the applicant, whose face a capture guide makes large; a small face half
# hidden behind something is a bystander (and tiny faces are FACE_TOO_SMALL's concern).
SCALES = (0.38, 0.47, 0.58, 0.72, 0.9)
STRIDE = 6  # window steps per window side
MAX_SIDE = 640  # the searched copy's long side, as for the face detectors
VISIBLE = {"hidden_upper": "lower", "hidden_lower": "upper", "hidden_left": "right", "hidden_right": "left"}


@dataclass(frozen=True)
class HiddenFace:
    """A window read as a face with one half hidden: where the whole face would be, and how sure."""

    box: tuple[int, int, int, int]  # the implied whole face box (window shrunk by EXPAND), image pixels
    hidden: str  # upper | lower | left | right
    probability: float

    @property
    def face_width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def visible_box(self) -> tuple[int, int, int, int]:
        """The half of the implied face box that is still visible."""
        left, top, right, bottom = self.box
        cx, cy = (left + right) // 2, (top + bottom) // 2
        return {
            "upper": (left, cy, right, bottom),
            "lower": (left, top, right, cy),
            "left": (cx, top, right, bottom),
            "right": (left, top, cx, bottom),
        }[self.hidden]


def window_pixels(rgb: NDArray[np.uint8], cx: float, cy: float, side: float) -> NDArray[np.uint8]:
    """The square window centred at (cx, cy) resampled to INPUT x INPUT (borders replicated)."""
    s = INPUT / side
    m = np.array([[s, 0.0, INPUT / 2 - s * cx], [0.0, s, INPUT / 2 - s * cy]], np.float32)
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.warpAffine(rgb, m, (INPUT, INPUT), flags=interp, borderMode=cv2.BORDER_REPLICATE))


def normalise(win: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Channels-first network input, with the window's own mean and spread removed.

    Per-window normalisation makes the reading independent of exposure, which other reason
    codes judge (a dark face is FACE_TOO_DARK, not half hidden).
    """
    x = win.astype(np.float32)
    x = (x - x.mean()) / (x.std() + 8.0)
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def crop_window(rgb: NDArray[np.uint8], cx: float, cy: float, side: float) -> NDArray[np.float32]:
    """:func:`window_pixels` then :func:`normalise`: one network input."""
    return normalise(window_pixels(rgb, cx, cy, side))


def scan_windows(shape: tuple[int, ...]) -> NDArray[np.float32]:
    """(n, 3) window centres and sides covering the photo at every scale of :data:`SCALES`."""
    h, w = shape[:2]
    out: list[tuple[float, float, float]] = []
    for share in SCALES:
        side = share * min(h, w)
        step = side / STRIDE
        nx, ny = max(1, int((w - side) / step) + 1), max(1, int((h - side) / step) + 1)
        x0, y0 = (w - side - (nx - 1) * step) / 2, (h - side - (ny - 1) * step) / 2
        for j in range(ny):
            for i in range(nx):
                out.append((x0 + i * step + side / 2, y0 + j * step + side / 2, side))
    return np.asarray(out, np.float32)


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


class HiddenFaceNet:
    """The shipped network (ONNX, hash-verified) and the scan over a photo."""

    def __init__(self, session: object | None = None) -> None:
        self.session = session

    def _session(self) -> object:
        if self.session is None:
            from openidv.models.registry import load_onnx_session

            self.session = load_onnx_session(PACKAGE, MODEL_NAME)
        return self.session

    def probabilities(self, batch: NDArray[np.float32]) -> NDArray[np.float32]:
        """(n, len(CLASSES)) class probabilities of a batch of :func:`crop_window` inputs."""
        if len(batch) == 0:
            return np.zeros((0, len(CLASSES)), np.float32)
        sess = self._session()
        logits = sess.run(None, {"x": batch})[0]  # type: ignore[attr-defined]
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True), np.float32)

    def find(self, rgb: NDArray[np.uint8], min_prob: float, limit: int = 5) -> list[HiddenFace]:
        """Hidden-half faces at least ``min_prob`` sure, best first, overlapping windows merged.

        The photo is searched on a copy whose long side is at most :data:`MAX_SIDE` (a 40 px
        window loses nothing by it, and a 12-megapixel frame costs the same as a small one).
        """
        work, scale = downscale(rgb, MAX_SIDE)
        windows = scan_windows(work.shape)
        batch = np.stack([crop_window(work, float(cx), float(cy), float(s)) for cx, cy, s in windows])
        probs = self.probabilities(batch)
        hidden = probs[:, 2:]
        best = hidden.max(axis=1)
        order = np.argsort(-best)
        h, w = rgb.shape[:2]
        found: list[HiddenFace] = []
        for i in order:
            if best[i] < min_prob or len(found) >= limit:
                break
            cx, cy, side = (float(v) / scale for v in windows[i])
            half = side / EXPAND / 2
            box = (
                max(0, round(cx - half)),
                max(0, round(cy - half)),
                min(w, round(cx + half)),
                min(h, round(cy + half)),
            )
            if any(_iou(box, f.box) > 0.3 for f in found):
                continue
            name = HIDDEN[int(hidden[i].argmax())].removeprefix("hidden_")
            found.append(HiddenFace(box, name, float(best[i])))
        return found

    def face_probabilities(self, rgb: NDArray[np.uint8], box: tuple[int, int, int, int]) -> NDArray[np.float32]:
        """Class probabilities of the window of one detected face box (the face read as is)."""
        work, scale = downscale(rgb, MAX_SIDE)
        left, top, right, bottom = (v * scale for v in box)
        side = max(right - left, bottom - top) * EXPAND
        x = crop_window(work, (left + right) / 2, (top + bottom) / 2, side)
        return self.probabilities(x[None])[0]


_SHIPPED: HiddenFaceNet | None = None


def shipped_net() -> HiddenFaceNet:
    """The process-wide network (its ONNX session is loaded on first use)."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = HiddenFaceNet()
    return _SHIPPED
