"""Left and right legs by the person's own anatomy, not by the model's label.

In side views MediaPipe often gives the near leg the far leg's label (on
rendered lunges, up to ~40% of frames), which would swap every per-side
angle and count. Three facts decide which leg is which:

1. Facing direction: seen from the side by an unmirrored camera, a person
   whose front is clockwise of their trunk axis (chirality +1) shows their
   right side to the camera. So the near leg is anatomically known.
2. Depth order: which of the two leg chains is nearer the camera, from the
   model's relative depth and from occlusion (the far leg's landmarks are
   less visible).
3. Continuity: legs do not teleport between frames, so each chain is
   tracked by position and its identity is decided from evidence
   accumulated over time, not from one frame's noisy depth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from posturecam.landmarks import LEFT_RIGHT_PAIRS, LEG, NUM_LANDMARKS, Side
from posturecam.pose import Pose

_SWAP_LEGS = np.arange(NUM_LANDMARKS)
for _l, _r in LEFT_RIGHT_PAIRS:
    if _l in LEG["left"]:
        _SWAP_LEGS[_l], _SWAP_LEGS[_r] = _r, _l
SWAP_LEGS_INDEX: np.ndarray = _SWAP_LEGS
# Knee, ankle, heel, toe: the distal points that move apart when legs split.
_DISTAL = {side: LEG[side][1:] for side in ("left", "right")}


def swap_legs(pose: Pose) -> Pose:
    return pose.with_points(SWAP_LEGS_INDEX)


@dataclass
class LegResolver:
    """Decides, frame by frame, whether the model's leg labels must be swapped.

    Two tracks are kept, "the person's left leg" and "right leg". Each frame
    the model's two leg chains are matched to the tracks by position; then
    depth evidence, decayed over time, says which track is nearer the
    camera, and the near track must be the anatomically near side. If it is
    not, the tracks' names were wrong and are exchanged. ``evidence_decay`` is
    per frame: legs pass each other in lunges, so identity must be able to
    change, but never on one noisy frame.
    """

    evidence_decay: float = 0.85
    max_gap_s: float = 0.5
    # Below this separation (fraction of leg length) the two legs overlap and
    # position cannot tell them apart.
    min_separation: float = 0.12
    _prev: np.ndarray | None = field(default=None, init=False, repr=False)  # (2, 4, 2): resolved left, right
    _prev_t: float = field(default=-1e9, init=False, repr=False)
    _prev_swapped: bool = field(default=False, init=False, repr=False)
    _evidence: float = field(default=0.0, init=False, repr=False)  # > 0: the left track is the near leg

    def reset(self) -> None:
        self._prev, self._evidence, self._prev_swapped = None, 0.0, False

    def update(self, pose: Pose, time_s: float, near_side: Side | None) -> tuple[Pose, bool]:
        """Return the pose with legs labelled by anatomy, and whether labels were swapped."""
        if near_side is None:
            # Front view or facing unknown: the model's labels are reliable there.
            self.reset()
            return pose, False
        chains = np.stack([pose.xy[list(_DISTAL["left"])], pose.xy[list(_DISTAL["right"])]])
        if self._prev is None or time_s - self._prev_t > self.max_gap_s:
            self.reset()
            swapped = False
        elif _separation(chains) > self.min_separation * _leg_length(pose):
            swapped = _chain_cost(chains[::-1], self._prev) < _chain_cost(chains, self._prev)
        else:
            swapped = self._prev_swapped  # legs overlap: keep the last correction
        near = {label: _nearness(pose, label) for label in ("left", "right")}
        left_track_label, right_track_label = ("right", "left") if swapped else ("left", "right")
        depth = near[left_track_label] - near[right_track_label]
        self._evidence = self.evidence_decay * self._evidence + float(np.clip(depth, -1.0, 1.0))
        if (self._evidence > 0) != (near_side == "left"):
            # The nearer track must be the anatomically near leg: the names were wrong.
            swapped = not swapped
            self._evidence = -self._evidence
        resolved = swap_legs(pose) if swapped else pose
        self._prev = np.stack([resolved.xy[list(_DISTAL["left"])], resolved.xy[list(_DISTAL["right"])]])
        self._prev_t = time_s
        self._prev_swapped = swapped
        return resolved, swapped


def _chain_cost(chains: np.ndarray, prev: np.ndarray) -> float:
    return float(np.linalg.norm(chains - prev, axis=-1).sum())


def _separation(chains: np.ndarray) -> float:
    return float(np.linalg.norm(chains[0] - chains[1], axis=-1).mean())


def _leg_length(pose: Pose) -> float:
    hip, knee, ankle = LEG["left"][:3]
    return float(np.hypot(*(pose.xy[hip] - pose.xy[knee])) + np.hypot(*(pose.xy[knee] - pose.xy[ankle]))) or 1.0


def _nearness(pose: Pose, label: Side) -> float:
    """How near the camera the chain labelled ``label`` looks: depth (z smaller = nearer) and visibility."""
    idx = list(_DISTAL[label])
    return float(-np.mean(pose.z[idx]) * 4.0 + np.mean(pose.visibility[idx]))
