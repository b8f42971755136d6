"""Reading clips: container timing, rotation metadata, damaged and non-video files.

These are the ways real recordings differ from the renderer's tidy clips:
phones tag portrait clips with a rotation, transfers cut files short, and
people point the tool at the wrong file. Each must give upright frames with
increasing times, or one plain line saying what is wrong.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from posturecam.errors import PosturecamError
from posturecam.video import Frame, VideoReader, prefetch

FFMPEG = shutil.which("ffmpeg")
needs_ffmpeg = pytest.mark.skipif(FFMPEG is None, reason="ffmpeg not installed")


def _frames(path: Path) -> list[Frame]:
    with VideoReader(path) as reader:
        return list(reader)


def test_timestamps_strictly_increase_and_match_the_frame_rate(samples_dir: Path) -> None:
    with VideoReader(samples_dir / "lunge_side.mp4") as reader:
        frames = list(prefetch(iter(reader)))
        fps = reader.info.fps
    times = np.array([f.time_s for f in frames])
    assert [f.index for f in frames] == list(range(len(frames)))
    assert np.all(np.diff(times) > 0)
    assert np.allclose(np.diff(times), 1.0 / fps, atol=0.25 / fps)
    assert frames[0].time_s < 1.0 / fps


def test_info_describes_the_frames(samples_dir: Path) -> None:
    with VideoReader(samples_dir / "standing_side.mp4") as reader:
        first = next(iter(reader))
        assert first.image.shape == (reader.info.height, reader.info.width, 3)
        assert first.image.dtype == np.uint8
        assert reader.info.frame_count == 60
        assert reader.info.rotation_deg == 0


@needs_ffmpeg
def test_rotation_metadata_gives_upright_frames_and_the_person_is_found(samples_dir: Path, tmp_path: Path) -> None:
    """A phone-style clip: pixels stored turned a quarter, a tag saying how to turn them back."""
    src = samples_dir / "standing_side.mp4"
    stored = tmp_path / "stored_on_side.mp4"
    tagged = tmp_path / "tagged.mp4"
    # transpose=1 turns the pixels 90 degrees clockwise; the tag tells players to turn them back.
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-i", str(src), "-vf", "transpose=1", "-c:v", "mpeg4", "-q:v", "2", str(stored)],
        check=True,
    )
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-i", str(stored), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(tagged)],
        check=True,
    )
    original = _frames(src)
    with VideoReader(tagged) as reader:
        assert reader.info.rotation_deg in (90, 270)
        rotated = list(reader)
        # Stored 360 wide and 640 high; read back as the 640 x 360 the person was filmed in.
        assert (reader.info.width, reader.info.height) == (640, 360)
    assert len(rotated) == len(original)
    assert rotated[0].image.shape == original[0].image.shape == (360, 640, 3)
    diff = np.abs(rotated[0].image.astype(np.int16) - original[0].image.astype(np.int16)).mean()
    assert diff < 4.0, f"frames are not upright (mean difference {diff:.1f} from the original)"

    from posturecam.pipeline import Pipeline

    with Pipeline.create("none") as pipe:
        found = sum(pipe.process(f).person for f in rotated[:20])
    assert found >= 18


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def test_a_clip_cut_short_is_reported_as_truncated(samples_dir: Path, tmp_path: Path) -> None:
    """An AVI keeps its frame count up front, so a cut-off tail leaves a header that promises too much."""
    clip = tmp_path / "cut.avi"
    cap = cv2.VideoCapture(str(samples_dir / "lunge_side.mp4"))
    out = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, (640, 360))
    for _ in range(120):
        ok, img = cap.read()
        assert ok
        out.write(img)
    out.release()
    cap.release()
    _truncate(clip, 0.5)

    with VideoReader(clip) as reader:
        frames = list(reader)
        assert reader.info.frame_count == 120
        assert 10 < reader.frames_read == len(frames) < 100
        assert reader.truncated
        msg = reader.describe_end()
    assert msg is not None and "\n" not in msg
    assert "cut.avi is truncated" in msg and f"decoded {len(frames)} of the 120 frames" in msg
    assert np.all(np.diff([f.time_s for f in frames]) > 0)


def test_a_complete_clip_is_not_truncated(samples_dir: Path) -> None:
    with VideoReader(samples_dir / "standing_front.mp4") as reader:
        list(reader)
        assert not reader.truncated
        assert reader.describe_end() is None


@pytest.mark.shared
def test_real_truncated_clip_decodes_what_is_there(shared_clips: Path) -> None:
    clip = shared_clips / "R05_tree_window_no_person_truncated.avi"
    if not clip.exists():
        pytest.skip("R05 not in the shared clips")
    with VideoReader(clip) as reader:
        frames = list(prefetch(iter(reader)))
        assert reader.info.frame_count == 444
        assert reader.frames_read == len(frames) == 68
        assert reader.truncated
        msg = reader.describe_end()
    assert msg is not None and "decoded 68 of the 444 frames" in msg
    assert np.all(np.diff([f.time_s for f in frames]) > 0)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"this is a shopping list, not a video\n" * 50, "notes.mp4"),
        (b"", "empty.mov"),
        (bytes(range(256)) * 64, "x.avi"),
    ],
)
def test_a_file_that_is_not_a_video_is_one_plain_line(tmp_path: Path, content: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PosturecamError) as info:
        VideoReader(path)
    msg = str(info.value)
    assert name in msg and "\n" not in msg and "not a video" in msg


def test_a_missing_file_or_a_folder_is_one_plain_line(tmp_path: Path) -> None:
    with pytest.raises(PosturecamError, match="file not found"):
        VideoReader(tmp_path / "nope.mp4")
    with pytest.raises(PosturecamError, match="is a folder"):
        VideoReader(tmp_path)


def test_prefetch_passes_errors_through_and_stops_its_thread() -> None:
    def broken() -> Iterator[Frame]:
        yield Frame(0, 0.0, np.zeros((2, 2, 3), np.uint8))
        raise RuntimeError("decoder fell over")

    got = []
    with pytest.raises(RuntimeError, match="decoder fell over"):
        for f in prefetch(broken()):
            got.append(f.index)
    assert got == [0]

    def endless() -> Iterator[Frame]:
        i = 0
        while True:
            yield Frame(i, float(i), np.zeros((2, 2, 3), np.uint8))
            i += 1

    it = prefetch(endless(), depth=2)
    assert [next(it).index for _ in range(5)] == [0, 1, 2, 3, 4]
    it.close()  # the consumer leaving early must not leave the decode thread blocked
    import threading

    assert not any(t.name == "posturecam-decode" and t.is_alive() for t in threading.enumerate())


def test_prefetch_waits_for_its_producer_and_never_hangs_on_one_that_fails_after_the_consumer_left() -> None:
    """The model's thread (``join_timeout_s=None``): closing waits for it, and it always ends.

    The producer here fails while its queue is full and the consumer has already left; the
    error has nowhere to go, and handing it over must not block the thread for ever.
    """
    import threading

    blocked = threading.Event()
    closed_on: list[str] = []

    def failing() -> Iterator[int]:
        try:
            yield 0
            yield 1
            blocked.set()
            raise RuntimeError("model fell over")
        finally:
            closed_on.append(threading.current_thread().name)

    it = prefetch(failing(), depth=1, name="posturecam-test", join_timeout_s=None)
    assert next(it) == 0
    assert blocked.wait(5.0)
    time.sleep(0.2)  # the error now waits for room behind item 1
    closer = threading.Thread(target=it.close)
    closer.start()
    closer.join(5.0)
    assert not closer.is_alive(), "closing hung on the producer's error"
    assert closed_on == ["posturecam-test"]  # the source was closed on its own thread, before close returned
    assert not any(t.name == "posturecam-test" and t.is_alive() for t in threading.enumerate())
