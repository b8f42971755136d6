"""Landmark smoothing: One-Euro for live mode (steady when still, close behind when moving), centred for clips."""

from __future__ import annotations

import numpy as np
import pytest

from posturecam.filters import CenteredSmoother, OneEuroFilter, OneEuroSmoother


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


# ---------------------------------------------------------------- centred smoothing (recorded clips)


def _run(smoother: CenteredSmoother | OneEuroSmoother, t: np.ndarray, xs: list[np.ndarray | None]) -> list:
    """Push every frame, popping as a streaming caller would, then drain."""
    out: list = []
    for ti, x in zip(t, xs, strict=True):
        smoother.push(float(ti), x)
        out += smoother.pop()
    return out + smoother.pop(final=True)


def test_centred_smoothing_follows_motion_without_lag() -> None:
    """A rep's deepest point must not be shaved off or delayed, as a causal filter does."""
    t = np.arange(90) / 30
    xs = 0.3 + 0.2 * np.sin(2 * np.pi * 0.5 * t)
    centred = np.array([o[0] for o in _run(CenteredSmoother(), t, [np.array([x]) for x in xs])])
    causal = np.array([o[0] for o in _run(OneEuroSmoother(), t, [np.array([x]) for x in xs])])
    assert np.abs(centred - xs).max() < 0.003
    assert np.abs(causal[15:] - xs[15:]).max() > 2 * np.abs(centred[15:] - xs[15:]).max()


def test_a_single_frame_glitch_is_removed_not_smeared() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(60) / 30
    xs = 0.5 + rng.normal(0, 0.001, size=(60, 33, 2))
    xs[30, 25] += 0.05  # a knee thrown 64 px (at 1280 wide) for one frame
    out = np.array(_run(CenteredSmoother(), t, list(xs)))
    assert np.abs(out[30, 25] - 0.5).max() < 0.003
    assert np.abs(out[28:33, 25] - 0.5).max() < 0.003  # neighbours not pulled toward it either
    causal = np.array(_run(OneEuroSmoother(), t, list(xs)))
    assert np.abs(causal[30, 25] - 0.5).max() > 0.02


def test_every_frame_comes_out_once_in_order_with_gaps_kept_apart() -> None:
    """Frames with nobody pass through as None; tracks on either side never mix."""
    t = np.concatenate([np.arange(20) / 30, 2.0 + np.arange(20) / 30])
    xs: list[np.ndarray | None] = [np.array([0.2])] * 20 + [np.array([0.8])] * 20
    xs[5] = None
    s = CenteredSmoother()
    seen: list = []
    count_after: list[int] = []
    for ti, x in zip(t, xs, strict=True):
        s.push(float(ti), x)
        seen += s.pop()
        count_after.append(len(seen))
    seen += s.pop(final=True)
    assert count_after[3] == 0  # waiting for later frames
    assert count_after[5] == 6  # nobody in frame 5 ends the track: frames 0-5 are final
    assert count_after[20] == 20  # a 1.4 s gap ends the second track
    assert len(seen) == len(xs) and seen[5] is None
    values = [float(v[0]) for v in seen if v is not None]
    assert values[:19] == pytest.approx([0.2] * 19) and values[19:] == pytest.approx([0.8] * 20)


def test_memory_stays_bounded_over_a_long_clip() -> None:
    s = CenteredSmoother()
    for i in range(3000):
        s.push(i / 30, np.full((33, 2), 0.5))
        s.pop()
    assert len(s._samples) <= 2 * s.lookahead_s * 30 + 2


def test_blend_weights_are_reused_at_a_steady_frame_rate_without_changing_the_result() -> None:
    """The smoother solves its blend weights once per pattern of frame times, not per frame."""
    rng = np.random.default_rng(4)
    times = np.arange(300) / 30.0
    pts = rng.normal(size=(300, 33, 2)) * 0.01 + np.linspace(0, 1, 300)[:, None, None]
    cached, fresh = CenteredSmoother(), CenteredSmoother()
    out_cached, out_fresh = [], []
    for t, p in zip(times, pts, strict=True):
        cached.push(float(t), p)
        out_cached += cached.pop()
        fresh.push(float(t), p)
        fresh._weights.clear()  # the control: every blend solves its own weights
        out_fresh += fresh.pop()
    out_cached += cached.pop(final=True)
    out_fresh += fresh.pop(final=True)
    assert len(out_cached) == len(out_fresh) == 300
    assert max(float(np.abs(a - b).max()) for a, b in zip(out_cached, out_fresh, strict=True)) < 1e-9
    assert len(cached._weights) <= 30  # the track's two ends, plus one full window
