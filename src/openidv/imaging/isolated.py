"""Decode an image in a child process, for formats whose C decoders are not hardened enough to
meet untrusted bytes inside the service process.

HEIF pictures are decoded by libheif and libde265. A fuzz run of a few hundred mutated phone photos
(`tests/imaging/test_decode.py`) crashed the decoding process with a segmentation fault; in the
service that would take every request of the worker with it. Here each HEIF is decoded by a fresh
child forked from a small fork server that has already imported the decoder, so a crash, a hang
or a runaway allocation (address space capped at :data:`MEMORY_LIMIT`) ends that child only and the
upload gets ``image_corrupt``. Cost: a fork
and a pipe transfer of the pixels (tens of milliseconds for a 12-megapixel photo), HEIF only.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

import numpy as np

from openidv import errors

if TYPE_CHECKING:
    from openidv.imaging.decode import DecodedImage

TIMEOUT_S = 20.0  # a 40-megapixel HEIF decodes in about a second; longer means a decoder stuck
MEMORY_LIMIT = 3 << 30  # address space of a decoding child: a 40-megapixel HEIF needs well under 1 GiB
MAX_CHILDREN = 2  # decoding children at once; further HEIF uploads wait their turn
_lock = threading.Lock()
_slots = threading.BoundedSemaphore(MAX_CHILDREN)
_ctx: Any = None


def _context() -> Any:
    """The fork-server context, created on first use (nothing starts at import)."""
    global _ctx
    with _lock:
        if _ctx is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(["openidv.imaging.decode", "pi_heif"])
            _ctx = ctx
        return _ctx


def _child(conn: Connection, data: bytes, limits: Any) -> None:
    import resource

    from openidv.imaging.decode import decode_here

    try:  # a runaway allocation fails here, in the child
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        cap = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError):  # pragma: no cover - a platform without the limit decodes without it
        pass
    try:
        d = decode_here(data, limits)
        conn.send(("ok", d.rgb.tobytes(), d.rgb.shape, d.content_type, d.exif, d.orientation_applied))
    except errors.OpenIDVError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))
    except Exception:  # an untyped decoder failure is still a corrupt image, never a 500
        conn.send(("error", "ImageCorrupt", "the image data could not be decoded"))
    finally:
        conn.close()


def decode_in_child(data: bytes, limits: Any, timeout_s: float = TIMEOUT_S) -> DecodedImage:
    """``decode_image``'s result, computed in a child process; a crash or a hang there is
    ``ImageCorrupt`` here. At most :data:`MAX_CHILDREN` children decode at once."""
    ctx = _context()
    with _slots:
        return _decode_in_child(ctx, data, limits, timeout_s)


def _decode_in_child(ctx: Any, data: bytes, limits: Any, timeout_s: float) -> DecodedImage:
    from openidv.imaging.decode import DecodedImage

    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, data, limits), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout_s):
            raise errors.ImageCorrupt("the image took too long to decode")
        try:
            msg = parent.recv()
        except (EOFError, OSError):  # the child died before answering (a decoder crash)
            raise errors.ImageCorrupt("the image data could not be decoded") from None
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if msg[0] == "error":
        cls = getattr(errors, str(msg[1]), None)
        if not (isinstance(cls, type) and issubclass(cls, errors.OpenIDVError)):
            cls = errors.ImageCorrupt
        raise cls(str(msg[2]))
    _, raw, shape, ctype, exif, orientation = msg
    rgb = np.frombuffer(raw, np.uint8).reshape(shape).copy()
    return DecodedImage(rgb=rgb, content_type=ctype, exif=exif, orientation_applied=orientation)
