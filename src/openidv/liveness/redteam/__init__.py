"""The red team: a seeded, parameterised generator of labelled presentation attacks.

Every sample, bona fide or attack, leaves through the same simulated camera
(:mod:`.camera`: resampling, optics, sensor noise, colour jitter, JPEG), so the only thing that
separates the classes is the attack instrument itself (halftone, pixel grid, edges, blend seams),
never a fingerprint of the generator. See ``docs/liveness.md``.
"""

from openidv.liveness.redteam.common import FaceRef, Generated
from openidv.liveness.redteam.generate import generate, generate_bona_fide, generate_self_blend

__all__ = ["FaceRef", "Generated", "generate", "generate_bona_fide", "generate_self_blend"]
