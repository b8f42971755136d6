"""Per-side angles are only given where the landmarks can carry them.

A shin the model folds up onto the thigh (a kneeling back leg, its ankle put
near the knee) reads a knee bent far past anything the person did; on
rendered clips such legs were 29 degrees off on average. In a side view
the leg bones lie near the image plane, so a shin drawn far shorter than
the others is left unmeasured rather than reported.
"""

from __future__ import annotations

import numpy as np
import pytest

from posturecam.landmarks import NUM_LANDMARKS, L
from posturecam.measures import MIN_SIDE_VIEW_SHIN_SHARE, measure, view_of
from posturecam.pose import Pose


def _kneeling_side_view(back_ankle: tuple[float, float]) -> Pose:
    """A kneeling hip-flexor stretch seen from the side, facing image right; left leg in front."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    for side, dx in (("LEFT", -4.0), ("RIGHT", 4.0)):
        xy[L[f"{side}_SHOULDER"]] = (400 + dx, 150)
        xy[L[f"{side}_HIP"]] = (400 + dx, 400)
        xy[L[f"{side}_EAR"]] = (405, 100)
    xy[L.NOSE] = (440, 105)
    # Front leg: thigh forward to the knee, shin straight down (knee at 90 degrees).
    xy[L.LEFT_KNEE], xy[L.LEFT_ANKLE] = (580, 420), (580, 600)
    # Back leg: thigh straight down to the knee on the floor, shin back along the floor.
    xy[L.RIGHT_KNEE], xy[L.RIGHT_ANKLE] = (400, 590), back_ankle
    z = np.zeros(NUM_LANDMARKS)
    ones = np.ones(NUM_LANDMARKS)
    return Pose(xy, z, ones, ones, np.zeros((NUM_LANDMARKS, 3)))


def test_back_shin_along_the_floor_is_measured() -> None:
    pose = _kneeling_side_view((220, 600))
    m = measure(pose, (800, 700), view_of(pose))
    assert m.view == "side"
    assert m.right_knee_deg is not None and 90 < m.right_knee_deg < 100
    assert m.right_hip_deg is not None and m.left_knee_deg is not None


def test_shin_folded_onto_the_thigh_is_not_measured() -> None:
    """The model's back ankle put up by the knee: that leg's knee and hip are unknown, the other leg's kept."""
    pose = _kneeling_side_view((390, 520))  # a shin 70 px long against other leg bones of 180-190
    m = measure(pose, (800, 700), view_of(pose))
    assert m.view == "side"
    assert m.right_knee_deg is None and m.right_hip_deg is None
    assert m.right_shin_forward_deg is None and m.right_thigh_behind_vertical_deg is None
    assert m.left_knee_deg is not None and abs(m.left_knee_deg - 95.6) < 1.0
    assert m.left_hip_deg is not None
    assert m.front_leg == "left"  # the feet still say which leg is in front


@pytest.mark.parametrize("share", [MIN_SIDE_VIEW_SHIN_SHARE + 0.05, 0.8])
def test_shin_a_little_short_is_still_measured(share: float) -> None:
    """Foreshortening from a camera off the side shortens a shin by cos(yaw): 0.9 at 25 degrees."""
    pose = _kneeling_side_view((400 - share * 190, 590))  # the longest other bone, the back thigh, is 190 px
    m = measure(pose, (800, 700), view_of(pose))
    assert m.right_knee_deg is not None and m.right_hip_deg is not None


def test_raised_camera_over_a_bridge_keeps_both_short_shins() -> None:
    """Filmed from above, a bridge's upright shins are foreshortened against the thighs, both alike (real clip B04).

    Lying down, only the other shin is the yardstick.
    """
    xy = np.zeros((NUM_LANDMARKS, 2))
    for side, dy in (("LEFT", -20.0), ("RIGHT", 20.0)):
        xy[L[f"{side}_SHOULDER"]] = (150, 620 + dy)
        xy[L[f"{side}_HIP"]] = (420, 520 + dy)
        xy[L[f"{side}_KNEE"]] = (640, 380 + dy)
        xy[L[f"{side}_ANKLE"]] = (660, 520 + dy)  # 141 px against a thigh of 261
        xy[L[f"{side}_EAR"]] = (90, 640 + dy)
    xy[L.NOSE] = (70, 610)
    ones = np.ones(NUM_LANDMARKS)
    pose = Pose(xy, np.zeros(NUM_LANDMARKS), ones, ones, np.zeros((NUM_LANDMARKS, 3)))
    m = measure(pose, (800, 800), "side")
    assert m.left_knee_deg is not None and m.right_knee_deg is not None
    assert m.left_hip_deg is not None and m.right_hip_deg is not None


def test_front_view_keeps_a_short_shin() -> None:
    """Seen from the front, a lunge's back shin points away from the camera and is drawn short: not an error."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    for side, x in (("LEFT", 460.0), ("RIGHT", 340.0)):
        xy[L[f"{side}_SHOULDER"]] = (x + (30 if side == "LEFT" else -30), 150)
        xy[L[f"{side}_HIP"]] = (x, 400)
        xy[L[f"{side}_EAR"]] = (x - 40 if side == "LEFT" else x + 40, 100)
    xy[L.NOSE] = (400, 110)
    xy[L.LEFT_KNEE], xy[L.LEFT_ANKLE] = (470, 560), (470, 720)
    xy[L.RIGHT_KNEE], xy[L.RIGHT_ANKLE] = (335, 600), (330, 650)
    ones = np.ones(NUM_LANDMARKS)
    pose = Pose(xy, np.zeros(NUM_LANDMARKS), ones, ones, np.zeros((NUM_LANDMARKS, 3)))
    m = measure(pose, (800, 800), view_of(pose))
    assert m.view == "front"
    assert m.right_knee_deg is not None
