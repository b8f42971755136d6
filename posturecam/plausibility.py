"""Is there really a person? Rejecting the pose model's hallucinations.

In VIDEO mode the raw model reports a "person" in about one frame in eight
of road traffic, with confident torso landmarks. Those skeletons give
themselves away by their proportions (a head sunk into the shoulders, stubby
upper arms) and by having no limb the model itself is sure of. Real people,
including ones lying on the floor filmed from a low angle, keep human
proportions relative to their own trunk length. The bounds below were set
from the real clips in ../shared/clips (2nd-98th percentile of each ratio,
widened), and are checked by tests on those clips.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from posturecam.landmarks import ARM, LEG, L
from posturecam.pose import Pose


@dataclass(frozen=True)
class PlausibilityRules:
    """Bounds on a skeleton's own proportions; lengths are relative to trunk length."""

    min_torso_visibility: float = 0.5
    min_limb_visibility: float = 0.5
    min_trunk_px: float = 12.0
    head_ratio: tuple[float, float] = (0.2, 0.85)  # nose to shoulder-mid
    upper_arm_ratio: tuple[float, float] = (0.28, 1.0)  # longer upper arm
    thigh_ratio: tuple[float, float] = (0.4, 1.4)  # longer thigh


def _dist(xy: np.ndarray, a: int, b: int) -> float:
    return float(np.hypot(*(xy[a] - xy[b])))


def _within(v: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= v <= bounds[1]


def has_sure_leg(pose: Pose, rules: PlausibilityRules = PlausibilityRules()) -> bool:
    """Whether the model is sure of one whole leg (hip, knee and ankle).

    Asked of a person found only in a part of the frame (``posturecam.crops``): cut
    to a part of road traffic, the model reports skeletons (6 of R04's 335 frames)
    whose one sure limb is an arm, their legs at visibility 0.16-0.24; small people
    found there had a leg at 0.8 or more. Whoever the search is for has legs in view.
    """
    vis = pose.visibility
    return any(min(vis[i] for i in chain[:3]) >= rules.min_limb_visibility for chain in LEG.values())


def is_plausible(pose: Pose, rules: PlausibilityRules = PlausibilityRules()) -> bool:
    """True when the skeleton looks like a real human body, not a guess."""
    vis, xy = pose.visibility, pose.xy
    torso = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP)
    if min(vis[i] for i in torso) < rules.min_torso_visibility:
        return False
    sh_mid = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    trunk = float(np.hypot(*(sh_mid - (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2)))
    if trunk < rules.min_trunk_px:
        return False
    chains = [*ARM.values(), *LEG.values()]
    # At least one whole arm or leg (hip-knee-ankle) the model is sure of.
    if not any(min(vis[i] for i in chain[:3]) >= rules.min_limb_visibility for chain in chains):
        return False
    head = float(np.hypot(*(xy[L.NOSE] - sh_mid))) / trunk
    upper_arm = max(_dist(xy, L.LEFT_SHOULDER, L.LEFT_ELBOW), _dist(xy, L.RIGHT_SHOULDER, L.RIGHT_ELBOW)) / trunk
    thigh = max(_dist(xy, L.LEFT_HIP, L.LEFT_KNEE), _dist(xy, L.RIGHT_HIP, L.RIGHT_KNEE)) / trunk
    return (
        _within(head, rules.head_ratio)
        and _within(upper_arm, rules.upper_arm_ratio)
        and _within(thigh, rules.thigh_ratio)
    )
