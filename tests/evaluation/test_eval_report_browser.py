"""The HTML report, rendered and checked in a real headless Chromium.

Two reports are checked: one rendered here from synthetic presentation-attack scores, and any real
report named by ``OPENIDV_REPORT_UNDER_TEST`` (e.g. the LFW face-comparison report written by
``openidv eval run --kind verification --html ...``; see docs/evaluation.md). The screenshot of
the real one is kept next to it (``<report>.png``).

The page carries a tiny inline script that, on ``load``, counts the figure SVGs that laid out with a
non-zero size, parses the embedded JSON result and sets ``data-report-rendered="ok"`` on ``<html>``.
Chromium dumps the DOM after that script ran and takes a screenshot, which must not be blank.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from openidv.evaluation import BootstrapConfig, evaluate, render_html, score_set_from_frame
from openidv.evaluation.synthetic import presentation_frame

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser


def chromium_flags(profile: Path) -> list[str]:
    return [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
    ]


NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None, reason="needs Chromium at /usr/bin/chromium"
)


def render_in_chromium(page: Path, shot: Path, profile: Path) -> tuple[str, dict, np.ndarray]:
    """Load ``page`` in headless Chromium; return the DOM after scripts ran, the embedded result and
    the screenshot as grey levels, after checking that the page says it rendered its figures."""
    from PIL import Image

    proc = subprocess.run(
        [
            *chromium_flags(profile),
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    dom = proc.stdout
    assert proc.returncode == 0, proc.stderr[-2000:]
    html_tag = re.search(r"<html[^>]*>", dom)
    assert html_tag is not None
    assert 'data-report-rendered="ok"' in html_tag.group(0), html_tag.group(0)
    assert 'data-figures="2"' in html_tag.group(0)  # DET + score histograms, both laid out
    embedded = re.search(r'<script type="application/json" id="openidv-result">(.*?)</script>', dom, re.S)
    assert embedded is not None
    data = json.loads(embedded.group(1).replace("<\\/", "</"))
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=np.float64)
    assert pixels.shape == (2000, 1280)
    assert (pixels < 200).mean() > 0.02 and pixels.std() > 10  # text, tables and curves, not a blank page
    return dom, data, pixels


@NEEDS_CHROMIUM
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    scores = score_set_from_frame(presentation_frame(80, 4, 6, seed=9), "pad")
    result = evaluate(
        scores,
        "pad",
        config=BootstrapConfig(n_boot=50),
        slice_by=["age_band"],
        model={"name": "pad-net", "version": "0.3"},
    )
    page = tmp_path / "report.html"
    page.write_text(render_html(result.to_dict()), encoding="utf-8")
    dom, data, _ = render_in_chromium(page, tmp_path / "report.png", tmp_path / "profile")
    assert data["apcer_max"]["value"] == result.to_dict()["apcer_max"]["value"]
    assert "pad-net" in dom and "age_band" in dom and "BPCER" in dom


REAL_REPORT = os.environ.get("OPENIDV_REPORT_UNDER_TEST")


@NEEDS_CHROMIUM
@pytest.mark.skipif(not REAL_REPORT, reason="set OPENIDV_REPORT_UNDER_TEST to a report written from real scores")
def test_real_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = Path(str(REAL_REPORT))
    _, data, _ = render_in_chromium(page, page.with_suffix(".png"), tmp_path / "profile")
    assert data.get("kind") in {"verification", "pad", "classifier"}
    assert data.get("manifest"), "a report from a score file names the exact data it measured"
