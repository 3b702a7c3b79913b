"""The registered document checks' authenticity verdict on real document images.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_specimens_authenticity.py [DIR]

Sends each image of DIR (default ../shared/data/documents-dev, the ICAO specimen images) through
`image_usability` and every document check as one session, and prints the authenticity check's
outcome, codes, score, per-photo recapture / screen / print probabilities and capture novelty. Real genuine photos
are what the generated evaluation cannot stand in for; this shows where they fall against the
shipped thresholds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEYS = ("recapture", "screen", "print", "capture_novelty", "novelty_max")
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "documents-dev"


def main() -> None:
    from openidv.checks.base import Environment
    from openidv.checks.usability import ImageUsabilityCheck
    from openidv.config import Settings
    from openidv.documents.plugin import plugin
    from openidv.domain import Capture, CaptureKind, Session
    from openidv.imaging.decode import decode_image
    from openidv.pipeline import Pipeline
    from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not folder.is_dir():
        raise SystemExit(f"{folder} is absent (real development data is optional)")
    engine = PolicyEngine.from_file(None, ReasonCatalogue.load(), ThresholdRegistry.load())
    pipe = Pipeline([ImageUsabilityCheck(), *plugin.checks()], engine,
                    Environment(settings=Settings(pipeline_workers=2, default_check_timeout_s=120)))
    for f in sorted(folder.iterdir()):
        if f.suffix.lower() not in (".jpg", ".jpeg", ".png"):
            continue
        img = decode_image(f.read_bytes()).rgb
        cap = Capture(kind=CaptureKind.DOCUMENT_FRONT, data=b"", image=img, content_type="image/jpeg")
        r = pipe.run(Session(captures=[cap])).results["document_authenticity"]
        print(json.dumps({"file": f.name, "outcome": r.outcome.value, "codes": r.reason_codes, "score": r.score,
                          "captures": [{k: c.get(k) for k in KEYS} for c in r.evidence.get("captures", [])]}))


if __name__ == "__main__":
    main()
