"""The liveness checks the pipeline runs.

* ``liveness_passive``: the passive model on the selfie (SPOOF_SUSPECTED / DEEPFAKE_SUSPECTED).
* ``liveness_active``: the challenge response in the frame sequence (CHALLENGE_FAILED; a reused
  challenge is REPLAYED_CAPTURE).
* ``liveness_integrity``: capture-integrity signals (INJECTION_SUSPECTED).
* ``liveness_replay``: the capture seen in an earlier session (REPLAYED_CAPTURE).

Operating points come from the ``liveness_*`` threshold sets, written by the tuning scripts.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from openidv.checks.base import BaseCheck, CheckContext
from openidv.domain import Capture, CaptureKind, CheckResult, Outcome, Session
from openidv.face.binding import SUBJECT_BOXES
from openidv.liveness import integrity, replay
from openidv.liveness.active import ActiveParams, Frame, verify_response
from openidv.liveness.challenge import ChallengeError
from openidv.liveness.faces import largest_face
from openidv.liveness.pad import default_pad
from openidv.liveness.services import challenge_store
from openidv.liveness.species import Species


def decide(score: float, attack_below: float, bona_fide_from: float) -> str:
    """'attack', 'undecided' or 'bona_fide' at the shipped operating points."""
    if score < attack_below:
        return "attack"
    return "bona_fide" if score >= bona_fide_from else "undecided"


def _stills(session: Session) -> list[Capture]:
    return session.captures_of(CaptureKind.SELFIE)


def _frames(session: Session) -> list[Capture]:
    return session.captures_of(CaptureKind.FRAME)


class LivenessPassiveCheck(BaseCheck):
    name = "liveness_passive"
    version = "1.0.0"
    requires = ("image_usability",)
    reason_codes = ("SPOOF_SUSPECTED", "DEEPFAKE_SUSPECTED", "FACE_NOT_FOUND")
    score_meaning = "the passive model's probability that the selfie is bona fide (lowest over selfies)"

    def applies(self, session: Session) -> bool:
        return bool(_stills(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        t = ctx.thresholds.set("liveness_pad")
        per: list[dict[str, Any]] = []
        codes: set[str] = set()
        outcomes: list[Outcome] = []
        for cap in _stills(ctx.session):
            face = largest_face(cap.image)
            if face is None:
                per.append({"capture_id": cap.id, "decision": "undecided", "reason": "no_face_found"})
                codes.add("FACE_NOT_FOUND")
                outcomes.append(Outcome.REVIEW)
                continue
            res = default_pad().score_face(cap.image, face.box)
            decision = decide(res.score, t["attack_below"], t["bona_fide_from"])
            code = "DEEPFAKE_SUSPECTED" if res.species is Species.DEEPFAKE else "SPOOF_SUSPECTED"
            if decision != "bona_fide":
                codes.add(code)
            outcomes.append({"attack": Outcome.FAIL, "undecided": Outcome.REVIEW}.get(decision, Outcome.PASS))
            per.append({"capture_id": cap.id, "decision": decision, **res.as_dict()})
        outcome = (
            Outcome.FAIL if Outcome.FAIL in outcomes else Outcome.REVIEW if Outcome.REVIEW in outcomes else Outcome.PASS
        )
        scores = [p["score"] for p in per if "score" in p]
        return self.result(
            outcome,
            score=min(scores) if scores else None,
            reason_codes=sorted(codes),
            evidence={"captures": per, "threshold_set": f"{t.name}@{t.version}"},
        )


def frames_digest(caps: list[Capture]) -> str:
    """What binds a challenge to one response: every frame's bytes with its index, time and challenge
    (the same bytes re-labelled are another response, not the same one judged again)."""
    h = hashlib.sha256()
    for c in caps:
        md = c.metadata
        h.update(hashlib.sha256(c.data).digest())
        h.update(f"|{md.frame_index}|{md.timestamp_ms!r}|{md.challenge_id}|".encode())
    return h.hexdigest()


class LivenessActiveCheck(BaseCheck):
    name = "liveness_active"
    # 1.2.0 (stop 32): an issued challenge left unanswered fails, only a session's newest challenge counts,
    # frames bound with their metadata; 1.1.0 (stop 18): head movement on stabilised, time-averaged landmarks
    version = "1.2.0"
    timeout_s: ClassVar[float | None] = 60.0  # landmarks on a few dozen frames
    reason_codes = ("CHALLENGE_FAILED", "REPLAYED_CAPTURE")
    score_meaning = "share of colour flashes read back in the issued order, 0 when any check failed"

    def applies(self, session: Session) -> bool:
        # also without frames: a challenge issued for the session and never answered is a finding
        return bool(_frames(session)) or bool(session.captures)

    def run(self, ctx: CheckContext) -> CheckResult:
        caps = _frames(ctx.session)
        if not caps:
            if challenge_store(ctx.env).issued_for(ctx.session.id):
                # the client started the active check and sent no response: skipping the challenge
                # must not look like a flow that never asked for one
                return self.result(Outcome.FAIL, score=0.0, reason_codes=["CHALLENGE_FAILED"],
                                   evidence={"failures": ["challenge_not_answered"]})
            return self.result(Outcome.NOT_APPLICABLE, evidence={"skipped": "no challenge issued, no frames"})
        ids = {c.metadata.challenge_id for c in caps}
        if len(ids) != 1 or None in ids:
            return self.result(
                Outcome.FAIL,
                score=0.0,
                reason_codes=["CHALLENGE_FAILED"],
                evidence={"failures": ["frames_do_not_name_one_challenge"]},
            )
        cid = str(next(iter(ids)))
        try:
            ch = challenge_store(ctx.env).consume(cid, ctx.session.id, frames_digest(caps))
        except ChallengeError as exc:
            code = "REPLAYED_CAPTURE" if exc.reason == "challenge_already_used" else "CHALLENGE_FAILED"
            return self.result(Outcome.FAIL, score=0.0, reason_codes=[code], evidence={"failures": [exc.reason]})
        t = ctx.thresholds.set("liveness_active")
        params = ActiveParams.from_thresholds(t)
        frames = [
            Frame(
                c.image,
                c.metadata.frame_index or 0,
                float(c.metadata.timestamp_ms or 0.0),
                c.metadata.challenge_id,
            )
            for c in caps
        ]
        verdict = verify_response(frames, ch, params)
        evidence = {
            **verdict.evidence,
            "failures": verdict.failures,
            "threshold_set": f"{t.name}@{t.version}",
        }
        if verdict.ok:
            result = self.result(Outcome.PASS, score=verdict.score, evidence=evidence)
        else:
            result = self.result(
                Outcome.FAIL, score=verdict.score, reason_codes=["CHALLENGE_FAILED"], evidence=evidence
            )
        # the face measured in each frame, for face_same_subject (frames in the verifier's order)
        ordered = sorted(caps, key=lambda c: c.metadata.frame_index or 0)
        result.artifacts[SUBJECT_BOXES] = {
            c.id: box for c, box in zip(ordered, verdict.subject_boxes, strict=False) if box is not None
        }
        return result


class LivenessIntegrityCheck(BaseCheck):
    name = "liveness_integrity"
    version = "1.0.0"
    reason_codes = ("INJECTION_SUSPECTED",)
    score_meaning = "1 with no integrity finding, 0.5 with weak findings only, 0 with a strong finding"

    def applies(self, session: Session) -> bool:
        return bool(_stills(session) or _frames(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        t = ctx.thresholds.set("liveness_integrity")
        stills, frames = _stills(ctx.session), _frames(ctx.session)
        found = integrity.IntegrityFindings()
        integrity.metadata_findings([*stills, *frames], ctx.session, found)
        integrity.telemetry_findings(ctx.session, found)
        integrity.pixel_findings(
            [c.image for c in stills],
            [c.image for c in frames],
            t["min_noise_sigma"],
            t["max_static_share"],
            found,
        )
        evidence = {
            "strong": sorted(set(found.strong)),
            "weak": sorted(set(found.weak)),
            **found.details,
            "threshold_set": f"{t.name}@{t.version}",
        }
        if found.strong:
            return self.result(Outcome.FAIL, score=0.0, reason_codes=["INJECTION_SUSPECTED"], evidence=evidence)
        if found.weak:
            return self.result(Outcome.REVIEW, score=0.5, reason_codes=["INJECTION_SUSPECTED"], evidence=evidence)
        return self.result(Outcome.PASS, score=1.0, evidence=evidence)


def session_hashes(session: Session, max_frames: int = 3, mirrored: bool = False) -> list[replay.Hashes]:
    """Hashes of the selfies and of up to `max_frames` evenly spaced frames (of their mirror
    images with `mirrored`: what a replay flipped left to right would match)."""
    frames = _frames(session)
    step = max(1, len(frames) // max_frames) if frames else 1
    picked = [*_stills(session), *frames[::step][:max_frames]]
    return [replay.image_hashes(c.image[:, ::-1] if mirrored else c.image) for c in picked]


class LivenessReplayCheck(BaseCheck):
    name = "liveness_replay"
    version = "1.1.0"  # 1.1.0 (stop 32): mirror images looked up too
    reason_codes = ("REPLAYED_CAPTURE",)
    score_meaning = "1 when no earlier session holds a near-duplicate capture, else 0"

    def applies(self, session: Session) -> bool:
        return bool(_stills(session) or _frames(session))

    def run(self, ctx: CheckContext) -> CheckResult:
        if ctx.env.signals is None:
            return self.result(
                Outcome.NOT_APPLICABLE,
                evidence={"reason": "no signal store: running without a database, no history"},
            )
        t = ctx.thresholds.set("liveness_replay")
        matches = replay.find_replays(
            ctx.env.signals,
            # a mirrored replay hashes nothing like its original (pHash distance 28 measured), and a
            # mirrored head turn even answers the opposite action: look the mirror images up too
            session_hashes(ctx.session) + session_hashes(ctx.session, mirrored=True),
            ctx.session.id,
            int(t["max_phash_distance"]),
            int(t["max_dhash_distance"]),
        )
        evidence: dict[str, Any] = {
            "matches": [m.__dict__ for m in matches[:5]],
            "threshold_set": f"{t.name}@{t.version}",
        }
        if matches:
            return self.result(Outcome.FAIL, score=0.0, reason_codes=["REPLAYED_CAPTURE"], evidence=evidence)
        return self.result(Outcome.PASS, score=1.0, evidence=evidence)
