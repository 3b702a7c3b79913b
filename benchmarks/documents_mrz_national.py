"""MRZ reading of documents in a national layout: France's 1988-2021 identity card (FRA-ID).

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_mrz_national.py --n 300 \\
        --json var/bench/mrz_fra_id.json

Its 2 x 36 block looks like TD2 but is not: another field layout and other check digits
(mrz/formats.FRA_ID). `--n` generated captures of held-out TD2 templates with an FRA-ID MRZ
(synth/national.py) under held-out capture conditions (glare, low light, low resolution), cached
under `--cache`; with `--control` the same seeds with their ICAO TD2 MRZ, read in the same run
(does trying the national layout cost the ICAO one anything?). Prints lines exact, documents
exact, valid, the layout reported, what the ``document_mrz`` check raises, and time per image.
`--tampered N`: the first N seeds again with one birth-date digit of the MRZ changed (the
``mrz_tampering`` family); those whose forger left the check digits as printed must not be read
``valid``: how many are, and what the check raises on them (MRZ_CHECKSUM: review; MRZ_UNREADABLE:
a new photo, when the weakest character a failing check digit covers is below ``misread_below``).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import emit, generated
from documents_mrz import ours, run


def layouts(items: list[tuple[Path, list[str], str]]) -> dict[str, int]:
    """How often each layout was reported (none: no reading)."""
    from openidv.documents.mrz.reader import read_image
    from openidv.imaging.decode import decode_image

    out: Counter[str] = Counter()
    for path, _, _ in items:
        r = read_image(decode_image(path.read_bytes()).rgb)
        out[r.result.format if r.result is not None else "none"] += 1
    return dict(out)


def tampered(n: int, seed: int) -> dict[str, Any]:
    """Altered FRA-ID MRZs whose check digits were left as printed: how each is read and judged."""
    from documents_common import mrz_check_code, rate

    from openidv.documents.mrz.reader import read_image
    from openidv.documents.synth.dataset import make_sample

    codes: Counter[str] = Counter()
    valid = layout = total = 0
    for i in range(n):
        s = make_sample("TD2", "test", seed + i, forgery="mrz_tampering", mrz_layout="FRA-ID")
        if s.doc.forgery_detail.get("check_digits_fixed"):
            continue  # a careful forger: the check digits cannot tell (the visual-zone cross-checks may)
        r = read_image(s.image)
        total += 1
        valid += bool(r.result is not None and r.result.valid)
        layout += bool(r.result is not None and r.result.format == "FRA-ID")
        codes[str(mrz_check_code(r))] += 1
    return {"altered_as_printed": total, "read_valid": rate(valid, total), "layout_fra_id": layout,
            "check_codes": dict(codes)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=560000)
    ap.add_argument("--cache", type=Path, default=Path("var/bench/mrz-national-captures"))
    ap.add_argument("--control", action="store_true", help="also read the same seeds with their ICAO TD2 MRZ")
    ap.add_argument("--tampered", type=int, default=0, help="seeds drawn again with the MRZ altered")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    report: dict[str, Any] = {"n": args.n, "seed": args.seed}
    sets = [("FRA-ID", "FRA-ID")] + ([("TD2", None)] if args.control else [])
    for name, layout in sets:
        items = [(p, t["mrz_lines"], f"{name}/{t['condition']}")
                 for p, t in generated(args.cache, ["TD2"], args.n, "test", args.seed, mrz_layout=layout)]
        res = run(items, ours)
        res.pop("failures", None)
        res["layouts"] = layouts(items)
        report[name] = res
    if args.tampered:
        report["FRA-ID tampered"] = tampered(args.tampered, args.seed)
    emit(report, args.json)


if __name__ == "__main__":
    main()
