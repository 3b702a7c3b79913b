"""A scripted OpenIDV client: create a session, upload captures, submit, print the decision.

    python examples/client.py [--base-url http://127.0.0.1:8000] [--key KEY | --keys-file var/demo-keys.json]
                              [--document doc.jpg] [--selfie selfie.jpg]

Without image files it draws synthetic ones, so it runs against `make run` out of the box.
Only `httpx` is needed on the client side (plus numpy/opencv for the drawn images).
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path

import httpx


def drawn_images() -> dict[str, bytes]:
    import numpy as np

    from openidv.demo import synthetic as syn
    from openidv.imaging.decode import encode_jpeg

    rng = np.random.default_rng()
    face = syn.draw_face(rng, 640)
    card = syn.draw_id_card(rng, syn.CardText("DOE", "JANE", "X1234567", "1990-01-01", "2031-01-01", "UTO"), face=face)
    return {
        "document_front": encode_jpeg(syn.place_on_background(rng, card)),
        "selfie": encode_jpeg(syn.draw_face(rng, 720)),
    }


def verify(base_url: str, key: str, images: dict[str, bytes]) -> dict[str, object]:
    with httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=60) as c:
        r = c.post(
            "/v1/sessions",
            json={"flow": "signup", "country": "GB", "applicant": {"surname": "DOE", "given_names": "JANE"}},
        )
        r.raise_for_status()
        sid = r.json()["id"]
        for kind, data in images.items():
            c.post(
                f"/v1/sessions/{sid}/captures", files={"file": (f"{kind}.jpg", data)}, data={"kind": kind}
            ).raise_for_status()
        r = c.post(f"/v1/sessions/{sid}/submit", headers={"Idempotency-Key": uuid.uuid4().hex})
        r.raise_for_status()
        decision: dict[str, object] = r.json()
        return decision


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base-url", default="http://127.0.0.1:8000")
    ap.add_argument("--key")
    ap.add_argument("--keys-file", type=Path, default=Path("var/demo-keys.json"))
    ap.add_argument("--document", type=Path)
    ap.add_argument("--selfie", type=Path)
    args = ap.parse_args()
    key = args.key or json.loads(args.keys_file.read_text())["client"]
    images = drawn_images()
    if args.document:
        images["document_front"] = args.document.read_bytes()
    if args.selfie:
        images["selfie"] = args.selfie.read_bytes()
    d = verify(args.base_url, key, images)
    print(
        json.dumps(
            {
                "decision": d["decision"],
                "user_reasons": d["user_reasons"],
                "internal_reasons": d["internal_reasons"],
                "policy_version": d["policy_version"],
                "checks": [
                    {k: c[k] for k in ("check", "outcome", "score", "reason_codes", "latency_ms")} for c in d["checks"]
                ],
            },
            indent=2,
        )
    )  # type: ignore[union-attr,index]
    return 0


if __name__ == "__main__":
    sys.exit(main())
