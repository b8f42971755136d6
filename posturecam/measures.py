"""Per-frame body measures: the numbers every exercise rule is written against.

A ``Measures`` is computed from one resolved pose (legs already labelled by
the person's own anatomy, landmarks smoothed). A value is ``None`` whenever
the landmarks it needs are missing or the model is only guessing them, so a
rule can never judge form from invented data.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Literal

import numpy as np

from posturecam import geometry as g
from posturecam.landmarks import LEG, SIDES, L, Side, other
from posturecam.silhouette import pelvic_obliquity_from_silhouette

if TYPE_CHECKING:
    from posturecam.pose import Pose

View = Literal["side", "front"]
Facing = Literal["left", "right", "camera"]

# Below this visibility MediaPipe is guessing a landmark: treat it as missing.
# (0.3, not 0.5: in a side view the far leg is partly hidden yet well placed.)
MIN_VISIBILITY = 0.3
# Shoulder (or hip) width over trunk length: front views are wide, side views narrow.
SIDE_VIEW_MAX_WIDTH_RATIO = 0.35
FRONT_VIEW_MIN_WIDTH_RATIO = 0.45
# Up to this width ratio, a face clearly turned to one side (nonzero chirality)
# makes it a side view: a camera 30-40 degrees off the side widens the trunk
# past SIDE_VIEW_MAX_WIDTH_RATIO, yet hip and knee are still read in the
# sagittal plane and need the facing direction for angles past 180.
THREE_QUARTER_MAX_WIDTH_RATIO = 0.6
# Mean depth gap between the two trunk sides (shoulder and hip, the model's
# normalised z) that says which side is nearer. Side views measure 0.15-0.25,
# a person squarely facing the camera about 0.
MIN_SIDE_DEPTH_GAP = 0.1
# Hip-joint spacing over shoulder-joint spacing (adult anthropometry, ~0.5).
HIP_TO_SHOULDER_SPACING = 0.5
# Trunk more than this from image vertical: the person is lying down.
LYING_MIN_TRUNK_FROM_VERTICAL_DEG = 55.0
# One ankle higher than the other by more than this, in leg lengths (hip-knee-ankle), in
# an upright side view: that foot is off the floor (stepping, or a knee drive), so that
# leg is not the leg in front. At a lunge's bottom the back heel comes up, lifting the
# back ankle 0.1-0.2 leg lengths (and were it more, the lower foot is still the front
# one); a knee raised with the thigh 60 degrees forward lifts it about 0.3, to hip
# height 0.45-0.95 (depending on the knee bend).
MIN_FOOT_LIFT_LEG_LENGTHS = 0.25
# In a side view the leg bones lie near the image plane and are drawn about as long as
# each other (shin over thigh about 1). A shin drawn shorter than this share of the longest
# other leg bone means the model has put its ankle or its knee on the wrong part of the
# body: a kneeling back shin folded up onto the thigh, or a knee sliding toward the other
# leg while the labels swap. Such a leg's knee and hip are then not measured. Measured on
# the frames of 121 rendered clips (benchmarks/README.md): 1.4% of legs were caught, every
# one drawn under 0.7 of the shin's true length, and they read the knee 29 degrees off on
# average (the rest 4) and the hip 26 (the rest 4). For someone lying down only the other
# shin is the yardstick: from a raised camera a bridge's upright shins are foreshortened
# against the thighs, both alike (real clip B04: 63 of its 808 legs under 0.6 of the
# longest other bone, none of the other shin).
MIN_SIDE_VIEW_SHIN_SHARE = 0.6


@dataclass(frozen=True)
class Measures:
    """Angles in degrees (conventions in geometry.py and the README), ratios unitless."""

    view: View | None = None
    chirality: int = 0
    facing: Facing | None = None
    lying: bool = False
    near_side: Side | None = None
    front_leg: Side | None = None
    feet_visible: bool = False
    # Knees or feet in the picture but not measured: the model left a limb out or drew one off the
    # body (``Pose.legs_unseen``).
    legs_unseen: bool = False
    left_knee_deg: float | None = None
    right_knee_deg: float | None = None
    left_hip_deg: float | None = None
    right_hip_deg: float | None = None
    trunk_lean_deg: float | None = None
    pelvic_obliquity_deg: float | None = None
    shoulder_tilt_deg: float | None = None
    # Thigh angle behind the vertical (knee behind hip, toward the back): hip
    # extension measured apart from the trunk, so arching the back cannot fake it.
    left_thigh_behind_vertical_deg: float | None = None
    right_thigh_behind_vertical_deg: float | None = None
    # Shin angle from vertical, positive when the knee is ahead of the ankle.
    left_shin_forward_deg: float | None = None
    right_shin_forward_deg: float | None = None
    # How far the knee is ahead of the toes, in shin lengths (positive = past the toes).
    left_knee_past_toes: float | None = None
    right_knee_past_toes: float | None = None
    # Ear ahead of the shoulder, as an angle from vertical toward the front.
    head_forward_deg: float | None = None
    # Hip-mid ahead of the ankle-mid, in leg lengths (side view sway-back).
    hips_forward_of_ankles: float | None = None
    # Shoulder-mid beside the ankle-mid, in hip widths, positive toward the person's left (front view).
    trunk_shift: float | None = None
    # Trunk axis from image vertical, unsigned (0 upright, 90 lying).
    trunk_from_vertical_deg: float | None = None

    def side(self, name: str, side: Side) -> float | None:
        """``m.side("knee_deg", "left")`` reads ``left_knee_deg``."""
        return getattr(self, f"{side}_{name}")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


MEASURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Measures))


def _pt(pose: Pose, i: int) -> np.ndarray | None:
    return pose.xy[i] if pose.visibility[i] >= MIN_VISIBILITY else None


def _mid(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None or b is None:
        return a if b is None else b
    return (a + b) / 2.0


def _round(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def chirality_of(pose: Pose) -> int:
    """+1 if the person faces clockwise of the trunk axis on screen, -1 if counter-clockwise, 0 if unclear.

    The face says it most directly, but seen from a little behind (the nose
    hidden) or in low contrast it is often unclear: on a lunge rendered 21
    degrees behind the side, in 66 of 90 frames, which dropped every hip
    angle past 180 to its mirror image below. Then the model's depth order of
    the two trunk sides decides: the near side is the side the person turns
    to the camera. Measured: on renders 0-25 degrees off the side it was
    right in every frame, and on the real side-view clips it never disagreed
    with a clear face.
    """
    face = _face_chirality(pose)
    return face if face else _depth_chirality(pose)


def _face_chirality(pose: Pose) -> int:
    ears = _mid(pose.xy[L.LEFT_EAR], pose.xy[L.RIGHT_EAR])
    nose = pose.xy[L.NOSE]
    sh = (pose.xy[L.LEFT_SHOULDER] + pose.xy[L.RIGHT_SHOULDER]) / 2
    hp = (pose.xy[L.LEFT_HIP] + pose.xy[L.RIGHT_HIP]) / 2
    axis = sh - hp
    n = float(np.hypot(*axis))
    if n == 0.0:
        return 0
    front = nose - ears
    c = g.cross2(axis / n, front)
    # A nose less than ~8% of trunk length off the ear line: face toward the camera.
    if abs(c) < 0.08 * n:
        return 0
    return 1 if c > 0 else -1


def _depth_chirality(pose: Pose) -> int:
    """Facing from which trunk side is nearer (the model's z, normalised like x)."""
    z = pose.z
    dz = ((z[L.LEFT_SHOULDER] + z[L.LEFT_HIP]) - (z[L.RIGHT_SHOULDER] + z[L.RIGHT_HIP])) / 2
    if abs(dz) < MIN_SIDE_DEPTH_GAP:
        return 0
    # The person's left side nearer the camera: they face image left when upright (chirality -1).
    near_left = dz < 0
    return -1 if near_left else 1


def trunk_widths(xy: np.ndarray) -> tuple[float, float, float]:
    """Shoulder width, hip width and trunk length (hip-mid to shoulder-mid) on screen, in pixels.

    The widths over the trunk length say how far the person is turned from the camera.
    """
    sh_w = float(np.hypot(*(xy[L.LEFT_SHOULDER] - xy[L.RIGHT_SHOULDER])))
    hip_w = float(np.hypot(*(xy[L.LEFT_HIP] - xy[L.RIGHT_HIP])))
    sh_mid = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    trunk = float(np.hypot(*(sh_mid - (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2)))
    return sh_w, hip_w, trunk


def view_of(pose: Pose) -> View | None:
    sh_w, hip_w, trunk = trunk_widths(pose.xy)
    if trunk <= 0.0:
        return None
    ratio = max(sh_w, hip_w) / trunk
    if ratio <= SIDE_VIEW_MAX_WIDTH_RATIO:
        return "side"
    if ratio <= THREE_QUARTER_MAX_WIDTH_RATIO:
        # A face clearly turned to one side makes it a side view up to three-quarter
        # width; the trunk's depth order only below front-view width (a person facing
        # the camera but turned a little also has one trunk side nearer).
        if _face_chirality(pose) != 0:
            return "side"
        if ratio < FRONT_VIEW_MIN_WIDTH_RATIO and _depth_chirality(pose) != 0:
            return "side"
    if ratio >= FRONT_VIEW_MIN_WIDTH_RATIO:
        return "front"
    return None


def _shin_folded(p: dict[L, np.ndarray | None], side: Side, lying: bool) -> bool:
    """Whether ``side``'s shin is drawn too short for a side view (see ``MIN_SIDE_VIEW_SHIN_SHARE``)."""
    other_side = other(side)

    def length(leg: Side, a: int, b: int) -> float | None:
        pa, pb = p[L(LEG[leg][a])], p[L(LEG[leg][b])]
        return None if pa is None or pb is None else float(np.hypot(*(pa - pb)))
    shin = length(side, 1, 2)
    bones = [(other_side, 1, 2)] if lying else [(other_side, 1, 2), (side, 0, 1), (other_side, 0, 1)]
    known = [v for v in (length(*b) for b in bones) if v is not None]
    return shin is not None and bool(known) and shin < MIN_SIDE_VIEW_SHIN_SHARE * max(known)


def near_side_for(chirality: int) -> Side | None:
    """In a side view from an unmirrored camera, the person's right side is nearest when chirality is +1."""
    return {1: "right", -1: "left"}.get(chirality)


def measure(pose: Pose, frame_size: tuple[int, int] | None = None, view: View | None = None,
            chirality: int | None = None) -> Measures:
    """All measures for one resolved pose.

    ``view`` may be given when already worked out, and ``chirality`` (the facing) when
    held over the frames before (``facing.FacingTracker``); otherwise each is read from
    this pose alone.
    """
    view = view if view is not None else view_of(pose)
    chir = (chirality if chirality is not None else chirality_of(pose)) if view == "side" else 0
    p = {i: _pt(pose, int(i)) for i in L}
    sh_mid = _mid(p[L.LEFT_SHOULDER], p[L.RIGHT_SHOULDER])
    hip_mid = _mid(p[L.LEFT_HIP], p[L.RIGHT_HIP])

    trunk_lean = trunk_vert = None
    lying = False
    if sh_mid is not None and hip_mid is not None:
        trunk_vert = g.segment_from_vertical_deg(sh_mid, hip_mid)
        lying = trunk_vert >= LYING_MIN_TRUNK_FROM_VERTICAL_DEG
        trunk_lean = g.lean_from_vertical_deg(hip_mid, sh_mid, chir)
        if view == "front":
            # Front view: lateral lean, positive toward the person's left.
            trunk_lean = _toward_left(trunk_lean, pose)

    fwd = _forward_unit(sh_mid, hip_mid, chir, lying)
    leg_len = leg_length(pose)

    vals: dict[str, float | None] = {}
    for side in SIDES:
        hip_i, knee_i, ankle_i, _heel_i, toe_i = LEG[side]
        shoulder_i = L.LEFT_SHOULDER if side == "left" else L.RIGHT_SHOULDER
        hip, knee, ankle, toe = p[hip_i], p[knee_i], p[ankle_i], p[toe_i]
        if view == "side" and _shin_folded(p, side, lying):
            knee = ankle = None
        shoulder = p[shoulder_i] if p[shoulder_i] is not None else sh_mid
        knee_deg = hip_deg = thigh = shin = past = None
        vertex = side_view_hip(pose, side) if view == "side" and hip is not None else hip
        if hip is not None and knee is not None and ankle is not None:
            # The thigh from the hip the hip angle uses: in a side view the far hip landmark is
            # the model's guess behind the pelvis. Measured on renders (the 1000s, 5000s and
            # 6000s), lunges and kneeling stretches gained (mean joint error 0.1-0.5 degrees
            # lower in every set, up to 2 more clips of 10 within 5), bridges lost a little
            # (1 clip fewer in two sets), so a person lying down keeps the hip landmarks here.
            knee_deg = g.knee_angle_deg(hip if lying else vertex, knee, ankle, chir)
        if shoulder is not None and hip is not None and knee is not None:
            hip_deg = g.hip_angle_deg(shoulder, vertex, knee, chir)
        if fwd is not None and hip is not None and knee is not None:
            # Angle of the thigh behind the trunk-aligned "down" direction.
            thigh = _behind_vertical_deg(hip, knee, fwd)
        if fwd is not None and knee is not None and ankle is not None:
            shin = -_behind_vertical_deg(knee, ankle, fwd)
            if toe is not None:
                shin_len = float(np.hypot(*(knee - ankle)))
                if shin_len > 0:
                    past = float(np.dot(knee - toe, fwd)) / shin_len
        vals[f"{side}_knee_deg"] = knee_deg
        vals[f"{side}_hip_deg"] = hip_deg
        vals[f"{side}_thigh_behind_vertical_deg"] = thigh
        vals[f"{side}_shin_forward_deg"] = shin
        vals[f"{side}_knee_past_toes"] = past

    front_leg: Side | None = None
    lk, rk = p[L.LEFT_KNEE], p[L.RIGHT_KNEE]
    la, ra = p[L.LEFT_ANKLE], p[L.RIGHT_ANKLE]
    if fwd is not None and la is not None and ra is not None and not lying:
        # The leg whose foot is further forward is the leg in front (lunge, kneeling stretch).
        # A foot well off the floor is not a front foot, even when ahead (a knee drive
        # between lunges): the leg still on the floor is the one the body is on, so it
        # is reported as the leg whose knee an exercise should watch.
        d = float(np.dot(la - ra, fwd))
        lift = float(ra[1] - la[1])  # > 0: the left ankle is higher (image y grows downward)
        if leg_len and abs(lift) > MIN_FOOT_LIFT_LEG_LENGTHS * leg_len:
            front_leg = "right" if lift > 0 else "left"
        elif leg_len and abs(d) > 0.15 * leg_len:
            front_leg = "left" if d > 0 else "right"
    elif view == "front" and lk is not None and rk is not None and la is not None and ra is not None:
        front_leg = _front_leg_from_front_view(pose)

    obliq = tilt = None
    if view != "side":
        if p[L.LEFT_HIP] is not None and p[L.RIGHT_HIP] is not None:
            obliq = g.line_tilt_deg(p[L.LEFT_HIP], p[L.RIGHT_HIP])
        if view == "front" and pose.mask is not None:
            # The hip landmarks barely follow a tilted pelvis; the body's outline
            # does better when the arms hang clear of it. Landmarks stay the fallback.
            from_outline = pelvic_obliquity_from_silhouette(pose.mask, pose.xy, pose.visibility)
            if from_outline is not None:
                obliq = from_outline
        if p[L.LEFT_SHOULDER] is not None and p[L.RIGHT_SHOULDER] is not None:
            tilt = g.line_tilt_deg(p[L.LEFT_SHOULDER], p[L.RIGHT_SHOULDER])

    head_fwd = hips_fwd = shift = None
    ear = _mid(p[L.LEFT_EAR], p[L.RIGHT_EAR])
    ankle_mid = _mid(la, ra)
    if view == "side" and chir and ear is not None and sh_mid is not None:
        head_fwd = g.lean_from_vertical_deg(sh_mid, ear, chir)
    if view == "side" and fwd is not None and hip_mid is not None and ankle_mid is not None and leg_len:
        hips_fwd = float(np.dot(hip_mid - ankle_mid, fwd)) / leg_len
    if view == "front" and sh_mid is not None and ankle_mid is not None:
        hip_w = float(np.hypot(*(pose.xy[L.LEFT_HIP] - pose.xy[L.RIGHT_HIP])))
        if hip_w > 0:
            # Person's left is the image right when they face the camera.
            shift = float(sh_mid[0] - ankle_mid[0]) / hip_w * _left_sign(pose)

    # "Feet in the picture": both ankles placed inside the frame and at least one
    # clearly seen. In a side view the far foot is hidden behind the near one
    # (visibility 0.1-0.3 on B04) without being out of the picture.
    feet_visible = any(
        p[i] is not None for i in (L.LEFT_ANKLE, L.RIGHT_ANKLE)
    ) and _inside(pose, (L.LEFT_ANKLE, L.RIGHT_ANKLE), frame_size)

    return Measures(
        view=view,
        chirality=chir,
        facing=_facing(chir, pose, view),
        lying=lying,
        near_side=near_side_for(chir) if view == "side" else None,
        front_leg=front_leg,
        feet_visible=feet_visible,
        legs_unseen=pose.legs_unseen,
        trunk_lean_deg=_round(trunk_lean),
        pelvic_obliquity_deg=_round(obliq),
        shoulder_tilt_deg=_round(tilt),
        head_forward_deg=_round(head_fwd),
        hips_forward_of_ankles=_round(hips_fwd),
        trunk_shift=_round(shift),
        trunk_from_vertical_deg=_round(trunk_vert),
        **{k: _round(v) for k, v in vals.items()},
    )


def side_view_hip(pose: Pose, side: Side) -> np.ndarray:
    """The hip joint for the hip angle in a side view, placed from the pelvis centre and the shoulder line.

    Seen 15-30 degrees off the side, the model puts the hidden far hip on top
    of the near one (measured on renders: 8-9 px off at 360p, while both
    shoulders are placed within 2-4 px), which tilts the short hip-to-shoulder
    line and costs the far hip angle about 10 degrees. The pelvis and the
    shoulder girdle face the same way, so each hip sits off the hip centre
    like its shoulder sits off the shoulder centre, scaled by the narrower
    hip spacing. In a pure side view the offset vanishes. The centre is the
    outline's when it placed one (``Pose.hip_centre``), else midway between
    the hip landmarks.
    """
    xy = pose.xy
    sh_i = L.LEFT_SHOULDER if side == "left" else L.RIGHT_SHOULDER
    sh_mid = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    return pose.centre_of_hips() + (xy[sh_i] - sh_mid) * HIP_TO_SHOULDER_SPACING


def _forward_unit(sh_mid: np.ndarray | None, hip_mid: np.ndarray | None, chir: int, lying: bool) -> np.ndarray | None:
    """The person's forward direction on screen, horizontal: gravity, not the trunk, is the reference.

    Measuring thigh and shin against gravity rather than against the trunk is
    what keeps hip extension apart from a lower back that arches. Undefined
    for a person lying down, where these upright measures do not apply.
    """
    if not chir or lying:
        return None
    return np.array([float(chir), 0.0])


def _behind_vertical_deg(top: np.ndarray, bottom: np.ndarray, fwd: np.ndarray) -> float:
    """Angle of the segment top->bottom from straight down, positive when bottom is behind top."""
    v = bottom - top
    return math.degrees(math.atan2(float(np.dot(v, -fwd)), float(v[1])))


def leg_length(pose: Pose, min_visibility: float = MIN_VISIBILITY) -> float | None:
    """The longer hip-knee-ankle length in pixels, over legs whose three points are seen; None if neither."""
    lens = []
    for side in SIDES:
        hip_i, knee_i, ankle_i = LEG[side][:3]
        if min(pose.visibility[hip_i], pose.visibility[knee_i], pose.visibility[ankle_i]) >= min_visibility:
            lens.append(
                float(np.hypot(*(pose.xy[hip_i] - pose.xy[knee_i])) + np.hypot(*(pose.xy[knee_i] - pose.xy[ankle_i])))
            )
    return max(lens) if lens else None


def _left_sign(pose: Pose) -> float:
    """+1 if the person's left is toward image right (facing the camera), else -1."""
    xy = pose.xy
    return 1.0 if xy[L.LEFT_SHOULDER][0] + xy[L.LEFT_HIP][0] >= xy[L.RIGHT_SHOULDER][0] + xy[L.RIGHT_HIP][0] else -1.0


def _toward_left(lean_image_right_positive: float, pose: Pose) -> float:
    return lean_image_right_positive * _left_sign(pose)


def _front_leg_from_front_view(pose: Pose) -> Side | None:
    """In a front view the leg in front is the more bent one whose foot sits lower in the image."""
    la, ra = pose.xy[L.LEFT_ANKLE], pose.xy[L.RIGHT_ANKLE]
    lk, rk = pose.xy[L.LEFT_KNEE], pose.xy[L.RIGHT_KNEE]
    hip_mid = (pose.xy[L.LEFT_HIP] + pose.xy[L.RIGHT_HIP]) / 2
    leg = float(np.hypot(*(hip_mid - (la + ra) / 2)))
    if leg <= 0:
        return None
    # Front foot is nearer the camera: lower in the frame; back knee drops toward the floor.
    d = float((la[1] - ra[1]) - (lk[1] - rk[1]))
    if abs(d) < 0.1 * leg:
        return None
    return "left" if d > 0 else "right"


def _facing(chir: int, pose: Pose, view: View | None) -> Facing | None:
    if view == "front":
        return "camera" if _left_sign(pose) > 0 else None
    if view != "side" or not chir:
        return None
    # Upright, chirality +1 faces image right; lying down, "facing" is where the head points.
    return "right" if chir > 0 else "left"


def _inside(pose: Pose, idx: tuple[int, ...], frame_size: tuple[int, int] | None) -> bool:
    if frame_size is None:
        return True
    w, h = frame_size
    pts = pose.xy[list(idx)]
    return bool(np.all((pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)))
