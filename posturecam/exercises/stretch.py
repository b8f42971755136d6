"""Kneeling hip-flexor stretch: one knee down, front foot flat, torso upright, pelvis tucked; 30 s per side.

The stretch's depth is the back thigh's angle behind vertical, measured
against gravity and apart from the trunk: arching the lower back leans the
torso back and looks deeper without stretching the hip flexors, so it pauses
the timer instead (``stretch.arched_back``). Leaning forward likewise takes
the stretch off the hip and pauses the timer.
"""

from __future__ import annotations

from posturecam.exercises.base import (
    Cue,
    ExerciseDef,
    Frame,
    FrameRule,
    HoldSpec,
    Thresholds,
    above,
    back_value,
    below,
    beyond,
)
from posturecam.landmarks import Side
from posturecam.measures import Measures


def back_hip_extension(m: Measures, front: Side | None) -> float | None:
    return back_value(m, "thigh_behind_vertical_deg", front)


def in_position(f: Frame, t: Thresholds) -> bool:
    """One knee down: feet split, front knee bent about 90, back knee bent and the back thigh not forward."""
    front, back = f.front("knee_deg"), f.back("knee_deg")
    thigh = f.back("thigh_behind_vertical_deg")
    return (
        f.side is not None
        and not f.m.lying
        and front is not None
        and t.min_front_knee_deg <= front <= t.max_front_knee_deg
        and back is not None
        and t.min_back_knee_deg <= back <= t.max_back_knee_deg
        and not below(thigh, t.min_back_thigh_deg)
    )


TRUNK_LEAN = Cue("stretch.trunk_lean", "Bring your torso upright, don't lean forward", 60)
ARCHED = Cue("stretch.arched_back", "Don't arch your lower back: tuck your pelvis under and squeeze the back glute", 65)
FRONT_KNEE = Cue("stretch.front_knee", "Place your front knee above your ankle", 40)
DEEPER = Cue("stretch.go_deeper", "Shift your hips gently forward to feel the stretch", 20)
SWITCH = Cue("stretch.switch_sides", "Well done, now switch sides", 10, fault=False)
GOOD = Cue("good", "Good, keep breathing and hold", 0, fault=False)

STRETCH = ExerciseDef(
    name="stretch",
    title="Kneeling hip-flexor stretch",
    thresholds={
        "target_hold_s": 30.0,
        "min_front_knee_deg": 60.0,  # front knee angle range that counts as "in position"
        "max_front_knee_deg": 125.0,
        "min_back_knee_deg": 45.0,  # back (kneeling) knee bent, shin on the floor
        "max_back_knee_deg": 150.0,
        "min_back_thigh_deg": -15.0,  # back thigh further forward than this is not a kneeling stretch
        "max_trunk_lean_deg": 15.0,  # torso leaning forward
        "max_trunk_back_deg": 10.0,  # torso leaning back: arching the lower back
        "max_front_shin_deg": 20.0,  # front shin from vertical either way (knee ahead of or behind the ankle)
        "min_back_hip_extension_deg": 10.0,  # back thigh behind vertical for a real stretch
    },
    form_views=("side",),
    posture=lambda f, t: not f.m.lying,
    side_of=lambda m: m.front_leg,
    frame_rules=(
        FrameRule(TRUNK_LEAN, lambda f, t: above(f.m.trunk_lean_deg, t.max_trunk_lean_deg), breaks_hold=True),
        FrameRule(ARCHED, lambda f, t: below(f.m.trunk_lean_deg, -t.max_trunk_back_deg), breaks_hold=True),
        FrameRule(
            FRONT_KNEE,
            lambda f, t: beyond(f.front("shin_forward_deg"), t.max_front_shin_deg),
            phases=("holding", "paused"),
        ),
        FrameRule(
            DEEPER,
            lambda f, t: below(f.back("thigh_behind_vertical_deg"), t.min_back_hip_extension_deg),
            phases=("holding",),
        ),
        FrameRule(SWITCH, lambda f, t: f.hold_s is not None and f.hold_s >= t.target_hold_s, phases=("holding",)),
    ),
    good_cue=GOOD,
    good_phases=("holding",),
    hold=HoldSpec(
        in_position=in_position,
        target_key="target_hold_s",
        key_angles={"back_hip_extension_deg": back_hip_extension},
    ),
)
