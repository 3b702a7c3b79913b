"""dlib's face-recognition ResNet, read from its own file and run with numpy.

dlib's CPU build runs this network in about 130 ms per face on one core; the same arithmetic as
im2col + BLAS matrix products takes a fraction of that, which is what makes a selfie and a portrait
fit in the latency budget with test-time augmentation. The weights are read straight from the
hash-verified ``dlib_face_recognition_resnet_model_v1.dat`` (nothing is converted or committed) and
the output is checked against dlib's own in the tests (max abs difference ~1e-5).

The architecture (from dlib's ``face_recognition.cpp``)::

    input 150x150 RGB, (pixel - mean) / 256
    con 32 7x7 /2 -> affine -> relu -> max_pool 3x3 /2
    level 32: 3 x ares          level 64: ares_down + 3 x ares
    level 128: ares_down + 2 x ares   level 256: ares_down + 2 x ares, then ares_down
    avg_pool_everything -> fc_no_bias 128

``ares`` is relu(x + affine(con3x3(relu(affine(con3x3(x)))))); ``ares_down`` uses a stride-2 first
convolution and adds a 2x2/2 average pool of its input. dlib convolutions and pools with stride 2
have no padding, and dlib's ``add_prev`` adds tensors of different shapes by zero-extending the
smaller one, which this module reproduces exactly.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from openidv.errors import ConfigError

F32 = NDArray[np.float32]


@dataclass(frozen=True)
class Conv:
    weight: F32  # (C*kh*kw, F) matrix for NHWC im2col
    bias: F32
    k: int
    stride: int
    pad: int


@dataclass(frozen=True)
class Affine:
    gamma: F32
    beta: F32


@dataclass(frozen=True)
class ResNetWeights:
    mean_rgb: tuple[float, float, float]
    convs: tuple[Conv, ...]
    affines: tuple[Affine, ...]
    fc: F32  # (256, 128)


class _Reader:
    """dlib's serialisation primitives: packed integers, float_details, raw float32 tensors."""

    def __init__(self, data: bytes, pos: int) -> None:
        self.data, self.pos = data, pos

    def int_(self) -> int:
        head = self.data[self.pos]
        size, neg = head & 0x0F, head & 0x80
        raw = self.data[self.pos + 1 : self.pos + 1 + size]
        self.pos += 1 + size
        value = int.from_bytes(raw, "little")
        return -value if neg else value

    def float_(self) -> float:
        mantissa = self.int_()
        exponent = self.int_()
        return float(mantissa) * 2.0**exponent

    def tensor(self) -> F32:
        if self.int_() != 2:
            raise ConfigError("unexpected dlib tensor version")
        n, k, nr, nc = self.int_(), self.int_(), self.int_(), self.int_()
        count = n * k * nr * nc
        end = self.pos + 4 * count
        arr = np.frombuffer(self.data[self.pos : end], dtype="<f4").astype(np.float32)
        self.pos = end
        return arr


def _tags(data: bytes) -> list[tuple[str, int]]:
    """Layer tags in file order (dlib writes layers input first) with the offset after each."""
    pattern = re.compile(rb"\x01(\x05con_4|\x07affine_|\x04fc_2|\x15input_rgb_image_sized)")
    return [(m.group(1)[1:].decode(), m.end()) for m in pattern.finditer(data)]


def _read_conv(data: bytes, pos: int, channels_in: int) -> Conv:
    r = _Reader(data, pos)
    params = r.tensor()
    filters, kh, kw, sy, sx, py, px = (r.int_() for _ in range(7))
    if kh != kw or sy != sx or py != px:
        raise ConfigError("unexpected convolution shape in the dlib model")
    n_w = filters * channels_in * kh * kw
    if params.size != n_w + filters:
        raise ConfigError("dlib convolution parameter count does not match its shape")
    w = params[:n_w].reshape(filters, channels_in, kh, kw).transpose(2, 3, 1, 0)  # kh, kw, C, F
    return Conv(np.ascontiguousarray(w.reshape(kh * kw * channels_in, filters)), params[n_w:], kh, sy, py)


def load_weights(path: Path) -> ResNetWeights:
    """Parse dlib_face_recognition_resnet_model_v1.dat into numpy arrays."""
    data = path.read_bytes()
    convs: list[Conv] = []
    affines: list[Affine] = []
    fc: F32 | None = None
    mean: tuple[float, float, float] | None = None
    channels = 3
    for tag, pos in _tags(data):
        if tag == "input_rgb_image_sized":
            r = _Reader(data, pos)
            mean = (r.float_(), r.float_(), r.float_())
        elif tag == "con_4":
            conv = _read_conv(data, pos, channels)
            convs.append(conv)
            channels = conv.bias.size
        elif tag == "affine_":
            params = _Reader(data, pos).tensor()
            half = params.size // 2
            affines.append(Affine(params[:half], params[half:]))
        else:
            r = _Reader(data, pos)
            outputs, inputs = r.int_(), r.int_()
            fc = r.tensor().reshape(inputs, outputs)
    if mean is None or fc is None or len(convs) != 29 or len(affines) != 29:
        raise ConfigError("the dlib face model does not have the expected ResNet layout")
    return ResNetWeights(mean, tuple(convs), tuple(affines), fc)


# --- forward pass (NHWC float32) -----------------------------------------------------------------
def fold_affines(w: ResNetWeights) -> tuple[Conv, ...]:
    """Each convolution with the affine layer after it folded in (one matrix product, no extra pass).

    ``affine(conv(x)) = (cols @ W + b) * g + beta = cols @ (W * g) + (b * g + beta)``: the same
    arithmetic up to float rounding (about 1e-7 relative), and one fewer pass over every activation.
    """
    return tuple(
        Conv(c.weight * a.gamma, c.bias * a.gamma + a.beta, c.k, c.stride, c.pad)
        for c, a in zip(w.convs, w.affines, strict=True)
    )


def _conv(x: F32, c: Conv) -> F32:
    if c.pad:
        x = np.pad(x, ((0, 0), (c.pad, c.pad), (c.pad, c.pad), (0, 0)))
    win = sliding_window_view(x, (c.k, c.k), axis=(1, 2))[:, :: c.stride, :: c.stride]  # B,Ho,Wo,C,kh,kw
    b, ho, wo = win.shape[:3]
    cols = np.ascontiguousarray(win.transpose(0, 1, 2, 4, 5, 3)).reshape(b * ho * wo, -1)
    out = cols @ c.weight
    out += c.bias
    return out.reshape(b, ho, wo, -1)


def _pool(x: F32, k: int, stride: int, kind: str) -> F32:
    win = sliding_window_view(x, (k, k), axis=(1, 2))[:, ::stride, ::stride]
    out = win.max(axis=(4, 5)) if kind == "max" else win.mean(axis=(4, 5), dtype=np.float32)
    return out.astype(np.float32)


def _add_prev(a: F32, b: F32) -> F32:
    """dlib's add_prev: the sum over the larger shape, each input zero-extended."""
    if a.shape == b.shape:
        return a + b
    shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape, strict=True))
    out = np.zeros(shape, np.float32)
    out[:, : a.shape[1], : a.shape[2], : a.shape[3]] += a
    out[:, : b.shape[1], : b.shape[2], : b.shape[3]] += b
    return out


def _block(x: F32, convs: list[Conv], down: bool) -> F32:
    y = _conv(x, convs.pop(0))
    np.maximum(y, 0, out=y)
    y = _conv(y, convs.pop(0))
    shortcut = _pool(x, 2, 2, "avg") if down else x
    out = _add_prev(y, shortcut)
    return np.maximum(out, 0, out=out)


# (down-sampling?) per residual block, in forward order: level 32, 64, 128, 256, then level0.
_BLOCKS = (False,) * 3 + (True,) + (False,) * 3 + (True, False, False) + (True, False, False) + (True,)


def forward(w: ResNetWeights, chips: NDArray[np.uint8], folded: tuple[Conv, ...] | None = None) -> F32:
    """128-d descriptors of a batch of aligned 150x150 RGB chips, shape (n, 128).

    ``folded`` is :func:`fold_affines` of ``w``, passed by callers that run many batches so the
    folding is done once.
    """
    x = (chips.astype(np.float32) - np.asarray(w.mean_rgb, np.float32)) / np.float32(256.0)
    convs = list(folded if folded is not None else fold_affines(w))
    x = np.maximum(_conv(x, convs.pop(0)), 0)
    x = _pool(x, 3, 2, "max")
    for down in _BLOCKS:
        x = _block(x, convs, down)
    pooled = x.mean(axis=(1, 2), dtype=np.float32)
    return np.asarray(pooled @ w.fc, dtype=np.float32)


def pack_floats(values: list[float]) -> bytes:
    """Little-endian float32 bytes (helper for tests that build tiny dlib-format tensors)."""
    return struct.pack(f"<{len(values)}f", *values)
