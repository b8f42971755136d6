"""BlazePose's 33 landmark indices, and the anatomical pairs posturecam uses.

Kept in one place so that every module speaks of "the person's left knee" by
name rather than by a magic number, and so that swapping a whole leg (the fix
for MediaPipe's near/far confusion in side views) is one table lookup.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal

Side = Literal["left", "right"]
SIDES: tuple[Side, Side] = ("left", "right")


def other(side: Side) -> Side:
    return "right" if side == "left" else "left"


class L(IntEnum):
    """Landmark index in a BlazePose result (left/right are the person's own)."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


NUM_LANDMARKS = 33

# The leg chain (hip, knee, ankle, heel, toe) per side: the unit that
# MediaPipe sometimes labels with the wrong side as a whole.
LEG: dict[Side, tuple[int, ...]] = {
    "left": (L.LEFT_HIP, L.LEFT_KNEE, L.LEFT_ANKLE, L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    "right": (L.RIGHT_HIP, L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
}
ARM: dict[Side, tuple[int, ...]] = {
    "left": (L.LEFT_SHOULDER, L.LEFT_ELBOW, L.LEFT_WRIST),
    "right": (L.RIGHT_SHOULDER, L.RIGHT_ELBOW, L.RIGHT_WRIST),
}

# Every left index paired with its right counterpart (for mirroring a pose).
LEFT_RIGHT_PAIRS: tuple[tuple[int, int], ...] = (
    *((int(L[name]), int(L["RIGHT_" + name[5:]])) for name in L.__members__ if name.startswith("LEFT_")),
    (int(L.MOUTH_LEFT), int(L.MOUTH_RIGHT)),
)


def _partners() -> tuple[int, ...]:
    partner = list(range(NUM_LANDMARKS))
    for left, right in LEFT_RIGHT_PAIRS:
        partner[left], partner[right] = right, left
    return tuple(partner)


# Each landmark's counterpart on the other side (the nose its own): the order of a
# pose's landmarks once its image is mirrored, where a left hand looks like a right one.
MIRRORED_ORDER: tuple[int, ...] = _partners()

# Bones drawn by the overlay.
SKELETON: tuple[tuple[int, int], ...] = (
    (L.LEFT_SHOULDER, L.RIGHT_SHOULDER),
    (L.LEFT_HIP, L.RIGHT_HIP),
    (L.LEFT_SHOULDER, L.LEFT_HIP),
    (L.RIGHT_SHOULDER, L.RIGHT_HIP),
    (L.LEFT_SHOULDER, L.LEFT_ELBOW),
    (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.LEFT_ANKLE, L.LEFT_HEEL),
    (L.LEFT_HEEL, L.LEFT_FOOT_INDEX),
    (L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
    (L.RIGHT_ANKLE, L.RIGHT_HEEL),
    (L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX),
    (L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX),
    (L.NOSE, L.LEFT_EAR),
    (L.NOSE, L.RIGHT_EAR),
)
