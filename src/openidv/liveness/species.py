"""The attack species this capability knows, with the reason code each one maps to.

A *species* is one kind of presentation-attack instrument (PAI) or injection method. The passive
model predicts the presentation species; injection species are sequence- and metadata-level and
are judged by the capture-integrity and replay checks instead.
"""

from __future__ import annotations

from enum import StrEnum


class Species(StrEnum):
    BONA_FIDE = "bona_fide"
    PRINT = "print"  # printed photo: halftone, paper, reduced gamut, bending, edges
    SCREEN = "screen"  # replay on a phone/tablet/monitor: pixel grid, moire, banding, glare, bezel
    CUTOUT = "cutout"  # paper mask with eye holes worn over a real face
    MASK = "mask"  # mask-like texture (resin/silicone/latex look)
    DEEPFAKE = "deepfake"  # face swap between identities, blended with colour correction
    INJECTION_CLEAN = "injection_clean"  # frames too clean for a camera (rendered, no sensor noise)
    INJECTION_STATIC = "injection_static"  # the same frame repeated across the sequence
    INJECTION_REUSED = "injection_reused"  # frames taken from another session

    @property
    def is_attack(self) -> bool:
        return self is not Species.BONA_FIDE

    @property
    def is_presentation(self) -> bool:
        """Judged by the passive model (as opposed to injection species)."""
        return self in PRESENTATION_SPECIES

    @property
    def reason_code(self) -> str:
        if self is Species.DEEPFAKE:
            return "DEEPFAKE_SUSPECTED"
        if self is Species.INJECTION_REUSED:
            return "REPLAYED_CAPTURE"
        if self.value.startswith("injection"):
            return "INJECTION_SUSPECTED"
        return "SPOOF_SUSPECTED"


PRESENTATION_SPECIES: tuple[Species, ...] = (
    Species.PRINT,
    Species.SCREEN,
    Species.CUTOUT,
    Species.MASK,
    Species.DEEPFAKE,
)
INJECTION_SPECIES: tuple[Species, ...] = (
    Species.INJECTION_CLEAN,
    Species.INJECTION_STATIC,
    Species.INJECTION_REUSED,
)
# Class order of the passive model's output: index 0 is bona fide.
MODEL_CLASSES: tuple[Species, ...] = (Species.BONA_FIDE, *PRESENTATION_SPECIES)
