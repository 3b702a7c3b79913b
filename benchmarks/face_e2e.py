"""End-to-end selfie + document-portrait verification latency, against face_recognition.compare_faces.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python benchmarks/face_e2e.py \
        --root ../shared/data/lfw-dev --pairs 200

Each LFW pair (half mated, half non-mated, seeded draw from pairs.txt) becomes one session: the
first photo as a "selfie" (upscaled to 640x640, JPEG q90, like a phone frame) and the second as a
"document portrait" (the central head-and-shoulders 160x200 crop, JPEG q75). Ours: the bytes are
decoded and the image_usability -> face_quality -> face_match checks run through the pipeline and
the decision engine (p50/p99 wall time per session, one thread). Theirs: the ``face_recognition``
package (benchmark-only; install with ``pip install --no-deps face_recognition``) on the same
bytes: load_image_file, face_encodings (its defaults: HOG upsample 1, 5-point landmarks, one
jitter), compare_faces(tolerance=0.6). ``face_recognition_models`` imports ``pkg_resources``,
absent here, so a tiny shim module providing ``resource_filename`` is installed in sys.modules.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import sys
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from openidv.face.lfw import image_path, read_pairs


def pkg_resources_shim() -> None:
    """``pkg_resources.resource_filename`` for face_recognition_models, without setuptools."""
    if "pkg_resources" in sys.modules:
        return
    mod = types.ModuleType("pkg_resources")

    def resource_filename(package: str, resource: str) -> str:
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations
        return str(Path(next(iter(spec.submodule_search_locations))) / resource)

    mod.resource_filename = resource_filename  # type: ignore[attr-defined]
    sys.modules["pkg_resources"] = mod


def _jpeg(img: Image.Image, q: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=q)
    return buf.getvalue()


def make_pair(root: Path, p: Any) -> tuple[bytes, bytes]:
    a = Image.open(image_path(root, p.name1, p.i)).convert("RGB").resize((640, 640), Image.BICUBIC)
    b = Image.open(image_path(root, p.name2, p.j)).convert("RGB")
    w, h = b.size
    b = b.crop(((w - 160) // 2, (h - 200) // 2 + 10, (w + 160) // 2, (h + 200) // 2 + 10))
    return _jpeg(a, 90), _jpeg(b, 75)


def ours(pairs: list[tuple[bytes, bytes]]) -> tuple[list[float], list[float], list[str], list[dict[str, Any]]]:
    from openidv.checks.base import Environment
    from openidv.checks.usability import ImageUsabilityCheck
    from openidv.config import Settings
    from openidv.domain import Capture, CaptureKind, Session
    from openidv.face.checks import FaceMatchCheck, FaceQualityCheck
    from openidv.face.plugin import plugin
    from openidv.imaging.decode import decode_image
    from openidv.pipeline import Pipeline
    from openidv.policy import PolicyEngine, ReasonCatalogue, ThresholdRegistry

    settings = Settings(pipeline_workers=1)
    catalogue = ReasonCatalogue.load(extra=[p for p in [plugin.reason_catalogue()] if p])
    engine = PolicyEngine.from_file(None, catalogue, ThresholdRegistry.load())
    pipe = Pipeline([ImageUsabilityCheck(), FaceQualityCheck(), FaceMatchCheck()], engine, Environment(settings))
    times, cpu, decisions, details = [], [], [], []
    for sb, pb in pairs:
        t, c = time.perf_counter(), time.process_time()
        caps = [
            Capture(CaptureKind.SELFIE, sb, decode_image(sb).rgb, "image/jpeg"),
            Capture(CaptureKind.PORTRAIT, pb, decode_image(pb).rgb, "image/jpeg"),
        ]
        d = pipe.verify(Session(captures=caps))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        decisions.append(d.decision.value)
        fm = next((c for c in d.checks if c.check == "face_match"), None)
        details.append({"face_match": fm.outcome.value if fm else None, "codes": d.reason_codes})
    pipe.close()
    return times, cpu, decisions, details


def theirs(pairs: list[tuple[bytes, bytes]]) -> tuple[list[float], list[float], list[str]]:
    pkg_resources_shim()
    import face_recognition

    times, cpu, decisions = [], [], []
    for sb, pb in pairs:
        t, c = time.perf_counter(), time.process_time()
        a = face_recognition.load_image_file(io.BytesIO(sb))
        b = face_recognition.load_image_file(io.BytesIO(pb))
        ea, eb = face_recognition.face_encodings(a), face_recognition.face_encodings(b)
        if not ea or not eb:
            decisions.append("no_face")
        else:
            decisions.append("match" if face_recognition.compare_faces([ea[0]], eb[0])[0] else "no_match")
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return times, cpu, decisions


def summary(times: list[float], cpu: list[float], mated: list[bool], accepted: list[bool]) -> dict[str, Any]:
    """Wall and process-CPU latency (CPU time is robust to a loaded machine), accept counts per class."""
    ms, cpu_ms = np.asarray(times) * 1e3, np.asarray(cpu) * 1e3
    m, acc = np.asarray(mated), np.asarray(accepted)
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "mean_ms": round(float(ms.mean()), 1),
        "cpu_p50_ms": round(float(np.percentile(cpu_ms, 50)), 1),
        "cpu_p99_ms": round(float(np.percentile(cpu_ms, 99)), 1),
        "accepted_mated": f"{int((acc & m).sum())}/{int(m.sum())}",
        "accepted_nonmated": f"{int((acc & ~m).sum())}/{int((~m).sum())}",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    allp = read_pairs(args.root / "pairs.txt")
    rng = np.random.default_rng(args.seed)
    mated = [p for p in allp if p.mated]
    non = [p for p in allp if not p.mated]
    chosen = [mated[i] for i in rng.choice(len(mated), args.pairs // 2, replace=False)]
    chosen += [non[i] for i in rng.choice(len(non), args.pairs - args.pairs // 2, replace=False)]
    data = [make_pair(args.root, p) for p in chosen]
    truth = [p.mated for p in chosen]
    ours(data[:3])  # warm-up: models load once per process
    theirs(data[:3])
    load = os.getloadavg()[0]
    t_ours, c_ours, d_ours, details = ours(data)
    t_theirs, c_theirs, d_theirs = theirs(data)
    ours_acc = [d == "approve" for d in d_ours]
    theirs_acc = [d == "match" for d in d_theirs]
    report = {
        "sessions": len(data),
        "load_avg_1m": [round(load, 2), round(os.getloadavg()[0], 2)],
        "ours": summary(t_ours, c_ours, truth, ours_acc) | {"decisions": _count(d_ours)},
        "face_recognition": summary(t_theirs, c_theirs, truth, theirs_acc) | {"decisions": _count(d_theirs)},
        "decision_agreement": float(np.mean(np.array(ours_acc) == np.array(theirs_acc))),
        "ours_face_match_outcomes": _count([x["face_match"] or "none" for x in details]),
        "ours_reason_codes": _count([c for x in details for c in x["codes"]]),
    }
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


def _count(xs: list[str]) -> dict[str, int]:
    return {k: xs.count(k) for k in sorted(set(xs))}


if __name__ == "__main__":
    main()
