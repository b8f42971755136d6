"""Standing posture, from the front (level pelvis and shoulders, trunk centred) or the side (stacked).

The view is detected every frame and only that view's checks run. Posture
is static, so faults must last longer before a cue shows, and measures are
smoothed over a longer window than in the moving exercises. The pelvis is
judged against a baseline a physiotherapist can set (pelvic shape alone can
make up to ~11 degrees of left-right difference), zero by default; the
session summary reports each measure's median and typical range so that
baseline can be read off a first session.
"""

from __future__ import annotations

from posturecam.exercises.base import Cue, ExerciseDef, Frame, FrameRule, Thresholds, above, beyond, either, near_value
from posturecam.measures import Measures


def _front(name: str):
    return lambda m: getattr(m, name) if m.view == "front" else None


def _side(name: str):
    return lambda m: getattr(m, name) if m.view == "side" else None


def _obliquity(m: Measures, baseline: float) -> float | None:
    return None if m.pelvic_obliquity_deg is None else m.pelvic_obliquity_deg - baseline


def standing_up(f: Frame, t: Thresholds) -> bool:
    """Upright with both knees nearly straight: not kneeling, lunging or sitting (nothing to judge then)."""
    knee = either(f.m, "knee_deg", min)
    return not f.m.lying and (knee is None or knee >= t.min_standing_knee_deg)


PELVIS = Cue("standing.pelvic_obliquity", "Level your hips: stand evenly on both feet", 50)
SHOULDERS = Cue("standing.shoulder_tilt", "Relax your shoulders so they are level", 40)
SHIFT = Cue("standing.trunk_shift", "Centre your upper body over your feet", 45)
HEAD = Cue("standing.head_forward", "Bring your head back over your shoulders", 40)
SWAY = Cue("standing.sway_back", "Bring your hips back over your ankles", 50)
LOCKED = Cue("standing.knees_locked", "Soften your knees, don't lock them back", 45)
LEAN = Cue("standing.trunk_lean", "Stand tall, torso upright", 35)
GOOD = Cue("good", "Good posture", 0, fault=False)

STANDING = ExerciseDef(
    name="standing",
    title="Standing posture",
    thresholds={
        "cue_on_s": 1.0,  # posture is static: only sustained faults are worth a cue
        "cue_off_s": 1.0,
        "smooth_s": 0.5,
        "pelvic_obliquity_baseline_deg": 0.0,  # the person's own level (from a physio, or a first session's median)
        "max_pelvic_obliquity_deg": 4.0,
        "max_shoulder_tilt_deg": 4.0,
        "max_trunk_shift_hip_widths": 0.3,
        "max_head_forward_deg": 20.0,
        "max_hips_forward_leg": 0.08,  # hip-mid ahead of ankle-mid, in leg lengths
        "max_knee_deg": 185.0,  # above 180 the knee is locked back
        "max_trunk_lean_deg": 10.0,
        "min_standing_knee_deg": 140.0,  # a more bent knee means kneeling, lunging or sitting: not judged
    },
    form_views=("front", "side"),
    posture=standing_up,
    frame_rules=(
        FrameRule(
            PELVIS,
            lambda f, t: beyond(_obliquity(f.m, t.pelvic_obliquity_baseline_deg), t.max_pelvic_obliquity_deg),
        ),
        FrameRule(SHOULDERS, lambda f, t: beyond(f.m.shoulder_tilt_deg, t.max_shoulder_tilt_deg)),
        FrameRule(SHIFT, lambda f, t: beyond(f.m.trunk_shift, t.max_trunk_shift_hip_widths)),
        FrameRule(HEAD, lambda f, t: above(f.m.head_forward_deg, t.max_head_forward_deg)),
        FrameRule(SWAY, lambda f, t: above(f.m.hips_forward_of_ankles, t.max_hips_forward_leg)),
        FrameRule(LOCKED, lambda f, t: f.m.view == "side" and above(near_value(f.m, "knee_deg"), t.max_knee_deg)),
        FrameRule(LEAN, lambda f, t: f.m.view == "side" and beyond(f.m.trunk_lean_deg, t.max_trunk_lean_deg)),
    ),
    good_cue=GOOD,
    good_phases=("ready",),
    summary_measures={
        "pelvic_obliquity_deg": _front("pelvic_obliquity_deg"),
        "shoulder_tilt_deg": _front("shoulder_tilt_deg"),
        "trunk_shift": _front("trunk_shift"),
        "head_forward_deg": _side("head_forward_deg"),
        "hips_forward_of_ankles": _side("hips_forward_of_ankles"),
        "trunk_lean_deg": _side("trunk_lean_deg"),
        "knee_deg": lambda m: near_value(m, "knee_deg") if m.view == "side" else None,
    },
)
