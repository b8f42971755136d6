"""Angle conventions (README / geometry.py): knee 180 straight, hip 0-360 through the front,
trunk lean toward the front, obliquity positive when the left side is higher, all
unchanged by turning the picture (people lying down)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from posturecam import geometry as g


def _pt(x: float, y: float) -> np.ndarray:
    return np.array([x, y], dtype=float)


def _leg(hip_deg_from_down: float, knee_bend: float, facing: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hip, knee, ankle of an upright person facing image right (+1) or left (-1).

    ``hip_deg_from_down``: thigh angle from straight down toward the front;
    ``knee_bend``: shin rotated backward from the thigh line (positive = bent).
    """
    hip = _pt(0, 0)
    a = math.radians(hip_deg_from_down)
    knee = hip + 100 * _pt(facing * math.sin(a), math.cos(a))
    b = a - math.radians(knee_bend)
    ankle = knee + 100 * _pt(facing * math.sin(b), math.cos(b))
    return hip, knee, ankle


@pytest.mark.parametrize("facing", [1, -1])
def test_knee_straight_bent_and_locked(facing: int) -> None:
    assert g.knee_angle_deg(*_leg(0, 0, facing), facing) == pytest.approx(180)
    assert g.knee_angle_deg(*_leg(80, 90, facing), facing) == pytest.approx(90)
    # Knee pushed back past straight (hyperextended): a little over 180.
    assert g.knee_angle_deg(*_leg(0, -8, facing), facing) == pytest.approx(188)
    # Without a facing direction the unsigned interior angle is the fallback.
    assert g.knee_angle_deg(*_leg(0, -8, facing), None) == pytest.approx(172)


@pytest.mark.parametrize("facing", [1, -1])
def test_hip_through_the_front(facing: int) -> None:
    shoulder = _pt(0, -120)
    hip, knee_fwd, _ = _leg(90, 0, facing)  # thigh horizontal, forward: flexed
    _, knee_back, _ = _leg(-20, 0, facing)  # lunge back leg: thigh behind vertical
    _, knee_down, _ = _leg(0, 0, facing)
    assert g.hip_angle_deg(shoulder, hip, knee_down, facing) == pytest.approx(180)
    assert g.hip_angle_deg(shoulder, hip, knee_fwd, facing) == pytest.approx(90)
    assert g.hip_angle_deg(shoulder, hip, knee_back, facing) == pytest.approx(200)
    assert g.hip_angle_deg(shoulder, hip, knee_back, None) == pytest.approx(160)


def _rotate(points: list[np.ndarray], deg: float) -> list[np.ndarray]:
    r = math.radians(deg)
    m = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    return [m @ p for p in points]


@pytest.mark.parametrize("turn", [90.0, -90.0, 180.0, 37.0])
@pytest.mark.parametrize("facing", [1, -1])
def test_angles_survive_lying_down(turn: float, facing: int) -> None:
    """Chirality and the angles are unchanged by in-plane rotation (a person on the floor)."""
    shoulder = _pt(0, -120)
    hip, knee, ankle = _leg(-20, 70, facing)
    knee0 = g.knee_angle_deg(hip, knee, ankle, facing)
    hip0 = g.hip_angle_deg(shoulder, hip, knee, facing)
    s, h, k, a = _rotate([shoulder, hip, knee, ankle], turn)
    assert g.knee_angle_deg(h, k, a, facing) == pytest.approx(knee0)
    assert g.hip_angle_deg(s, h, k, facing) == pytest.approx(hip0)
    assert hip0 == pytest.approx(200) and knee0 == pytest.approx(110)


@pytest.mark.parametrize("facing", [1, -1])
def test_trunk_lean_positive_toward_the_front(facing: int) -> None:
    hip = _pt(0, 0)
    forward_top = _pt(facing * 30, -100)
    assert g.lean_from_vertical_deg(hip, forward_top, facing) == pytest.approx(math.degrees(math.atan2(30, 100)))
    assert g.lean_from_vertical_deg(hip, _pt(-facing * 30, -100), facing) < 0
    assert g.lean_from_vertical_deg(hip, _pt(0, -100), facing) == pytest.approx(0)


def test_obliquity_positive_when_left_higher() -> None:
    # Facing the camera, the person's left is on the image right; y grows downward.
    left, right = _pt(60, 95), _pt(-60, 105)
    assert g.line_tilt_deg(left, right) > 0
    assert g.line_tilt_deg(right, left) < 0
    # Seen from behind (left on the image left) the sign still follows the body.
    assert g.line_tilt_deg(_pt(-60, 95), _pt(60, 105)) > 0
    assert g.line_tilt_deg(_pt(0, 100), _pt(50, 100)) == pytest.approx(0)


def test_sweep_and_interior_agree() -> None:
    a, v, b = _pt(1, 0), _pt(0, 0), _pt(0, 1)
    assert g.sweep_deg(a, v, b, clockwise=True) == pytest.approx(90)
    assert g.sweep_deg(a, v, b, clockwise=False) == pytest.approx(270)
    assert g.interior_angle_deg(a, v, b) == pytest.approx(90)
    assert math.isnan(g.interior_angle_deg(v, v, b))
