"""Landmark smoothing: the One-Euro filter MediaPipe's legacy graph used.

The Tasks API returns raw per-frame landmarks, which jitter by a few pixels
and make angles flicker by several degrees. The One-Euro filter (Casiez et
al., CHI 2012) smooths hard when a point is still and follows quickly when it
moves, so holds read steady while reps keep their true depth. Defaults match
the legacy pose graph (min_cutoff 0.1, beta 40, derivative cutoff 1.0, in
coordinates normalised by frame size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


def _alpha(cutoff_hz: np.ndarray | float, dt_s: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


@dataclass
class OneEuroFilter:
    """Vectorised One-Euro filter over an array of coordinates (any shape).

    State is explicit and per instance; ``reset()`` forgets it (after the
    person is lost, or when a leg was relabelled, so old positions do not
    drag the new ones).
    """

    min_cutoff_hz: float = 0.1
    beta: float = 40.0
    d_cutoff_hz: float = 1.0
    _x: np.ndarray | None = field(default=None, init=False, repr=False)
    _dx: np.ndarray | None = field(default=None, init=False, repr=False)
    _t: float | None = field(default=None, init=False, repr=False)

    def reset(self) -> None:
        self._x = self._dx = self._t = None

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        if self._x is None or self._t is None or t_s <= self._t:
            self._x, self._dx, self._t = x.astype(np.float64, copy=True), np.zeros_like(x, dtype=np.float64), t_s
            return self._x.copy()
        dt = t_s - self._t
        dx = (x - self._x) / dt
        a_d = _alpha(self.d_cutoff_hz, dt)
        self._dx = self._dx + a_d * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(self._dx)
        a = _alpha(cutoff, dt)
        self._x = self._x + a * (x - self._x)
        self._t = t_s
        return self._x.copy()
