"""Lunge: down until both knees are about 90 degrees, torso upright, and back up.

Reps are counted on the front knee angle (the leg whose foot is further
forward), so the count and the side also work from a front view, where form
itself is not judged. The depth is only known at the bottom of each rep, so
"too shallow" is an end-of-rep cue.

Lunges are often chained with a knee drive or a step-through (the back leg
swings forward between reps). A foot well off the floor is never taken as the
front foot (see ``measures.MIN_FOOT_LIFT_LEG_LENGTHS``), so the tracked knee is
the one still on the floor, and a raised, bent knee is not read as a lunge
bottom. The leg on the floor then often stays a little bent (150-160 degrees),
short of ``up_knee_deg``: a back leg swung forward of the hip is what shows the
person has come up out of the lunge, so it counts as back at rest
(``RepSpec.back_at_rest``) and the rep is counted on it.
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
    back_value,
    below,
    either,
)
from posturecam.landmarks import Side
from posturecam.measures import Measures

# The back thigh swung forward of vertical by more than this: the back leg has been
# brought through in front of the hip (knee drive, stepping through), so the person
# stands on the front leg, out of the lunge. A lunge's back thigh stays behind the
# hip (10-30 degrees behind vertical at the bottom), and a knee drive brings it
# 80-135 degrees forward, so anything from 30 to 90 separates them; 45 is half-way.
BACK_THIGH_SWUNG_FORWARD_DEG = 45.0


def swung_through(m: Measures, front: Side | None) -> bool:
    """The back leg's thigh is well forward of vertical: the person is standing on the front leg."""
    return below(back_value(m, "thigh_behind_vertical_deg", front), -BACK_THIGH_SWUNG_FORWARD_DEG)


def front_knee(m: Measures, front: Side | None) -> float | None:
    """The front knee; before the feet split, the more bent knee (same thing at the bottom)."""
    v = m.side("knee_deg", front) if front is not None else None
    return v if v is not None else either(m, "knee_deg", min)


def back_knee(m: Measures, front: Side | None) -> float | None:
    return back_value(m, "knee_deg", front)


TRUNK_LEAN = Cue("lunge.trunk_lean", "Keep your torso upright", 60)
KNEE_PAST_TOES = Cue("lunge.knee_past_toes", "Let your front knee stay over your foot, not far past your toes", 50)
SHALLOW = Cue("lunge.shallow", "Go a bit lower: aim for both knees at about 90 degrees", 40)
BACK_KNEE = Cue("lunge.back_knee", "Lower your back knee toward the floor", 30)

LUNGE = ExerciseDef(
    name="lunge",
    title="Lunges",
    thresholds={
        "down_knee_deg": 120.0,  # front knee below this: in the bottom phase (also the least bend that counts)
        "up_knee_deg": 155.0,  # front knee above this: back up, rep complete
        "plateau_deg": 5.0,  # bottom angles are medians over frames within this of the deepest
        "max_trunk_lean_deg": 20.0,
        "max_knee_past_toes_shin": 0.35,  # knee ahead of the toes, in shin lengths
        "max_bottom_knee_deg": 110.0,  # deeper than this counts as a full lunge (coaching target 90)
        "max_bottom_back_knee_deg": 135.0,
    },
    form_views=("side",),
    track_views=("side", "front"),
    posture=lambda f, t: not f.m.lying,
    side_of=lambda m: m.front_leg,
    frame_rules=(
        FrameRule(TRUNK_LEAN, lambda f, t: above(f.m.trunk_lean_deg, t.max_trunk_lean_deg)),
        FrameRule(
            KNEE_PAST_TOES, lambda f, t: above(f.front("knee_past_toes"), t.max_knee_past_toes_shin), phases=("down",)
        ),
    ),
    rep_rules=(
        RepRule(SHALLOW, lambda r, t: above(r["bottom_front_knee_deg"], t.max_bottom_knee_deg)),
        RepRule(
            BACK_KNEE,
            lambda r, t: (
                not above(r["bottom_front_knee_deg"], t.max_bottom_knee_deg)
                and above(r["bottom_back_knee_deg"], t.max_bottom_back_knee_deg)
            ),
        ),
    ),
    good_cue=GOOD,
    good_phases=("down",),
    reps=RepSpec(
        signal=front_knee,
        direction="down",
        enter_key="down_knee_deg",
        exit_key="up_knee_deg",
        rest_phase="up",
        active_phase="down",
        plateau_key="plateau_deg",
        key_angles={"bottom_front_knee_deg": front_knee, "bottom_back_knee_deg": back_knee},
        back_at_rest=swung_through,
    ),
)
