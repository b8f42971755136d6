"""Which way the person faces, held through the frames where the pose does not say.

A side view's hip angle reads past 180 only when front and back are known
(a lunge's back hip about 200, a stretch's back hip 195); without the facing
direction it folds back to its mirror image below 180, 30-40 degrees off.
Per frame the facing comes from the face or, failing that, from which trunk
side the model puts nearer (``measures.chirality_of``), and at a lunge's
bottom filmed 15-25 degrees off the side both can be unclear: on a rendered
lunge (seed 4107) in 74 of 180 frames, including whole stretches of the
bottom. People do not turn round between one frame and the next, so the
last clear facing is kept while the frames are unclear, and a facing the
other way is taken only once it has held for ``switch_s``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FacingTracker:
    """The person's facing (chirality, +1 / -1, 0 unknown) over a session, one frame at a time."""

    # A facing the other way must hold this long to be taken (a turn round takes about a
    # second; a single frame's other reading is the cue failing, not the person turning).
    switch_s: float = 0.3
    # Unclear frames keep the last clear facing for at most this long.
    hold_s: float = 5.0
    held: int = 0
    _seen_s: float = 0.0
    _other_since_s: float | None = None

    def update(self, chirality: int, time_s: float) -> int:
        """The facing to use for this frame, given this frame's own reading (0 when unclear)."""
        if self.held and time_s - self._seen_s > self.hold_s:
            self.held, self._other_since_s = 0, None
        if chirality == 0:
            return self.held
        if self.held in (0, chirality):
            self.held, self._seen_s, self._other_since_s = chirality, time_s, None
            return chirality
        if self._other_since_s is None:
            self._other_since_s = time_s
        if time_s - self._other_since_s >= self.switch_s:
            self.held, self._seen_s, self._other_since_s = chirality, time_s, None
        return self.held


__all__ = ["FacingTracker"]
