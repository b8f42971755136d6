"""How far the camera was from square side-on to the person, and when that is worth saying.

Side-view knee and hip angles are read in the picture, which is the plane the legs move in
only when the camera looks square at the person's side. Turned away from it, the model also
places the partly hidden far leg worse: on 96 held-out renders per exercise, the kneeling
stretches filmed 0-5 degrees off the side had every knee and hip within 5 degrees in 52 of
60 clips, those filmed 15-25 degrees off in 16 of 36 (lunges 58 of 60 against 22 of 36).
Moving the camera takes a second, so the summary says when it was off.

The turn is read from the shoulders: seen square from the side they overlap, and they open up
by sin(turn) of their front-on spacing. The trunk's length, which the turn leaves alone, is
the scale. The model guesses the hidden far shoulder, so one frame's reading is rough; the
verdict is the median over every upright side-view frame (on 93 renders it came within 3.4
degrees of the camera's true turn for half the clips, 7.5 for nine in ten, 11 at worst).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from posturecam.measures import trunk_widths

if TYPE_CHECKING:
    from posturecam.measures import Measures
    from posturecam.pose import Pose

# Shoulder spacing (landmark to landmark) over trunk length (hip-mid to shoulder-mid), the
# person square to the camera: about 0.7-0.8 (shoulder joints about a fifth of one's height apart,
# the trunk a little over a quarter), as the renders' mannequin measured.
SQUARE_SHOULDER_TO_TRUNK = 0.75
# From this median turn the summary says the camera was off the side. On 93 of the renders above
# (lunges and stretches), a clip's median read 2-13 degrees when filmed 0-5 degrees off the side
# and 10-31 when 15-25 off: at 20, 23 of the 33 clips filmed off the side were named and none
# filmed side-on; 10 of the 23 named had a knee or hip over 5 degrees off, 12 of the 70 not named.
# (At 15, 30 of the 33; but the real side-on lunge L01 reads 14, and a note on a camera that is
# fine would teach people to ignore it. The front three-quarter stretch K01 reads 23.)
OFF_SIDE_NOTE_DEG = 20.0
# Fewer upright side-view frames than this (half a second at 30 fps): no verdict.
MIN_FRAMES = 15
_MAX_DEG = 90


def off_side_deg(xy: np.ndarray) -> float | None:
    """How far from square side-on the camera sees this pose, in degrees (None without a trunk)."""
    shoulder_w, _, trunk = trunk_widths(xy)
    if trunk <= 0.0:
        return None
    return math.degrees(math.asin(min(1.0, shoulder_w / trunk / SQUARE_SHOULDER_TO_TRUNK)))


@dataclass
class OffSideTally:
    """Each upright side-view frame's turn, kept as a histogram of whole degrees.

    A histogram, not a list, so a long session costs the same memory as a short one. People
    lying down are left out: their shoulders' spread in the picture comes from the camera's
    height above the floor, not from a turn.
    """

    counts: np.ndarray = field(default_factory=lambda: np.zeros(_MAX_DEG + 1, np.int64))

    def add(self, pose: Pose, measures: Measures) -> None:
        if measures.view != "side" or measures.lying:
            return
        deg = off_side_deg(pose.xy)
        if deg is not None:
            self.counts[round(deg)] += 1

    @property
    def frames(self) -> int:
        return int(self.counts.sum())

    def median_deg(self) -> int | None:
        if not self.frames:
            return None
        return int(np.searchsorted(np.cumsum(self.counts), self.frames / 2))

    def to_json(self) -> dict[str, object]:
        """The summary's block: frames judged, the median turn, and one plain sentence when it matters."""
        deg = self.median_deg()
        note = None
        if deg is not None and self.frames >= MIN_FRAMES and deg >= OFF_SIDE_NOTE_DEG:
            note = (f"The camera saw you about {5 * round(deg / 5)}° away from straight side-on, so the angles are "
                    "less precise. Set the camera square to your side, or turn so that your side faces it.")
        return {"frames": self.frames, "median_deg": deg, "note": note}


__all__ = ["MIN_FRAMES", "OFF_SIDE_NOTE_DEG", "SQUARE_SHOULDER_TO_TRUNK", "OffSideTally", "off_side_deg"]
