from __future__ import annotations

import numpy as np

from openidv.face.corpus import STATUS_NO_FACE, STATUS_OK, STATUS_UNREADABLE, embed_corpus, lfw_images
from openidv.imaging.decode import encode_jpeg


def test_cache_is_per_image_and_reused_across_lists(tmp_path, hopper):
    root = tmp_path / "faces"
    (root / "A").mkdir(parents=True)
    (root / "A" / "A_0001.jpg").write_bytes(encode_jpeg(hopper))
    (root / "A" / "A_0002.jpg").write_bytes(b"garbage")
    (root / "A" / "A_0003.jpg").write_bytes(encode_jpeg(np.full((100, 100, 3), 90, np.uint8)))
    cache = tmp_path / "cache"
    paths = lfw_images(root)
    first = embed_corpus(root, paths, cache, shard_size=2)
    assert list(first.status) == [STATUS_OK, STATUS_UNREADABLE, STATUS_NO_FACE]
    assert len(list(cache.glob("shard_*.npz"))) == 2
    # Another list, other order, one image already cached: nothing is recomputed, nothing overwritten.
    calls = []
    again = embed_corpus(root, paths[::-1], cache, progress=lambda *a: calls.append(a))
    assert calls == []
    assert np.array_equal(again.raw[2], first.raw[0])
    assert again.embeddings("flip").shape == (3, 128)
    # Other settings never read these shards.
    other = embed_corpus(root, paths[:1], cache, upsample=0)
    assert other.status[0] == STATUS_OK
    assert len(list(cache.glob("shard_*.npz"))) == 3
