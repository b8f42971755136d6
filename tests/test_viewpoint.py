"""How far off the side the camera was: the reading from the shoulders, the tally, and the note.

On rendered clips, with the camera's true turn known, see ``tests/test_accuracy.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from posturecam.landmarks import NUM_LANDMARKS, L
from posturecam.measures import Measures
from posturecam.pose import Pose
from posturecam.viewpoint import MIN_FRAMES, OFF_SIDE_NOTE_DEG, SQUARE_SHOULDER_TO_TRUNK, OffSideTally, off_side_deg

TRUNK_PX = 200.0
SIDE = Measures(view="side")


def _pose(turn_deg: float) -> Pose:
    """A trunk 200 px long whose shoulders open up as a camera turned ``turn_deg`` off the side sees them."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    half = SQUARE_SHOULDER_TO_TRUNK * TRUNK_PX * math.sin(math.radians(turn_deg)) / 2
    xy[L.LEFT_SHOULDER] = (500 - half, 300)
    xy[L.RIGHT_SHOULDER] = (500 + half, 300)
    xy[L.LEFT_HIP] = (505, 300 + TRUNK_PX)  # hips a little apart too: the reading is the shoulders'
    xy[L.RIGHT_HIP] = (495, 300 + TRUNK_PX)
    ones = np.ones(NUM_LANDMARKS)
    return Pose(xy, np.zeros(NUM_LANDMARKS), ones, ones, np.zeros((NUM_LANDMARKS, 3)))


@pytest.mark.parametrize("turn", [0.0, 10.0, 20.0, 35.0])
def test_the_turn_is_read_from_the_shoulders(turn: float) -> None:
    assert off_side_deg(_pose(turn).xy) == pytest.approx(turn, abs=0.01)


def test_no_trunk_no_reading() -> None:
    assert off_side_deg(np.zeros((NUM_LANDMARKS, 2))) is None


def test_the_verdict_is_the_median_over_upright_side_views() -> None:
    tally = OffSideTally()
    for turn in [20.0] * 30 + [3.0] * 10:
        tally.add(_pose(turn), SIDE)
    # Lying down (shoulders spread by the camera's height) and front views are not a turn off the side.
    for _ in range(100):
        tally.add(_pose(40.0), Measures(view="side", lying=True))
        tally.add(_pose(40.0), Measures(view="front"))
        tally.add(_pose(40.0), Measures())
    assert tally.frames == 40
    assert tally.median_deg() == 20
    block = tally.to_json()
    assert block["frames"] == 40 and block["median_deg"] == 20
    assert "about 20°" in str(block["note"]) and "square to your side" in str(block["note"])


def test_no_note_near_side_on_or_on_too_few_frames() -> None:
    near = OffSideTally()
    for _ in range(100):
        near.add(_pose(OFF_SIDE_NOTE_DEG - 3), SIDE)
    assert near.to_json()["note"] is None
    few = OffSideTally()
    for _ in range(MIN_FRAMES - 1):
        few.add(_pose(30.0), SIDE)
    assert few.to_json() == {"frames": MIN_FRAMES - 1, "median_deg": 30, "note": None}
    assert OffSideTally().to_json() == {"frames": 0, "median_deg": None, "note": None}
