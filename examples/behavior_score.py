"""Score telemetry files against a running OpenIDV service (POST /v1/behavior/score).

    OPENIDV_URL=http://127.0.0.1:8000 OPENIDV_API_KEY=... python examples/behavior_score.py t1.json [t2.json ...]

Make telemetry from a mouse recording with ``openidv behavior import-mouse-csv FILE --out DIR`` or
collect it with ``examples/behavior_capture.html``.
"""

from __future__ import annotations

import json
import os
import sys

import httpx


def main(paths: list[str]) -> int:
    url = os.environ.get("OPENIDV_URL", "http://127.0.0.1:8000").rstrip("/") + "/v1/behavior/score"
    headers = {"X-API-Key": os.environ["OPENIDV_API_KEY"]}
    with httpx.Client(timeout=10.0) as client:
        for path in paths:
            with open(path, encoding="utf-8") as fh:
                r = client.post(url, json=json.load(fh), headers=headers)
            body = r.json()
            print(json.dumps({"file": path, "status": r.status_code, **{k: body.get(k) for k in (
                "bot_score", "anomaly_score", "decision", "reason_codes")}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
