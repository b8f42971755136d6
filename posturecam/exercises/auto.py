"""Recognise which supported exercise is being done, and coach it.

Each frame votes for an exercise from simple, explainable features:

- lying (or trunk far from vertical) with a knee bent: bridge;
- upright, and the more-bent knee went down and came back up within the last
  few seconds: lunge;
- upright, feet split, a knee well bent, and the legs held still: stretch;
- upright, feet together, knees straight: standing.

The recognised exercise only changes once another one has won most votes
for a while (``recognise_s`` at first, the longer ``switch_s`` afterwards),
so it never flip-flops. Frames seen while deciding are replayed into the
newly chosen exercise, so its first rep or the first seconds of a hold are
not lost to the decision delay.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import replace

from posturecam.exercises.base import Cue, either
from posturecam.exercises.engine import Coach, CoachState, cue_line, summary_lines
from posturecam.measures import Measures

AUTO_THRESHOLDS: dict[str, float] = {
    "recognise_s": 1.5,  # votes needed before the first exercise is chosen
    "switch_s": 3.0,  # votes needed to change to another exercise
    "min_vote_share": 0.75,  # share of the (non-abstaining) votes the winner needs
    "motion_window_s": 4.0,  # how far back "went down and came back up" looks
    "min_motion_deg": 30.0,  # knee travel both down and up that makes a lunge
    "still_window_s": 2.0,  # how far back "held still" looks
    "max_still_range_deg": 20.0,  # knee range within that window that counts as still
    "lying_min_trunk_from_vertical_deg": 40.0,
    "bent_knee_deg": 150.0,  # a knee below this is bent (bridge set-up)
    "kneel_knee_deg": 130.0,  # the more bent knee below this: kneeling or lunging
    "straight_knee_deg": 150.0,  # both knees above this: standing
    "replay_s": 8.0,  # frames kept to replay into a newly recognised exercise
}


class AutoCoach:
    """Delegates to one ``Coach`` per recognised exercise; same interface as ``Coach``."""

    name = "auto"

    def __init__(self, coaches: Mapping[str, Coach], thresholds: Mapping[str, float], idle: Coach) -> None:
        self._coaches = dict(coaches)
        self.th = dict(thresholds)
        self._idle = idle  # a measure-only coach that speaks while nothing is recognised yet
        self.current: str | None = None
        self._since = 0.0  # when the current exercise was chosen
        self._frames: deque[tuple[float, Measures | None]] = deque()
        self._knees: deque[tuple[float, float]] = deque()
        self._votes: deque[tuple[float, str | None]] = deque()
        self._used: list[str] = []
        self.segments: list[dict[str, object]] = []
        self._last_t: float | None = None
        self.cues: dict[str, Cue] = {}
        for c in (idle, *self._coaches.values()):
            self.cues.update(c.cues)

    # -- recognition -----------------------------------------------------------------------------

    def classify(self, t: float, m: Measures | None) -> str | None:
        """This frame's vote (None: abstain)."""
        th = self.th
        if m is None:
            return None
        knee = either(m, "knee_deg", min)
        if knee is not None:
            self._knees.append((t, knee))
        horizon = max(th["motion_window_s"], th["still_window_s"])
        while self._knees and self._knees[0][0] < t - horizon:
            self._knees.popleft()
        tv = m.trunk_from_vertical_deg
        if m.lying or (tv is not None and tv >= th["lying_min_trunk_from_vertical_deg"]):
            return "bridge" if knee is not None and knee < th["bent_knee_deg"] else None
        if knee is None:
            return None
        if self._went_down_and_up(t):
            return "lunge"
        still = [k for tt, k in self._knees if tt >= t - th["still_window_s"]]
        is_still = max(still) - min(still) <= th["max_still_range_deg"]
        if m.front_leg is not None and knee < th["kneel_knee_deg"] and is_still:
            return "stretch"
        top = either(m, "knee_deg", max)
        if m.front_leg is None and knee > th["straight_knee_deg"] and top is not None and is_still:
            return "standing"
        return None

    def _went_down_and_up(self, t: float) -> bool:
        vals = [k for tt, k in self._knees if tt >= t - self.th["motion_window_s"]]
        if len(vals) < 3:
            return False
        i = min(range(len(vals)), key=vals.__getitem__)
        need = self.th["min_motion_deg"]
        return max(vals[: i + 1]) - vals[i] >= need and max(vals[i:]) - vals[i] >= need

    def _winner(self, t: float) -> str | None:
        need_s = self.th["recognise_s"] if self.current is None else self.th["switch_s"]
        if t - self._since < need_s:
            return None
        votes = [v for tt, v in self._votes if tt >= t - need_s]
        cast = [v for v in votes if v is not None]
        if not cast or len(cast) < 0.5 * len(votes):
            return None
        label, n = Counter(cast).most_common(1)[0]
        return label if n >= self.th["min_vote_share"] * len(cast) else None

    # -- per frame -------------------------------------------------------------------------------

    def update(self, time_s: float, measures: Measures | None) -> CoachState:
        t = float(time_s)
        if self._last_t is not None and t < self._last_t:
            t = self._last_t  # out of order: treat as simultaneous
        self._last_t = t
        self._frames.append((t, measures))
        while self._frames and self._frames[0][0] < t - self.th["replay_s"]:
            self._frames.popleft()
        self._votes.append((t, self.classify(t, measures)))
        keep = max(self.th["recognise_s"], self.th["switch_s"])
        while self._votes and self._votes[0][0] < t - keep:
            self._votes.popleft()
        win = self._winner(t)
        if win is not None and win != self.current and win in self._coaches:
            self._switch(t, win)
        if self.current is None:
            state = self._idle.update(t, measures)
            return replace(state, exercise="auto", phase="recognising")
        state = self._coaches[self.current].update(t, measures)
        self.segments[-1]["end_s"] = round(t, 3)
        return state

    def _switch(self, t: float, name: str) -> None:
        coach = self._coaches[name]
        # Replay the last few seconds (minus this frame) so the rep or hold that made the decision is not lost
        # to the decision delay. Frames from before the movement are harmless: each coach ignores what is not
        # its exercise (posture gate, armed rep counter, minimum hold).
        for ft, fm in list(self._frames)[:-1]:
            if coach._last_t is None or ft > coach._last_t:
                coach.update(ft, fm)
        need = self.th["recognise_s"] if self.current is None else self.th["switch_s"]
        start = max(t - need, self._since)
        self.current, self._since = name, t
        if name not in self._used:
            self._used.append(name)
        if self.segments:
            self.segments[-1]["end_s"] = round(start, 3)
        self.segments.append({"exercise": name, "start_s": round(start, 3), "end_s": round(t, 3)})
        self._votes.clear()

    # -- session ---------------------------------------------------------------------------------

    def finish(self, time_s: float | None = None) -> dict[str, object]:
        for name in self._used:
            self._coaches[name].finish(time_s)
        return self.summary()

    def summary(self) -> dict[str, object]:
        subs = {name: self._coaches[name].summary() for name in self._used}
        reps: list[dict[str, object]] = []
        holds: list[dict[str, object]] = []
        cues: Counter[str] = Counter()
        count = {"left": 0, "right": 0, "total": 0}
        measures: dict[str, object] = {}
        for name, s in subs.items():
            reps += [{**r, "exercise": name} for r in s["reps"]]  # type: ignore[union-attr]
            holds += [{**h, "exercise": name} for h in s["holds"]]  # type: ignore[union-attr]
            cues.update(s["cues"])  # type: ignore[arg-type]
            for k in count:
                count[k] += s["rep_count"][k]  # type: ignore[index]
            measures.update(s["measures"])  # type: ignore[arg-type]
        return {
            "exercise": "auto",
            "title": "Auto",
            "segments": [dict(s) for s in self.segments],
            "exercises": subs,
            "rep_count": count,
            "reps": sorted(reps, key=lambda r: r["start_s"]),  # type: ignore[arg-type, return-value]
            "holds": sorted(holds, key=lambda h: h["start_s"]),  # type: ignore[arg-type, return-value]
            "cues": dict(cues),
            "measures": measures,
        }

    def summary_lines(self, with_cue_line: bool = True) -> list[str]:
        s = self.summary()
        if not self._used:
            return ["No supported exercise recognised"]
        lines: list[str] = []
        for sub in s["exercises"].values():  # type: ignore[union-attr]
            lines += summary_lines(sub, self.cues, with_cue_line=False)
        if with_cue_line:
            lines.append(cue_line(s["cues"], self.cues))  # type: ignore[arg-type]
        return lines
