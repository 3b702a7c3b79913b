from __future__ import annotations

import numpy as np
import pytest

from openidv.face import dlib_models
from openidv.face.alignment import align_face, to_dlib_shape
from openidv.face.detection import detect_faces
from openidv.face.embedding import DlibResNetEmbedder, Embedder, default_embedder, similarity


@pytest.fixture(scope="module")
def chip(hopper):
    return align_face(hopper, detect_faces(hopper)[0])


def test_numpy_resnet_reproduces_dlib(hopper, chip):
    ours = DlibResNetEmbedder(tta="none").raw(chip[None])[0]
    net = dlib_models.RESNET.get()
    theirs = np.array(net.compute_face_descriptor(hopper, to_dlib_shape(detect_faces(hopper)[0])))
    assert np.abs(ours - theirs).max() < 1e-4


def test_embeddings_are_batched_and_flip_invariant(chip):
    emb = default_embedder()
    assert isinstance(emb, Embedder)
    assert emb.metric == "euclidean"
    batch = np.stack([chip, chip[:, ::-1], chip])
    out = emb.embed(batch)
    assert out.shape == (3, 128)
    assert out.dtype == np.float32
    assert np.allclose(out[0], out[2], atol=1e-6)
    plain = DlibResNetEmbedder(tta="none").embed(chip)
    assert np.allclose(out[0], (plain[0] + DlibResNetEmbedder(tta="none").embed(chip[:, ::-1])[0]) / 2, atol=1e-5)
    # Flip augmentation makes the embedding mirror-invariant.
    assert np.allclose(out[0], out[1], atol=1e-5)
    single = emb.embed(chip)
    assert np.allclose(single[0], out[0], atol=1e-5)


def test_same_face_resampled_is_close(hopper):
    emb = default_embedder()
    small = hopper[::2, ::2].copy()
    a = emb.embed(align_face(hopper, detect_faces(hopper)[0]))
    b = emb.embed(align_face(small, detect_faces(small)[0]))
    assert similarity(a, b, "euclidean")[0] > 0.7  # distance < 0.3, far below dlib's 0.6
    assert similarity(a, b, "cosine")[0] > 0.95


def test_wrong_chip_shape_is_refused():
    with pytest.raises(ValueError, match="chips"):
        default_embedder().embed(np.zeros((2, 112, 112, 3), np.uint8))
    with pytest.raises(ValueError, match="augmentation"):
        DlibResNetEmbedder(tta="jitter")  # type: ignore[arg-type]
