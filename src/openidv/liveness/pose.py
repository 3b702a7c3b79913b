"""Head pose proxies from dlib's 5 landmarks, in units of the inter-ocular distance.

``yaw``: horizontal offset of the nose base from the eye midpoint; positive when the nose moves
to the image's right (the subject turning to their own left in an unmirrored camera image).
``pitch``: vertical distance of the nose base below the eye line; it shrinks or grows as the
head nods. Both are ratios, so they do not depend on the face's size in the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Pose:
    yaw: float
    pitch: float
    iod: float  # inter-ocular distance in pixels


def pose_from_landmarks(lm: NDArray[np.float32]) -> Pose:
    eye_a, eye_b = lm[0:2].mean(axis=0), lm[2:4].mean(axis=0)
    left, right = (eye_a, eye_b) if eye_a[0] < eye_b[0] else (eye_b, eye_a)
    axis = right - left
    iod = float(np.linalg.norm(axis)) or 1.0
    ux = axis / iod
    uy = np.array([-ux[1], ux[0]])  # perpendicular, pointing down the face
    rel = lm[4] - (left + right) / 2.0
    return Pose(float(rel @ ux) / iod, float(rel @ uy) / iod, iod)


@dataclass(frozen=True)
class ActionVerdict:
    ok: bool
    measured: float
    reason: str | None


def judge_action(
    action: str, baseline: list[Pose], during: list[Pose], min_turn: float, min_nod: float
) -> ActionVerdict:
    """Did the head do `action` during the action window, relative to the baseline frames?"""
    if len(baseline) < 2 or len(during) < 2:
        return ActionVerdict(False, 0.0, "too_few_faces_for_pose")
    yaw0 = float(np.median([p.yaw for p in baseline]))
    pitch0 = float(np.median([p.pitch for p in baseline]))
    yaws = np.array([p.yaw for p in during]) - yaw0
    pitches = np.array([p.pitch for p in during]) - pitch0
    if action in ("turn_left", "turn_right"):
        sign = 1.0 if action == "turn_left" else -1.0
        measured = float(np.max(sign * yaws))
        wrong = float(np.max(-sign * yaws))
        if wrong > min_turn and wrong > measured:
            return ActionVerdict(False, measured, "turned_the_wrong_way")
        return ActionVerdict(
            measured >= min_turn, measured, None if measured >= min_turn else "turn_too_small"
        )
    if action == "nod":
        measured = float(np.max(np.abs(pitches)))
        side = float(np.max(np.abs(yaws)))
        if side > max(measured, min_turn):
            return ActionVerdict(False, measured, "turned_instead_of_nodding")
        return ActionVerdict(measured >= min_nod, measured, None if measured >= min_nod else "nod_too_small")
    return ActionVerdict(False, 0.0, "unknown_action")
