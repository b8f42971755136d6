"""The pipeline's two stages: the model on a thread of its own, the rest on the caller's.

``Pipeline.run`` (and ``analyze``) run the model a few frames ahead of the rest of the
per-frame path. That must change nothing but the speed: the same frames in the same order,
the same results, and no model call left running once the caller has stopped.
"""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from posturecam.pipeline import FrameResult, Pipeline
from posturecam.pose import Pose
from posturecam.video import Frame, VideoReader


class _Replay:
    """The model's findings on a clip, recorded once, given back by timestamp; notes who asked."""

    def __init__(self, poses: dict[int, Pose | None]) -> None:
        self.poses = poses
        self.threads: list[str] = []
        self.calls = 0

    def detect(self, image: np.ndarray, timestamp_ms: int) -> Pose | None:
        self.threads.append(threading.current_thread().name)
        self.calls += 1
        return self.poses[timestamp_ms % _PERIOD_MS]

    def close(self) -> None:
        pass


_FRAMES = 45  # three seconds of the 15 fps sample: reps under way, frames with and without masks' use
_PERIOD_MS = 1_000_000  # timestamps past the recording wrap round (only the endless clip reaches them)


@pytest.fixture(scope="module")
def recorded(samples_dir: Path) -> tuple[list[Frame], dict[int, Pose | None]]:
    with Pipeline.create("lunge", lookahead=True) as pipe, VideoReader(samples_dir / "lunge_side.mp4") as reader:
        frames = list(itertools.islice(reader, _FRAMES))
        poses = {round(f.time_s * 1000): pipe.detector.detect(f.image, round(f.time_s * 1000)) for f in frames}
    assert sum(p is not None for p in poses.values()) > 0.9 * _FRAMES
    return frames, poses


def _pipeline(poses: dict[int, Pose | None]) -> tuple[Pipeline, _Replay]:
    pipe = Pipeline.create("lunge", lookahead=True)
    pipe.detector.close()
    replay = _Replay(poses)
    pipe.detector = replay  # type: ignore[assignment]
    return pipe, replay


def _same(a: FrameResult, b: FrameResult) -> bool:
    if (a.index, a.time_s, a.person, a.legs_swapped, a.state) != (b.index, b.time_s, b.person, b.legs_swapped, b.state):
        return False
    return a.pose is None or (np.array_equal(a.pose.xy, b.pose.xy) and a.measures == b.measures)  # type: ignore[union-attr]


def test_run_with_the_model_ahead_gives_what_feeding_frame_by_frame_gives(
        recorded: tuple[list[Frame], dict[int, Pose | None]]) -> None:
    frames, poses = recorded
    ahead, ahead_model = _pipeline(poses)
    one_by_one, plain_model = _pipeline(poses)
    got = list(ahead.run(frames))
    want = [r for f in frames for r in one_by_one.feed(f)] + one_by_one.drain()
    assert [r.index for r in got] == list(range(_FRAMES))
    assert sum(r.measures is not None and r.measures.left_knee_deg is not None for r in got) > _FRAMES // 2
    assert all(_same(a, b) for a, b in zip(got, want, strict=True))
    assert ahead.finish() == one_by_one.finish()
    # The model ran on its own thread in run(), on the caller's when fed frame by frame.
    assert set(ahead_model.threads) == {"posturecam-model"}
    assert set(plain_model.threads) == {threading.current_thread().name}


def test_leaving_run_early_stops_the_model_before_returning(
        recorded: tuple[list[Frame], dict[int, Pose | None]]) -> None:
    frames, poses = recorded
    pipe, model = _pipeline(poses)
    endless = (Frame(i, frames[i % _FRAMES].time_s + _PERIOD_MS / 1000 * (i // _FRAMES), frames[i % _FRAMES].image)
               for i in itertools.count())
    results = pipe.run(endless)
    first = list(itertools.islice(results, 30))
    assert [r.index for r in first] == list(range(30))
    results.close()  # what a caller leaving its loop (or Ctrl+C) does
    calls = model.calls
    assert not any(t.name == "posturecam-model" and t.is_alive() for t in threading.enumerate())
    time.sleep(0.2)
    assert model.calls == calls  # nothing still running the model, which the caller may now close
