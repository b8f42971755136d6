"""Exercises as functions of time: t -> PoseAngles, plus what happened when.

Motions think in world terms (thigh/shin angle from vertical, which foot is
on the floor) because that is how a coach describes a lunge; they convert to
joint angles with ``body.hip_for_thigh`` and solve the one angle per pose that
keeps a second support (foot, knee, shoulders) on the floor.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

import numpy as np

from posturecam.landmarks import other
from posturecam.synthetic.body import (
    Body,
    PoseAngles,
    bisect,
    flat_foot_ankle,
    hip_for_thigh,
    shin_phi,
    support_gap,
)

LegSide = Literal["left", "right"]


class Motion(Protocol):
    duration: float

    def pose(self, t: float, body: Body) -> PoseAngles: ...

    def metadata(self) -> dict: ...


def smooth(x: float) -> float:
    """Smoothstep on [0, 1]: people accelerate and decelerate."""
    x = min(max(x, 0.0), 1.0)
    return x * x * (3 - 2 * x)


def up_hold_down(u: float, up_s: float, hold_s: float, down_s: float) -> float:
    """0..1 at ``u`` seconds into a cycle: rise over ``up_s``, hold, fall over ``down_s``, then rest at 0."""
    if u < up_s:
        return smooth(u / up_s)
    if u < up_s + hold_s:
        return 1.0
    if u < up_s + hold_s + down_s:
        return smooth(1 - (u - up_s - hold_s) / down_s)
    return 0.0


@dataclass
class Sway:
    """Small, slow, seeded wobble so clips are not robot-perfect."""

    amplitude_deg: float = 0.0
    seed: int = 0

    def __call__(self, t: float, channel: int) -> float:
        if not self.amplitude_deg:
            return 0.0
        rng = np.random.default_rng(self.seed * 1000 + channel)
        f1, f2, p1, p2 = rng.uniform(0.15, 0.4), rng.uniform(0.5, 1.1), rng.uniform(0, 6.3), rng.uniform(0, 6.3)
        w = 2 * math.pi * t
        return self.amplitude_deg * (0.7 * math.sin(w * f1 + p1) + 0.3 * math.sin(w * f2 + p2))


def legs(a: PoseAngles, side: str, thigh_deg: float, knee_deg: float) -> None:
    """Set one leg from its world thigh angle (from vertical, + forward) and knee angle."""
    setattr(a, f"{side}_hip_deg", hip_for_thigh(thigh_deg, a.trunk_lean_deg))
    setattr(a, f"{side}_knee_deg", knee_deg)


def flat_foot(a: PoseAngles, side: str) -> None:
    setattr(a, f"{side}_ankle_deg", flat_foot_ankle(getattr(a, f"{side}_hip_deg"), getattr(a, f"{side}_knee_deg"),
                                                  a.trunk_lean_deg, a.pitch_deg))


def _solve(a: PoseAngles, body: Body, attr: str, lo: float, hi: float, upper: tuple[str, ...],
           lower: tuple[str, ...], after=None) -> None:
    """Set ``attr`` in [lo, hi] so the ``upper`` support touches the floor with the ``lower`` one."""

    def f(v: float) -> float:
        setattr(a, attr, v)
        if after:
            after(a)
        return support_gap(a, body, upper, lower)

    v = bisect(f, lo, hi, 16)
    setattr(a, attr, v)
    if after:
        after(a)


# --------------------------------------------------------------------------- lunge
@dataclass
class Lunge:
    """Forward lunges from standing. ``front`` is the stepping leg or 'alternate'.

    Bottom: front thigh ~horizontal, front knee ~90 over the ankle, back hip
    ~200 (thigh behind vertical), back knee near the floor on the ball of the
    foot, trunk upright. Faults: ``trunk_lean_deg`` forward at the bottom,
    ``knee_past_toes`` (front shin tipped forward).
    """

    reps: int = 4
    front: Literal["left", "right", "alternate"] = "alternate"
    depth: float = 1.0
    rep_seconds: float = 2.6
    hold_bottom_s: float = 0.4
    trunk_lean_deg: float = 0.0
    knee_past_toes: bool = False
    sway: Sway = field(default_factory=Sway)
    lead_in_s: float = 0.6
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def duration(self) -> float:
        return self.lead_in_s * 2 + self.reps * self.rep_seconds

    def front_leg(self, rep: int) -> str:
        if self.front == "alternate":
            return "right" if rep % 2 else "left"
        return self.front

    def _phase(self, t: float) -> tuple[int, float]:
        t -= self.lead_in_s
        if t < 0 or t >= self.reps * self.rep_seconds:
            return 0, 0.0
        rep = int(t // self.rep_seconds)
        u = (t - rep * self.rep_seconds) / self.rep_seconds
        move = (1 - self.hold_bottom_s / self.rep_seconds) / 2 * 0.9
        if u < move:
            s = smooth(u / move)
        elif u < 1 - move - 0.1 * (1 - self.hold_bottom_s / self.rep_seconds):
            s = 1.0
        else:
            s = smooth((1 - u - 0.05) / move)
        return rep, max(0.0, min(1.0, s))

    def pose(self, t: float, body: Body) -> PoseAngles:
        rep, s = self._phase(t)
        f = self.front_leg(rep)
        b = other(f)
        d = self.depth
        a = PoseAngles(trunk_lean_deg=s * self.trunk_lean_deg + self.sway(t, 0))
        shin_f = -22.0 if self.knee_past_toes else -3.0
        thigh_f = 85.0 * d - (5.0 if self.knee_past_toes else 0.0)
        legs(a, f, s * thigh_f, 180.0 - s * (thigh_f - shin_f))
        legs(a, b, -s * 20.0 * d, 180.0 - s * 92.0 * d)
        flat_foot(a, f)
        a.left_shoulder_flex_deg = a.right_shoulder_flex_deg = 10 + 15 * s
        # Back foot on the ball with the toes tucked: turn the foot from pointing
        # forward toward pointing straight down until the toes reach the floor; if
        # they cannot, open the back knee.
        def ankle_range(a: PoseAngles) -> tuple[float, float]:
            shin = shin_phi(getattr(a, f"{b}_hip_deg"), getattr(a, f"{b}_knee_deg"), a.trunk_lean_deg)
            return 180.0 + shin - 90.0, 180.0 + shin - 2.0  # ankle for foot forward ... foot down

        def toes_down(a: PoseAngles) -> None:
            _solve(a, body, f"{b}_ankle_deg", *ankle_range(a), (f"{b}_toe",), (f"{f}_heel",))

        def foot_down(a: PoseAngles) -> None:
            setattr(a, f"{b}_ankle_deg", ankle_range(a)[1])

        # The solve depends only on the leg pose (world thigh angles), so memoise it by phase.
        key = (body, f, round(s, 3))
        if key not in self._memo:
            toes_down(a)
            if support_gap(a, body, (f"{b}_toe",), (f"{f}_heel",)) > 0.005:
                _solve(a, body, f"{b}_knee_deg", getattr(a, f"{b}_knee_deg"), 180.0, (f"{b}_toe",),
                       (f"{f}_heel",), after=foot_down)
                toes_down(a)
            self._memo[key] = (getattr(a, f"{b}_knee_deg"), getattr(a, f"{b}_ankle_deg"))
        knee_b, ankle_b = self._memo[key]
        thigh_b = -s * 20.0 * d
        legs(a, b, thigh_b, knee_b)
        setattr(a, f"{b}_ankle_deg", ankle_b)
        return a

    def metadata(self) -> dict:
        reps = []
        for r in range(self.reps):
            start = self.lead_in_s + r * self.rep_seconds
            reps.append({"rep": r + 1, "front_leg": self.front_leg(r), "start_s": round(start, 3),
                         "end_s": round(start + self.rep_seconds, 3)})
        faults = [k for k, on in (("trunk_lean", bool(self.trunk_lean_deg)), ("knee_past_toes", self.knee_past_toes))
                  if on]
        return {"exercise": "lunge", "reps": reps, "rep_count": self.reps, "holds": [], "faults": faults,
                "params": _params(self)}


# --------------------------------------------------------------------------- bridge
@dataclass
class Bridge:
    """Glute bridge lying on the back: lift, hold, lower.

    ``top_hip_deg`` 180 is a straight shoulder-hip-knee line (150 = hips too
    low, 200 = overarched); ``top_knee_deg`` ~90 (130 = feet too far, 65 = too
    close). Shoulders and feet stay on the floor: the trunk's tilt is solved.
    """

    reps: int = 3
    hold_s: float = 2.0
    up_s: float = 1.2
    down_s: float = 1.2
    rest_s: float = 0.8
    top_hip_deg: float = 180.0
    top_knee_deg: float = 90.0
    bottom_hip_deg: float = 140.0
    sway: Sway = field(default_factory=Sway)
    lead_in_s: float = 0.8
    _k0: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def rep_seconds(self) -> float:
        return self.up_s + self.hold_s + self.down_s + self.rest_s

    @property
    def duration(self) -> float:
        return self.lead_in_s + self.reps * self.rep_seconds

    def _phase(self, t: float) -> float:
        t -= self.lead_in_s
        if t < 0 or t >= self.reps * self.rep_seconds:
            return 0.0
        return up_hold_down(t % self.rep_seconds, self.up_s, self.hold_s, self.down_s)

    def _bottom_knee(self, body: Body) -> float:
        """Knee angle that puts the feet flat with hips and shoulders on the floor."""
        a = PoseAngles(pitch_deg=90.0, left_hip_deg=self.bottom_hip_deg, right_hip_deg=self.bottom_hip_deg)

        def both(a: PoseAngles) -> None:
            a.right_knee_deg = a.left_knee_deg
            flat_foot(a, "left")
            flat_foot(a, "right")

        _solve(a, body, "left_knee_deg", 40.0, 170.0, ("left_heel",), ("torso",), after=both)
        return a.left_knee_deg

    def pose(self, t: float, body: Body) -> PoseAngles:
        s = self._phase(t)
        if body not in self._k0:
            self._k0[body] = self._bottom_knee(body)
        k0 = self._k0[body]
        hip = self.bottom_hip_deg + s * (self.top_hip_deg - self.bottom_hip_deg) + self.sway(t, 1)
        knee = k0 + s * (self.top_knee_deg - k0)
        a = PoseAngles(left_hip_deg=hip, right_hip_deg=hip, left_knee_deg=knee, right_knee_deg=knee,
                       left_elbow_deg=178.0, right_elbow_deg=178.0, head_forward_deg=8.0,
                       left_arm_abduction_deg=12.0, right_arm_abduction_deg=12.0)

        def feet(a: PoseAngles) -> None:
            flat_foot(a, "left")
            flat_foot(a, "right")
            a.left_shoulder_flex_deg = a.right_shoulder_flex_deg = -(a.pitch_deg - 90.0)

        key = (body, round(hip, 2), round(knee, 2))
        if key not in self._k0:
            _solve(a, body, "pitch_deg", 85.0, 150.0, ("torso",), ("left_heel", "right_heel"), after=feet)
            self._k0[key] = a.pitch_deg
        a.pitch_deg = self._k0[key]
        feet(a)
        return a

    def metadata(self) -> dict:
        holds, reps = [], []
        for r in range(self.reps):
            start = self.lead_in_s + r * self.rep_seconds
            h0 = start + self.up_s
            holds.append({"side": "both", "start_s": round(h0, 3), "end_s": round(h0 + self.hold_s, 3)})
            reps.append({"rep": r + 1, "start_s": round(start, 3),
                         "end_s": round(start + self.up_s + self.hold_s + self.down_s, 3)})
        faults = []
        if self.top_hip_deg <= 165:
            faults.append("hips_too_low")
        if self.top_hip_deg >= 192:
            faults.append("overarch")
        if self.top_knee_deg >= 115:
            faults.append("feet_too_far")
        if self.top_knee_deg <= 72:
            faults.append("feet_too_close")
        return {"exercise": "bridge", "reps": reps, "rep_count": self.reps, "holds": holds, "faults": faults,
                "params": _params(self)}


# --------------------------------------------------------------------------- hip flexor
@dataclass
class HipFlexorStretch:
    """Half-kneeling hip-flexor stretch, held per side, then switch.

    The stretched side is the BACK (kneeling) leg. Front knee ~90 over the
    ankle, back thigh 10-20 degrees behind vertical, trunk upright. Faults:
    ``trunk_lean_deg`` (+ forward, - leaning back/arching), ``knee_forward``.
    """

    hold_s: float = 8.0
    first_front: LegSide = "left"
    sides: int = 2
    switch_s: float = 2.0
    back_thigh_deg: float = 15.0
    trunk_lean_deg: float = 0.0
    knee_forward: bool = False
    sway: Sway = field(default_factory=lambda: Sway(0.8, 3))
    lead_in_s: float = 0.5
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def duration(self) -> float:
        return self.lead_in_s * 2 + self.sides * self.hold_s + (self.sides - 1) * self.switch_s

    def _kneel(self, front: str, body: Body, t: float) -> PoseAngles:
        back = other(front)
        a = PoseAngles(trunk_lean_deg=self.trunk_lean_deg + self.sway(t, 2), left_shoulder_flex_deg=0.0,
                       right_shoulder_flex_deg=0.0, left_elbow_deg=120.0, right_elbow_deg=120.0,
                       left_arm_abduction_deg=20.0, right_arm_abduction_deg=20.0)
        legs(a, back, -self.back_thigh_deg, 180.0 - (90.0 - self.back_thigh_deg))  # shin flat on the floor
        setattr(a, f"{back}_ankle_deg", 175.0)
        shin = -25.0 if self.knee_forward else 0.0

        def front_leg(thigh: float) -> None:
            legs(a, front, thigh, 180.0 - (thigh - shin))
            flat_foot(a, front)

        def f(thigh: float) -> float:
            front_leg(thigh)
            return support_gap(a, body, (f"{front}_heel",), (f"{back}_knee",))

        # Front foot flat on the floor at the height of the kneeling knee (independent
        # of the trunk, so memoised per side).
        if (body, front) not in self._memo:
            self._memo[(body, front)] = bisect(f, 50.0, 130.0, 22)
        front_leg(self._memo[(body, front)])
        return a

    def _segments(self) -> list[tuple[float, float, str]]:
        segs, t, front = [], self.lead_in_s, self.first_front
        for i in range(self.sides):
            segs.append((t, t + self.hold_s, front))
            t += self.hold_s + (self.switch_s if i < self.sides - 1 else 0)
            front = other(front)
        return segs

    def pose(self, t: float, body: Body) -> PoseAngles:
        segs = self._segments()
        for i, (t0, t1, front) in enumerate(segs):
            if t < t1 or i == len(segs) - 1:
                if t >= t0 or i == 0:
                    return self._kneel(front, body, t)
                # Switching legs: blend the two kneeling poses.
                prev = segs[i - 1]
                w = smooth((t - prev[1]) / self.switch_s)
                return _blend(self._kneel(prev[2], body, t), self._kneel(front, body, t), w)
        return self._kneel(segs[-1][2], body, t)

    def metadata(self) -> dict:
        # The lead-in and lead-out show the kneeling pose unchanged, so they are part of the hold.
        segs = self._segments()
        segs[0] = (0.0, *segs[0][1:])
        segs[-1] = (segs[-1][0], self.duration, segs[-1][2])
        holds = [{"side": other(front), "stretched_side": other(front), "front_leg": front,
                  "start_s": round(t0, 3), "end_s": round(t1, 3)} for t0, t1, front in segs]
        faults = []
        if self.trunk_lean_deg >= 8:
            faults.append("trunk_forward")
        if self.trunk_lean_deg <= -8:
            faults.append("trunk_back_arch")
        if self.knee_forward:
            faults.append("knee_forward")
        return {"exercise": "hip_flexor_stretch", "reps": [], "rep_count": 0, "holds": holds, "faults": faults,
                "params": _params(self)}


# --------------------------------------------------------------------------- standing
StandingFault = Literal["pelvic_obliquity", "shoulder_tilt", "lateral_shift", "head_forward", "sway_back",
                        "knees_locked"]


@dataclass
class Standing:
    """Quiet standing, optionally with posture faults (view-agnostic)."""

    seconds: float = 5.0
    faults: tuple[str, ...] = ()
    obliquity_deg: float = 8.0
    shoulder_tilt_deg: float = 6.0
    lateral_shift_deg: float = 6.0
    head_forward_deg: float = 30.0
    stance_abduction_deg: float = 4.0
    sway: Sway = field(default_factory=lambda: Sway(0.6, 7))
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def duration(self) -> float:
        return self.seconds

    def pose(self, t: float, body: Body) -> PoseAngles:
        fl = set(self.faults)
        a = PoseAngles(trunk_lean_deg=self.sway(t, 3), left_hip_abduction_deg=self.stance_abduction_deg,
                       right_hip_abduction_deg=self.stance_abduction_deg)
        thigh, knee = 0.0, 180.0
        if "sway_back" in fl:
            a.trunk_lean_deg -= 8.0
            thigh, knee = -6.0, 186.0
        if "knees_locked" in fl:
            thigh, knee = -5.0, 190.0
        legs(a, "left", thigh, knee)
        legs(a, "right", thigh, knee)
        if "shoulder_tilt" in fl:
            a.shoulder_tilt_deg = self.shoulder_tilt_deg
        if "lateral_shift" in fl:
            a.trunk_side_lean_deg = self.lateral_shift_deg
        if "head_forward" in fl:
            a.head_forward_deg = self.head_forward_deg
        flat_foot(a, "left")
        flat_foot(a, "right")
        if "pelvic_obliquity" in fl:
            a.pelvic_obliquity_deg = self.obliquity_deg
            low = "right" if self.obliquity_deg > 0 else "left"
            high = other(low)

            # The low side's knee softens so that both feet stay on the floor.
            def bend(beta: float) -> None:
                legs(a, low, thigh + beta / 2, knee - beta)
                flat_foot(a, low)

            def f(beta: float) -> float:
                bend(beta)
                return support_gap(a, body, (f"{low}_heel",), (f"{high}_heel",))

            if body not in self._memo:
                self._memo[body] = bisect(f, 0.0, 60.0, 22)
            bend(self._memo[body])
        return a

    def metadata(self) -> dict:
        return {"exercise": "standing", "reps": [], "rep_count": 0,
                "holds": [{"side": "both", "start_s": 0.0, "end_s": self.seconds}], "faults": list(self.faults),
                "params": _params(self)}


# --------------------------------------------------------------------------- random
def random_pose(rng: np.random.Generator, upright: bool = True) -> PoseAngles:
    """A random plausible pose for accuracy tests (grounded by the renderer)."""
    a = PoseAngles(
        trunk_lean_deg=float(rng.uniform(-10, 30)),
        pelvic_obliquity_deg=float(rng.uniform(-8, 8)),
        shoulder_tilt_deg=float(rng.uniform(-8, 8)),
        head_forward_deg=float(rng.uniform(0, 30)),
        left_shoulder_flex_deg=float(rng.uniform(-20, 90)),
        right_shoulder_flex_deg=float(rng.uniform(-20, 90)),
        left_elbow_deg=float(rng.uniform(90, 180)),
        right_elbow_deg=float(rng.uniform(90, 180)),
    )
    for side in ("left", "right"):
        legs(a, side, float(rng.uniform(-25, 80)), float(rng.uniform(90, 185)))
        flat_foot(a, side)
    if not upright:
        a.pitch_deg = float(rng.uniform(0, 90))
    return a


@dataclass
class Static:
    """A fixed pose as a Motion (for still clips)."""

    angles: PoseAngles
    seconds: float = 2.0

    @property
    def duration(self) -> float:
        return self.seconds

    def pose(self, t: float, body: Body) -> PoseAngles:
        return self.angles

    def metadata(self) -> dict:
        return {"exercise": "static", "reps": [], "rep_count": 0, "holds": [], "faults": [],
                "params": asdict(self.angles)}


def _blend(a: PoseAngles, b: PoseAngles, w: float) -> PoseAngles:
    da, db = asdict(a), asdict(b)
    return PoseAngles(**{k: da[k] * (1 - w) + db[k] * w for k in da})


def _params(m: object) -> dict:
    from dataclasses import fields

    out = {}
    for f in fields(m):  # type: ignore[arg-type]
        if f.name.startswith("_"):
            continue
        v = getattr(m, f.name)
        out[f.name] = asdict(v) if hasattr(v, "__dataclass_fields__") else v
    return out


MOTIONS = {"lunge": Lunge, "bridge": Bridge, "hip_flexor_stretch": HipFlexorStretch, "standing": Standing}
# The ``posturecam analyze --exercise`` a clip of each motion is analysed with.
_ANALYZE_EXERCISE = {"lunge": "lunge", "bridge": "bridge", "hip_flexor_stretch": "stretch", "standing": "standing"}


def analyze_exercise(motion: object) -> str:
    """The ``--exercise`` a user would analyse a clip of ``motion`` (a motion or its name) with; "none" if none fits.

    It matters for scoring: the exercise decides whether knees are placed on the outline.
    """
    name = motion if isinstance(motion, str) else next((n for n, c in MOTIONS.items() if isinstance(motion, c)), "")
    return _ANALYZE_EXERCISE.get(name, "none")
