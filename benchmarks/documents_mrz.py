"""MRZ reading benchmark: our reader vs PassportEye on the same images; accuracy and time.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/documents_mrz.py --n 2000 --json var/bench/mrz.json

Images: `--n` generated captures of TD1 (back), TD2 and TD3 documents from held-out templates and
held-out capture conditions (glare, low light, low resolution; see openidv.documents.synth),
cached under `--cache`; plus the ICAO specimen photos in ../shared/data/documents-dev when present.
Acceptance measure: share of MRZ lines read exactly. Latency is the reader alone (decoded image
in, result out), as wall time and as CPU time (user + system of the process and its children, so
PassportEye's Tesseract subprocess counts); with OMP_NUM_THREADS=1 both readers use one core, and
OpenCV's own thread pool, which that variable does not reach, is set to one thread (`--cv-threads`;
before stop 42 it was not, and the process CPU time counted its workers on the second core).
PassportEye (Tesseract) runs on the same images when installed (`pip install passporteye`), on
the first `--passporteye-n` of them (it is slow), next to ours on that same subset.
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents_common import emit, generated, latency, mrz_check_code, peak_rss_mb, rate

SPECIMENS = {
    "passport-td3": ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"],
    "passport-td2": ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"],
}


def cpu_s() -> float:
    """User + system CPU of this process and its children (PassportEye runs Tesseract as a child)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def ours(path: Path) -> tuple[list[str], float, dict[str, Any]]:
    from openidv.documents.mrz.reader import read_image
    from openidv.imaging.decode import decode_image

    rgb = decode_image(path.read_bytes()).rgb
    t, c = time.perf_counter(), cpu_s()
    r = read_image(rgb)
    ms, cpu = (time.perf_counter() - t) * 1000, (cpu_s() - c) * 1000
    lines = r.result.lines if r.result else []
    return lines, ms, {"status": r.status, "valid": bool(r.result and r.result.valid), "cpu_ms": cpu,
                       "check_code": mrz_check_code(r)}


def passporteye(path: Path) -> tuple[list[str], float, dict[str, Any]] | None:
    try:
        from passporteye import read_mrz
    except ImportError:
        return None
    data = path.read_bytes()
    t, c = time.perf_counter(), cpu_s()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = read_mrz(io.BytesIO(data))
    ms, cpu = (time.perf_counter() - t) * 1000, (cpu_s() - c) * 1000
    if m is None:
        return [], ms, {"status": "not_found", "valid": False, "cpu_ms": cpu}
    text = str(m.aux.get("text", ""))
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    return lines, ms, {"status": "ok", "valid": bool(m.valid), "cpu_ms": cpu}


def score(truth: list[str], got: list[str]) -> tuple[int, int]:
    exact = sum(1 for i, ln in enumerate(truth) if i < len(got) and got[i] == ln)
    return exact, len(truth)


def run(items: list[tuple[Path, list[str], str]], reader: Any, limit: int | None = None) -> dict[str, Any]:
    lines_ok = lines_n = docs_ok = valid = 0
    times: list[float] = []
    cpu: list[float] = []
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    codes: dict[str, dict[str, int]] = {"exact": defaultdict(int), "inexact_valid": defaultdict(int)}
    failures = []
    for path, truth, group in items[:limit]:
        got = reader(path)
        if got is None:
            return {"available": False}
        lines, ms, info = got
        ok, n = score(truth, lines)
        lines_ok, lines_n = lines_ok + ok, lines_n + n
        docs_ok += ok == n
        valid += info["valid"]
        if "check_code" in info and (ok == n or info["valid"]):
            # what the document_mrz check raises on correct readings (a new photo asked for needlessly)
            # and on wrong ones that claim validity (None: the wrong reading passes)
            codes["exact" if ok == n else "inexact_valid"][str(info["check_code"])] += 1
        per[group][0] += ok
        per[group][1] += n
        times.append(ms)
        cpu.append(info["cpu_ms"])
        if ok < n and len(failures) < 25:
            failures.append({"file": path.name, "truth": truth, "read": lines, "status": info["status"]})
    return {"available": True, "images": len(times), "lines_exact": rate(lines_ok, lines_n),
            "documents_exact": rate(docs_ok, len(times)), "valid": rate(valid, len(times)),
            "check_codes": {k: dict(v) for k, v in codes.items()},
            "by_group": {g: rate(k, n) for g, (k, n) in sorted(per.items())}, "latency_wall": latency(times),
            "latency_cpu": latency(cpu), "failures": failures}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=500000)
    ap.add_argument("--cache", type=Path, default=Path("var/bench/mrz-captures"))
    ap.add_argument("--specimens", type=Path, default=Path("../shared/data/documents-dev"))
    ap.add_argument("--passporteye-n", type=int, default=200)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--cv-threads", type=int, default=1, help="OpenCV worker threads (0: OpenCV's default)")
    args = ap.parse_args()
    if args.cv_threads:
        import cv2

        cv2.setNumThreads(args.cv_threads)
    items: list[tuple[Path, list[str], str]] = []
    for path, truth in generated(args.cache, ["TD1", "TD2", "TD3"], args.n, "test", args.seed):
        items.append((path, truth["mrz_lines"], f"{truth['kind']}/{truth['condition']}"))
    specimens = []
    for stem, lines in SPECIMENS.items():
        for ext in ("jpg", "png"):
            p = args.specimens / f"{stem}.{ext}"
            if p.is_file():
                specimens.append((p, lines, "icao-specimen"))
    report: dict[str, Any] = {"generated": {"ours": run(items, ours)}, "peak_rss_mb": 0.0}
    if specimens:
        report["specimens"] = {"ours": run(specimens, ours), "passporteye": run(specimens, passporteye)}
        report["specimens"]["ours"]["detail"] = [
            {"file": p.name, "read": ours(p)[0], "exact": ours(p)[0] == t} for p, t, _ in specimens]
    report["generated"]["passporteye"] = run(items, passporteye, args.passporteye_n)
    report["generated"]["ours_same_subset"] = run(items, ours, args.passporteye_n)
    report["peak_rss_mb"] = peak_rss_mb()
    report["cv_threads"] = args.cv_threads or "default"
    emit(report, args.json)


if __name__ == "__main__":
    main()
