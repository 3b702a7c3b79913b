"""The HTML report, rendered and checked in a real headless Chromium.

The page carries a tiny inline script that, on ``load``, counts the figure SVGs that laid out with a
non-zero size, parses the embedded JSON result and sets ``data-report-rendered="ok"`` on ``<html>``.
Chromium dumps the DOM after that script ran and takes a screenshot, which must not be blank.
"""

from __future__ import annotations

import json
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


@pytest.mark.skipif(
    not CHROMIUM.exists() or shutil.which(str(CHROMIUM)) is None, reason="needs Chromium at /usr/bin/chromium"
)
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    from PIL import Image

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
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [
            *chromium_flags(tmp_path / "profile"),
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
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
    assert data["apcer_max"]["value"] == result.to_dict()["apcer_max"]["value"]
    assert "pad-net" in dom and "age_band" in dom and "BPCER" in dom
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=np.float64)
    assert pixels.shape == (2000, 1280)
    assert (pixels < 200).mean() > 0.02 and pixels.std() > 10  # text, tables and curves, not a blank page
