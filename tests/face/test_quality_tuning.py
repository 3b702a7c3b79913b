"""Smoke run of the face-quality tuning steps (openidv.face.training.quality) on a tiny LFW-layout folder.

The real run tunes on LFW identity half 0 (``../shared/data/lfw-dev``); here a few copies of one
photo stand in, enough to prove the steps run end to end and return values from their grids.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from openidv.face.training import quality as tool
from openidv.face.training.lfw_data import LfwCorpus
from openidv.policy.thresholds import ThresholdRegistry


@pytest.fixture(scope="module")
def tiny_lfw(hopper, tmp_path_factory):
    root = tmp_path_factory.mktemp("lfw")
    small = cv2.resize(hopper, (250, 293), interpolation=cv2.INTER_AREA)
    for i, name in enumerate(("Ada_One", "Bea_Two", "Cy_Three")):
        (root / name).mkdir()
        for j in range(2):
            img = np.roll(small, (4 * i - 4, 3 * j - 2), axis=(0, 1))
            img = img[:, ::-1] if (i + j) % 2 else img
            bgr = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2BGR)
            cv2.imwrite(str(root / name / f"{name}_{j + 1:04d}.jpg"), bgr)
    return LfwCorpus.load(root, tmp_path_factory.mktemp("cache"))


def test_faceless_floor_is_a_margin_of_the_half_detectors(tiny_lfw):
    idx = tiny_lfw.indices()
    assert len(idx) == 6
    floor, stats = tool.partial_margin_limit(tiny_lfw, idx, seed=1)
    assert -1.0 <= floor <= 5.0
    assert stats["faceless_photos"] <= 6


def test_hidden_subject_ratio_comes_from_its_grid(tiny_lfw):
    values = dict(ThresholdRegistry.load().get("face_quality").values)
    ratio, stats = tool.hidden_ratio_limit(tiny_lfw, tiny_lfw.indices()[:2], values, seed=1)
    assert ratio in tool.HIDDEN_GRID
    assert stats["examined_faces"] >= 0


def test_hidden_network_threshold_comes_from_its_grid(tiny_lfw):
    values = dict(ThresholdRegistry.load().get("face_quality").values)
    idx = tiny_lfw.indices()
    prob, stats = tool.hidden_prob_limit(tiny_lfw, idx[:1], idx[1:3], values, seed=1)
    assert prob in (*tool.PROB_GRID, 1.0)
    assert stats["tuning_images"] == len(tool.HIDDEN_KINDS)
    assert stats["faceless_images"] == 2
