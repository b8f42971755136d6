"""Planar angles with posturecam's fixed conventions.

All inputs are 2D image points in pixels (x right, y down). Angles are in
degrees. Conventions (also in the README):

- knee: hip-knee-ankle measured through the back of the knee; 180 is a
  straight leg, less is bent, a little over 180 is a knee locked back.
- hip: shoulder-hip-knee measured through the front of the body, 0-360;
  180 is trunk and thigh in line, less is flexed, more is extended.
- trunk lean: hip-mid to shoulder-mid segment from image vertical, positive
  toward the way the person faces.
- obliquity/tilt: the left-right line from horizontal, positive when the
  person's left side is higher.

"Front" and "back" need to know which way the person faces. That is carried
by ``chirality``: +1 when the person's front lies clockwise of their trunk
axis on screen (for someone upright, facing image right), -1 otherwise. It is
unchanged by in-plane rotation, so the same formulas serve a person standing,
kneeling or lying on the floor.
"""

from __future__ import annotations

import math

import numpy as np

Point = np.ndarray  # shape (2,), pixels


def _heading_deg(v: Point) -> float:
    return math.degrees(math.atan2(float(v[1]), float(v[0])))


def cross2(a: Point, b: Point) -> float:
    return float(a[0] * b[1] - a[1] * b[0])


def interior_angle_deg(a: Point, vertex: Point, b: Point) -> float:
    """Unsigned angle a-vertex-b in [0, 180]: used where front and back are unknown."""
    u, v = a - vertex, b - vertex
    nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
    if nu == 0.0 or nv == 0.0:
        return math.nan
    c = float(np.dot(u, v)) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def sweep_deg(a: Point, vertex: Point, b: Point, clockwise: bool) -> float:
    """Angle swept from ray vertex->a to ray vertex->b, in [0, 360).

    Clockwise is as seen on screen (y down), i.e. increasing atan2 heading.
    """
    d = _heading_deg(b - vertex) - _heading_deg(a - vertex)
    if not clockwise:
        d = -d
    return d % 360.0


def knee_angle_deg(hip: Point, knee: Point, ankle: Point, chirality: int | None) -> float:
    """Knee angle through the back of the knee; interior angle if facing is unknown."""
    if not chirality:
        return interior_angle_deg(hip, knee, ankle)
    # Back of the knee lies counter-clockwise of the thigh for chirality +1.
    return sweep_deg(hip, knee, ankle, clockwise=chirality < 0)


def hip_angle_deg(shoulder: Point, hip: Point, knee: Point, chirality: int | None) -> float:
    """Hip angle through the front of the body; interior angle if facing is unknown."""
    if not chirality:
        return interior_angle_deg(shoulder, hip, knee)
    return sweep_deg(shoulder, hip, knee, clockwise=chirality > 0)


def lean_from_vertical_deg(bottom: Point, top: Point, chirality: int | None) -> float:
    """Angle of bottom->top from image vertical, positive toward the person's front.

    With unknown facing the sign is image-based: positive when the top is to
    the image's right.
    """
    v = top - bottom
    ang = math.degrees(math.atan2(float(v[0]), float(-v[1])))
    return ang * (chirality if chirality else 1)


def segment_from_vertical_deg(top: Point, bottom: Point) -> float:
    """Unsigned angle of a segment (e.g. a thigh) from image vertical, 0-180."""
    v = bottom - top
    return abs(math.degrees(math.atan2(float(v[0]), float(v[1]))))


def line_tilt_deg(left: Point, right: Point) -> float:
    """Tilt of the person's left-right line from horizontal, positive when left is higher."""
    dx = abs(float(left[0] - right[0]))
    dy = float(right[1] - left[1])
    return math.degrees(math.atan2(dy, dx))

