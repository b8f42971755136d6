"""Body proportions, joint angles and forward kinematics for the mannequin.

Angles are given in posturecam's own conventions (see ``posturecam/geometry.py``)
so that, in a pure side view, the angle we command is the angle the analysis
should measure. Everything is built in a body frame (forward, up, left) and
then placed in the world: y is up, the floor is y = 0, x is image right and z
points away from the default camera.

Sagittal directions are written as an angle ``phi`` measured from "straight
down" toward "forward": d(phi) = -cos(phi) * up + sin(phi) * forward.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

Vec = np.ndarray  # shape (3,)

UP = np.array([0.0, 1.0, 0.0])


@dataclass(frozen=True)
class Body:
    """Proportions of the mannequin. Multipliers scale the anthropometric defaults.

    Defaults follow average adult ratios (Winter's segment table) so that the
    pose model sees human-like proportions; the multipliers let tests render
    bodies the project has never seen.
    """

    height_m: float = 1.75
    girth: float = 1.0  # limb/torso thickness
    leg_scale: float = 1.0
    trunk_scale: float = 1.0
    arm_scale: float = 1.0
    shoulder_scale: float = 1.0
    hip_scale: float = 1.0
    head_scale: float = 1.0

    # Segment lengths (metres) -------------------------------------------
    @property
    def thigh(self) -> float:
        return 0.245 * self.height_m * self.leg_scale

    @property
    def shin(self) -> float:
        return 0.246 * self.height_m * self.leg_scale

    @property
    def ankle_height(self) -> float:
        return 0.039 * self.height_m * self.leg_scale

    @property
    def trunk(self) -> float:
        """Hip-joint midpoint to shoulder-joint midpoint."""
        return 0.29 * self.height_m * self.trunk_scale

    @property
    def neck(self) -> float:
        return 0.075 * self.height_m * self.trunk_scale

    @property
    def head_radius(self) -> float:
        return 0.064 * self.height_m * self.head_scale

    @property
    def upper_arm(self) -> float:
        return 0.186 * self.height_m * self.arm_scale

    @property
    def forearm(self) -> float:
        return 0.146 * self.height_m * self.arm_scale

    @property
    def hand(self) -> float:
        return 0.085 * self.height_m * self.arm_scale

    @property
    def foot_heel(self) -> float:
        """Heel distance behind the ankle along the foot."""
        return 0.04 * self.height_m * self.leg_scale

    @property
    def foot_toe(self) -> float:
        """Toe-tip distance ahead of the ankle along the foot."""
        return 0.115 * self.height_m * self.leg_scale

    @property
    def shoulder_width(self) -> float:
        return 0.215 * self.height_m * self.shoulder_scale

    @property
    def hip_width(self) -> float:
        return 0.115 * self.height_m * self.hip_scale

    # Radii ------------------------------------------------------------------
    def r(self, ratio: float) -> float:
        return ratio * self.height_m * self.girth


@dataclass
class PoseAngles:
    """Joint angles in posturecam's conventions (degrees).

    Hip and knee follow ``geometry.hip_angle_deg`` / ``knee_angle_deg``: 180 is
    straight; hip < 180 is flexed, > 180 extended; knee < 180 is bent. The
    trunk lean is from the body's vertical toward its front, before the root
    pitch (so lying on the back is ``pitch_deg=90`` with ``trunk_lean_deg=0``).
    """

    left_hip_deg: float = 180.0
    right_hip_deg: float = 180.0
    left_knee_deg: float = 180.0
    right_knee_deg: float = 180.0
    left_ankle_deg: float = 90.0  # shin-to-foot; 90 neutral, > 90 plantarflexed
    right_ankle_deg: float = 90.0
    left_hip_abduction_deg: float = 0.0  # frontal plane, outward positive
    right_hip_abduction_deg: float = 0.0
    trunk_lean_deg: float = 0.0
    trunk_side_lean_deg: float = 0.0  # toward the person's left positive
    pelvic_obliquity_deg: float = 0.0  # left hip higher positive
    shoulder_tilt_deg: float = 0.0  # left shoulder higher positive
    head_forward_deg: float = 0.0  # neck flexion from the trunk axis
    left_shoulder_flex_deg: float = 5.0  # arm forward from hanging
    right_shoulder_flex_deg: float = 5.0
    left_arm_abduction_deg: float = 8.0
    right_arm_abduction_deg: float = 8.0
    left_elbow_deg: float = 165.0  # 180 straight
    right_elbow_deg: float = 165.0
    pitch_deg: float = 0.0  # whole body tipped backward about its left axis; 90 = supine

    def copy(self, **changes: float) -> PoseAngles:
        return replace(self, **changes)


@dataclass(frozen=True)
class Placement:
    """Where the body stands: heading on the floor and floor position.

    heading_deg 0 faces world +x (image right for the default camera), 180
    faces image left, -90 faces the camera.
    """

    heading_deg: float = 0.0
    x: float = 0.0
    z: float = 0.0
    lift_m: float = 0.0  # extra height above the grounded position


@dataclass
class Skeleton:
    """World-space joints plus the body frame the mesh is built around."""

    joints: dict[str, Vec]
    forward: Vec  # body forward after pitch and heading
    up: Vec
    left: Vec
    head_forward: Vec
    head_up: Vec
    torso_rings: list[tuple[Vec, Vec, Vec, float, float]] = field(default_factory=list)
    # (centre, lateral axis, front axis, half-width, half-depth) from pelvis to shoulders

    def shifted(self, dy: float) -> Skeleton:
        d = np.array([0.0, dy, 0.0])
        return Skeleton(
            joints={k: v + d for k, v in self.joints.items()},
            forward=self.forward,
            up=self.up,
            left=self.left,
            head_forward=self.head_forward,
            head_up=self.head_up,
            torso_rings=[(c + d, lat, fr, w, dp) for c, lat, fr, w, dp in self.torso_rings],
        )


def cross(a: Vec, b: Vec) -> Vec:
    """3-vector cross product (np.cross is slow for single vectors)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]])


def _rot(v: Vec, axis: Vec, deg: float) -> Vec:
    """Rodrigues rotation of v about a unit axis."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return v * c + cross(axis, v) * s + axis * float(np.dot(axis, v)) * (1 - c)


def _d(phi_deg: float, up: Vec, fwd: Vec) -> Vec:
    p = math.radians(phi_deg)
    return -math.cos(p) * up + math.sin(p) * fwd


def thigh_phi(hip_deg: float, trunk_lean_deg: float) -> float:
    """Sagittal direction of the thigh (from down toward front) in the body frame."""
    return -trunk_lean_deg + 180.0 - hip_deg


def hip_for_thigh(thigh_phi_deg: float, trunk_lean_deg: float) -> float:
    """Hip angle giving a thigh direction: lets motions think in world terms."""
    return 180.0 - trunk_lean_deg - thigh_phi_deg


def shin_phi(hip_deg: float, knee_deg: float, trunk_lean_deg: float) -> float:
    return thigh_phi(hip_deg, trunk_lean_deg) - (180.0 - knee_deg)


def flat_foot_ankle(hip_deg: float, knee_deg: float, trunk_lean_deg: float, pitch_deg: float) -> float:
    """Ankle angle that makes the foot horizontal, pointing away from the heel."""
    return 90.0 + shin_phi(hip_deg, knee_deg, trunk_lean_deg) + pitch_deg


def forward_kinematics(a: PoseAngles, body: Body, place: Placement = Placement()) -> Skeleton:
    """Joint positions in the world, not yet grounded (pelvis at the origin height 1 m)."""
    h = math.radians(place.heading_deg)
    fwd0 = np.array([math.cos(h), 0.0, math.sin(h)])
    left0 = cross(fwd0, UP)  # facing +x puts the left side at +z (away from camera)
    # Pitch tips the body backward about its left axis.
    p = math.radians(a.pitch_deg)
    up = math.cos(p) * UP - math.sin(p) * fwd0
    fwd = math.cos(p) * fwd0 + math.sin(p) * UP
    left = left0
    pelvis = np.array([place.x, 1.0, place.z])
    j: dict[str, Vec] = {"pelvis": pelvis}

    # Pelvis: hips on the obliquity-tilted left-right line.
    ob = math.radians(a.pelvic_obliquity_deg)
    hip_axis = math.cos(ob) * left + math.sin(ob) * up
    j["left_hip"] = pelvis + hip_axis * body.hip_width / 2
    j["right_hip"] = pelvis - hip_axis * body.hip_width / 2

    # Trunk: lean in the sagittal plane, side lean about the forward axis.
    trunk_dir = _d(180.0 - a.trunk_lean_deg, up, fwd)
    trunk_dir = _rot(trunk_dir, fwd, a.trunk_side_lean_deg)
    trunk_front = _rot(_d(90.0 - a.trunk_lean_deg, up, fwd), fwd, a.trunk_side_lean_deg)
    sh_mid = pelvis + trunk_dir * body.trunk
    j["shoulder_mid"] = sh_mid
    st = math.radians(a.shoulder_tilt_deg)
    sh_axis = math.cos(st) * left + math.sin(st) * trunk_dir
    j["left_shoulder"] = sh_mid + sh_axis * body.shoulder_width / 2
    j["right_shoulder"] = sh_mid - sh_axis * body.shoulder_width / 2

    # Neck and head: head forward flexes the neck toward the front.
    neck_base = sh_mid + trunk_dir * body.r(0.012)
    neck_dir = _rot(trunk_dir, left, -a.head_forward_deg)
    head_up = _rot(trunk_dir, left, -a.head_forward_deg * 0.3)
    head_fwd = cross(head_up, left)
    head_fwd /= np.linalg.norm(head_fwd)
    j["neck"] = neck_base
    j["head"] = neck_base + neck_dir * body.neck + head_up * body.head_radius * 0.55

    # Legs.
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        hip_deg = getattr(a, f"{side}_hip_deg")
        knee_deg = getattr(a, f"{side}_knee_deg")
        ankle_deg = getattr(a, f"{side}_ankle_deg")
        abd = getattr(a, f"{side}_hip_abduction_deg")
        tphi = thigh_phi(hip_deg, a.trunk_lean_deg)
        sphi = tphi - (180.0 - knee_deg)
        fphi = sphi + (180.0 - ankle_deg)
        # Abduction rotates the whole leg outward about the forward axis.
        def leg(v: Vec, sgn: float = sgn, abd: float = abd) -> Vec:
            return _rot(v, fwd, -sgn * abd)

        hip = j[f"{side}_hip"]
        knee = hip + leg(_d(tphi, up, fwd)) * body.thigh
        ankle = knee + leg(_d(sphi, up, fwd)) * body.shin
        foot = leg(_d(fphi, up, fwd))
        sole = leg(_d(fphi - 90.0, up, fwd))  # from the foot's top toward its sole
        j[f"{side}_knee"] = knee
        j[f"{side}_ankle"] = ankle
        j[f"{side}_heel"] = ankle - foot * body.foot_heel + sole * body.ankle_height * 0.75
        j[f"{side}_toe"] = ankle + foot * body.foot_toe + sole * body.ankle_height * 0.7

    # Arms.
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        flex = getattr(a, f"{side}_shoulder_flex_deg")
        abd = getattr(a, f"{side}_arm_abduction_deg")
        elbow_deg = getattr(a, f"{side}_elbow_deg")
        down = -trunk_dir
        upper = _rot(down, left, flex)  # positive rotation about left swings down toward front
        upper = _rot(upper, trunk_front, -sgn * abd)
        fore = _rot(upper, left, 180.0 - elbow_deg)
        sh = j[f"{side}_shoulder"]
        el = sh + upper * body.upper_arm
        wr = el + fore * body.forearm
        j[f"{side}_elbow"] = el
        j[f"{side}_wrist"] = wr
        lat = sgn * cross(trunk_front, fore)
        lat /= max(float(np.linalg.norm(lat)), 1e-9)
        j[f"{side}_hand"] = wr + fore * body.hand * 0.55
        j[f"{side}_index"] = wr + fore * body.hand + lat * body.hand * 0.1
        j[f"{side}_pinky"] = wr + fore * body.hand * 0.85 - lat * body.hand * 0.25
        j[f"{side}_thumb"] = wr + fore * body.hand * 0.45 + lat * body.hand * 0.3 + trunk_front * body.hand * 0.15

    # Torso rings (pelvis to shoulders) for the mesh and for grounding.
    rings = []
    lat_hip = hip_axis
    lat_sh = sh_axis
    for t, hw, hd in ((-0.16, 0.1, 0.07), (0.0, 0.108, 0.074), (0.35, 0.092, 0.066),
                      (0.62, 0.1, 0.07), (0.88, 0.112, 0.068), (1.0, 0.1, 0.056), (1.1, 0.05, 0.045)):
        c = pelvis + trunk_dir * body.trunk * t
        tt = min(max(t, 0.0), 1.0)
        lat = (1 - tt) * lat_hip + tt * lat_sh
        lat = lat - trunk_dir * float(np.dot(lat, trunk_dir))
        lat /= np.linalg.norm(lat)
        front = cross(lat, trunk_dir)  # lateral x trunk-up = front in this frame
        if float(np.dot(front, trunk_front)) < 0:
            front = -front
        w = body.r(hw) * (body.hip_scale if t <= 0.2 else body.shoulder_scale if 0.8 <= t <= 1.0 else 1.0)
        rings.append((c, lat, front, w, body.r(hd)))
    return Skeleton(j, fwd, up, left, head_fwd, head_up, rings)


# Radii used for drawing and for finding the lowest point on the body.
def limb_radii(body: Body) -> dict[str, float]:
    return {
        "hip": body.r(0.058), "knee": body.r(0.038), "ankle": body.r(0.025),
        "shoulder": body.r(0.036), "elbow": body.r(0.027), "wrist": body.r(0.019),
        "hand": body.r(0.022), "heel": body.r(0.024), "toe": body.r(0.02), "neck": body.r(0.036),
    }


def lowest_point(sk: Skeleton, body: Body) -> float:
    """Lowest y over the body surface (joint spheres, torso rings, head)."""
    rad = limb_radii(body)
    ys = []
    for name, p in sk.joints.items():
        key = name.split("_")[-1]
        if key in rad:
            ys.append(p[1] - rad[key])
    for c, lat, front, w, dpt in sk.torso_rings:
        # Lowest point of an ellipse c + lat*w*cos + front*d*sin, in closed form.
        ys.append(c[1] - math.hypot(lat[1] * w, front[1] * dpt))
    ys.append(sk.joints["head"][1] - body.head_radius)
    return float(min(ys))


def grounded(a: PoseAngles, body: Body, place: Placement = Placement()) -> Skeleton:
    """Forward kinematics with the lowest body point resting on the floor."""
    sk = forward_kinematics(a, body, place)
    return sk.shifted(-lowest_point(sk, body) + place.lift_m)


def bisect(f, lo: float, hi: float, iters: int = 30) -> float:
    """Root of a monotone function on [lo, hi]; returns the nearer end if no sign change."""
    flo, fhi = f(lo), f(hi)
    if flo * fhi > 0:
        return lo if abs(flo) < abs(fhi) else hi
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return 0.5 * (lo + hi)


def support_gap(a: PoseAngles, body: Body, upper: tuple[str, ...], lower: tuple[str, ...]) -> float:
    """Height of the lowest of ``upper`` points above the lowest of ``lower`` points (body frame).

    Used to make two separate supports (e.g. shoulders and feet in a bridge)
    touch the floor together by solving one angle.
    """
    sk = forward_kinematics(a, body)
    rad = limb_radii(body)

    def low(names: tuple[str, ...]) -> float:
        vals = []
        for n in names:
            if n == "torso":
                for c, lat, front, w, dpt in sk.torso_rings[-4:]:
                    vals.append(c[1] - math.hypot(lat[1] * w, front[1] * dpt))
            else:
                vals.append(sk.joints[n][1] - rad[n.split("_")[-1]])
        return min(vals)

    return low(upper) - low(lower)
