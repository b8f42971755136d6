"""Finding people who lie on the floor.

BlazePose's detector was trained mostly on upright people: a side-view body
lying flat is often missed in the upright frame yet found at once when the
frame is turned 90 degrees. So when nobody is found, or the person found
lies near horizontal, the detector also tries the frame turned so that the
body would stand up, and keeps whichever rotation works while it keeps
working. Landmarks always come back in the original frame's pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posturecam.landmarks import L
from posturecam.plausibility import PlausibilityRules, is_plausible
from posturecam.pose import Pose, PoseEstimator

# Trunk this far from the detection frame's vertical: worth trying a turned frame.
TRY_TURN_MIN_TRUNK_DEG = 55.0
# Alternatives tried while nobody is found, one per frame to bound the cost.
SEARCH_ORDER = (90, 270, 0)


@dataclass
class OrientedDetector:
    """Pose detection that turns the frame when that finds the person.

    ``enabled=False`` gives the plain upright detector (for comparison).
    """

    estimator: PoseEstimator
    enabled: bool = True
    rules: PlausibilityRules = field(default_factory=PlausibilityRules)
    rotation: int = field(default=0, init=False)
    # Frames until a lying person found upright may be tried turned again.
    retry_every_frames: int = 15
    _search_i: int = field(default=0, init=False, repr=False)
    _cooldown: int = field(default=0, init=False, repr=False)

    def detect(self, image: np.ndarray, timestamp_ms: int) -> Pose | None:
        pose = self._plausible(image, timestamp_ms, self.rotation)
        if not self.enabled:
            return pose
        if pose is None:
            # Nobody here at the current rotation: try one other this frame.
            alt = SEARCH_ORDER[self._search_i % len(SEARCH_ORDER)]
            self._search_i += 1
            if alt == self.rotation:
                return None
            pose = self._plausible(image, timestamp_ms, alt)
            if pose is not None:
                self.rotation = alt
            return pose
        target = _upright_turn(pose)
        self._cooldown -= 1
        if target != self.rotation and self.rotation == 0 and self._cooldown <= 0:
            self._cooldown = self.retry_every_frames
            # Found lying in the upright frame: a turned frame usually reads limbs better.
            alt_pose = self._plausible(image, timestamp_ms, target)
            if alt_pose is not None:
                self.rotation = target
                return alt_pose
        return pose

    def _plausible(self, image: np.ndarray, timestamp_ms: int, rotation: int) -> Pose | None:
        pose = self.estimator.detect(image, timestamp_ms, rotation)
        return pose if pose is not None and is_plausible(pose, self.rules) else None


def _upright_turn(pose: Pose) -> int:
    """The clockwise frame rotation that would stand this (original-frame) pose up, if it lies down."""
    sh = (pose.xy[L.LEFT_SHOULDER] + pose.xy[L.RIGHT_SHOULDER]) / 2
    hp = (pose.xy[L.LEFT_HIP] + pose.xy[L.RIGHT_HIP]) / 2
    up = sh - hp
    ang = float(np.degrees(np.arctan2(abs(up[0]), -up[1])))  # 0 upright, 90 lying, 180 upside down
    if ang < TRY_TURN_MIN_TRUNK_DEG:
        return 0
    if ang > 180 - TRY_TURN_MIN_TRUNK_DEG:
        return 180
    # Head to the image left: turning the frame clockwise puts it on top.
    return 90 if up[0] < 0 else 270
