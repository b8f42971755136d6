"""The one engine that runs every exercise definition.

Real measures are noisy: angles jitter by several degrees, the model loses
the person for a few frames, the view flips for a frame while someone turns.
Everything here exists so the person still sees steady feedback:

- ``Smoother``: a short rolling median on every measure (kills single-frame spikes, keeps edges).
- ``RepTracker``: a phase machine with a hysteresis band (separate enter and exit
  thresholds) and a minimum time past each threshold, so jitter never counts twice.
- ``HoldTracker``: a timer that pauses while form is broken and tolerates short gaps.
- ``CueDebouncer``: a fault must last ``cue_on_s`` before its cue shows, and the cue
  stays ``cue_off_s`` after the fault ends, so cues never flicker.
- ``Coach``: wires them together for one ``ExerciseDef`` and keeps the session records.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace

from posturecam.exercises.base import (
    NO_PERSON,
    SQUARE_UP,
    STEP_BACK,
    TURN_SIDEWAYS,
    Cue,
    ExerciseDef,
    Frame,
    HoldSpec,
    RepSpec,
    Thresholds,
)
from posturecam.landmarks import SIDES, Side, other
from posturecam.measures import Measures

# Measures fields that hold a number (the ones worth smoothing and summarising).
NUMERIC_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Measures) if f.name.endswith(("_deg", "_toes", "_ankles")) or f.name == "trunk_shift"
)
_EPS = 1e-9


def median(values: Iterable[float]) -> float | None:
    vals = [v for v in values if v is not None and math.isfinite(v)]
    return float(statistics.median(vals)) if vals else None


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0-100) of a non-empty list."""
    s = sorted(values)
    k = (len(s) - 1) * q / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _r(x: float | None, nd: int = 1) -> float | None:
    return None if x is None else round(float(x), nd)


class Smoother:
    """Rolling median over the last ``window_s`` seconds for every numeric measure.

    A value that is ``None`` in the current frame stays ``None``: smoothing
    must never make a hidden joint look measurable.
    """

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._buf: deque[tuple[float, Measures]] = deque()

    def update(self, t: float, m: Measures) -> Measures:
        if self.window_s <= 0:
            return m
        self._buf.append((t, m))
        while self._buf and self._buf[0][0] < t - self.window_s - _EPS:
            self._buf.popleft()
        if len(self._buf) == 1:
            return m
        changes: dict[str, float | None] = {}
        for name in NUMERIC_FIELDS:
            if getattr(m, name) is None:
                continue
            changes[name] = median(getattr(mm, name) for _, mm in self._buf)
        return replace(m, **changes)


class CueDebouncer:
    """Turns a per-frame set of fault ids into a steady set of cues to show.

    A fault latches after being present for ``on_s`` (absences shorter than
    ``bridge_s`` do not restart that clock, so a noisy fault near its threshold
    still shows); it unlatches once absent for ``off_s``. ``pulse`` shows a cue
    for a fixed time (end-of-rep cues).
    """

    def __init__(self, on_s: float, off_s: float, bridge_s: float = 0.25) -> None:
        self.on_s, self.off_s, self.bridge_s = on_s, off_s, bridge_s
        self._pending: dict[str, float] = {}
        self._seen: dict[str, float] = {}
        self._latched: dict[str, float] = {}
        self._pulses: dict[str, float] = {}

    def update(self, t: float, present: Iterable[str]) -> list[str]:
        """Feed one frame; returns the ids that latched on this frame (new episodes)."""
        new: list[str] = []
        for cid in present:
            last = self._seen.get(cid)
            if cid not in self._latched and (cid not in self._pending or last is None or t - last > self.bridge_s):
                self._pending[cid] = t
            self._seen[cid] = t
            if cid not in self._latched and t - self._pending[cid] >= self.on_s - _EPS:
                self._latched[cid] = t
                self._pending.pop(cid, None)
                new.append(cid)
        for cid in list(self._latched):
            if t - self._seen[cid] > self.off_s + _EPS:
                del self._latched[cid]
        for cid in list(self._pending):
            if t - self._seen[cid] > self.bridge_s + _EPS:
                del self._pending[cid]
        for cid in list(self._pulses):
            if t > self._pulses[cid] + _EPS:
                del self._pulses[cid]
        return new

    def pulse(self, cid: str, until: float) -> None:
        self._pulses[cid] = max(until, self._pulses.get(cid, until))

    def active(self) -> set[str]:
        return set(self._latched) | set(self._pulses)

    def latched(self) -> set[str]:
        return set(self._latched)


@dataclass
class _Sample:
    t: float
    v: float
    m: Measures
    side: Side | None


class RepTracker:
    """Counts reps of one signal with a hysteresis band and a minimum time per phase.

    A rep starts when the signal leaves the rest band (last time seen there)
    and is confirmed once it stays past the enter threshold for ``min_phase_s``;
    it ends when the signal is back in the rest band for ``min_phase_s``. A new
    rep can only start after the rest band has been seen ("armed"), so starting
    mid-movement or coming back from a long gap never counts a half rep.
    """

    def __init__(self, spec: RepSpec, th: Thresholds) -> None:
        self.spec, self.th = spec, th
        self.phase = spec.rest_phase
        self._armed = False
        self._pending: float | None = None
        self._rest_t: float | None = None
        self._buf: deque[_Sample] = deque(maxlen=20000)
        self._last_t: float | None = None
        self.value: float | None = None
        # Where the signal last rested still (``RepSpec.settle_key``), and the recent rest-phase
        # samples that show it (time, value).
        self._rest_level: float | None = None
        self._still: deque[tuple[float, float]] = deque()

    def _toward_work(self, v: float) -> float:
        """The signal with work upward, whichever way it moves (a lunge's knee angle falls)."""
        return -v if self.spec.direction == "down" else v

    def _in_rest(self, v: float, m: Measures, side: Side | None) -> bool:
        x = self.th[self.spec.exit_key]
        if self._toward_work(v) <= self._toward_work(x):
            return True
        if self._rest_level is not None and self.spec.settle_key is not None and (
                self._toward_work(v) <= self._toward_work(self._rest_level) + self.th[self.spec.settle_key]):
            return True
        return self.spec.back_at_rest is not None and self.spec.back_at_rest(m, side)

    def _settle(self, t: float, v: float) -> None:
        """Note where the signal rests, if it has been still for ``settle_s`` short of the work threshold."""
        if self.spec.settle_key is None:
            return
        still = self._still
        still.append((t, v))
        while len(still) > 1 and t - still[1][0] >= self.th["settle_s"] - 1e-6:
            still.popleft()  # the oldest kept is the last at least settle_s old: a full window at any frame rate
        if t - still[0][0] < self.th["settle_s"] - 1e-6:
            return
        vals = [self._toward_work(x) for _, x in still]
        if max(vals) - min(vals) <= self.th[self.spec.settle_key] and max(vals) < self._toward_work(
                self.th[self.spec.enter_key]):
            self._rest_level = self._toward_work(sum(vals) / len(vals))  # its own inverse

    def _in_work(self, v: float) -> bool:
        """Past the enter threshold and, from a rest level of its own, at least ``min_rise_deg`` beyond it."""
        need = self._toward_work(self.th[self.spec.enter_key])
        if self._rest_level is not None and self.spec.settle_key is not None:
            need = max(need, self._toward_work(self._rest_level) + self.th["min_rise_deg"])
        return self._toward_work(v) >= need

    @property
    def active(self) -> bool:
        return self.phase == self.spec.active_phase

    def abort(self) -> None:
        self.phase = self.spec.rest_phase
        self._armed = False
        self._pending = None
        self._buf.clear()
        self._rest_level = None  # after a long gap the person may rest elsewhere
        self._still.clear()

    def finish(self) -> dict[str, object] | None:
        """End of the session: returns the open rep if it is already back in the rest band.

        Such a rep was only waiting out ``min_phase_s`` (the guard against jitter
        at the exit threshold) when the recording stopped: the person did come
        back up, so it counts. Any other unfinished rep is dropped.
        """
        rec = None
        if self.phase == self.spec.active_phase and self._pending is not None:
            rec = self._record(self._pending)
        self.abort()
        return rec

    def update(self, t: float, m: Measures | None, side: Side | None) -> dict[str, object] | None:
        """Feed one frame (``None`` = not observable); returns a finished rep record, if any."""
        v = self.spec.signal(m, side) if m is not None else None
        self.value = v
        if m is None or v is None or not math.isfinite(v):
            return None
        if self._last_t is not None and t - self._last_t > self.th.max_gap_s + _EPS:
            self.abort()
        self._last_t = t
        s = _Sample(t, v, m, side)
        min_s = self.th.min_phase_s - _EPS
        if self.phase == self.spec.rest_phase:
            self._settle(t, v)
            if self._in_rest(v, m, side):
                self._armed, self._rest_t, self._pending = True, t, None
                self._buf.clear()
                self._buf.append(s)
                return None
            self._buf.append(s)
            if self._armed and self._in_work(v):
                self._pending = t if self._pending is None else self._pending
                if t - self._pending >= min_s:
                    self.phase, self._pending = self.spec.active_phase, None
            else:
                self._pending = None
            return None
        self._buf.append(s)
        if not self._in_rest(v, m, side):
            self._pending = None
            return None
        self._pending = t if self._pending is None else self._pending
        if t - self._pending < min_s:
            return None
        rec = self._record(self._pending)
        self.phase, self._pending, self._armed, self._rest_t = self.spec.rest_phase, None, True, t
        self._buf.clear()
        self._buf.append(s)
        self._still.clear()
        return rec

    def _record(self, end_t: float) -> dict[str, object]:
        spec, th = self.spec, self.th
        samples = [s for s in self._buf if s.t < end_t - _EPS] or list(self._buf)
        votes = Counter(s.side for s in samples if s.side is not None)
        side = votes.most_common(1)[0][0] if votes else None
        views = Counter(s.m.view for s in samples)
        vals = [s.v for s in samples]
        extreme = min(vals) if spec.direction == "down" else max(vals)
        tol = th[spec.plateau_key]
        in_plateau = [abs(s.v - extreme) <= tol + _EPS for s in samples]
        plateau = [s for s, ok in zip(samples, in_plateau, strict=True) if ok]
        rec: dict[str, object] = {
            "side": side,
            "start_s": _r(self._rest_t if self._rest_t is not None else samples[0].t, 3),
            "end_s": _r(end_t, 3),
            "view": views.most_common(1)[0][0],
            "cues": [],
        }
        for name, fn in spec.key_angles.items():
            rec[name] = _r(median(v for v in (fn(s.m, side) for s in plateau) if v is not None))
        if spec.hold_name:
            held = 0.0
            for i in range(1, len(samples)):
                dt = samples[i].t - samples[i - 1].t
                if in_plateau[i] and in_plateau[i - 1] and dt <= th.max_gap_s + _EPS:
                    held += dt
            rec[spec.hold_name] = _r(held, 2)
        return rec


@dataclass
class _Hold:
    side: Side | None
    start_s: float
    last_in_s: float
    duration_s: float = 0.0
    values: dict[str, list[float]] = field(default_factory=dict)
    cues: set[str] = field(default_factory=set)


class HoldTracker:
    """Times holds per side; pauses while form is broken; a new hold starts when the side changes.

    Time is credited for each interval between two consecutive observed frames
    that were both in position with good form, including gaps up to
    ``max_gap_s`` (a few lost frames do not cost hold time). Leaving the position
    for longer than ``max_break_s`` ends the hold.
    """

    def __init__(self, spec: HoldSpec, th: Thresholds) -> None:
        self.spec, self.th = spec, th
        self.current: _Hold | None = None
        self._prev: tuple[float, bool] | None = None
        self._pending_side: Side | None = None
        self._pending_since = 0.0
        self.in_position = False
        self.form_ok = False

    def update(self, t: float, m: Measures | None, in_pos: bool, form_ok: bool, side: Side | None) -> list[_Hold]:
        th = self.th
        closed: list[_Hold] = []
        cur = self.current
        if cur is not None and t - cur.last_in_s > th.max_break_s + _EPS:
            closed.append(cur)
            self.current = cur = None
        self.in_position, self.form_ok = (m is not None and in_pos), (m is not None and in_pos and form_ok)
        if m is None:
            return closed
        if not in_pos:
            self._prev = (t, False)
            self._pending_side = None
            return closed
        if cur is not None and side is not None and side != cur.side:
            if self._pending_side != side:
                self._pending_side, self._pending_since = side, t
            if t - self._pending_since < th.switch_confirm_s - _EPS:
                self._prev = (t, False)
                return closed
            closed.append(cur)
            self.current = cur = _Hold(side, self._pending_since, t)
            if form_ok:
                cur.duration_s = t - self._pending_since
            self._pending_side = None
        else:
            self._pending_side = None
        if cur is None:
            self.current = cur = _Hold(side, t, t)
        elif form_ok and self._prev is not None and self._prev[1] and t - self._prev[0] <= th.max_gap_s + _EPS:
            cur.duration_s += t - self._prev[0]
        cur.last_in_s = t
        if form_ok:
            for name, fn in self.spec.key_angles.items():
                v = fn(m, cur.side)
                if v is not None:
                    cur.values.setdefault(name, []).append(v)
        self._prev = (t, form_ok)
        return closed

    def finish(self) -> list[_Hold]:
        cur, self.current = self.current, None
        return [cur] if cur is not None else []


@dataclass(frozen=True)
class CoachState:
    """What the overlay shows for one frame."""

    time_s: float
    exercise: str
    phase: str
    side: Side | None
    cue: Cue | None
    rep_count: Mapping[str, int]
    hold: float | None = None
    hold_target_s: float | None = None
    hold_side: Side | None = None
    holds_done: Mapping[str, int] = field(default_factory=dict)
    reps_this_side: int = 0
    person: bool = True
    view_ok: bool = True
    # Ids of every cue currently shown-eligible, highest priority first (``cue`` is the first).
    active_cues: tuple[str, ...] = ()
    # Live numbers worth drawing (e.g. the front knee angle), keyed like the rep/hold records.
    live: Mapping[str, float] = field(default_factory=dict)
    last_rep: Mapping[str, object] | None = None


@dataclass
class _Judged:
    """One frame's verdict before tracking: cue ids present, form faults, and whether to track."""

    present: set[str] = field(default_factory=set)
    faults: set[str] = field(default_factory=set)
    view_ok: bool = False
    trackable: bool = False
    sm: Measures | None = None


def _label(name: str) -> str:
    base = name.removesuffix("_deg")
    return base.replace("_", " ").capitalize()


class Coach:
    """Runs one exercise definition over a stream of measures and keeps the session record."""

    def __init__(self, definition: ExerciseDef, thresholds: Mapping[str, float]) -> None:
        self.definition = d = definition
        self.th = th = Thresholds(thresholds)
        self.name = d.name
        self._smoother = Smoother(th.smooth_s)
        self._debouncer = CueDebouncer(th.cue_on_s, th.cue_off_s)
        self._reps = RepTracker(d.reps, th) if d.reps else None
        self._hold = HoldTracker(d.hold, th) if d.hold else None
        self.cues: dict[str, Cue] = d.cues
        self.rep_records: list[dict[str, object]] = []
        self.hold_records: list[dict[str, object]] = []
        self.cue_episodes: Counter[str] = Counter()
        self._samples: dict[str, list[float]] = {k: [] for k in d.summary_measures}
        self._side: Side | None = None
        self._rep_cues: set[str] = set()
        self._last_seen: float | None = None
        self._last_t: float | None = None
        self._first_t: float | None = None
        self._last_present: set[str] = set()
        self._state: CoachState | None = None
        self._finished = False

    # -- per frame -------------------------------------------------------------------------------

    def update(self, time_s: float, measures: Measures | None) -> CoachState:
        """Feed one frame (``None``: no plausible person) and get what to show."""
        t = float(time_s)
        if self._last_t is not None and t < self._last_t and self._state is not None:
            return self._state  # out-of-order frame: ignore rather than corrupt the timers
        self._first_t = t if self._first_t is None else self._first_t
        self._last_t = t
        j = self._judge(t, measures)
        sm = j.sm if j.trackable else None  # what the trackers may count on

        rep_event = None
        if self._reps is not None:
            rep_event = self._reps.update(t, sm, self._side)
            if not self._reps.active and rep_event is None and not self._reps._armed:
                self._rep_cues.clear()  # rep aborted (long gap): its faults belong to no rep
        if self._hold is not None and self.definition.hold is not None:
            breaking = {r.cue.id for r in self.definition.frame_rules if r.breaks_hold}
            in_pos = sm is not None and self.definition.hold.in_position(self._frame(sm), self.th)
            form_ok = j.view_ok and not (j.faults & breaking)
            for h in self._hold.update(t, sm, in_pos, form_ok, self._side):
                self._close_hold(h)

        present = j.present
        d = self.definition
        if d.good_cue is not None and j.view_ok and not j.faults and self._phase() in d.good_phases:
            present.add(d.good_cue.id)
        self._last_present = present
        for cid in self._debouncer.update(t, present):
            self.cue_episodes[cid] += 1
        # Faults shown *and* still present: a cue lingering after its fault ended belongs to the previous rep.
        shown = self._debouncer.latched() & present
        faults_shown = {c for c in shown if self.cues[c].fault and not c.startswith("view.")}
        self._rep_cues |= faults_shown
        if self._hold is not None and self._hold.current is not None:
            self._hold.current.cues |= faults_shown
        if rep_event is not None:
            self._finish_rep(t, rep_event)
        return self._make_state(t, measures is not None, j.view_ok, j.sm)

    def _judge(self, t: float, m: Measures | None) -> _Judged:
        """View checks first; form rules only when the view lets form be judged."""
        d, th = self.definition, self.th
        j = _Judged()
        if m is None:
            if self._last_seen is None or t - self._last_seen > th.max_gap_s + _EPS:
                j.present.add(NO_PERSON.id)
            else:
                j.present |= self._last_present  # a short gap: keep cues steady
            return j
        self._last_seen = t
        j.sm = sm = self._smoother.update(t, m)
        if d.side_of is not None:
            s = d.side_of(m)
            self._side = s if s is not None else self._side
        frame = self._frame(sm)
        j.view_ok = True
        if d.needs_feet and not m.feet_visible:
            # Legs the model left out are in the picture: stepping back would not help.
            if not m.legs_unseen:
                j.present.add(STEP_BACK.id)
            j.view_ok = False
        if m.view not in d.form_views:
            side_only = "side" in d.form_views and "front" not in d.form_views
            j.present.add(TURN_SIDEWAYS.id if side_only else SQUARE_UP.id)
            j.view_ok = False
        posture_ok = d.posture is None or d.posture(frame, th)
        if not posture_ok:
            if d.posture_cue is not None:
                j.present.add(d.posture_cue.id)
            j.view_ok = False
        j.trackable = posture_ok and m.view in d.tracked_views
        if j.view_ok:
            for rule in d.frame_rules:
                if (rule.phases is None or frame.phase in rule.phases) and rule.when(frame, th):
                    j.faults.add(rule.cue.id)
            j.present |= j.faults
            for name, fn in d.summary_measures.items():
                v = fn(m)  # raw, not smoothed: the summary is the typical range of the real values
                if v is not None and math.isfinite(v):
                    self._samples[name].append(v)
        return j

    def _frame(self, sm: Measures) -> Frame:
        hold_s = self._hold.current.duration_s if self._hold is not None and self._hold.current else None
        return Frame(sm, self._phase(), self._side, hold_s)

    def _phase(self) -> str:
        if self._reps is not None:
            return self._reps.phase
        if self._hold is not None:
            if not self._hold.in_position:
                return "setup"
            return "holding" if self._hold.form_ok else "paused"
        return "ready"

    def _finish_rep(self, t: float, rec: dict[str, object]) -> None:
        # End-of-rep form is only judged on reps seen from a view that allows it (a lunge counted from the
        # front has foreshortened knee angles: no depth verdict from those).
        judged = rec.get("view") in self.definition.form_views
        end_ids: set[str] = {r.cue.id for r in self.definition.rep_rules if judged and r.when(rec, self.th)}
        for cid in end_ids - self._rep_cues:
            self._debouncer.pulse(cid, t + self.th.rep_cue_show_s)
            self.cue_episodes[cid] += 1
        rec["cues"] = sorted(c for c in self._rep_cues | end_ids if self.cues[c].fault)
        self._rep_cues = set()
        self.rep_records.append(rec)

    def _close_hold(self, h: _Hold) -> None:
        if h.duration_s < self.th.min_record_hold_s - _EPS:
            return
        rec: dict[str, object] = {
            "side": h.side,
            "stretched_side": other(h.side) if h.side is not None else None,
            "start_s": _r(h.start_s, 3),
            "end_s": _r(h.last_in_s, 3),
            "duration_s": _r(h.duration_s, 2),
            "target_s": self.th[self.definition.hold.target_key] if self.definition.hold else None,
            "cues": sorted(h.cues),
        }
        for name in self.definition.hold.key_angles if self.definition.hold else ():
            rec[name] = _r(median(h.values.get(name, [])))
        self.hold_records.append(rec)

    def _rep_count(self) -> dict[str, int]:
        c = Counter(r["side"] for r in self.rep_records)
        return {"left": c["left"], "right": c["right"], "total": len(self.rep_records)}

    def _make_state(self, t: float, person: bool, view_ok: bool, sm: Measures | None) -> CoachState:
        active = sorted(self._debouncer.active(), key=lambda c: (-self.cues[c].priority, c))
        cue = self.cues[active[0]] if active else None
        counts = self._rep_count()
        side = self._side
        hold = hold_target = hold_side = None
        live: dict[str, float] = {}
        d = self.definition
        if self._hold is not None and d.hold is not None:
            hold_target = self.th[d.hold.target_key]
            if self._hold.current is not None:
                hold, hold_side = round(self._hold.current.duration_s, 2), self._hold.current.side
                side = hold_side
        if self._reps is not None and self._reps.value is not None:
            live["signal"] = round(self._reps.value, 1)
        if sm is not None and d.hold is not None:
            for name, fn in d.hold.key_angles.items():
                v = fn(sm, side)
                if v is not None:
                    live[name] = round(v, 1)
        done = Counter(h["side"] for h in self.hold_records)
        self._state = CoachState(
            time_s=t,
            exercise=self.name,
            phase=self._phase(),
            side=side,
            cue=cue,
            rep_count=counts,
            hold=hold,
            hold_target_s=hold_target,
            hold_side=hold_side,
            holds_done={s: done[s] for s in SIDES},
            reps_this_side=counts[side] if side in ("left", "right") else counts["total"],
            person=person,
            view_ok=view_ok,
            active_cues=tuple(active),
            live=live,
            last_rep=self.rep_records[-1] if self.rep_records else None,
        )
        return self._state

    # -- session ---------------------------------------------------------------------------------

    def finish(self, time_s: float | None = None) -> dict[str, object]:
        """End the session: an open hold is kept as far as it got; a rep is kept if the person was back up.

        (A rep still short of the rest band is dropped; see ``RepTracker.finish``.)
        """
        if not self._finished:
            self._finished = True
            if self._hold is not None:
                for h in self._hold.finish():
                    self._close_hold(h)
            if self._reps is not None:
                rec = self._reps.finish()
                if rec is not None:
                    self._finish_rep(self._last_t if self._last_t is not None else 0.0, rec)
            if time_s is not None:
                self._last_t = max(self._last_t or time_s, time_s)
        return self.summary()

    def measure_summary(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for name, vals in self._samples.items():
            if vals:
                out[name] = {
                    "median": round(percentile(vals, 50), 3),
                    "p10": round(percentile(vals, 10), 3),
                    "p90": round(percentile(vals, 90), 3),
                    "n": len(vals),
                }
        return out

    def summary(self) -> dict[str, object]:
        return {
            "exercise": self.name,
            "title": self.definition.title,
            "duration_s": _r((self._last_t or 0.0) - (self._first_t or 0.0), 2),
            "thresholds": dict(self.th),
            "rep_count": self._rep_count(),
            "reps": [dict(r) for r in self.rep_records],
            "holds": [dict(h) for h in self.hold_records],
            "cues": dict(self.cue_episodes),
            "measures": self.measure_summary(),
        }

    def summary_lines(self, with_cue_line: bool = True) -> list[str]:
        return summary_lines(self.summary(), self.cues, with_cue_line=with_cue_line)


# The rep angles worth a summary line, in words a person reading it at home follows.
_REP_ANGLE_WORDS: dict[str, str] = {
    "bottom_front_knee_deg": "front knee angle at the bottom",
    "top_hip_deg": "hip angle at the top",
}


def summary_lines(summary: Mapping[str, object], cues: Mapping[str, Cue], *, with_cue_line: bool = True) -> list[str]:
    """A few plain sentences for the end of a session.

    ``with_cue_line=False`` leaves out the "most frequent cue" sentence, for callers that
    say something better (a photo's own faults, auto mode's cues over all exercises).
    """
    lines: list[str] = []
    title = str(summary.get("title", summary.get("exercise", "")))
    reps = list(summary.get("reps", []))  # type: ignore[arg-type]
    holds = list(summary.get("holds", []))  # type: ignore[arg-type]
    count = summary.get("rep_count", {}) or {}
    if reps:
        if any(r.get("side") in ("left", "right") for r in reps):
            lines.append(f"{title}: {count.get('left', 0)} left, {count.get('right', 0)} right")
        else:
            lines.append(f"{title}: {count.get('total', 0)} reps")
        for key, what in _REP_ANGLE_WORDS.items():
            v = median(r.get(key) for r in reps if r.get(key) is not None)
            if v is not None:
                lines.append(f"Typical {what}: {v:.0f}°")
        v = median(r.get("hold_s") for r in reps if r.get("hold_s") is not None)
        if v is not None:
            lines.append(f"Typical hold at the top: {v:.1f} s")
    for h in holds:
        ext = h.get("back_hip_extension_deg")
        extra = f", back hip {ext:.0f}° behind vertical" if isinstance(ext, float) else ""
        side = f", {h['side']} leg in front" if h.get("side") else ""
        lines.append(f"{title}{side}: held {h['duration_s']:.0f} s of {h.get('target_s') or 0:.0f} s{extra}")
    for name, s in (summary.get("measures") or {}).items():  # type: ignore[union-attr]
        unit, nd = ("°", 1) if name.endswith("_deg") else ("", 2)
        lo, hi = f"{s['p10']:.{nd}f}", f"{s['p90']:.{nd}f}"
        if lo == hi:  # one frame (a photo) or a perfectly still value: no spread to report
            lines.append(f"{_label(name)}: {s['median']:.{nd}f}{unit}")
        else:
            lines.append(f"{_label(name)}: median {s['median']:.{nd}f}{unit} (typically {lo} to {hi}{unit})")
    nothing = not reps and not holds and not summary.get("measures")
    if nothing:
        lines.append(f"{title}: nothing recorded")
    episodes: Mapping[str, int] = summary.get("cues") or {}  # type: ignore[assignment]
    # With nothing recorded, "no form cues needed" would read as praise for form never judged.
    if with_cue_line and not (nothing and not _faults(episodes, cues)):
        lines.append(cue_line(episodes, cues))
    return lines


def _faults(episodes: Mapping[str, int], cues: Mapping[str, Cue]) -> dict[str, int]:
    """How often each fault cue was shown (encouragements like "good" are not faults)."""
    return {k: n for k, n in episodes.items() if k in cues and cues[k].fault}


def cue_line(episodes: Mapping[str, int], cues: Mapping[str, Cue]) -> str:
    """The most frequent fault cue."""
    faults = _faults(episodes, cues)
    if not faults:
        return "No form cues needed"
    cid, n = max(faults.items(), key=lambda kv: (kv[1], cues[kv[0]].priority))
    return f"Most frequent cue: {cues[cid].text} ({n}×)"
