"""MRZ reading when an end of the zone is hidden: a thumb or white glare over it, on generated pages.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_mrz_hidden_end.py --n 60 \\
        --json var/bench/mrz_hidden_end.json

For each of `--n` documents (TD1, TD2, TD3 in turn, held-out templates, seeds from `--seed`) the
flat MRZ page is scaled to 1,000 px and read unhidden and under each of `photo_stress.occlusions()`
(a thumb over the right or left end of the zone reaching 12-30% into the page, white glare at
either end), JPEG 90 after. A hidden MRZ cannot be read right; what matters is that it is not read
wrong. Counted per transform and in all: lines exact, the code the ``document_mrz`` check raises
(MRZ_UNREADABLE / MRZ_NOT_FOUND: a new photo; MRZ_CHECKSUM: review as printed wrong, a fraud
signal; none: passed), and wrong readings that pass (the worst outcome). TD3s whose optional-data
field is empty are also counted apart: their first 36 characters make a TD2 whose check digits all
hold. The real ICAO specimens under the same occlusions: ``documents_mrz_robustness.py --occluded``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import emit, mrz_check_code, rate

KINDS = ("TD1", "TD2", "TD3")


def main() -> None:
    from openidv.documents.mrz.reader import read_image
    from openidv.documents.synth import photo_stress as ps
    from openidv.documents.synth.document import make_document
    from openidv.documents.synth.templates import templates

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--seed", type=int, default=44000)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    cases = [("unhidden", lambda im: im), *ps.occlusions()]
    tally: dict[str, Counter[str]] = {name: Counter() for name, _ in cases}
    empty_td3: Counter[str] = Counter()
    for i in range(args.n):
        kind = KINDS[i % 3]
        pool = templates(kind, "test")
        doc = make_document(pool[i // 3 % len(pool)], args.seed + i, None, 10.0, today=date(2026, 12, 3))
        side = doc.mrz_side
        assert side is not None
        page = ps.scale(side.image, 1000)
        empty = kind == "TD3" and not doc.mrz_lines[1][28:42].strip("<")
        for name, fn in cases:
            reading = read_image(np.ascontiguousarray(ps.jpeg(fn(page), 90)))
            exact = reading.result is not None and reading.result.lines == doc.mrz_lines
            code = mrz_check_code(reading)
            outcome = ("exact, passed" if exact and code is None else f"exact, {code}" if exact
                       else "wrong, passed" if code is None else f"wrong, {code}")
            tally[name][outcome] += 1
            if empty and name != "unhidden":
                empty_td3[outcome] += 1
    hidden: Counter[str] = Counter()
    for name, c in tally.items():
        if name != "unhidden":
            hidden.update(c)
    n_hidden = sum(hidden.values())
    report: dict[str, Any] = {
        "documents": args.n, "seed": args.seed, "per_transform": {k: dict(v) for k, v in tally.items()},
        "hidden_all": dict(hidden), "hidden_td3_empty_optional_data": dict(empty_td3),
        "hidden_wrong_passed": rate(hidden["wrong, passed"], n_hidden),
        "hidden_mrz_checksum": rate(sum(v for k, v in hidden.items() if k.endswith("MRZ_CHECKSUM")), n_hidden),
        "unhidden_exact_passed": rate(tally["unhidden"]["exact, passed"], args.n),
    }
    emit(report, args.json)


if __name__ == "__main__":
    main()
