"""End to end accuracy on rendered clips: per-side knee and hip angles by the person's own anatomy.

Each clip runs through ``Pipeline.create(<its exercise>)`` and ``VideoReader``
as a user's ``analyze --exercise`` would (so bridges and stretches have their
knees placed on the outline); ``posturecam.synthetic.evaluate`` compares the measures with
the rendered truth in frames where both are defined. The camera-yawed clips
are ones where the raw model gives the near leg the far leg's label in a
tenth to a quarter of frames; the randomised clips (seeded) vary body,
clothes, background and camera so the numbers are not tuned to one look.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from posturecam.synthetic import Appearance, Body, Bridge, Camera, HipFlexorStretch, Lunge, render_clip
from posturecam.synthetic.evaluate import ClipScore, score_clip
from posturecam.synthetic.motions import analyze_exercise

SMALL = Camera(width=640, height=360)
FPS = 15.0
SIDE_MAE_LIMIT_DEG = 5.0
SAME_LEGS = Appearance(far_darken=1.0)  # far leg not shaded: the case where the raw model swaps most


def _random_config(seed: int) -> dict[str, object]:
    """A seeded body, look and camera 0-25 degrees off the side."""
    rng = np.random.default_rng(seed)
    app = replace(Appearance.random(rng), far_darken=float(rng.uniform(0.8, 1.0)))
    body = Body(height_m=float(rng.uniform(1.5, 1.95)), girth=float(rng.uniform(0.85, 1.25)),
                leg_scale=float(rng.uniform(0.94, 1.06)))
    cam = replace(SMALL, yaw_deg=float(rng.uniform(-25, 25)), height_m=float(rng.uniform(0.6, 1.4)))
    return {"appearance": app, "body": body, "camera": cam, "facing": ("left", "right")[int(rng.integers(2))]}


CLIPS: dict[str, tuple[object, float, dict[str, object]]] = {
    "lunge_side": (Lunge(reps=2), 6.0, {"camera": SMALL}),
    "lunge_yaw-20_swaps": (Lunge(reps=2), 6.0, {"camera": replace(SMALL, yaw_deg=-20), "appearance": SAME_LEGS}),
    "bridge_side": (Bridge(reps=1, hold_s=1.5), 5.0, {"camera": SMALL}),
    "stretch_yaw-20": (HipFlexorStretch(hold_s=2.0, switch_s=1.2), 5.0,
                       {"camera": replace(SMALL, yaw_deg=-20), "facing": "left"}),
    "lunge_random_1": (Lunge(reps=2, front="right"), 6.0, _random_config(1)),
    "lunge_random_2": (Lunge(reps=2), 6.0, _random_config(2)),
}


@pytest.fixture(scope="session")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ClipScore]:
    """Render each clip once per session and score it (about 5 s a clip on 2 cores).

    ``bridge_side_model_knees`` is the bridge again without the knees placed on the outline.
    """
    out: Path = tmp_path_factory.mktemp("accuracy")
    result = {}
    for name, (motion, seconds, kw) in CLIPS.items():
        path = out / f"{name}.mp4"
        truths = render_clip(motion, seconds=seconds, fps=FPS, path=path, **kw)  # type: ignore[arg-type]
        result[name] = score_clip(path, truths, exercise=analyze_exercise(motion))
        if name == "bridge_side":
            result["bridge_side_model_knees"] = score_clip(path, truths, exercise="bridge", outline=False)
    for name, s in result.items():
        print(name, s.summary())
    return result


# A camera 15-25 degrees off the side: with the centred smoothing ``analyze`` uses (measured
# 640x360, 15 fps) the yaw-20 lunge (worst joint 4.9 with the outline lunges now get, 4.4
# without) and yaw-20 stretch (2.6; 5.2 before the knee's arc left out the forearm along the
# thigh) pass, and random 2 (far knee 5.9 until the knee was measured from the hip centre, 4.8
# then, 4.2 with the outline). Random 1 (worst joint 3.7) was long marked failing for its far
# knee, measured in only 68 of 90 frames where the test asked 80% of all frames; but in 34 of
# the 90 that knee is hidden behind the near leg (standing, feet together), where posturecam
# rightly does not guess, so a joint is now asked to be measured in 80% of the frames where the
# camera sees it (the far leg of the side-on bridge is hidden in all of them).
#
# Over 18 further seeded random clips never used for tuning (seeds 15-32), the mean MAE is 4.2
# (4.7 with live mode's causal smoothing); 3 of 12 lunges and 5 of 6 kneeling stretches have a
# joint over 5, the stretches worst (up to 12) where the model places the kneeling leg wrongly
# for a second or more. Labels and facing are right (swaps 0-2%); what is left is the model's
# own placement of a partly hidden leg.
#
# The bridge on the floor, side view: the model bends the near knee more than
# drawn (MAE 4.9, bias -4.9, with its own knee landmark); placed on the
# outline (``posturecam.limbs``, on for ``--exercise bridge``) it reads 1.8.


@pytest.mark.parametrize("name", list(CLIPS))
def test_side_view_angles_within_5_degrees(scores: dict[str, ClipScore], name: str) -> None:
    s = scores[name]
    assert s.detection_rate >= 0.95, s.summary()
    for key in ("left_knee_deg", "right_knee_deg", "left_hip_deg", "right_hip_deg"):
        # Measured in most frames where the camera sees the joint. Errors still count in every
        # frame measured, hidden or not: only frames it cannot see stop counting against coverage.
        assert s.n(key) >= 0.8 * s.in_view(key), (key, s.summary())
        assert s.mae(key) <= SIDE_MAE_LIMIT_DEG, (key, s.summary())


def test_raw_model_swaps_and_resolver_fixes_them(scores: dict[str, ClipScore]) -> None:
    """The yawed clip is a real test of the resolver: the raw labels are wrong in many frames."""
    s = scores["lunge_yaw-20_swaps"]
    assert s.raw_swap_rate >= 0.05, s.summary()
    assert s.swap_rate <= 0.02, s.summary()
    for key in ("left_hip_deg", "right_hip_deg"):
        assert s.mae(key) < s.mae(key, raw=True) - 3.0, (key, s.summary())
        assert s.mae(key) <= 8.0, (key, s.summary())


def test_labels_follow_anatomy_everywhere(scores: dict[str, ClipScore]) -> None:
    for name, s in scores.items():
        assert s.swap_rate <= 0.03, (name, s.summary())


def test_hips_seen_from_behind_keep_front_and_back(scores: dict[str, ClipScore]) -> None:
    """Random clip 2 is filmed 21 degrees behind the side: the nose is hidden in most frames.

    Facing then comes from the model's depth order of the trunk sides; with
    the face cue alone the back hip's extension folded below 180 (hip MAE
    12.3 and 8.9 degrees measured before the fallback).
    """
    s = scores["lunge_random_2"]
    for key in ("left_hip_deg", "right_hip_deg"):
        assert s.n(key) >= 0.9 * s.frames and s.mae(key) <= SIDE_MAE_LIMIT_DEG, (key, s.summary())


def test_bridge_on_the_floor_hips_within_5_degrees(scores: dict[str, ClipScore]) -> None:
    s = scores["bridge_side"]
    for key in ("left_hip_deg", "right_hip_deg"):
        assert s.n(key) >= 0.9 * s.frames and s.mae(key) <= SIDE_MAE_LIMIT_DEG, (key, s.summary())


def test_bridge_near_knee_is_placed_on_the_outline(scores: dict[str, ClipScore]) -> None:
    """The near (right) knee, which the model bends too far, gains from the outline; the far one is left alone."""
    on, off = scores["bridge_side"], scores["bridge_side_model_knees"]
    assert on.mae("right_knee_deg") <= off.mae("right_knee_deg") - 1.0, (on.summary(), off.summary())
    assert on.mae("right_knee_deg") <= SIDE_MAE_LIMIT_DEG, on.summary()
    assert on.mae("left_knee_deg") == pytest.approx(off.mae("left_knee_deg"), abs=0.2), (on.summary(), off.summary())


def test_bridge_on_the_floor_is_tracked(scores: dict[str, ClipScore]) -> None:
    assert scores["bridge_side"].detection_rate >= 0.95


@pytest.mark.parametrize("fps", [FPS, 30.0])
def test_kneeling_stretch_filmed_from_above_keeps_its_legs(tmp_path: Path, fps: float) -> None:
    """The feet's outline names the legs where the model gets them wrong for a whole side.

    A camera at 1.7 m aimed down at a half-kneeling stretch (a laptop on a
    shelf): while the far leg is in front, the raw model calls the front leg
    the near one in every frame (raw labels wrong in 48% of frames), so there
    is no correct majority for the resolver to follow, and continuity
    carried that naming through the switch: labels wrong in 32% of frames
    (50% in earlier versions), hips 24-33 degrees off. Perspective is right
    here but weak (the legs about 2% apart in length), and a floor-contact
    cue from the model's foot landmarks was right in only 55-70% of frames.
    From the segmentation mask the same cue (the near foot reaches lower on
    screen: its outline's lowest pixel) was right in 99% of side-on frames,
    98% of those the model had swapped (``posturecam/sides.py``). This was a
    strict xfail until then. The control, the same clip without the outline
    (no mask), stays swapped.

    At 30 fps ``analyze`` shows a stretch every other frame mirrored, each mirrored
    frame's legs named as the upright frame before named them (``pipeline.MIRROR_MIN_FPS``):
    the names must hold through the switch of sides there too (measured: knees
    2.6/3.0, hips 4.1/4.6; unmirrored 3.0/3.3, 3.9/4.6).
    """
    path = tmp_path / "stretch_from_above.mp4"
    cam = replace(SMALL, height_m=1.7, pitch_deg=None)
    truths = render_clip(HipFlexorStretch(hold_s=2.0), fps=fps, path=path, camera=cam, facing="right")
    s = score_clip(path, truths, exercise="stretch")
    assert s.raw_swap_rate >= 0.3, s.summary()
    assert s.swap_rate <= 0.03, s.summary()
    for key in ("left_knee_deg", "right_knee_deg", "left_hip_deg", "right_hip_deg"):
        assert s.mae(key) <= SIDE_MAE_LIMIT_DEG, (key, s.summary())
    if fps == FPS:
        control = score_clip(path, truths, exercise="stretch", outline=False)
        assert control.swap_rate >= 0.2, control.summary()


@pytest.mark.parametrize("name", [n for n in CLIPS if n != "bridge_side"])
def test_the_camera_turn_off_the_side_is_read_and_said(scores: dict[str, ClipScore], name: str) -> None:
    """The summary's ``off_side`` block: within 11 degrees of the camera's true turn, and a note from 20 degrees.

    11 is the worst of 93 held-out renders (half within 3.4): the model guesses the hidden shoulder.

    Upright clips only: lying down, the shoulders' spread comes from the camera's height.
    """
    turn = abs(CLIPS[name][2]["camera"].yaw_deg)  # type: ignore[union-attr]
    block = scores[name].tracking["off_side"]
    assert block["frames"] >= 0.9 * scores[name].frames, block
    assert abs(block["median_deg"] - turn) <= 11.0, (turn, block)  # type: ignore[operator]
    if turn >= 18.0:
        assert block["note"], (turn, block)
    elif turn <= 8.0:
        assert block["note"] is None, (turn, block)


def test_lying_down_gives_no_turn(scores: dict[str, ClipScore]) -> None:
    assert scores["bridge_side"].tracking["off_side"]["frames"] == 0
