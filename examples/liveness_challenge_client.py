"""A scripted client for the active-liveness flow against a running OpenIDV service.

    openidv serve &                       # with OPENIDV_BOOTSTRAP_ADMIN_KEY or a client key
    python examples/liveness_challenge_client.py --url http://127.0.0.1:8000 --key KEY face.jpg

It creates a session, asks for a challenge, renders the response a phone would capture (the
simulator lights the face with the issued colours and turns the head; a real client shows the
colours full-screen and streams camera frames instead), uploads the frames and submits.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta

import httpx
import numpy as np
from PIL import Image


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("image", help="a photo of a face (the simulated applicant)")
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument("--key", required=True, help="API key with the client scope")
    args = ap.parse_args()

    from openidv.face.detection import detect_faces
    from openidv.imaging.decode import encode_jpeg
    from openidv.liveness import simulator
    from openidv.liveness.challenge import Challenge
    from openidv.liveness.redteam.common import FaceRef

    rgb = np.asarray(Image.open(args.image).convert("RGB"))
    det = detect_faces(rgb)[0]
    ref = FaceRef(rgb, tuple(float(v) for v in det.box), det.landmarks5)  # type: ignore[arg-type]
    h = {"X-API-Key": args.key}
    with httpx.Client(base_url=args.url, headers=h, timeout=60) as client:
        sid = client.post("/v1/sessions", json={"flow": "signup"}).raise_for_status().json()["id"]
        issued = client.post("/v1/liveness/challenges", json={"session_id": sid}).raise_for_status().json()
        print("challenge:", issued["action"], [c["name"] for c in issued["colours"]])
        now = datetime.now(UTC)
        ch = Challenge(
            issued["challenge_id"],
            sid,
            issued["action"],
            tuple(c["name"] for c in issued["colours"]),
            now,
            now + timedelta(minutes=2),
            issued["baseline_ms"],
            issued["flash_ms"],
            issued["action_ms"],
        )
        for f in simulator.genuine(ref, ch, np.random.default_rng()):
            meta = {
                "source": "camera",
                "frame_index": f.frame_index,
                "timestamp_ms": f.timestamp_ms,
                "challenge_id": f.challenge_id,
            }
            client.post(
                f"/v1/sessions/{sid}/captures",
                files={"file": ("f.jpg", encode_jpeg(f.rgb))},
                data={"kind": "frame", "metadata": json.dumps(meta)},
            ).raise_for_status()
        decision = client.post(f"/v1/sessions/{sid}/submit", headers={"Idempotency-Key": sid}).json()
        for check in decision.get("checks", []):
            if check["check"].startswith("liveness"):
                print(check["check"], check["outcome"], check["reason_codes"])
        print("decision:", decision.get("decision"))


if __name__ == "__main__":
    main()
