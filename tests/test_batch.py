"""Several clips at once: ``posturecam analyze a.mp4 folder/ --jobs 2``.

What a physiotherapist relies on after a session: every clip gets its own
folder with a summary, the results do not depend on how many ran in
parallel, and one bad file is reported in one line while the rest finish.
Kept fast with the short 360p samples.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from posturecam.analysis import AnalysisResult
from posturecam.batch import analyze_many, out_dirs_for
from posturecam.cli import main
from posturecam.errors import PosturecamError


@pytest.fixture()
def session(samples_dir: Path, tmp_path: Path) -> Path:
    """A session folder as a therapist would hand it over: two clips and a stray non-video file."""
    folder = tmp_path / "session"
    folder.mkdir()
    shutil.copy(samples_dir / "standing_front.mp4", folder / "front.mp4")
    shutil.copy(samples_dir / "standing_side.mp4", folder / "side.mp4")
    (folder / "notes.txt").write_text("not a clip; folders are expanded to video files only\n")
    return folder


def _summary(folder: Path) -> dict[str, object]:
    return json.loads((folder / "summary.json").read_text())


def test_clips_and_a_folder_in_parallel_give_one_folder_per_clip(
    session: Path, samples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(
        ["analyze", str(session), str(samples_dir / "standing_side.mp4"), "--jobs", "2", "-o", str(out), "-q",
         "--no-video", "--no-report", "-e", "standing"]
    )  # fmt: skip
    assert code == 0
    # standing_side.mp4 and session/side.mp4 have different stems; each clip its own folder.
    assert sorted(p.name for p in out.iterdir()) == ["front", "side", "standing_side"]
    for name, frames in (("front", 60), ("side", 60), ("standing_side", 60)):
        s = _summary(out / name)
        assert s["frames"] == frames and s["frames_with_person"] == frames
        assert (out / name / "frames.csv").read_text().count("\n") == frames + 1
        assert not (out / name / "annotated.mp4").exists()
    printed = capsys.readouterr().out
    assert printed.index("front.mp4 ->") < printed.index("side.mp4 ->")  # reported in the order given


def test_parallel_results_equal_serial_results(samples_dir: Path, tmp_path: Path) -> None:
    clips = [samples_dir / "standing_front.mp4", samples_dir / "standing_side.mp4"]
    kw = {"exercise": "standing", "video": False, "progress": False}
    serial = analyze_many(clips, tmp_path / "serial", jobs=1, **kw)
    parallel = analyze_many(clips, tmp_path / "parallel", jobs=2, **kw)
    for a, b in zip(serial, parallel, strict=True):
        assert isinstance(a, AnalysisResult) and isinstance(b, AnalysisResult)
        assert a.clip == b.clip
        assert (a.out_dir / "frames.csv").read_bytes() == (b.out_dir / "frames.csv").read_bytes()
        assert a.summary["rep_count"] == b.summary["rep_count"]


def test_a_bad_clip_is_one_line_and_the_others_finish(
    session: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (session / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(4000))  # looks like mp4, is not
    out = tmp_path / "out"
    code = main(["analyze", str(session), "-j", "2", "-o", str(out), "-q", "--no-report", "-e", "standing"])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.mp4" in err[0] and err[0].startswith("posturecam: ")
    assert "Traceback" not in "\n".join(err)
    for name in ("front", "side"):
        assert _summary(out / name)["frames"] == 60
        assert (out / name / "annotated.mp4").stat().st_size > 10_000
    assert not (out / "broken").exists() or not (out / "broken" / "summary.json").exists()


def test_errors_come_back_in_place(samples_dir: Path, tmp_path: Path) -> None:
    clips = [tmp_path / "missing.mp4", samples_dir / "standing_front.mp4"]
    res = analyze_many(clips, tmp_path / "out", jobs=2, exercise="standing", video=False, progress=False)
    assert isinstance(res[0], PosturecamError) and "missing.mp4" in str(res[0])
    assert isinstance(res[1], AnalysisResult) and res[1].summary["frames"] == 60


def test_output_folders_never_collide() -> None:
    clips = [
        Path("a/session.mp4"),
        Path("b/session.mp4"),
        Path("session.mov"),
        Path("other.mp4"),
        Path("c/Session.mp4"),
    ]
    dirs = out_dirs_for(clips, Path("out"))
    assert len({d.name.lower() for d in dirs}) == len(clips)
    assert dirs[0] == Path("out/session") and dirs[3] == Path("out/other")
    assert out_dirs_for([Path("x/one.mp4")], Path("out")) == [Path("out")]  # one clip: straight into --out


def test_jobs_must_be_positive(samples_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(samples_dir / "standing_front.mp4"), "-j", "0", "-o", str(tmp_path)]) == 2
    assert "--jobs" in capsys.readouterr().err
