"""Read the MRZ of a document photo from Python, and generate a synthetic one to try it on.

    .venv/bin/python examples/documents_read_mrz.py [IMAGE]

Without an argument a synthetic passport photo (held-out template, glare) is generated first.
The command-line equivalent is `openidv mrz IMAGE`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from openidv.documents.mrz.reader import read_image
from openidv.imaging.decode import decode_image


def main() -> None:
    if len(sys.argv) > 1:
        rgb = decode_image(Path(sys.argv[1]).read_bytes()).rgb
        truth = None
    else:
        from openidv.documents.synth.dataset import make_sample

        sample = make_sample("TD3", "test", seed=42, condition="glare")
        rgb, truth = sample.image, sample.doc.mrz_lines
    reading = read_image(rgb)
    print(json.dumps(reading.to_dict(), indent=2, ensure_ascii=False))
    if truth is not None:
        print("matches the printed MRZ:", bool(reading.result and reading.result.lines == truth))


if __name__ == "__main__":
    main()
