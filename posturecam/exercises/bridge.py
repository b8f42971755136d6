"""Glute bridge: lying on the back, lift the hips into one line with shoulders and knees, hold, lower.

Reps are counted on the hip angle (shoulder-hip-knee through the front:
about 135 lying flat, 180 in line, above 180 when the lower back arches).
The near side is used in a side view because the far hip is half hidden.
How long the top was held is only known when the hips come down, so
``bridge.no_hold`` is an end-of-rep cue; the others are judged at the top.
"""

from __future__ import annotations

from posturecam.exercises.base import (
    GOOD,
    Cue,
    ExerciseDef,
    FrameRule,
    RepRule,
    RepSpec,
    above,
    below,
    near_value,
    outside,
)
from posturecam.landmarks import Side
from posturecam.measures import Measures


def hip(m: Measures, _side: Side | None = None) -> float | None:
    return near_value(m, "hip_deg")


def knee(m: Measures, _side: Side | None = None) -> float | None:
    return near_value(m, "knee_deg")


LIE_DOWN = Cue("view.lie_down", "Lie on your back, knees bent, feet flat on the floor", 80)
OVERARCH = Cue("bridge.overarch", "Don't arch your lower back: lift only until your body forms a straight line", 60)
HIPS_LOW = Cue("bridge.hips_low", "Lift your hips higher, in line with your shoulders and knees", 50)
FEET = Cue("bridge.feet_position", "Place your feet so your shins are upright at the top", 40)
NO_HOLD = Cue("bridge.no_hold", "Pause at the top and squeeze your glutes", 30)

BRIDGE = ExerciseDef(
    name="bridge",
    title="Glute bridges",
    thresholds={
        "up_hip_deg": 158.0,  # hip angle above this: at the top
        "down_hip_deg": 148.0,  # below this: lowered, rep complete
        # Or back within this of where the hips last rested still (``RepSpec.settle_key``: held
        # within it for settle_s, below up_hip_deg); from there a rep must also rise min_rise_deg.
        "rest_settle_deg": 4.0,
        "settle_s": 0.5,
        "min_rise_deg": 10.0,
        "min_trunk_from_vertical_deg": 40.0,  # trunk at least this far from vertical counts as lying (hips up tilt it)
        "hold_tolerance_deg": 5.0,  # the top hold is the time within this of the highest hip angle
        "min_top_hip_deg": 165.0,
        "max_top_hip_deg": 195.0,
        "min_top_knee_deg": 70.0,
        "max_top_knee_deg": 115.0,
        "min_hold_s": 2.0,
    },
    form_views=("side",),
    posture=lambda f, t: f.m.lying or not below(f.m.trunk_from_vertical_deg, t.min_trunk_from_vertical_deg),
    posture_cue=LIE_DOWN,
    frame_rules=(
        FrameRule(OVERARCH, lambda f, t: above(hip(f.m), t.max_top_hip_deg), phases=("up",)),
        FrameRule(FEET, lambda f, t: outside(knee(f.m), t.min_top_knee_deg, t.max_top_knee_deg), phases=("up",)),
    ),
    rep_rules=(
        RepRule(HIPS_LOW, lambda r, t: below(r["top_hip_deg"], t.min_top_hip_deg)),
        RepRule(OVERARCH, lambda r, t: above(r["top_hip_deg"], t.max_top_hip_deg)),
        RepRule(FEET, lambda r, t: outside(r["top_knee_deg"], t.min_top_knee_deg, t.max_top_knee_deg)),
        RepRule(NO_HOLD, lambda r, t: below(r["hold_s"], t.min_hold_s)),
    ),
    good_cue=GOOD,
    good_phases=("up",),
    reps=RepSpec(
        signal=hip,
        direction="up",
        enter_key="up_hip_deg",
        exit_key="down_hip_deg",
        rest_phase="down",
        active_phase="up",
        plateau_key="hold_tolerance_deg",
        key_angles={"top_hip_deg": hip, "top_knee_deg": knee},
        hold_name="hold_s",
        settle_key="rest_settle_deg",
    ),
)
