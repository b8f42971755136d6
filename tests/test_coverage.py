"""A limb the model left out (both legs drawn on one, a leg drawn off it): found from the outline, left unmeasured."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from posturecam.coverage import OutlineCheck, joints_drawn_off, limb_left_out, missed_body
from posturecam.landmarks import LEG, NUM_LANDMARKS, L
from posturecam.pose import Pose

SIZE = (720, 1280)
# A kneeling stretch seen from the side, facing image left: the near (left) leg forward, knee
# bent 90 degrees, the far (right) leg kneeling behind with its shin on the floor.
J = {"head": (640, 60), "shoulder": (640, 140), "hip": (640, 420), "front_knee": (380, 420),
     "front_ankle": (380, 650), "back_knee": (760, 640), "back_ankle": (990, 650)}
BONES = (("head", "shoulder", 90), ("shoulder", "hip", 120), ("hip", "front_knee", 80),
         ("front_knee", "front_ankle", 60), ("hip", "back_knee", 80), ("back_knee", "back_ankle", 60))


def _outline(bones: tuple[tuple[str, str, int], ...] = BONES) -> np.ndarray:
    mask = np.zeros(SIZE, np.float32)
    for a, b, width in bones:
        cv2.line(mask, J[a], J[b], 1.0, width, cv2.LINE_AA)
    return mask


def _pose(mask: np.ndarray | None, right_knee: str = "back_knee", right_ankle: str = "back_ankle") -> Pose:
    """The model's reading; by default it sees each leg where it is."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    xy[[L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.LEFT_EAR, L.RIGHT_EAR]] = J["head"]
    xy[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER]] = J["shoulder"]
    # Arms hanging by the trunk.
    xy[[L.LEFT_ELBOW, L.RIGHT_ELBOW]] = (650, 280)
    xy[[L.LEFT_WRIST, L.RIGHT_WRIST, L.LEFT_INDEX, L.RIGHT_INDEX, L.LEFT_PINKY, L.RIGHT_PINKY]] = (660, 390)
    xy[[L.LEFT_HIP, L.RIGHT_HIP]] = J["hip"]
    xy[L.LEFT_KNEE], xy[L.LEFT_ANKLE] = J["front_knee"], J["front_ankle"]
    xy[L.RIGHT_KNEE], xy[L.RIGHT_ANKLE] = J[right_knee], J[right_ankle]
    for side in ("left", "right"):
        ankle, heel, toe = LEG[side][2:]
        xy[heel], xy[toe] = xy[ankle] + (15, 10), xy[ankle] + (-60, 10)
    z = np.zeros(NUM_LANDMARKS)
    z[[L.LEFT_SHOULDER, L.LEFT_HIP]] = -0.2
    vis = np.full(NUM_LANDMARKS, 0.95)
    return Pose(xy, z, vis, np.ones(NUM_LANDMARKS), np.zeros((NUM_LANDMARKS, 3)), mask=mask)


def test_both_legs_on_the_front_leg_with_the_back_leg_in_view() -> None:
    pose = _pose(_outline(), "front_knee", "front_ankle")
    area, reach = missed_body(pose)
    assert area > 0.1 and reach > 0.4  # the whole kneeling leg is left out
    assert limb_left_out(pose)


def test_both_legs_on_the_back_leg_with_the_front_leg_in_view() -> None:
    pose = _pose(_outline(), "front_knee", "front_ankle")
    xy = pose.xy.copy()
    xy[[L.LEFT_KNEE, L.RIGHT_KNEE]] = J["back_knee"]
    xy[[L.LEFT_ANKLE, L.RIGHT_ANKLE]] = J["back_ankle"]
    assert limb_left_out(Pose(xy, pose.z, pose.visibility, pose.presence, pose.world, mask=pose.mask))


def test_back_knee_drawn_half_way_forward() -> None:
    """Legs apart, but the kneeling leg's knee and ankle drawn forward of where they are: its shin is left out."""
    pose = _pose(_outline())
    xy = pose.xy.copy()
    xy[L.RIGHT_KNEE] = (np.array(J["back_knee"]) + np.array(J["front_knee"])) / 2
    xy[L.RIGHT_ANKLE] = (np.array(J["back_ankle"]) + np.array(J["front_ankle"])) / 2
    xy[[L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX]] += xy[L.RIGHT_ANKLE] - pose.xy[L.RIGHT_ANKLE]  # the foot with it
    assert limb_left_out(Pose(xy, pose.z, pose.visibility, pose.presence, pose.world, mask=pose.mask))


@pytest.mark.parametrize("case", ["legs apart as drawn", "one leg in view", "no mask"])
def test_nothing_left_out(case: str) -> None:
    """Legs drawn apart; legs together where the outline shows one (a bridge's hidden far leg); no outline."""
    if case == "legs apart as drawn":
        pose = _pose(_outline())
    elif case == "one leg in view":
        one_leg = tuple(b for b in BONES if "back" not in b[1])
        pose = _pose(_outline(one_leg), "front_knee", "front_ankle")
        assert missed_body(pose)[0] < 0.02  # only the outline's edge beyond the drawn bones
    else:
        pose = _pose(None, "front_knee", "front_ankle")
    assert not limb_left_out(pose)


def _shin_in_the_air() -> Pose:
    """The kneeling leg's ankle drawn up in the air, its foot running back along the real shin (render 4010)."""
    pose = _pose(_outline())
    xy = pose.xy.copy()
    xy[L.RIGHT_ANKLE], xy[L.RIGHT_HEEL], xy[L.RIGHT_FOOT_INDEX] = (880, 520), (895, 530), J["back_ankle"]
    return replace(pose, xy=xy)


def test_a_shin_drawn_off_the_body_leaves_its_ankle_unmeasured() -> None:
    pose = _shin_in_the_air()
    assert not limb_left_out(pose)  # the foot covers the real shin: no large piece of body is left over
    assert set(joints_drawn_off(pose).tolist()) == {L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX}


def test_a_thigh_drawn_off_the_body_leaves_its_knee_and_below_unmeasured() -> None:
    pose = _pose(_outline())
    xy = pose.xy.copy()
    xy[L.RIGHT_KNEE] = (900, 420)  # out behind the hip, where there is no body
    off = joints_drawn_off(replace(pose, xy=xy)).tolist()
    assert set(off) == {L.RIGHT_KNEE, L.RIGHT_ANKLE, L.RIGHT_HEEL, L.RIGHT_FOOT_INDEX}


@pytest.mark.parametrize("case", ["legs as drawn", "both legs on the front leg", "no mask"])
def test_bones_on_the_body_keep_their_joints(case: str) -> None:
    """Legs drawn where they are, or both on one leg (the check for a limb left out has that), or no outline."""
    pose = {"legs as drawn": _pose(_outline()), "both legs on the front leg": _pose(_outline(), "front_knee",
            "front_ankle"), "no mask": _pose(None)}[case]
    assert len(joints_drawn_off(pose)) == 0


def _run_pipeline(check: OutlineCheck | None, outline: bool = True, wrong: Pose | None = None) -> list:
    """35 frames through ``Pipeline`` at 30 fps; in ``MERGED_FRAMES`` the model draws both legs on the front
    leg (or draws ``wrong``)."""
    from posturecam.exercises import get_exercise
    from posturecam.filters import CenteredSmoother
    from posturecam.limbs import LimbFit
    from posturecam.pipeline import Pipeline
    from posturecam.sides import LegResolver
    from posturecam.video import Frame

    good, merged = _pose(_outline()), wrong or _pose(_outline(), "front_knee", "front_ankle")

    class Script:
        def detect(self, image: np.ndarray, timestamp_ms: int) -> Pose:
            return merged if round(timestamp_ms * 30 / 1000) in MERGED_FRAMES else good

        def close(self) -> None:
            pass

    class AsLabelled(LegResolver):
        def update(self, pose: Pose, time_s: float, near_side: object) -> tuple[Pose, bool]:
            return pose, False

    pipe = Pipeline(detector=Script(), coach=get_exercise("none"), legs=AsLabelled(),  # type: ignore[arg-type]
                    smoother=CenteredSmoother(), limbs=LimbFit() if outline else None, keep_masks=False,
                    limb_check=check)
    image = np.zeros((*SIZE, 3), np.uint8)
    return list(pipe.run(Frame(i, i / 30, image) for i in range(35)))


MERGED_FRAMES = range(8, 24)  # longer than the smoother's despiking removes by itself


def test_pipeline_leaves_merged_legs_unmeasured_and_holds_their_points() -> None:
    """No knee or hip angle in the merged frames, and none pulled off in the frames around them."""
    results = _run_pipeline(OutlineCheck())
    reference = results[0].measures
    assert reference is not None and reference.right_hip_deg is not None and reference.right_hip_deg > 180
    for r in results:
        m = r.measures
        assert m is not None and m.trunk_lean_deg is not None  # the rest of the body is still measured
        if r.index in MERGED_FRAMES:
            assert m.left_knee_deg is None and m.right_knee_deg is None and m.right_hip_deg is None
            # Held where the back knee was last seen.
            assert np.allclose(r.pose.xy[L.RIGHT_KNEE], results[0].pose.xy[L.RIGHT_KNEE], atol=1.0)
        else:
            assert m.right_hip_deg is not None and abs(m.right_hip_deg - reference.right_hip_deg) < 0.5
            assert m.right_knee_deg is not None and abs(m.right_knee_deg - reference.right_knee_deg) < 0.5


@pytest.mark.parametrize("how", ["no check", "outline off"])
def test_without_the_check_the_doubled_leg_is_measured_as_a_second_front_leg(how: str) -> None:
    """What the check prevents: the kneeling leg's hip read as bent forward. Off with the outline
    (standing posture keeps its masks, but the check goes with the outline)."""
    m = (_run_pipeline(None) if how == "no check" else _run_pipeline(OutlineCheck(), outline=False))[15].measures
    assert m is not None and m.right_hip_deg is not None and m.right_hip_deg < 120


def test_pipeline_leaves_an_ankle_drawn_off_the_body_unmeasured() -> None:
    """Only the knee whose shin was drawn off goes unmeasured; without the check it reads far off."""
    results = _run_pipeline(OutlineCheck(), wrong=_shin_in_the_air())
    reference = results[0].measures
    assert reference is not None and reference.right_knee_deg is not None
    for r in results:
        m = r.measures
        assert m is not None and m.left_knee_deg is not None and m.right_hip_deg is not None
        if r.index in MERGED_FRAMES:
            assert m.right_knee_deg is None
            assert m.legs_unseen  # in the picture, only not measured: no "step back" for it
        else:
            assert m.right_knee_deg is not None and abs(m.right_knee_deg - reference.right_knee_deg) < 0.5
            assert not m.legs_unseen
    unchecked = _run_pipeline(None, wrong=_shin_in_the_air())[15].measures
    assert unchecked is not None and unchecked.right_knee_deg is not None
    assert abs(unchecked.right_knee_deg - reference.right_knee_deg) > 30
