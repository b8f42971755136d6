"""What the mannequin and the room look like: colours, clothes, background.

Kept apart from geometry so that tests can vary the look (the thing the pose
model is sensitive to) without touching the pose (the thing we measure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

BGR = tuple[int, int, int]
Background = Literal["gradient", "noise", "stripes", "plain", "bricks"]

SKIN_TONES: tuple[BGR, ...] = ((150, 180, 225), (120, 160, 210), (90, 130, 185), (60, 95, 140), (45, 70, 105))
HAIR_COLOURS: tuple[BGR, ...] = ((30, 30, 35), (25, 45, 80), (60, 90, 140), (110, 160, 200), (150, 150, 155))


@dataclass(frozen=True)
class Appearance:
    """Colours are BGR tuples. ``far_darken`` shades the limbs on the far side of the body."""

    skin: BGR = (130, 165, 215)
    hair: BGR = (30, 35, 45)
    hair_style: Literal["short", "long", "bald"] = "short"
    shirt: BGR = (170, 90, 40)
    trousers: BGR = (60, 50, 45)
    shoes: BGR = (235, 235, 235)
    sleeves: Literal["short", "long", "none"] = "short"
    shorts: bool = False
    floor: BGR = (120, 150, 175)
    floor_line: BGR = (95, 120, 145)
    floor_tile_m: float = 0.5
    wall: BGR = (205, 210, 215)
    wall2: BGR = (170, 180, 190)
    background: Background = "gradient"
    wall_distance_m: float | None = 2.5  # behind the subject; None = open horizon
    far_darken: float = 0.8
    light: tuple[float, float, float] = (-0.45, 0.75, -0.5)  # world direction toward the light
    seed: int = 0

    @staticmethod
    def random(rng: np.random.Generator) -> Appearance:
        """A random but plausible look, for robustness tests."""

        def col(lo: int = 20, hi: int = 235) -> BGR:
            c = rng.integers(lo, hi, 3)
            return (int(c[0]), int(c[1]), int(c[2]))

        return Appearance(
            skin=SKIN_TONES[int(rng.integers(len(SKIN_TONES)))],
            hair=HAIR_COLOURS[int(rng.integers(len(HAIR_COLOURS)))],
            hair_style=("short", "long", "bald")[int(rng.integers(3))],
            shirt=col(),
            trousers=col(10, 200),
            shoes=col(),
            sleeves=("short", "long", "none")[int(rng.integers(3))],
            shorts=bool(rng.random() < 0.3),
            floor=col(60, 200),
            floor_line=col(40, 180),
            floor_tile_m=float(rng.uniform(0.3, 1.2)),
            wall=col(120, 245),
            wall2=col(80, 230),
            background=("gradient", "noise", "stripes", "plain", "bricks")[int(rng.integers(5))],
            wall_distance_m=None if rng.random() < 0.2 else float(rng.uniform(1.0, 5.0)),
            light=(float(rng.uniform(-0.7, 0.7)), float(rng.uniform(0.5, 1.0)), float(rng.uniform(-0.8, 0.2))),
            seed=int(rng.integers(1 << 30)),
        )
