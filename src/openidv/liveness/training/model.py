"""The passive model: two small convolutional branches (tight face, context) and a linear head.

Input is raw RGB in [0, 255] (normalised inside the graph, so the exported ONNX needs no
preprocessing beyond the crop); output is class probabilities in ``MODEL_CLASSES`` order.
About 0.1 M parameters and ~10 M multiply-adds: a few milliseconds per face on one core.
"""

from __future__ import annotations

import itertools

import torch
from torch import nn


def _block(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Branch(nn.Module):
    def __init__(self, widths: tuple[int, ...]) -> None:
        super().__init__()
        layers: list[nn.Module] = [_block(3, widths[0], 2)]  # learned 2x downsampling first: cheap
        for cin, cout in itertools.pairwise(widths):
            layers += [_block(cin, cout, 2), _block(cout, cout, 1)]
        self.body = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.flatten(self.pool(self.body(x)), 1)


class PADNet(nn.Module):
    def __init__(self, n_classes: int, widths: tuple[int, ...] = (16, 24, 32, 48)) -> None:
        super().__init__()
        self.tight = Branch(widths)
        self.context = Branch((12, 24, 32))
        self.dropout = nn.Dropout(0.2)
        self.head = nn.Linear(widths[-1] + 32, n_classes)

    def logits(self, tight: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        t = self.tight((tight - 127.5) / 64.0)
        c = self.context((context - 127.5) / 64.0)
        return self.head(self.dropout(torch.cat([t, c], dim=1)))

    def forward(self, tight: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.logits(tight, context), dim=1)
