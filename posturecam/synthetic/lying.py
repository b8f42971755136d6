"""Lying on the back: flat rest and the knee-to-chest stretch.

Future exercises, and the test bed for orientation-aware detection: a side
view of a supine body is a long horizontal shape, unlike the upright people
the detector mostly learned from (``posturecam/orientation.py`` has what that
measurably changes).

Both lie on the back (``pitch_deg=90``). Straight legs rest on the floor:
the hip is solved (~180) so the heels touch the floor with the back, and the
straight arms rest with the hands on the floor, by the sides or overhead. In
the knee-to-chest stretch the hands clasp the pulled shin just below the knee
(a two-link arm solved in the body's sagittal plane; the arms do not converge
sideways onto the one shin, which a side view cannot see anyway).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from posturecam.landmarks import other
from posturecam.synthetic.body import Body, PoseAngles, shin_phi, thigh_phi
from posturecam.synthetic.motions import LegSide, Sway, _params, _solve, up_hold_down

SUPINE = 90.0
# Relaxed feet while lying: toes up and a little away.
REST_ANKLE_DEG = 130.0
ARM_ABDUCTION_DEG = 10.0
REST_ELBOW_DEG = 175.0


def _rest_legs(a: PoseAngles, body: Body) -> None:
    """Both legs straight and resting on the floor: solve the hip so the heels touch with the back."""

    def both(a: PoseAngles) -> None:
        a.right_hip_deg = a.left_hip_deg
        a.left_knee_deg = a.right_knee_deg = 180.0
        a.left_ankle_deg = a.right_ankle_deg = REST_ANKLE_DEG

    _solve(a, body, "left_hip_deg", 170.0, 205.0, ("left_heel", "right_heel"), ("torso",), after=both)


def _arms_on_floor(a: PoseAngles, body: Body, lo: float, hi: float) -> None:
    """Straight arms with the hands resting on the floor: by the sides (flexion ~0) or overhead (~180)."""

    def both(a: PoseAngles) -> None:
        a.right_shoulder_flex_deg = a.left_shoulder_flex_deg
        a.left_elbow_deg = a.right_elbow_deg = REST_ELBOW_DEG
        a.left_arm_abduction_deg = a.right_arm_abduction_deg = ARM_ABDUCTION_DEG

    _solve(a, body, "left_shoulder_flex_deg", lo, hi, ("left_hand", "right_hand"), ("torso",), after=both)


@dataclass(frozen=True)
class _Rest:
    """The solved resting angles for one body (memoised: the solves are the slow part)."""

    hip_deg: float
    shoulder_flex_deg: float
    overhead_flex_deg: float


def _rest(body: Body, memo: dict) -> _Rest:
    if body not in memo:
        a = PoseAngles(pitch_deg=SUPINE, head_forward_deg=5.0)
        _rest_legs(a, body)
        _arms_on_floor(a, body, 175.0, 215.0)
        overhead = a.left_shoulder_flex_deg
        _arms_on_floor(a, body, -40.0, 10.0)
        memo[body] = _Rest(a.left_hip_deg, a.left_shoulder_flex_deg, overhead)
    return memo[body]


def _flat(body: Body, memo: dict) -> PoseAngles:
    r = _rest(body, memo)
    return PoseAngles(
        pitch_deg=SUPINE, head_forward_deg=5.0,
        left_hip_deg=r.hip_deg, right_hip_deg=r.hip_deg, left_knee_deg=180.0, right_knee_deg=180.0,
        left_ankle_deg=REST_ANKLE_DEG, right_ankle_deg=REST_ANKLE_DEG,
        left_shoulder_flex_deg=r.shoulder_flex_deg, right_shoulder_flex_deg=r.shoulder_flex_deg,
        left_elbow_deg=REST_ELBOW_DEG, right_elbow_deg=REST_ELBOW_DEG,
        left_arm_abduction_deg=ARM_ABDUCTION_DEG, right_arm_abduction_deg=ARM_ABDUCTION_DEG,
    )


# --------------------------------------------------------------------------- lying flat
@dataclass
class LyingFlat:
    """Lying flat on the back, legs straight, breathing and shifting a little.

    The straight legs rest on the floor (hip ~180, knees 180). ``arms`` by
    the ``"sides"`` (rest) or stretched ``"overhead"`` on the floor (the
    supine full-body stretch).
    """

    seconds: float = 5.0
    arms: Literal["sides", "overhead"] = "sides"
    sway: Sway = field(default_factory=lambda: Sway(1.5, 11))
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def duration(self) -> float:
        return self.seconds

    def pose(self, t: float, body: Body) -> PoseAngles:
        a = _flat(body, self._memo)
        if self.arms == "overhead":
            a.left_shoulder_flex_deg = a.right_shoulder_flex_deg = _rest(body, self._memo).overhead_flex_deg
        # Small movements of the head and arms; the legs stay resting on the floor.
        a.head_forward_deg += abs(self.sway(t, 4)) * 3
        a.left_arm_abduction_deg += self.sway(t, 5) * 2
        a.right_arm_abduction_deg += self.sway(t, 6) * 2
        return a

    def metadata(self) -> dict:
        name = "lying_flat" if self.arms == "sides" else "lying_overhead_reach"
        return {"exercise": name, "reps": [], "rep_count": 0,
                "holds": [{"side": "both", "start_s": 0.0, "end_s": self.seconds}], "faults": [],
                "params": _params(self)}


# --------------------------------------------------------------------------- knee to chest
@dataclass
class KneeToChest:
    """Supine knee-to-chest stretch: one knee pulled to the chest and held, the other leg flat; alternate.

    Held: hip ``hold_hip_deg`` (~55, thigh well past vertical toward the
    chest), knee ``hold_knee_deg`` (~55, shin about parallel to the floor),
    hands round the shin below the knee. The other leg stays straight on the
    floor (hip ~180, knee 180). ``holds`` counts holds in all, alternating
    sides from ``first_side``.
    """

    holds: int = 2
    first_side: LegSide = "right"
    hold_s: float = 3.0
    up_s: float = 1.2
    down_s: float = 1.2
    rest_s: float = 0.6
    hold_hip_deg: float = 55.0
    hold_knee_deg: float = 55.0
    sway: Sway = field(default_factory=lambda: Sway(1.0, 13))
    lead_in_s: float = 0.8
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def cycle_s(self) -> float:
        return self.up_s + self.hold_s + self.down_s + self.rest_s

    @property
    def duration(self) -> float:
        return self.lead_in_s + self.holds * self.cycle_s

    def side(self, i: int) -> str:
        return self.first_side if i % 2 == 0 else other(self.first_side)

    def _phase(self, t: float) -> tuple[int, float]:
        """(hold index, pull 0..1)."""
        t -= self.lead_in_s
        if t < 0:
            return 0, 0.0
        i = min(int(t // self.cycle_s), self.holds - 1)
        return i, up_hold_down(t - i * self.cycle_s, self.up_s, self.hold_s, self.down_s)

    def _clasp(self, body: Body, hip: float, knee: float) -> tuple[float, float]:
        """Shoulder flexion and elbow angle putting the wrists on the shin just below the knee.

        Two-link solve in the body's sagittal plane, coordinates (up, forward)
        from the pelvis; directions are ``phi`` from body-down toward front as in ``body``.
        """
        key = ("clasp", body, round(hip, 2), round(knee, 2))
        if key in self._memo:
            return self._memo[key]

        def d(phi: float) -> tuple[float, float]:
            p = math.radians(phi)
            return -math.cos(p), math.sin(p)

        tphi = thigh_phi(hip, 0.0)
        sphi = shin_phi(hip, knee, 0.0)
        ku, kf = (c * body.thigh for c in d(tphi))
        su, sf = d(sphi)
        tu, tf = ku + su * body.shin * 0.25, kf + sf * body.shin * 0.25
        vu, vf = tu - body.trunk, tf  # from the shoulder
        a_len, b_len = body.upper_arm, body.forearm
        dist = min(math.hypot(vu, vf), (a_len + b_len) * 0.999)
        phi_t = math.degrees(math.atan2(vf, -vu))
        cos_elbow = (a_len**2 + b_len**2 - dist**2) / (2 * a_len * b_len)
        elbow = math.degrees(math.acos(max(-1.0, min(1.0, cos_elbow))))
        cos_alpha = (a_len**2 + dist**2 - b_len**2) / (2 * a_len * dist)
        alpha = math.degrees(math.acos(max(-1.0, min(1.0, cos_alpha))))
        self._memo[key] = (phi_t - alpha, elbow)
        return self._memo[key]

    def pose(self, t: float, body: Body) -> PoseAngles:
        i, s = self._phase(t)
        pulled = self.side(i)
        a = _flat(body, self._memo)
        rest_hip = getattr(a, f"{pulled}_hip_deg")
        hip = rest_hip + s * (self.hold_hip_deg - rest_hip) + s * self.sway(t, 7)
        knee = 180.0 + s * (self.hold_knee_deg - 180.0)
        setattr(a, f"{pulled}_hip_deg", hip)
        setattr(a, f"{pulled}_knee_deg", knee)
        # The held foot relaxes toward neutral as the leg comes up.
        setattr(a, f"{pulled}_ankle_deg", REST_ANKLE_DEG + s * (100.0 - REST_ANKLE_DEG))
        # Hands reach for the shin as the knee comes up.
        flex, elbow = self._clasp(body, self.hold_hip_deg, self.hold_knee_deg)
        for side in ("left", "right"):
            f0, e0 = getattr(a, f"{side}_shoulder_flex_deg"), getattr(a, f"{side}_elbow_deg")
            setattr(a, f"{side}_shoulder_flex_deg", f0 + s * (flex - f0))
            setattr(a, f"{side}_elbow_deg", e0 + s * (elbow - e0))
            setattr(a, f"{side}_arm_abduction_deg", ARM_ABDUCTION_DEG * (1 - s))
        a.head_forward_deg = 5.0 + 10.0 * s
        return a

    def metadata(self) -> dict:
        holds = []
        for i in range(self.holds):
            h0 = self.lead_in_s + i * self.cycle_s + self.up_s
            holds.append({"side": self.side(i), "start_s": round(h0, 3), "end_s": round(h0 + self.hold_s, 3)})
        return {"exercise": "knee_to_chest", "reps": [], "rep_count": 0, "holds": holds, "faults": [],
                "params": _params(self)}


__all__ = ["KneeToChest", "LyingFlat"]
