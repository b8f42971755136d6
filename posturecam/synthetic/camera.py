"""Pinhole camera that orbits a target point.

The camera is described the way a person sets up a phone on a tripod:
distance from the subject, lens height, a yaw around the subject and a pitch.
Yaw 0 looks along world +z, so a body with heading 0 (facing +x) is seen
exactly from its right side, facing image right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np


@dataclass(frozen=True)
class Camera:
    """Perspective camera. ``pitch_deg=None`` aims the optical axis at the target."""

    width: int = 1280
    height: int = 720
    hfov_deg: float = 62.0
    distance_m: float = 4.0  # horizontal distance from the target
    height_m: float = 1.0  # lens height above the floor
    yaw_deg: float = 0.0  # orbit around the target; + moves the camera toward world +x
    pitch_deg: float | None = 0.0  # + looks down; None = look at the target
    target: tuple[float, float, float] = (0.0, 0.9, 0.0)
    roll_deg: float = 0.0

    @property
    def focal_px(self) -> float:
        return self.width / 2 / math.tan(math.radians(self.hfov_deg) / 2)

    def with_size(self, width: int, height: int) -> Camera:
        return replace(self, width=width, height=height)

    def position(self) -> np.ndarray:
        return self._position

    def rotation(self) -> np.ndarray:
        """Rows: camera right, down, forward in world coordinates."""
        return self._rotation

    @cached_property
    def _position(self) -> np.ndarray:
        y = math.radians(self.yaw_deg)
        tx, _, tz = self.target
        # Yaw 0: camera at -z of the target. Positive yaw swings toward +x.
        return np.array([tx + self.distance_m * math.sin(y), self.height_m, tz - self.distance_m * math.cos(y)])

    @cached_property
    def _rotation(self) -> np.ndarray:
        c = self.position()
        y = math.radians(self.yaw_deg)
        fwd_h = np.array([-math.sin(y), 0.0, math.cos(y)])
        if self.pitch_deg is None:
            t = np.asarray(self.target, float)
            horiz = float(np.hypot(t[0] - c[0], t[2] - c[2]))
            pitch = math.degrees(math.atan2(c[1] - t[1], horiz))
        else:
            pitch = self.pitch_deg
        p = math.radians(pitch)
        fwd = fwd_h * math.cos(p) - np.array([0.0, 1.0, 0.0]) * math.sin(p)
        right = np.cross(np.array([0.0, 1.0, 0.0]), fwd)
        right /= np.linalg.norm(right)
        down = np.cross(right, fwd)  # image y grows downward
        if self.roll_deg:
            r = math.radians(self.roll_deg)
            right, down = right * math.cos(r) + down * math.sin(r), down * math.cos(r) - right * math.sin(r)
        return np.stack([right, down, fwd])

    def to_camera(self, pts: np.ndarray) -> np.ndarray:
        """World (N,3) to camera (N,3): x right, y down, z depth."""
        return (np.asarray(pts, float) - self._position) @ self._rotation.T

    def project(self, pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World (N,3) to pixels (N,2) and depth (N,)."""
        pc = self.to_camera(pts)
        z = np.maximum(pc[:, 2], 1e-3)
        f = self.focal_px
        uv = np.stack([pc[:, 0] * f / z + self.width / 2, pc[:, 1] * f / z + self.height / 2], axis=1)
        return uv, pc[:, 2]

    def framed(self, pts: np.ndarray, fill: float = 0.8) -> Camera:
        """Aim at the centre of the points and move back until they fill ``fill`` of the frame.

        Keeps yaw, height offset and pitch mode; used so that every body, pose
        and camera angle gets a sensible framing without hand tuning.
        """
        pts = np.asarray(pts, float)
        lo, hi = pts.min(0), pts.max(0)
        centre = (lo + hi) / 2
        cam = replace(self, target=(float(centre[0]), float(centre[1]), float(centre[2])))
        for _ in range(6):
            uv, _ = cam.project(pts)
            span_x = (uv[:, 0].max() - uv[:, 0].min()) / cam.width
            span_y = (uv[:, 1].max() - uv[:, 1].min()) / cam.height
            off_x = abs((uv[:, 0].max() + uv[:, 0].min()) / 2 - cam.width / 2) * 2 / cam.width
            off_y = abs((uv[:, 1].max() + uv[:, 1].min()) / 2 - cam.height / 2) * 2 / cam.height
            need = max(span_x + off_x, span_y + off_y) / fill
            cam = replace(cam, distance_m=cam.distance_m * need)
        return cam
