"""The vocabulary an exercise is written in: cues, rules, rep and hold specs.

An exercise file only *declares* things with these types (which measures it
watches, which thresholds it uses, what to say when form breaks); the engine
in ``engine.py`` is the one piece of code that runs all of them. Keeping the
definitions declarative is what lets a physiotherapist tune every number from
a config file, and lets a new exercise be added without touching the engine.

Rule callables receive ``(frame, thresholds)`` (frame rules) or
``(rep_record, thresholds)`` (rep rules). They must treat a ``None`` measure as
"not measurable, so no fault": the helpers ``above``/``below``/``outside`` do
exactly that, so rules never judge form from missing data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from posturecam.landmarks import Side, other
from posturecam.measures import Measures, View


@dataclass(frozen=True)
class Cue:
    """One thing to tell the person. ``id`` is part of the output contract; higher priority wins."""

    id: str
    text: str
    priority: int
    # False for encouragement ("good", "switch sides"): not a fault, so not recorded on reps or as "most frequent".
    fault: bool = True


class Thresholds(Mapping[str, float]):
    """Read-only named numbers (unit in each name), readable as attributes: ``t.max_trunk_lean_deg``."""

    def __init__(self, values: Mapping[str, float]) -> None:
        self._values = dict(values)

    def __getattr__(self, name: str) -> float:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self):  # type: ignore[override]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Thresholds({self._values!r})"


@dataclass(frozen=True)
class Frame:
    """What a rule sees for one frame: smoothed measures plus the engine's current state.

    ``side`` is the tracked side (the leg in front for lunges and the stretch),
    kept from the last frame it was known so a rule can ask for "the front
    knee" even while the feet are briefly together.
    """

    m: Measures
    phase: str
    side: Side | None = None
    hold_s: float | None = None

    def front(self, name: str) -> float | None:
        return None if self.side is None else self.m.side(name, self.side)

    def back(self, name: str) -> float | None:
        return back_value(self.m, name, self.side)

    def near(self, name: str) -> float | None:
        return near_value(self.m, name)


def back_value(m: Measures, name: str, front: Side | None) -> float | None:
    """The back leg's value, given the leg in front (None while no leg is in front)."""
    return None if front is None else m.side(name, other(front))


def near_value(m: Measures, name: str) -> float | None:
    """The near side's value in a side view (the far limb is often occluded), else the larger of the two."""
    if m.near_side is not None:
        v = m.side(name, m.near_side)
        if v is not None:
            return v
    return either(m, name, max)


def either(m: Measures, name: str, pick: Callable[[list[float]], float] = min) -> float | None:
    """``pick`` over the measurable left/right values (e.g. the more bent knee)."""
    vals = [v for v in (m.side(name, "left"), m.side(name, "right")) if v is not None]
    return pick(vals) if vals else None


def above(x: float | None, limit: float) -> bool:
    return x is not None and math.isfinite(x) and x > limit


def below(x: float | None, limit: float) -> bool:
    return x is not None and math.isfinite(x) and x < limit


def outside(x: float | None, lo: float, hi: float) -> bool:
    return below(x, lo) or above(x, hi)


def beyond(x: float | None, limit: float) -> bool:
    """``|x| > limit``: for signed measures where either direction is a fault."""
    return x is not None and math.isfinite(x) and abs(x) > limit


FrameCheck = Callable[[Frame, Thresholds], bool]
RepCheck = Callable[[Mapping[str, object], Thresholds], bool]
SignalFn = Callable[[Measures, "Side | None"], "float | None"]


@dataclass(frozen=True)
class FrameRule:
    """A fault judged on every frame where form can be judged (right view, person in frame).

    ``phases`` limits it to some phases (e.g. only at the top of a bridge);
    ``breaks_hold`` pauses the hold timer on frames with this fault (a stretch
    done with an arched back does not count as stretching).
    """

    cue: Cue
    when: FrameCheck
    phases: tuple[str, ...] | None = None
    breaks_hold: bool = False


@dataclass(frozen=True)
class RepRule:
    """A fault only known once a rep is over (e.g. how deep the lunge went)."""

    cue: Cue
    when: RepCheck


@dataclass(frozen=True)
class RepSpec:
    """How to count reps on one signal with a hysteresis band.

    ``direction`` is the way the signal moves into the work phase: "down" for a
    knee angle that drops in a lunge, "up" for a hip angle that rises in a
    bridge. The work phase is entered past threshold ``enter_key`` and left
    past ``exit_key``; both must hold for ``min_phase_s`` so jitter never
    counts twice. ``key_angles`` are recorded on each rep as the median over
    the "plateau" (samples within ``plateau_key`` degrees of the extreme), which
    is steadier than a single noisy extreme frame; ``hold_name`` records how
    long that plateau lasted.

    ``back_at_rest`` marks frames that are out of the work phase whatever the
    signal says (a lunge's back leg swung forward in a knee drive, while the
    standing knee stays bent short of the exit threshold): they count as the
    rest band, so a rep can end there and none can start.

    ``settle_key`` widens the rest band to wherever the person rests: the signal
    held still (within that many degrees for ``settle_s``) short of the enter
    threshold is at rest there, a rep must rise ``min_rise_deg`` beyond that level
    as well as past the enter threshold (a band of its own for jitter), and it ends
    when the signal comes back to within the same degrees of that level. The angle a person rests at in the
    picture moves with the camera: a bridge lowered to 140 degrees reads 147 from a
    camera 1 m high, and 151 with the model's error, which the fixed exit threshold
    (148) never saw, so no rep was ever counted.
    """

    signal: SignalFn
    direction: Literal["down", "up"]
    enter_key: str
    exit_key: str
    rest_phase: str
    active_phase: str
    plateau_key: str
    key_angles: Mapping[str, SignalFn] = field(default_factory=dict)
    hold_name: str | None = None
    back_at_rest: Callable[[Measures, Side | None], bool] | None = None
    settle_key: str | None = None


@dataclass(frozen=True)
class HoldSpec:
    """A timed hold (one per side): runs while in position and form is good, pauses otherwise.

    ``side_is_front_leg``: the hold's side is the leg in front (a new hold
    starts when it changes). ``key_angles`` are reported per hold as the median
    over the frames that counted.
    """

    in_position: FrameCheck
    target_key: str
    key_angles: Mapping[str, SignalFn] = field(default_factory=dict)
    side_is_front_leg: bool = True


@dataclass(frozen=True)
class ExerciseDef:
    """Everything that makes one exercise what it is; no behaviour of its own."""

    name: str
    title: str
    thresholds: Mapping[str, float]
    # Views in which form is judged, and (a superset) views in which reps/holds are still tracked.
    form_views: tuple[View | None, ...] = ("side",)
    track_views: tuple[View, ...] | None = None
    needs_feet: bool = True
    # The exercise's basic posture (lying for a bridge, upright for the rest): reps and holds are only
    # tracked in it, so sitting down and standing up is never taken for a bridge.
    posture: FrameCheck | None = None
    # Shown when the person is not in that posture (e.g. not lying for a bridge).
    posture_cue: Cue | None = None
    frame_rules: tuple[FrameRule, ...] = ()
    rep_rules: tuple[RepRule, ...] = ()
    reps: RepSpec | None = None
    hold: HoldSpec | None = None
    # The per-frame side to track (leg in front), or None when the exercise has no side.
    side_of: Callable[[Measures], Side | None] | None = None
    # Measures summarised over the session as median and p10-p90 (judged frames only).
    summary_measures: Mapping[str, Callable[[Measures], float | None]] = field(default_factory=dict)
    # Shown while form is judged, in a work phase, and no fault is present.
    good_cue: Cue | None = None
    good_phases: tuple[str, ...] = ()

    @property
    def tracked_views(self) -> tuple[View | None, ...]:
        return self.track_views if self.track_views is not None else self.form_views

    @property
    def cues(self) -> dict[str, Cue]:
        """Every cue this exercise can show, by id: camera cues, rule cues, then posture and good cues.

        The engine shows these and ``posturecam exercises`` lists them, so both read them from here.
        """
        rule_cues = [*(r.cue for r in self.frame_rules), *(r.cue for r in self.rep_rules)]
        out: dict[str, Cue] = {}
        for c in (*VIEW_CUES, *rule_cues, self.posture_cue, self.good_cue):
            if c is not None:
                out.setdefault(c.id, c)
        return out


# Engine settings every exercise has; an exercise may change the defaults, a config file may override them.
COMMON_THRESHOLDS: dict[str, float] = {
    "cue_on_s": 0.4,  # a fault must last this long before its cue shows
    "cue_off_s": 0.8,  # and the cue stays this long after the fault ends
    "rep_cue_show_s": 2.5,  # how long an end-of-rep cue is shown
    "max_gap_s": 0.5,  # frames without a person shorter than this do not break a rep or a hold
    "smooth_s": 0.25,  # rolling-median window applied to every measure
    "min_phase_s": 0.2,  # a signal must stay past a threshold this long to change phase
}

# Extra engine settings for exercises with a timed hold.
HOLD_THRESHOLDS: dict[str, float] = {
    "max_break_s": 3.0,  # out of position longer than this ends the hold
    "switch_confirm_s": 0.5,  # the other leg must be in front this long to start the other side's hold
    "min_record_hold_s": 2.0,  # shorter holds are passing through the position, not holds
}

# Cues about the camera set-up: shown instead of form cues, and above them.
NO_PERSON = Cue("view.no_person", "Step into the camera's view", 100)
STEP_BACK = Cue("view.step_back", "Step back so your feet are visible", 95)
TURN_SIDEWAYS = Cue("view.turn_sideways", "Turn sideways to the camera", 90)
SQUARE_UP = Cue("view.square_up", "Face the camera or turn fully sideways", 90)
VIEW_CUES: tuple[Cue, ...] = (NO_PERSON, STEP_BACK, TURN_SIDEWAYS, SQUARE_UP)

GOOD = Cue("good", "Good form, keep it up", 0, fault=False)
