"""The One-Euro filter: steady when still, close behind when moving."""

from __future__ import annotations

import numpy as np

from posturecam.filters import OneEuroFilter


def test_still_point_jitter_is_reduced() -> None:
    rng = np.random.default_rng(0)
    f = OneEuroFilter()
    raw = 0.5 + rng.normal(0, 0.004, size=(300, 33, 2))
    out = np.array([f(x, i / 30) for i, x in enumerate(raw)])
    assert out[30:].std() < raw[30:].std() / 2


def test_fast_motion_is_followed_with_little_lag() -> None:
    f = OneEuroFilter()
    t = np.arange(90) / 30
    xs = 0.3 + 0.2 * np.sin(2 * np.pi * 0.5 * t)  # a lunge-like 2 s cycle, normalised coordinates
    out = np.array([f(np.array([x]), ti)[0] for x, ti in zip(xs, t, strict=True)])
    assert np.abs(out[15:] - xs[15:]).max() < 0.02


def test_reset_forgets_the_past() -> None:
    f = OneEuroFilter()
    f(np.array([0.0]), 0.0)
    f(np.array([0.0]), 0.1)
    f.reset()
    assert f(np.array([1.0]), 0.2)[0] == 1.0
