"""Knees placed on the outline (``posturecam.limbs``), on drawn masks whose joints are known.

The masks are capsules drawn with OpenCV, as a segmentation mask shows a
bent leg from the side; the "model" landmarks are put where MediaPipe puts
them on such legs (the knee toward the front of the knee, the ankle off the
shin), and the refinement must bring the angle back to the drawn one.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from posturecam.geometry import cross2, interior_angle_deg
from posturecam.landmarks import NUM_LANDMARKS, L
from posturecam.limbs import LimbFit, Outline, beside_offsets, knee_on_arc, limb_axis, refine_leg, refine_legs
from posturecam.measures import measure
from posturecam.pose import Pose

SIZE = (720, 1280)


def _px(x: float, y: float) -> np.ndarray:
    return np.array([x, y])


# A bridge at the top, facing left: knee bent 90 degrees.
HIP, KNEE, ANKLE = _px(800, 500), _px(600, 300), _px(402, 498)
SHOULDER = _px(1180, 560)
THIGH_W, SHIN_W = 70, 56


def _capsule(mask: np.ndarray, a: np.ndarray, b: np.ndarray, width: int) -> None:
    cv2.line(mask, tuple(int(v) for v in a), tuple(int(v) for v in b), 1.0, width, cv2.LINE_AA)


def _bridge_mask(extra: list[tuple[np.ndarray, np.ndarray, int]] = ()) -> np.ndarray:
    """A side-view bridge's outline: trunk from shoulder to hip, the thigh up to the knee, the shin down."""
    mask = np.zeros(SIZE, np.float32)
    _capsule(mask, SHOULDER, HIP, 110)
    _capsule(mask, HIP, KNEE, THIGH_W)
    _capsule(mask, KNEE, ANKLE, SHIN_W)
    for a, b, w in extra:
        _capsule(mask, a, b, w)
    return mask


def _pose(mask: np.ndarray, knee: np.ndarray, ankle: np.ndarray, *, far: dict[int, np.ndarray] | None = None,
          arm: tuple[np.ndarray, np.ndarray] | None = None) -> Pose:
    """Both legs on the drawn one (the far leg hidden behind it) unless ``far`` moves the right leg."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = SHOULDER
    xy[[L.LEFT_HIP, L.RIGHT_HIP]] = HIP
    xy[[L.LEFT_KNEE, L.RIGHT_KNEE]] = knee
    xy[[L.LEFT_ANKLE, L.RIGHT_ANKLE]] = ankle
    # Arms lying on the floor beside the body, clear of the legs.
    elbow, wrist = arm if arm is not None else (_px(1000, 640), _px(860, 660))
    xy[[L.LEFT_ELBOW, L.RIGHT_ELBOW]] = elbow
    xy[[L.LEFT_WRIST, L.RIGHT_WRIST]] = wrist
    _hands(xy)
    for i, p in (far or {}).items():
        xy[i] = p
    vis = np.full(NUM_LANDMARKS, 0.95)
    return Pose(xy, np.zeros(NUM_LANDMARKS), vis, np.ones(NUM_LANDMARKS), np.zeros((NUM_LANDMARKS, 3)), mask=mask)


def _hands(xy: np.ndarray) -> None:
    """Fingers a hand's length beyond the wrists, along the forearm."""
    for elbow, wrist, fingers in ((L.LEFT_ELBOW, L.LEFT_WRIST, (L.LEFT_INDEX, L.LEFT_PINKY)),
                                  (L.RIGHT_ELBOW, L.RIGHT_WRIST, (L.RIGHT_INDEX, L.RIGHT_PINKY))):
        xy[list(fingers)] = xy[wrist] + 0.3 * (xy[wrist] - xy[elbow])


def _front_of_knee(px: float) -> np.ndarray:
    """The knee moved ``px`` toward the front of the bend (where the model puts it on bent legs)."""
    out = (KNEE - HIP) / np.linalg.norm(KNEE - HIP) + (KNEE - ANKLE) / np.linalg.norm(KNEE - ANKLE)
    return KNEE + px * out / np.linalg.norm(out)


TRUE_KNEE_DEG = interior_angle_deg(HIP, KNEE, ANKLE)


def test_limb_axis_slides_onto_the_drawn_limb() -> None:
    mask = _bridge_mask()
    # The model's segment 12 px off the thigh and turned by a few degrees.
    start, end = HIP + _px(8, -12), KNEE + _px(-6, -14)
    axis = limb_axis(Outline.from_mask(mask), start, end)
    assert axis is not None
    point, d = axis
    truth = (KNEE - HIP) / np.linalg.norm(KNEE - HIP)
    assert np.degrees(np.arccos(np.clip(d @ truth, -1, 1))) < 1.5
    # The axis passes through the drawn joint centres.
    off = HIP - point
    assert abs(off[0] * d[1] - off[1] * d[0]) < 2.0


def test_knee_in_front_of_the_joint_is_moved_to_the_limbs_crossing() -> None:
    mask = _bridge_mask()
    knee, ankle = _front_of_knee(28.0), ANKLE + _px(12, 0)
    model_err = interior_angle_deg(HIP, knee, ankle) - TRUE_KNEE_DEG
    assert model_err < -5.0  # the drift bends the knee, as on rendered bridges
    pose = refine_legs(_pose(mask, knee, ankle), "left")
    assert np.linalg.norm(pose.xy[L.LEFT_KNEE] - KNEE) < 4.0
    refined = interior_angle_deg(pose.xy[L.LEFT_HIP], pose.xy[L.LEFT_KNEE], pose.xy[L.LEFT_ANKLE])
    assert abs(refined - TRUE_KNEE_DEG) < 1.5


def test_far_leg_hidden_behind_the_near_one_is_left_as_drawn() -> None:
    mask = _bridge_mask()
    knee = _front_of_knee(28.0)
    pose = refine_legs(_pose(mask, knee, ANKLE), "left")
    assert np.array_equal(pose.xy[L.RIGHT_KNEE], knee)


def test_far_leg_apart_from_the_near_one_is_refined_too() -> None:
    """A kneeling stretch: trunk upright, near leg forward, far leg kneeling behind, apart."""
    hip, shoulder = _px(640, 420), _px(640, 120)
    front_knee, front_ankle = _px(420, 420), _px(420, 650)
    back_knee, back_ankle = _px(760, 640), _px(990, 650)
    mask = np.zeros(SIZE, np.float32)
    for a, b, w in ((shoulder, hip, 110), (hip, front_knee, THIGH_W), (front_knee, front_ankle, SHIN_W),
                    (hip, back_knee, THIGH_W), (back_knee, back_ankle, SHIN_W)):
        _capsule(mask, a, b, w)
    xy = np.zeros((NUM_LANDMARKS, 2))
    xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = shoulder
    xy[[L.LEFT_HIP, L.RIGHT_HIP]] = hip
    xy[[L.LEFT_ELBOW, L.RIGHT_ELBOW]] = _px(560, 280)
    xy[[L.LEFT_WRIST, L.RIGHT_WRIST]] = _px(560, 340)  # hands by the hip, clear of the thighs
    _hands(xy)
    xy[L.LEFT_KNEE], xy[L.LEFT_ANKLE] = front_knee, front_ankle
    xy[L.RIGHT_KNEE], xy[L.RIGHT_ANKLE] = back_knee + _px(0, -16), back_ankle + _px(-10, -45)
    vis = np.full(NUM_LANDMARKS, 0.95)
    pose = Pose(xy, np.zeros(NUM_LANDMARKS), vis, np.ones(NUM_LANDMARKS), np.zeros((NUM_LANDMARKS, 3)), mask=mask)
    out = refine_legs(pose, "left")
    assert np.linalg.norm(out.xy[L.RIGHT_KNEE] - back_knee) < 5.0
    drawn = interior_angle_deg(hip, back_knee, back_ankle)
    model = interior_angle_deg(hip, xy[L.RIGHT_KNEE], xy[L.RIGHT_ANKLE])
    refined = interior_angle_deg(out.xy[L.RIGHT_HIP], out.xy[L.RIGHT_KNEE], out.xy[L.RIGHT_ANKLE])
    assert abs(model - drawn) > 5.0 and abs(refined - drawn) < 2.0


def test_thick_far_thigh_standing_clear_is_fitted() -> None:
    """A kneeling stretch's far thigh, half as wide as it is long: its own outline must fit the band.

    With a band 0.2 of the length either side, such a thigh spilled into the ring that
    checks the far leg stands clear, and was never fitted (on rendered stretches, no far
    thigh in any frame); its hip then stayed where the model guessed it.
    """
    hip, knee, ankle = _px(640, 400), _px(700, 640), _px(940, 650)
    mask = np.zeros(SIZE, np.float32)
    _capsule(mask, hip, knee, 110)  # half-width 0.22 of the thigh's 247 px
    _capsule(mask, knee, ankle, SHIN_W)
    outline = Outline.from_mask(mask)
    narrow = LimbFit(clear_band_half_width=0.2, clear_half_width=0.3)  # as before
    assert limb_axis(outline, hip, knee, narrow, clear=True) is None
    axis = limb_axis(outline, hip, knee, clear=True)
    assert axis is not None
    point, d = axis
    off = knee - point
    assert abs(off[0] * d[1] - off[1] * d[0]) < 2.0  # through the drawn knee


def test_arm_resting_on_the_thigh_only_sets_the_knee_onto_the_shin() -> None:
    """Hands on the thigh: its outline is partly the arm's. With the far knee behind the near one
    (a bridge), the knee's outer arc may be either knee's, so the knee is only set onto the shin."""
    elbow = (HIP + KNEE) / 2 + (60.0, -120.0)
    wrist = (HIP + KNEE) / 2 + (-40.0, 40.0)
    mask = _bridge_mask([(elbow, wrist, 50)])
    knee = KNEE + _px(0, -20)
    pose = _pose(mask, knee, ANKLE, arm=(elbow, wrist))
    outline = Outline.from_mask(mask)
    assert limb_axis(outline, HIP, knee, LimbFit(), obstacles=wrist[None]) is None
    moved = refine_leg(pose, outline, "left")
    assert moved is not None
    new_knee = moved.knee
    assert new_knee is not None
    shin = (ANKLE - KNEE) / np.linalg.norm(ANKLE - KNEE)
    off = new_knee - KNEE
    assert abs(off[0] * shin[1] - off[1] * shin[0]) < 2.0  # on the shin's axis
    assert np.linalg.norm(new_knee - KNEE) > 10.0  # but not at the crossing: the thigh was not used


def _kneeling_stretch(far_hip_offset: np.ndarray) -> tuple[Pose, dict[str, np.ndarray]]:
    """Facing image left, trunk upright, near (left) thigh forward and level, far leg kneeling behind.

    The model's near hip is on the joint; its far hip, hidden behind the pelvis, is
    ``far_hip_offset`` off it (as on rendered stretches: 5-10% of the trunk's length).
    """
    # The near leg is drawn longer, as perspective draws it (the leg tracking relies on that).
    j = {"shoulder": _px(640, 120), "hip": _px(640, 420), "front_knee": _px(360, 420),
         "front_ankle": _px(360, 650), "back_knee": _px(760, 640), "back_ankle": _px(990, 650)}
    mask = np.zeros(SIZE, np.float32)
    for a, b, w in (("shoulder", "hip", 110), ("hip", "front_knee", THIGH_W), ("front_knee", "front_ankle", SHIN_W),
                    ("hip", "back_knee", THIGH_W), ("back_knee", "back_ankle", SHIN_W)):
        _capsule(mask, j[a], j[b], w)
    xy = np.zeros((NUM_LANDMARKS, 2))
    xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = j["shoulder"]
    xy[L.LEFT_HIP], xy[L.RIGHT_HIP] = j["hip"], j["hip"] + far_hip_offset
    xy[[L.LEFT_ELBOW, L.RIGHT_ELBOW]] = _px(680, 260)
    xy[[L.LEFT_WRIST, L.RIGHT_WRIST]] = _px(700, 330)  # hands hanging behind the hip, clear of the thighs
    _hands(xy)
    xy[L.LEFT_KNEE], xy[L.LEFT_ANKLE] = j["front_knee"], j["front_ankle"]
    xy[L.RIGHT_KNEE], xy[L.RIGHT_ANKLE] = j["back_knee"], j["back_ankle"]
    z = np.zeros(NUM_LANDMARKS)
    z[[L.LEFT_SHOULDER, L.LEFT_HIP]] = -0.2  # the left side nearer: facing image left
    vis = np.full(NUM_LANDMARKS, 0.95)
    return Pose(xy, z, vis, np.ones(NUM_LANDMARKS), np.zeros((NUM_LANDMARKS, 3)), mask=mask), j


def test_knee_off_along_the_shin_is_put_at_the_centre_of_its_outer_arc() -> None:
    """The kneeling stretch with hands on the front thigh, the model's knee 30 px down the shin.

    The thigh's axis is ruled out (the arm lies on it) and the shin's axis only fixes the
    knee across the shin; the rounded outline above and in front of the knee puts it back.
    """
    pose, j = _kneeling_stretch(_px(0, 0))
    elbow, wrist = _px(560, 300), _px(470, 400)
    _capsule(pose.mask, elbow, wrist, 40)
    xy = pose.xy.copy()
    xy[[L.LEFT_ELBOW, L.RIGHT_ELBOW]] = elbow
    xy[[L.LEFT_WRIST, L.RIGHT_WRIST]] = wrist
    _hands(xy)
    xy[L.LEFT_KNEE] = j["front_knee"] + _px(0, 30)
    pose = Pose(xy, pose.z, pose.visibility, pose.presence, pose.world, mask=pose.mask)
    drawn = interior_angle_deg(j["hip"], j["front_knee"], j["front_ankle"])
    model = interior_angle_deg(j["hip"], xy[L.LEFT_KNEE], j["front_ankle"])
    assert limb_axis(Outline.from_mask(pose.mask), j["hip"], xy[L.LEFT_KNEE], obstacles=wrist[None]) is None
    out = refine_legs(pose, "left")
    assert np.linalg.norm(out.xy[L.LEFT_KNEE] - j["front_knee"]) < 3.0
    refined = interior_angle_deg(out.xy[L.LEFT_HIP], out.xy[L.LEFT_KNEE], out.xy[L.LEFT_ANKLE])
    assert abs(model - drawn) > 5.0 and abs(refined - drawn) < 1.0


@pytest.mark.parametrize("case", ["straight knee", "nothing round there"])
def test_no_arc_where_the_outline_does_not_turn_round_a_knee(case: str) -> None:
    """A straight leg's outer arc is a sliver; a square corner is no knee: the estimate is kept."""
    mask = np.zeros(SIZE, np.float32)
    knee, ankle = _px(640, 400), _px(640, 630)
    if case == "straight knee":
        hip = _px(640, 170)
        _capsule(mask, hip, knee, THIGH_W)
        _capsule(mask, knee, ankle, SHIN_W)
    else:
        hip = _px(870, 400)
        mask[400 - 35:400 + 35, 640 - 28:870] = 1.0  # a block thigh and a block shin, meeting square
        mask[400 - 35:630, 640 - 28:640 + 28] = 1.0
    assert knee_on_arc(mask, knee + _px(0, 20), np.array([0.0, 1.0]), hip, 230.0) is None


def test_hip_angles_are_measured_on_the_near_thighs_axis() -> None:
    """The far hip guessed 50 px high lifts the hips' midpoint off the joint: the outline puts it back.

    (Within 2 degrees, not exactly: the fit on this drawn mask, read on its 6 px grid with
    the trunk's end over the thigh's root, runs 4 px high.)
    """
    pose, j = _kneeling_stretch(_px(0, -50))
    drawn_front = interior_angle_deg(j["shoulder"], j["hip"], j["front_knee"])  # 90: thigh level, trunk upright
    before = measure(pose, (SIZE[1], SIZE[0]), "side").left_hip_deg
    out = refine_legs(pose, "left")
    assert out.hip_centre is not None
    assert abs(out.hip_centre[1] - j["hip"][1]) < 5.0  # on the level thigh's axis
    after = measure(out, (SIZE[1], SIZE[0]), "side").left_hip_deg
    assert before is not None and after is not None
    assert abs(before - drawn_front) > 5.0 and abs(after - drawn_front) < 2.0


def test_hip_landmark_off_the_thigh_is_moved_onto_its_axis() -> None:
    """The model's hips 15 px above the joint, across a bridge's thigh: the near one goes onto the thigh's axis."""
    mask = _bridge_mask()
    pose = _pose(mask, KNEE, ANKLE)
    across = np.array([-(KNEE - HIP)[1], (KNEE - HIP)[0]]) / np.linalg.norm(KNEE - HIP)
    xy = pose.xy.copy()
    # Both, as the model draws a side view's pelvis (on rendered bridges both hips were off the same way);
    # a far hip alone beside the near one would read as the far thigh alongside (``beside_offsets``).
    xy[[L.LEFT_HIP, L.RIGHT_HIP]] = HIP + 15.0 * across
    out = refine_legs(Pose(xy, pose.z, pose.visibility, pose.presence, pose.world, mask=mask), "left")
    off = out.xy[L.LEFT_HIP] - HIP
    assert abs(off @ across) < 2.0


def test_no_hip_centre_without_a_thigh_axis() -> None:
    """Hands on the near thigh: its outline is partly the arm's, so the hips' midpoint is kept."""
    pose, _ = _kneeling_stretch(_px(0, -30))
    xy = pose.xy.copy()
    xy[[L.LEFT_ELBOW, L.RIGHT_ELBOW]] = _px(560, 300)
    xy[[L.LEFT_WRIST, L.RIGHT_WRIST]] = _px(520, 400)
    _hands(xy)
    out = refine_legs(Pose(xy, pose.z, pose.visibility, pose.presence, pose.world, mask=pose.mask), "left")
    assert out.hip_centre is None


def test_pipeline_smooths_the_hip_centre_with_the_landmarks() -> None:
    """Through ``Pipeline``: the hip centre survives smoothing, and the hip angles are read at it."""
    from posturecam.exercises import get_exercise
    from posturecam.filters import CenteredSmoother
    from posturecam.pipeline import Pipeline
    from posturecam.sides import LegResolver
    from posturecam.video import Frame

    pose, _ = _kneeling_stretch(_px(0, -40))

    class Still:
        """The same pose every frame, as a detector would return it."""

        def detect(self, image: np.ndarray, timestamp_ms: int) -> Pose:
            return pose

        def close(self) -> None:
            pass

    class AsLabelled(LegResolver):
        """The labels as drawn: this test is about the hip centre, not the leg tracking."""

        def update(self, pose: Pose, time_s: float, near_side: object) -> tuple[Pose, bool]:
            return pose, False

    pipe = Pipeline(detector=Still(), coach=get_exercise("none"), legs=AsLabelled(),  # type: ignore[arg-type]
                    smoother=CenteredSmoother(), limbs=LimbFit(), keep_masks=False)
    image = np.zeros((*SIZE, 3), np.uint8)
    results = list(pipe.run(Frame(i, i / 30, image) for i in range(20)))
    assert len(results) == 20
    direct = measure(refine_legs(pose, "left"), (SIZE[1], SIZE[0]), "side")
    without = measure(pose, (SIZE[1], SIZE[0]), "side")
    assert abs(direct.left_hip_deg - without.left_hip_deg) > 3.0  # the centre makes a difference
    for r in results:
        assert r.pose is not None and r.pose.hip_centre is not None and r.pose.mask is None
        m = r.measures
        assert m is not None and m.left_hip_deg is not None and m.right_hip_deg is not None
        assert abs(m.left_hip_deg - direct.left_hip_deg) < 0.5 and abs(m.right_hip_deg - direct.right_hip_deg) < 0.5


@pytest.mark.parametrize("case", ["no mask", "no side view", "knee guessed", "knee too far off"])
def test_left_as_the_model_drew_it_when_unsure(case: str) -> None:
    mask = _bridge_mask()
    knee = _front_of_knee(28.0)
    pose = _pose(mask, knee, ANKLE)
    near = "left"
    if case == "no mask":
        pose = Pose(pose.xy, pose.z, pose.visibility, pose.presence, pose.world)
    elif case == "no side view":
        near = None
    elif case == "knee guessed":
        pose.visibility[[L.LEFT_KNEE, L.RIGHT_KNEE]] = 0.2
    else:
        # The knee is left where the model drew it (the thigh's axis may still place the hip).
        pose = _pose(mask, _front_of_knee(150.0), ANKLE)
        out = refine_legs(pose, near)
        assert np.array_equal(out.xy[LEFT_KNEE_ANKLE], pose.xy[LEFT_KNEE_ANKLE])
        return
    assert refine_legs(pose, near) is pose


LEFT_KNEE_ANKLE = [L.LEFT_KNEE, L.LEFT_ANKLE]


def _far_thigh_alongside(up_px: float) -> Pose:
    """A bridge filmed from above the hips: the far leg shows ``up_px`` above the near one, all along it."""
    across = np.array([(KNEE - HIP)[1], -(KNEE - HIP)[0]]) / np.linalg.norm(KNEE - HIP)  # toward the belly
    if across[1] > 0:
        across = -across
    shift = up_px * across
    far = [(HIP + shift, KNEE + shift, THIGH_W), (KNEE + shift, ANKLE + shift, SHIN_W)]
    mask = np.zeros(SIZE, np.float32)
    for a, b, w in far:
        _capsule(mask, a, b, w)
    mask = np.maximum(mask, _bridge_mask())
    return _pose(mask, KNEE, ANKLE, far={L.RIGHT_HIP: HIP + shift, L.RIGHT_KNEE: KNEE + shift,
                                        L.RIGHT_ANKLE: ANKLE + shift})


def _off_axis_px(axis: tuple[np.ndarray, np.ndarray], point: np.ndarray) -> float:
    p, d = axis
    return abs(cross2(point - p, d))


def test_far_thigh_alongside_does_not_pull_the_near_thighs_axis() -> None:
    """Its outline widens the near thigh's on one side only: taken as the same axis, the hip moved toward it."""
    pose = _far_thigh_alongside(25.0)  # 0.09 of the thigh, as on rendered bridges filmed from 0.5-1.5 m
    outline = Outline.from_mask(pose.mask)
    start, end = pose.xy[L.LEFT_HIP], pose.xy[L.LEFT_KNEE]
    beside = beside_offsets(pose, (L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE))
    assert beside is not None and abs(beside[0] - 25.0) < 0.5 and abs(beside[1] - 25.0) < 0.5
    merged = limb_axis(outline, start, end)
    unmerged = limb_axis(outline, start, end, beside=beside)
    assert merged is not None and unmerged is not None
    assert _off_axis_px(merged, HIP) > 6.0  # the mean of the pixels: pulled about half of the 25 px
    assert _off_axis_px(unmerged, HIP) < 2.0 and _off_axis_px(unmerged, KNEE) < 2.0
    # Through refine_legs: the hip angle's vertex on the near thigh's true axis.
    out = refine_legs(pose, "left")
    assert out.hip_centre is not None
    assert _off_axis_px(unmerged, out.xy[L.LEFT_HIP]) < 2.0


def test_a_bridges_hand_by_the_hip_does_not_rule_the_thigh_out() -> None:
    """Hands on the floor by the hips reach only the top end of the near thigh's band (bridges only)."""
    elbow, wrist = _px(900, 590), _px(760, 530)
    mask = _bridge_mask([(elbow, wrist + 0.3 * (wrist - elbow), 30)])
    pose = _pose(mask, KNEE, ANKLE, arm=(elbow, wrist))
    thigh = (HIP, (KNEE - HIP) / np.linalg.norm(KNEE - HIP))
    assert refine_legs(pose, "left").hip_centre is None  # the default: any reach into the band rules it out
    from posturecam.pipeline import OUTLINE_FITS

    out = refine_legs(pose, "left", OUTLINE_FITS["bridge"])
    assert out.hip_centre is not None
    assert _off_axis_px(thigh, out.xy[L.LEFT_HIP]) < 2.0


@pytest.mark.parametrize(("far", "expected"), [
    ({L.RIGHT_KNEE: KNEE + _px(0, -300)}, None),  # the far thigh at an angle: it crosses
    ({L.RIGHT_HIP: HIP + _px(150, -150), L.RIGHT_KNEE: KNEE + _px(150, -150)}, None),  # well apart
    ({}, (0.0, 0.0)),  # drawn on the near one (hidden behind it): the outline's middle, nothing taken off
])
def test_far_bone_counts_as_alongside_only_when_parallel_and_near(far: dict[int, np.ndarray],
                                                                  expected: tuple[float, float] | None) -> None:
    pose = _pose(_bridge_mask(), KNEE, ANKLE, far=far)
    got = beside_offsets(pose, (L.LEFT_HIP, L.LEFT_KNEE), (L.RIGHT_HIP, L.RIGHT_KNEE))
    assert got == expected if expected is None else got is not None and np.allclose(got, expected)


@pytest.mark.parametrize(("exercise", "outline", "expected"), [
    ("bridge", None, True), ("stretch", None, True), ("lunge", None, True), ("auto", None, False),
    ("standing", None, False), ("bridge", False, False), ("lunge", False, False),
])
def test_which_pipelines_place_knees_on_the_outline(exercise: str, outline: bool | None, expected: bool) -> None:
    """By default bridges and stretches (where it was measured to help); ``outline`` overrides."""
    from posturecam.pipeline import Pipeline

    with Pipeline.create(exercise, outline=outline) as pipe:
        assert (pipe.limbs is not None) is expected
        if pipe.limbs is not None:
            assert pipe.limbs.obstacle_free_end_slices == (1 if exercise == "bridge" else 0)
        assert pipe.detector.estimator._with_mask is (expected or exercise == "standing")
