"""Exercise engine on synthetic measure streams: counts, holds, cues, views, auto, config.

Each helper builds a time series of ``Measures`` like the pipeline would
produce for an ideal performer, with optional noise, faults and dropped
frames, so every rule can be shown to fire on its fault and stay silent on
clean form.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np
import pytest

from posturecam.errors import PosturecamError
from posturecam.exercises import EXERCISE_NAMES, get_exercise, known_thresholds, load_thresholds
from posturecam.exercises.engine import CueDebouncer
from posturecam.landmarks import NUM_LANDMARKS, other
from posturecam.measures import Measures, measure
from posturecam.pose import Pose
from posturecam.synthetic import Body, Camera, Lunge, Placement, PoseAngles, frame_camera, heading_for
from posturecam.synthetic.body import grounded
from posturecam.synthetic.scene import landmarks3d

FPS = 30.0
Series = list[tuple[float, Measures | None]]


# -- series builders ---------------------------------------------------------------------------------


def _frames(duration_s: float, t0: float = 0.0) -> Iterable[tuple[float, float]]:
    """(t, fraction 0..1) for each frame of a segment."""
    n = max(1, round(duration_s * FPS))
    for i in range(n):
        yield t0 + i / FPS, i / n


def _bump(p: float) -> float:
    """0 -> 1 -> 0 raised cosine over p in [0, 1]."""
    return (1 - math.cos(2 * math.pi * p)) / 2


SIDE_UPRIGHT = Measures(
    view="side",
    chirality=1,
    facing="right",
    near_side="right",
    feet_visible=True,
    left_knee_deg=178.0,
    right_knee_deg=178.0,
    left_hip_deg=178.0,
    right_hip_deg=178.0,
    trunk_lean_deg=2.0,
    trunk_from_vertical_deg=2.0,
    head_forward_deg=8.0,
    hips_forward_of_ankles=0.02,
    left_thigh_behind_vertical_deg=0.0,
    right_thigh_behind_vertical_deg=0.0,
    left_shin_forward_deg=0.0,
    right_shin_forward_deg=0.0,
    left_knee_past_toes=-0.3,
    right_knee_past_toes=-0.3,
)

FRONT_UPRIGHT = Measures(
    view="front",
    facing="camera",
    feet_visible=True,
    left_knee_deg=176.0,
    right_knee_deg=176.0,
    left_hip_deg=176.0,
    right_hip_deg=176.0,
    trunk_lean_deg=0.5,
    pelvic_obliquity_deg=0.5,
    shoulder_tilt_deg=-0.5,
    trunk_shift=0.02,
    trunk_from_vertical_deg=1.0,
)


def lunge_series(
    fronts: str | Iterable[str] = "left",
    reps: int = 3,
    *,
    bottom: float = 90.0,
    back_bottom: float = 95.0,
    top: float = 176.0,
    period_s: float = 2.4,
    rest_s: float = 1.0,
    lean: float = 4.0,
    past_toes: float = 0.05,
    noise: float = 0.0,
    seed: int = 1,
    t0: float = 0.0,
    base: Measures = SIDE_UPRIGHT,
) -> Series:
    """Standing still, then ``reps`` lunges (down and up) with the given front legs."""
    rng = random.Random(seed)
    sides = [fronts] * reps if isinstance(fronts, str) else list(fronts)
    out: Series = []
    t = t0
    for front in sides:
        back = other(front)
        for tt, _ in _frames(rest_s, t):
            out.append((tt, replace(base, left_knee_deg=top + rng.gauss(0, noise), right_knee_deg=top)))
        t += rest_s
        for tt, p in _frames(period_s, t):
            d = _bump(p)
            vals = {
                f"{front}_knee_deg": top - (top - bottom) * d + rng.gauss(0, noise),
                f"{back}_knee_deg": top - (top - back_bottom) * d + rng.gauss(0, noise),
                f"{front}_knee_past_toes": -0.3 + (past_toes + 0.3) * d,
                "trunk_lean_deg": 2 + (lean - 2) * d + rng.gauss(0, noise / 3),
            }
            out.append((tt, replace(base, front_leg=front if d > 0.05 else None, **vals)))
        t += period_s
    for tt, _ in _frames(rest_s, t):
        out.append((tt, replace(base, left_knee_deg=top, right_knee_deg=top)))
    return out


BRIDGE_DOWN = Measures(
    view="side",
    chirality=1,
    facing="right",
    lying=True,
    near_side="right",
    feet_visible=True,
    left_knee_deg=90.0,
    right_knee_deg=90.0,
    left_hip_deg=135.0,
    right_hip_deg=135.0,
    trunk_lean_deg=80.0,
    trunk_from_vertical_deg=85.0,
)


def bridge_series(
    reps: int = 3,
    *,
    top: float = 178.0,
    hold_s: float = 2.5,
    knee: float = 90.0,
    rise_s: float = 1.0,
    lower_s: float = 1.5,
    rest_s: float = 1.0,
    noise: float = 0.0,
    seed: int = 2,
    t0: float = 0.0,
    bottom: float = 135.0,
) -> Series:
    rng = random.Random(seed)
    out: Series = []
    t = t0

    def frame(tt: float, hip: float, up: float) -> None:
        h = hip + rng.gauss(0, noise)
        m = replace(
            BRIDGE_DOWN,
            left_hip_deg=h,
            right_hip_deg=h + rng.gauss(0, noise),
            left_knee_deg=knee,
            right_knee_deg=knee + rng.gauss(0, noise),
            trunk_from_vertical_deg=85.0 - 25.0 * up,
            lying=up < 0.8,
        )
        out.append((tt, m))

    for _ in range(reps):
        for tt, _p in _frames(rest_s, t):
            frame(tt, bottom, 0.0)
        t += rest_s
        for tt, p in _frames(rise_s, t):
            u = (1 - math.cos(math.pi * p)) / 2
            frame(tt, bottom + (top - bottom) * u, u)
        t += rise_s
        for tt, _p in _frames(hold_s, t):
            frame(tt, top, 1.0)
        t += hold_s
        for tt, p in _frames(lower_s, t):
            u = (1 + math.cos(math.pi * p)) / 2
            frame(tt, bottom + (top - bottom) * u, u)
        t += lower_s
    for tt, _p in _frames(rest_s, t):
        frame(tt, bottom, 0.0)
    return out


# The kneeling stretch apart from the legs, which ``kneeling`` fills in for either front leg.
KNEELING = Measures(
    view="side",
    chirality=1,
    facing="right",
    near_side="right",
    feet_visible=True,
    left_hip_deg=95.0,
    right_hip_deg=195.0,
    trunk_lean_deg=1.0,
    trunk_from_vertical_deg=1.0,
)


def kneeling(front: str = "left", **changes: float) -> Measures:
    """The kneeling stretch position with ``front`` leg forward, values given for the front/back leg."""
    back = other(front)
    vals = {
        f"{front}_knee_deg": 92.0,
        f"{back}_knee_deg": 100.0,
        f"{front}_thigh_behind_vertical_deg": -80.0,
        f"{back}_thigh_behind_vertical_deg": 15.0,
        f"{front}_shin_forward_deg": 5.0,
        f"{back}_shin_forward_deg": -80.0,
    }
    for k, v in changes.items():
        key = k.replace("front_", f"{front}_").replace("back_", f"{back}_")
        vals[key] = v
    return replace(KNEELING, front_leg=front, **vals)


def hold_series(segments: Iterable[tuple[float, Measures | None]], t0: float = 0.0, noise: float = 0.0) -> Series:
    """Concatenate (duration, measures) segments; ``None`` segments are dropped frames."""
    rng = random.Random(3)
    out: Series = []
    t = t0
    for dur, m in segments:
        for tt, _ in _frames(dur, t):
            if m is None or noise == 0:
                out.append((tt, m))
            else:
                jitter = {
                    k: getattr(m, k) + rng.gauss(0, noise)
                    for k in ("left_knee_deg", "right_knee_deg", "trunk_lean_deg")
                    if getattr(m, k) is not None
                }
                out.append((tt, replace(m, **jitter)))
        t += dur
    return out


def run(name: str, series: Series, overrides: dict | None = None, finish: bool = True):
    coach = get_exercise(name, overrides)
    states = [coach.update(t, m) for t, m in series]
    if finish:
        coach.finish(series[-1][0] if series else 0.0)
    return coach, states


def shown(states) -> set[str]:
    return {s.cue.id for s in states if s.cue is not None}


def episodes(coach) -> dict[str, int]:
    return dict(coach.summary()["cues"])


def count_changes(states, pred: Callable) -> int:
    vals = [pred(s) for s in states]
    return sum(1 for a, b in itertools.pairwise(vals) if a != b)


# -- registry --------------------------------------------------------------------------------------------


def test_registry_names_and_unknown_exercise():
    assert set(EXERCISE_NAMES) >= {"auto", "none", "lunge", "bridge", "stretch", "standing"}
    for name in EXERCISE_NAMES:
        coach = get_exercise(name)
        state = coach.update(0.0, SIDE_UPRIGHT)
        assert state.exercise in (name, "auto")
    with pytest.raises(PosturecamError, match="unknown exercise"):
        get_exercise("squat")


# -- lunge -------------------------------------------------------------------------------------------------


def test_lunge_counts_reps_and_front_leg():
    coach, states = run("lunge", lunge_series(["left", "right", "left", "right", "right"], reps=5, noise=2.0))
    s = coach.summary()
    assert s["rep_count"] == {"left": 2, "right": 3, "total": 5}
    assert [r["side"] for r in s["reps"]] == ["left", "right", "left", "right", "right"]
    for r in s["reps"]:
        assert r["bottom_front_knee_deg"] == pytest.approx(90, abs=3)
        assert r["end_s"] > r["start_s"]
        assert r["cues"] == []
    assert "lunge.shallow" not in s["cues"]
    assert states[-1].rep_count["total"] == 5
    assert {st.phase for st in states} == {"up", "down"}


def test_lunge_rep_timing():
    coach, _ = run("lunge", lunge_series("left", reps=1, period_s=2.4, rest_s=1.0))
    (rep,) = coach.summary()["reps"]
    # Knee leaves 155 on the way down at 0.164 of the bump and is back at 0.836; the 0.25 s median lags ~0.12 s.
    assert rep["start_s"] == pytest.approx(1.0 + 0.164 * 2.4 + 0.06, abs=0.1)
    assert rep["end_s"] == pytest.approx(1.0 + 0.836 * 2.4 + 0.12, abs=0.1)


def test_lunge_jitter_near_thresholds_never_double_counts():
    """Knee hovering across both thresholds with large frame-to-frame jitter: one rep per real rep."""
    rng = random.Random(7)
    out: Series = []
    t = 0.0
    # Standing, then down to the enter threshold's neighbourhood, wobbling across it, then up wobbling across exit.
    for level, dur in ((176, 1.0), (121, 1.5), (100, 1.0), (119, 1.5), (154, 1.5), (176, 1.0)):
        for tt, _ in _frames(dur, t):
            k = level + rng.uniform(-6, 6)
            out.append((tt, replace(SIDE_UPRIGHT, front_leg="left", left_knee_deg=k, right_knee_deg=k)))
        t += dur
    coach, _ = run("lunge", out)
    assert coach.summary()["rep_count"]["total"] == 1


def test_lunge_spike_and_partial_dip_do_not_count():
    out: Series = []
    for i, (tt, _) in enumerate(_frames(6.0)):
        k = 176.0
        if i == 60:
            k = 80.0  # a single-frame glitch
        if 100 <= i < 140:
            k = 135.0  # a half-hearted dip that never reaches the enter threshold
        out.append((tt, replace(SIDE_UPRIGHT, left_knee_deg=k, right_knee_deg=k)))
    coach, _ = run("lunge", out)
    assert coach.summary()["rep_count"]["total"] == 0


def test_lunge_short_gap_keeps_rep_long_gap_drops_it():
    series = lunge_series("left", reps=1)
    # Drop 0.3 s at the bottom: the rep still counts.
    bottom = 1.0 + 1.2
    gapped = [(t, None if abs(t - bottom) < 0.15 else m) for t, m in series]
    coach, _ = run("lunge", gapped)
    assert coach.summary()["rep_count"]["total"] == 1
    # Drop 1.5 s spanning the bottom: the person may have left; no rep from half a movement.
    gapped = [(t, None if abs(t - bottom) < 0.75 else m) for t, m in series]
    coach, _ = run("lunge", gapped)
    assert coach.summary()["rep_count"]["total"] == 0


def test_lunge_start_mid_rep_is_not_counted():
    series = [(t, m) for t, m in lunge_series("left", reps=2) if t >= 2.2]  # starts at the first rep's bottom
    coach, _ = run("lunge", series)
    assert coach.summary()["rep_count"]["total"] == 1


def test_lunge_trunk_lean_cue():
    coach, states = run("lunge", lunge_series("left", reps=3, lean=32.0))
    assert "lunge.trunk_lean" in shown(states)
    assert episodes(coach)["lunge.trunk_lean"] == 3
    assert all("lunge.trunk_lean" in r["cues"] for r in coach.summary()["reps"])
    coach, states = run("lunge", lunge_series("left", reps=3, lean=8.0, noise=2.0))
    assert not any(c.startswith("lunge.") for c in shown(states))
    assert "good" in shown(states)


def test_lunge_cue_is_recorded_on_the_rep_that_had_it():
    series = lunge_series("left", reps=1, lean=32.0) + lunge_series("left", reps=2, t0=4.4 + 1 / FPS)
    coach, _ = run("lunge", series)
    reps = coach.summary()["reps"]
    assert [r["cues"] for r in reps] == [["lunge.trunk_lean"], [], []]


def test_lunge_knee_past_toes_cue():
    coach, states = run("lunge", lunge_series("right", reps=2, past_toes=0.7))
    assert "lunge.knee_past_toes" in shown(states)
    assert all("lunge.knee_past_toes" in r["cues"] for r in coach.summary()["reps"])
    _, states = run("lunge", lunge_series("right", reps=2, past_toes=0.1))
    assert "lunge.knee_past_toes" not in shown(states)


def test_lunge_shallow_is_a_rep_cue():
    coach, states = run("lunge", lunge_series("left", reps=2, bottom=116.0, back_bottom=120.0))
    s = coach.summary()
    assert s["rep_count"]["total"] == 2
    assert all("lunge.shallow" in r["cues"] for r in s["reps"])
    assert s["reps"][0]["bottom_front_knee_deg"] == pytest.approx(116, abs=2)
    assert s["cues"]["lunge.shallow"] == 2
    # Shown right after the rep ends, for a moment.
    end = s["reps"][0]["end_s"]
    # (the return to standing is confirmed min_phase_s after end_s)
    after = [st for st in states if end + 0.3 < st.time_s < end + 1.3]
    assert after and all(st.cue is not None and st.cue.id == "lunge.shallow" for st in after)
    assert "lunge.back_knee" not in s["cues"]  # one depth cue at a time: shallow wins


def test_lunge_back_knee_cue():
    coach, _ = run("lunge", lunge_series("left", reps=2, bottom=90.0, back_bottom=155.0))
    s = coach.summary()
    assert s["cues"].get("lunge.back_knee") == 2
    assert "lunge.shallow" not in s["cues"]
    coach, _ = run("lunge", lunge_series("left", reps=2))
    assert "lunge.back_knee" not in coach.summary()["cues"]


def test_lunge_front_view_counts_but_asks_to_turn():
    series = lunge_series("left", reps=3, lean=40.0, bottom=115.0, past_toes=0.8, base=FRONT_UPRIGHT)
    coach, states = run("lunge", series)
    s = coach.summary()
    assert s["rep_count"] == {"left": 3, "right": 0, "total": 3}
    assert shown(states) == {"view.turn_sideways"}
    assert all(r["cues"] == [] and r["view"] == "front" for r in s["reps"])


def test_lunge_trunk_lean_threshold_override():
    series = lunge_series("left", reps=2, lean=17.0)
    _, states = run("lunge", series)
    assert "lunge.trunk_lean" not in shown(states)
    _, states = run("lunge", series, {"lunge": {"max_trunk_lean_deg": 15}})
    assert "lunge.trunk_lean" in shown(states)
    _, states = run("lunge", series, {"max_trunk_lean_deg": 15})  # flat form for one exercise
    assert "lunge.trunk_lean" in shown(states)


# Poses for lunges chained with knee drives (side view, the left foot stays planted in front).
STANDING_LEGS = {"left_knee_deg": 176.0, "right_knee_deg": 176.0,
                 "left_thigh_behind_vertical_deg": 0.0, "right_thigh_behind_vertical_deg": 0.0}
# Reverse lunge bottom: the right leg stepped back, both knees bent, the back thigh behind the hip.
LUNGE_BOTTOM_LEGS = {"left_knee_deg": 85.0, "right_knee_deg": 105.0,
                     "left_thigh_behind_vertical_deg": -80.0, "right_thigh_behind_vertical_deg": 20.0}
# Knee drive: standing on the left leg, whose knee stays soft (150-160 on real footage, short of the
# 155 that ends a rep), the right knee driven up to hip height, thigh well forward of vertical.
KNEE_DRIVE_LEGS = {"left_knee_deg": 150.0, "right_knee_deg": 60.0,
                   "left_thigh_behind_vertical_deg": -10.0, "right_thigh_behind_vertical_deg": -110.0}


def pose_series(steps: Iterable[tuple[dict[str, float], float, float, str | None]], noise: float = 0.0,
                seed: int = 3) -> Series:
    """Measures moving linearly from pose to pose: each step is (pose, seconds to get there, seconds held there,
    front leg as measures reports it meanwhile). The front leg during a knee drive is the leg on the floor."""
    rng = random.Random(seed)
    out: Series = []
    t, cur = 0.0, dict(STANDING_LEGS)
    for pose, move_s, hold_s, front in steps:
        start = dict(cur)
        for tt, p in itertools.chain(_frames(move_s, t), _frames(hold_s, t + move_s)):
            w = p if tt < t + move_s else 1.0
            vals = {k: start[k] + (pose[k] - start[k]) * w + rng.gauss(0, noise) for k in pose}
            out.append((tt, replace(SIDE_UPRIGHT, front_leg=front, **vals)))
        t += move_s + hold_s
        cur = dict(pose)
    return out


def test_lunge_into_knee_drive_counts_each_lunge():
    """Reverse lunge -> knee drive -> lunge ...: the drive ends the rep; its raised, bent knee is no lunge bottom.

    The standing knee stays at 150 during the drives, short of ``up_knee_deg``: the back leg swung forward of the
    hip is what shows the lunge is over (before, nothing but the final stand ended a rep: 1 counted of 3).
    """
    down, drive = (LUNGE_BOTTOM_LEGS, 0.7, 0.3, "left"), (KNEE_DRIVE_LEGS, 0.6, 0.4, "left")
    series = pose_series([(STANDING_LEGS, 0.0, 1.0, None), down, drive, down, drive, down, drive,
                          (STANDING_LEGS, 0.5, 1.0, None)], noise=2.0)
    coach, states = run("lunge", series)
    s = coach.summary()
    assert s["rep_count"] == {"left": 3, "right": 0, "total": 3}
    for r in s["reps"]:
        assert r["bottom_front_knee_deg"] == pytest.approx(85, abs=3)
        assert r["bottom_back_knee_deg"] == pytest.approx(105, abs=3)
    # Each rep is counted during the knee drive that follows its lunge, not at the end of the set.
    drives = [(2.0 + 2.0 * i + 0.6, 2.0 + 2.0 * i + 1.0) for i in range(3)]
    for i, (a, b) in enumerate(drives):
        during = [st for st in states if a <= st.time_s < b]
        assert during[-1].rep_count["total"] == i + 1
        assert during[-1].phase == "up"


def test_knee_drives_alone_are_not_lunges():
    drive, stand = (KNEE_DRIVE_LEGS, 0.5, 0.5, "left"), (STANDING_LEGS, 0.5, 0.5, None)
    coach, states = run("lunge", pose_series([(STANDING_LEGS, 0.0, 1.0, None), drive, stand, drive, stand, drive,
                                              stand], noise=2.0))
    assert coach.summary()["rep_count"]["total"] == 0
    assert {st.phase for st in states} == {"up"}


def test_lunge_rep_back_up_when_the_recording_stops_counts():
    """Back in the rest band but not yet for ``min_phase_s`` when the clip ends: the person did come up."""
    # Knee back past 155 at ~3.13 s (see test_lunge_rep_timing); rest is confirmed 0.2 s later.
    series = lunge_series("left", reps=1)
    coach, _ = run("lunge", [(t, m) for t, m in series if t <= 3.25])
    assert coach.summary()["rep_count"]["total"] == 1
    coach, _ = run("lunge", [(t, m) for t, m in series if t <= 2.9])  # still on the way up: dropped
    assert coach.summary()["rep_count"]["total"] == 0


def _side_view_measures(a: PoseAngles, facing: str) -> Measures:
    """Measures of a synthetic body's exact landmarks, seen from the side (no model)."""
    body, place = Body(), Placement(heading_deg=heading_for("side", facing))  # type: ignore[arg-type]
    cam = frame_camera([a], body, place, Camera(width=640, height=360))
    uv, _ = cam.project(landmarks3d(grounded(a, body, place), body))
    n = NUM_LANDMARKS
    return measure(Pose(uv, np.zeros(n), np.full(n, 0.95), np.ones(n), np.zeros((n, 3))), (640, 360))


@pytest.mark.parametrize("facing", ["left", "right"])
@pytest.mark.parametrize("front", ["left", "right"])
def test_front_leg_is_never_a_raised_leg(front: str, facing: str):
    """A knee raised in front puts that foot ahead, but off the floor: the front leg is the one still on it."""
    back = other(front)
    for hip in (120.0, 90.0, 70.0):  # thigh 60, 90 and 110 degrees forward
        drive = PoseAngles(**{f"{back}_hip_deg": hip, f"{back}_knee_deg": 90.0, f"{front}_knee_deg": 165.0})
        assert _side_view_measures(drive, facing).front_leg == front, hip
    # A lunge's bottom, the back heel up on the ball of the foot: still the foot further forward.
    lunge = Lunge(reps=1, front=front)  # type: ignore[arg-type]
    bottom = _side_view_measures(lunge.pose(lunge.lead_in_s + lunge.rep_seconds / 2, Body()), facing)
    assert bottom.front_leg == front


# -- bridge ------------------------------------------------------------------------------------------------


def test_bridge_counts_reps_top_angle_and_hold():
    coach, states = run("bridge", bridge_series(reps=10, hold_s=2.5, noise=1.5))
    s = coach.summary()
    assert s["rep_count"] == {"left": 0, "right": 0, "total": 10}
    for r in s["reps"]:
        assert r["side"] is None
        assert r["top_hip_deg"] == pytest.approx(178, abs=2)
        # The hold is the time within 5 deg of the top: the hold itself plus the slow last/first bit of the movement.
        assert 2.4 <= r["hold_s"] <= 2.5 + 0.7
        assert r["cues"] == []
    assert not any(c.startswith("bridge.") for c in shown(states))
    assert "good" in shown(states)


@pytest.mark.parametrize("rest_s", [1.0, 0.0])
@pytest.mark.parametrize("every", [1, 2])
def test_bridge_counts_reps_resting_above_the_lowered_threshold(rest_s: float, every: int):
    """Hips resting at 151 degrees in the picture (a camera 1 m high, and the model's error), above
    ``down_hip_deg`` (148): counted from where they rest still, with or without a pause between reps
    (the first rest, before the first rep, is always there), at 30 and 15 frames a second."""
    series = bridge_series(reps=1, bottom=151.0, noise=1.0, rest_s=1.0, seed=5)
    series += bridge_series(reps=3, bottom=151.0, noise=1.0, rest_s=rest_s, seed=6, t0=series[-1][0] + 1 / FPS)
    coach, _ = run("bridge", series[::every])
    s = coach.summary()
    assert s["rep_count"]["total"] == 4
    assert all(r["top_hip_deg"] == pytest.approx(178, abs=2) for r in s["reps"])


def test_bridge_rest_level_needs_stillness_and_a_real_rise():
    """Hips jumping between 150 and 157 every 0.2 s (never still) arm nothing; still at 151, a rise to 160 is no rep
    (10 degrees beyond the rest level are needed, as well as up_hip_deg); nor is a start at the top."""
    wander = [(i / 30, replace(BRIDGE_DOWN, left_hip_deg=h, right_hip_deg=h))
              for i, h in enumerate(150.0 if i // 6 % 2 else 157.0 for i in range(300))]
    rise = [(10 + t, m) for t, m in bridge_series(reps=2, bottom=151.0, top=160.0)]
    for series in (wander + [(10 + t, m) for t, m in bridge_series(reps=1, bottom=155.0, rest_s=0.0)], rise):
        coach, _ = run("bridge", series)
        assert coach.summary()["rep_count"]["total"] == 0
    top_first = bridge_series(reps=2, bottom=151.0)[60:]  # starts in the first hold
    coach, _ = run("bridge", top_first)
    assert coach.summary()["rep_count"]["total"] == 1


def test_bridge_hold_measurement_accuracy_without_noise():
    coach, _ = run("bridge", bridge_series(reps=2, hold_s=3.0))
    for r in coach.summary()["reps"]:
        # Plateau within 5 deg of the top: the hold plus the last bit of the rise and first of the lowering.
        assert 3.0 <= r["hold_s"] <= 3.0 + 0.55


def test_bridge_hips_low_cue():
    coach, _ = run("bridge", bridge_series(reps=3, top=161.0))
    s = coach.summary()
    assert s["rep_count"]["total"] == 3
    assert all("bridge.hips_low" in r["cues"] for r in s["reps"])
    assert "bridge.overarch" not in s["cues"]


def test_bridge_overarch_cue():
    coach, states = run("bridge", bridge_series(reps=2, top=203.0))
    s = coach.summary()
    assert "bridge.overarch" in shown(states)
    assert all("bridge.overarch" in r["cues"] for r in s["reps"])
    assert s["cues"]["bridge.overarch"] == 2  # frame cue during the hold; not counted again at rep end
    assert "bridge.hips_low" not in s["cues"]


def test_bridge_feet_position_cue():
    for knee in (55.0, 130.0):
        coach, states = run("bridge", bridge_series(reps=2, knee=knee))
        assert "bridge.feet_position" in shown(states)
        assert all("bridge.feet_position" in r["cues"] for r in coach.summary()["reps"])


def test_bridge_no_hold_cue_counts_rep_anyway():
    coach, states = run("bridge", bridge_series(reps=3, hold_s=0.2))
    s = coach.summary()
    assert s["rep_count"]["total"] == 3
    assert all("bridge.no_hold" in r["cues"] and r["hold_s"] < 1.0 for r in s["reps"])
    assert "bridge.no_hold" in shown(states)
    coach, _ = run("bridge", bridge_series(reps=3, hold_s=1.0), {"bridge": {"min_hold_s": 0.8}})
    assert "bridge.no_hold" not in coach.summary()["cues"]


def test_bridge_needs_lying_and_side_view():
    # Sitting down and standing up again moves the hip angle just like a bridge: must not count.
    out: Series = []
    for tt, p in _frames(8.0):
        hip = 178 - 88 * _bump((p * 3) % 1.0)
        out.append((tt, replace(SIDE_UPRIGHT, left_hip_deg=hip, right_hip_deg=hip)))
    coach, states = run("bridge", out)
    assert coach.summary()["rep_count"]["total"] == 0
    assert "view.lie_down" in shown(states)
    front = [(t, replace(m, view="front", chirality=0, near_side=None)) for t, m in bridge_series(reps=2)]
    coach, states = run("bridge", front)
    assert coach.summary()["rep_count"]["total"] == 0
    assert shown(states) == {"view.turn_sideways"}


# -- stretch -----------------------------------------------------------------------------------------------


def test_stretch_hold_time_accurate():
    series = hold_series([(2.0, SIDE_UPRIGHT), (31.0, kneeling("left")), (2.0, SIDE_UPRIGHT)], noise=1.0)
    coach, states = run("stretch", series)
    (h,) = coach.summary()["holds"]
    assert h["side"] == "left" and h["stretched_side"] == "right"
    assert h["duration_s"] == pytest.approx(31.0, abs=0.2)
    assert h["start_s"] == pytest.approx(2.0, abs=0.2)
    assert h["end_s"] == pytest.approx(33.0, abs=0.2)
    assert h["back_hip_extension_deg"] == pytest.approx(15.0, abs=0.5)
    assert h["cues"] == []
    holding = [s for s in states if s.phase == "holding"]
    assert holding and holding[-1].hold == pytest.approx(31.0, abs=0.2)
    assert holding[-1].hold_target_s == 30.0 and holding[-1].hold_side == "left"
    assert "stretch.switch_sides" in shown(states)


def test_stretch_hold_pauses_on_trunk_lean_and_arching():
    series = hold_series(
        [
            (10.0, kneeling("left")),
            (5.0, replace(kneeling("left"), trunk_lean_deg=25.0)),
            (5.0, kneeling("left")),
            # Arching: trunk behind vertical, which also fakes a deeper back thigh angle; neither may count.
            (5.0, replace(kneeling("left", back_thigh_behind_vertical_deg=28.0), trunk_lean_deg=-18.0)),
            (10.0, kneeling("left")),
        ]
    )
    coach, states = run("stretch", series)
    (h,) = coach.summary()["holds"]
    assert h["duration_s"] == pytest.approx(25.0, abs=0.2)
    assert h["back_hip_extension_deg"] == pytest.approx(15.0, abs=0.5)
    assert set(h["cues"]) == {"stretch.trunk_lean", "stretch.arched_back"}
    assert "paused" in {s.phase for s in states}
    ids = shown(states)
    assert {"stretch.trunk_lean", "stretch.arched_back"} <= ids
    assert episodes(coach)["stretch.trunk_lean"] == 1


def test_stretch_clean_hold_has_no_fault_cues():
    _, states = run("stretch", hold_series([(20.0, kneeling("right"))], noise=2.0))
    assert not {c for c in shown(states) if c.startswith("stretch.")}
    assert "good" in shown(states)


def test_stretch_front_knee_cue_does_not_pause():
    series = hold_series([(20.0, kneeling("left", front_shin_forward_deg=32.0))])
    coach, states = run("stretch", series)
    (h,) = coach.summary()["holds"]
    assert h["duration_s"] == pytest.approx(20.0, abs=0.2)
    assert "stretch.front_knee" in shown(states)
    series = hold_series([(20.0, kneeling("left", front_shin_forward_deg=-30.0))])
    _, states = run("stretch", series)
    assert "stretch.front_knee" in shown(states)


def test_stretch_go_deeper_cue():
    _, states = run("stretch", hold_series([(10.0, kneeling("left", back_thigh_behind_vertical_deg=3.0))]))
    assert "stretch.go_deeper" in shown(states)


def test_stretch_side_switch_starts_new_hold():
    series = hold_series(
        [
            (2.0, SIDE_UPRIGHT),
            (30.0, kneeling("left")),
            (3.0, SIDE_UPRIGHT),
            (30.0, kneeling("right")),
            (1.0, SIDE_UPRIGHT),
        ]
    )
    coach, states = run("stretch", series)
    holds = coach.summary()["holds"]
    assert [h["side"] for h in holds] == ["left", "right"]
    assert [h["stretched_side"] for h in holds] == ["right", "left"]
    assert all(h["duration_s"] == pytest.approx(30.0, abs=0.2) for h in holds)
    assert states[-1].holds_done == {"left": 1, "right": 0}  # the right hold is still open until finish
    assert states[-1].hold_side == "right"


def test_stretch_direct_side_switch_without_standing():
    series = hold_series([(20.0, kneeling("left")), (20.0, kneeling("right"))])
    coach, _ = run("stretch", series)
    holds = coach.summary()["holds"]
    assert [h["side"] for h in holds] == ["left", "right"]
    assert holds[0]["duration_s"] == pytest.approx(20.0, abs=0.2)
    assert holds[1]["duration_s"] == pytest.approx(20.0, abs=0.2)


def test_stretch_short_gaps_cost_nothing_and_finish_keeps_open_hold():
    segs: list[tuple[float, Measures | None]] = []
    for _ in range(5):
        segs += [(3.7, kneeling("left")), (0.3, None)]
    segs += [(4.0, kneeling("left"))]
    coach = get_exercise("stretch")
    for t, m in hold_series(segs):
        state = coach.update(t, m)
    assert state.hold == pytest.approx(24.0, abs=0.2)
    assert not coach.summary()["holds"]  # still open
    coach.finish(24.0)
    (h,) = coach.summary()["holds"]
    assert h["duration_s"] == pytest.approx(24.0, abs=0.2)


def test_stretch_passing_through_position_is_not_a_hold():
    series = hold_series([(2.0, SIDE_UPRIGHT), (1.0, kneeling("left")), (5.0, SIDE_UPRIGHT)])
    coach, _ = run("stretch", series)
    assert coach.summary()["holds"] == []


# -- standing ----------------------------------------------------------------------------------------------


STANDING_FAULTS = [
    ("standing.pelvic_obliquity", FRONT_UPRIGHT, {"pelvic_obliquity_deg": 6.0}),
    ("standing.pelvic_obliquity", FRONT_UPRIGHT, {"pelvic_obliquity_deg": -6.0}),
    ("standing.shoulder_tilt", FRONT_UPRIGHT, {"shoulder_tilt_deg": -7.0}),
    ("standing.trunk_shift", FRONT_UPRIGHT, {"trunk_shift": 0.5}),
    ("standing.head_forward", SIDE_UPRIGHT, {"head_forward_deg": 30.0}),
    ("standing.sway_back", SIDE_UPRIGHT, {"hips_forward_of_ankles": 0.15}),
    ("standing.knees_locked", SIDE_UPRIGHT, {"right_knee_deg": 190.0, "left_knee_deg": 190.0}),
    ("standing.trunk_lean", SIDE_UPRIGHT, {"trunk_lean_deg": 15.0}),
]


@pytest.mark.parametrize(("cue_id", "base", "changes"), STANDING_FAULTS)
def test_standing_fault_cues(cue_id, base, changes):
    _, states = run("standing", hold_series([(3.0, base), (4.0, replace(base, **changes))], noise=0.5))
    assert cue_id in shown(states)
    # Sustained faults only: no cue during the first clean seconds.
    assert all(s.cue is None or s.cue.id == "good" for s in states if s.time_s < 3.0)


@pytest.mark.parametrize("base", [FRONT_UPRIGHT, SIDE_UPRIGHT])
def test_standing_clean_is_silent_and_summarised(base):
    coach, states = run("standing", hold_series([(10.0, base)], noise=0.5))
    assert shown(states) <= {"good"}
    meas = coach.summary()["measures"]
    if base.view == "front":
        assert meas["pelvic_obliquity_deg"]["median"] == pytest.approx(0.5, abs=0.01)
        assert set(meas) == {"pelvic_obliquity_deg", "shoulder_tilt_deg", "trunk_shift"}
    else:
        assert meas["head_forward_deg"]["median"] == pytest.approx(8.0, abs=0.01)
        assert "pelvic_obliquity_deg" not in meas


def test_standing_summary_range_and_baseline():
    rng = random.Random(5)
    series: Series = [
        (i / FPS, replace(FRONT_UPRIGHT, pelvic_obliquity_deg=5.0 + rng.uniform(-1, 1))) for i in range(300)
    ]
    coach, states = run("standing", series)
    m = coach.summary()["measures"]["pelvic_obliquity_deg"]
    assert m["p10"] < m["median"] < m["p90"]
    assert m["median"] == pytest.approx(5.0, abs=0.3)
    assert "standing.pelvic_obliquity" in shown(states)
    # With the person's own baseline set by a physio, the same stance is fine.
    _, states = run("standing", series, {"standing": {"pelvic_obliquity_baseline_deg": 5.0}})
    assert "standing.pelvic_obliquity" not in shown(states)
    lines = coach.summary_lines()
    assert any(line.startswith("Pelvic obliquity: median 5.") for line in lines)


def test_standing_oblique_view_asks_to_square_up():
    _, states = run("standing", hold_series([(3.0, replace(FRONT_UPRIGHT, view=None))]))
    assert shown(states) == {"view.square_up"}


# -- view cues and debouncing --------------------------------------------------------------------------------


def test_step_back_when_feet_hidden():
    series = [(t, replace(m, feet_visible=False)) for t, m in lunge_series("left", reps=2, lean=35)]
    _, states = run("lunge", series)
    assert "view.step_back" in shown(states)
    assert "lunge.trunk_lean" not in shown(states)


def test_no_step_back_when_the_model_left_a_leg_out():
    """The feet are in the picture, unmeasured because the model drew both legs on one: stepping back would not help.

    Form is still not judged on legs held from earlier frames.
    """
    series = [(t, replace(m, feet_visible=False, legs_unseen=True)) for t, m in lunge_series("left", reps=2, lean=35)]
    _, states = run("lunge", series)
    assert "view.step_back" not in shown(states)
    assert "lunge.trunk_lean" not in shown(states)


def test_turn_sideways_for_stretch_in_front_view():
    _, states = run("stretch", hold_series([(4.0, replace(kneeling("left"), view="front"))]))
    assert shown(states) == {"view.turn_sideways"}


def test_no_person_only_after_a_real_gap():
    series = hold_series([(3.0, kneeling("left")), (0.4, None), (3.0, kneeling("left"))])
    _, states = run("stretch", series)
    assert "view.no_person" not in shown(states)
    series = hold_series([(3.0, kneeling("left")), (3.0, None), (3.0, kneeling("left"))])
    _, states = run("stretch", series)
    assert "view.no_person" in shown(states)
    assert any(not s.person for s in states)


def test_cue_debounce_onset_release_and_no_flicker():
    base = kneeling("left")
    lean = replace(base, trunk_lean_deg=30.0)
    # A 0.2 s fault never shows.
    _, states = run("stretch", hold_series([(5.0, base), (0.2, lean), (5.0, base)]), {"smooth_s": 0})
    assert "stretch.trunk_lean" not in shown(states)
    # A fault that flickers on and off every few frames shows once, steadily.
    segs = [(5.0, base)] + [(0.1, lean), (0.1, base)] * 20 + [(5.0, base)]
    coach, states = run("stretch", hold_series(segs), {"smooth_s": 0})
    assert episodes(coach)["stretch.trunk_lean"] == 1
    assert count_changes(states, lambda s: s.cue is not None and s.cue.id == "stretch.trunk_lean") == 2
    # Onset after ~0.4 s, release ~0.8 s after the fault ends.
    _, states = run("stretch", hold_series([(5.0, base), (2.0, lean), (5.0, base)]), {"smooth_s": 0})
    on = [s.time_s for s in states if s.cue is not None and s.cue.id == "stretch.trunk_lean"]
    assert on[0] == pytest.approx(5.4, abs=0.05)
    assert on[-1] == pytest.approx(7.8, abs=0.05)


def test_highest_priority_cue_wins():
    m = replace(kneeling("left", front_shin_forward_deg=35.0), trunk_lean_deg=-20.0)
    _, states = run("stretch", hold_series([(5.0, m)]))
    assert states[-1].cue.id == "stretch.arched_back"
    assert "stretch.front_knee" in states[-1].active_cues


def test_debouncer_unit():
    d = CueDebouncer(on_s=0.4, off_s=0.8)
    new = []
    for i in range(60):
        t = i / 30
        new += d.update(t, {"a"} if i < 30 else set())
    assert new == ["a"]
    assert "a" not in d.active()
    d.pulse("b", 5.0)
    d.update(4.9, set())
    assert "b" in d.active()
    d.update(5.1, set())
    assert "b" not in d.active()


# -- auto ----------------------------------------------------------------------------------------------------


def _shift(series: Series, dt: float) -> Series:
    return [(t + dt, m) for t, m in series]


def test_auto_recognises_lunge_and_keeps_every_rep():
    coach, states = run("auto", lunge_series(["left", "right", "left", "right"], reps=4, noise=2.0, rest_s=0.5))
    s = coach.summary()
    assert [seg["exercise"] for seg in s["segments"]] == ["lunge"]
    assert s["rep_count"] == {"left": 2, "right": 2, "total": 4}
    assert states[-1].exercise == "lunge"
    assert states[0].exercise == "auto" and states[0].phase == "recognising"


def test_auto_recognises_bridge():
    coach, states = run("auto", bridge_series(reps=4, noise=1.0))
    s = coach.summary()
    assert [seg["exercise"] for seg in s["segments"]] == ["bridge"]
    assert s["rep_count"]["total"] == 4
    assert states[-1].exercise == "bridge"


def test_auto_recognises_stretch_with_full_hold():
    series = hold_series([(2.0, SIDE_UPRIGHT), (30.0, kneeling("right"))], noise=1.0)
    coach, _ = run("auto", series)
    s = coach.summary()
    assert [seg["exercise"] for seg in s["segments"]] == ["standing", "stretch"]
    (h,) = s["holds"]
    assert h["side"] == "right" and h["exercise"] == "stretch"
    assert h["duration_s"] == pytest.approx(30.0, abs=0.3)


def test_auto_standing_then_lunges_then_bridge_without_flip_flop():
    series = hold_series([(6.0, SIDE_UPRIGHT)], noise=1.0)
    lunges = _shift(lunge_series(["left", "right", "left"], reps=3, noise=2.0), 6.0)
    bridges = _shift(bridge_series(reps=3, noise=1.0), lunges[-1][0] + 1 / FPS + 2.0)
    gap = [(lunges[-1][0] + (i + 1) / FPS, None) for i in range(59)]
    coach, states = run("auto", series + lunges + gap + bridges)
    s = coach.summary()
    assert [seg["exercise"] for seg in s["segments"]] == ["standing", "lunge", "bridge"]
    assert s["exercises"]["lunge"]["rep_count"]["total"] == 3
    assert s["exercises"]["bridge"]["rep_count"]["total"] == 3
    assert count_changes(states, lambda st: st.exercise) == 3  # auto -> standing -> lunge -> bridge
    lines = coach.summary_lines()
    assert any(line.startswith("Lunges: 2 left, 1 right") for line in lines)
    assert any(line.startswith("Glute bridges: 3 reps") for line in lines)


# -- config --------------------------------------------------------------------------------------------------


def test_load_thresholds_and_errors(tmp_path):
    p = tmp_path / "physio.toml"
    p.write_text("[lunge]\nmax_trunk_lean_deg = 15\n\n[stretch]\ntarget_hold_s = 45\n\n[auto]\nswitch_s = 4\n")
    cfg = load_thresholds(p)
    assert cfg == {"lunge": {"max_trunk_lean_deg": 15.0}, "stretch": {"target_hold_s": 45.0}, "auto": {"switch_s": 4.0}}
    coach = get_exercise("stretch", cfg)
    assert coach.th.target_hold_s == 45.0
    assert coach.th.max_trunk_lean_deg == 15.0  # stretch default, not the lunge override
    auto = get_exercise("auto", cfg)
    assert auto.th["switch_s"] == 4.0
    assert auto._coaches["lunge"].th.max_trunk_lean_deg == 15.0

    bad = tmp_path / "bad.toml"
    bad.write_text("[lunge]\nmax_trunk_lean = 15\n")
    with pytest.raises(PosturecamError, match=r"unknown setting 'max_trunk_lean' in \[lunge\]") as e:
        load_thresholds(bad)
    assert "\n" not in str(e.value)
    bad.write_text("[squat]\nx = 1\n")
    with pytest.raises(PosturecamError, match=r"unknown section \[squat\]"):
        load_thresholds(bad)
    bad.write_text("[lunge]\nmax_trunk_lean_deg = 'fifteen'\n")
    with pytest.raises(PosturecamError, match="must be a number"):
        load_thresholds(bad)
    bad.write_text("[lunge\n")
    with pytest.raises(PosturecamError, match="not valid TOML"):
        load_thresholds(bad)
    with pytest.raises(PosturecamError, match="not found"):
        load_thresholds(tmp_path / "missing.toml")
    with pytest.raises(PosturecamError, match="unknown setting"):
        get_exercise("lunge", {"max_lean": 3})


def test_every_threshold_has_a_unit_or_kind_in_its_name():
    units = ("_deg", "_s", "_shin", "_leg", "_hip_widths", "_share")
    for section, table in known_thresholds().items():
        for key in table:
            assert key.endswith(units), f"[{section}] {key}"


# -- summary -------------------------------------------------------------------------------------------------


def test_summary_shape_and_lines():
    coach, _ = run("lunge", lunge_series(["left", "right", "left", "right"], reps=4, lean=30.0))
    s = coach.summary()
    assert {"exercise", "rep_count", "reps", "holds", "cues", "measures"} <= set(s)
    assert s["exercise"] == "lunge"
    rep = s["reps"][0]
    assert {"side", "start_s", "end_s", "cues", "bottom_front_knee_deg"} <= set(rep)
    lines = coach.summary_lines()
    assert lines[0] == "Lunges: 2 left, 2 right"
    assert lines[-1] == "Most frequent cue: Keep your torso upright (4×)"
    coach, _ = run("stretch", hold_series([(31.0, kneeling("left"))]))
    lines = coach.summary_lines()
    assert lines[0].startswith("Kneeling hip-flexor stretch, left leg in front: held 31 s of 30 s, back hip 15°")
    assert lines[-1] == "No form cues needed"
    # Nothing judged: no praise for form never seen; a fault shown is still reported.
    coach, _ = run("stretch", [])
    assert coach.summary_lines() == ["Kneeling hip-flexor stretch: nothing recorded"]
    coach, _ = run("stretch", [(0.1 * i, replace(kneeling("left"), view="front")) for i in range(20)])
    assert coach.summary_lines()[-2:] == ["Kneeling hip-flexor stretch: nothing recorded",
                                          "Most frequent cue: Turn sideways to the camera (1×)"]


def test_no_person_at_start_and_auto_idle():
    for name in ("auto", "lunge", "none"):
        coach = get_exercise(name)
        states = [coach.update(i / FPS, None) for i in range(60)]
        assert states[0].cue is None
        assert states[-1].cue is not None and states[-1].cue.id == "view.no_person"
        assert states[-1].person is False
        assert coach.summary()["rep_count"]["total"] == 0


def test_none_exercise_measures_only():
    coach, states = run("none", lunge_series("left", reps=2, lean=40))
    assert all(s.cue is None for s in states)
    s = coach.summary()
    assert s["rep_count"]["total"] == 0
    assert "left_knee_deg" in s["measures"]
