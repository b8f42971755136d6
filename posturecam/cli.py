"""The ``posturecam`` command line.

Every failure the user can cause ends in one plain line on stderr and a
non-zero exit, never a traceback: PosturecamError carries those lines, and
argparse is told to speak the same way.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from posturecam.errors import PosturecamError

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
EXERCISE_CHOICES = ("auto", "lunge", "bridge", "stretch", "standing", "none")


def quiet_native_logs() -> None:
    """MediaPipe and TFLite print start-up chatter on stderr; people need none of it."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"posturecam: {message} (see 'posturecam {self.prog.split()[-1]} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="posturecam", description="Pose-based coaching for hip-flexor stretches, lunges, bridges and posture.")
    p.add_argument("--version", action="version", version=f"posturecam {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    a = sub.add_parser("analyze", help="analyse recorded clips: annotated video, per-frame CSV/JSON, summary, report")
    a.add_argument("clips", nargs="+", metavar="CLIP", help="video files, or folders of them")
    a.add_argument("--exercise", "-e", default="auto", choices=EXERCISE_CHOICES, help="what the person does (default: auto)")
    a.add_argument("--out", "-o", default="posturecam-out", help="output folder (one subfolder per clip when several)")
    a.add_argument("--no-video", action="store_true", help="skip the annotated video (faster)")
    a.add_argument("--no-landmarks", action="store_true", help="skip frames.jsonl (landmarks per frame)")
    a.add_argument("--model", default=None, help="lite, full (bundled, default), heavy, or a path to a .task file")
    a.add_argument("--config", default=None, help="TOML file overriding exercise thresholds")
    a.add_argument("--jobs", "-j", type=int, default=1, help="clips analysed in parallel (default 1)")
    a.add_argument("--quiet", "-q", action="store_true", help="no progress bar")

    lv = sub.add_parser("live", help="coach live from a webcam (or a clip played as if it were one)")
    lv.add_argument("--exercise", "-e", default="auto", choices=EXERCISE_CHOICES)
    src = lv.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=None, help="camera index (default: first that works)")
    src.add_argument("--source", default=None, help="play a recorded clip at its real speed instead of a camera")
    lv.add_argument("--mirror", action="store_true", help="show the picture like a mirror")
    lv.add_argument("--speak", action="store_true", help="speak cues and rep counts aloud")
    lv.add_argument("--out", "-o", default=None, help="session folder (default: posturecam-sessions/<time>)")
    lv.add_argument("--model", default=None, help="lite, full (bundled, default), heavy, or a .task path")
    lv.add_argument("--config", default=None, help="TOML file overriding exercise thresholds")
    lv.add_argument("--max-seconds", type=float, default=None, help="end the session after this long")

    sub.add_parser("exercises", help="list the exercises, their camera view and their cues")
    return p


def _version() -> str:
    from posturecam import __version__

    return __version__


def collect_clips(items: Sequence[str]) -> list[Path]:
    """Expand folders into the video files they hold (sorted); keep files as given."""
    clips: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file())
            if not found:
                raise PosturecamError(f"no video files in folder {path}")
            clips.extend(found)
        else:
            clips.append(path)
    return clips


def _load_config(path: str | None) -> dict | None:
    if path is None:
        return None
    from posturecam.exercises import load_thresholds

    return load_thresholds(path)


def cmd_analyze(args: argparse.Namespace) -> int:
    from posturecam.batch import analyze_many

    clips = collect_clips(args.clips)
    if args.jobs < 1:
        raise PosturecamError("--jobs must be at least 1")
    results = analyze_many(
        clips,
        Path(args.out),
        exercise=args.exercise,
        video=not args.no_video,
        landmarks=not args.no_landmarks,
        model=args.model,
        thresholds=_load_config(args.config),
        jobs=args.jobs,
        progress=not args.quiet,
    )
    failed = 0
    for res in results:
        if isinstance(res, PosturecamError):
            print(f"posturecam: {res}", file=sys.stderr)
            failed += 1
            continue
        print(f"{res.clip.name} -> {res.out_dir}")
        if res.warning:
            print(f"  warning: {res.warning}")
        if res.interrupted:
            print("  interrupted: results so far were written")
        for line in res.lines:
            print(f"  {line}")
    return 1 if failed else (130 if any(getattr(r, "interrupted", False) for r in results) else 0)


def cmd_live(args: argparse.Namespace) -> int:
    from posturecam.live import run_live

    return run_live(args, thresholds=_load_config(args.config))


def cmd_exercises(_: argparse.Namespace) -> int:
    from posturecam.exercises.describe import describe_exercises

    print(describe_exercises())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    quiet_native_logs()
    args = build_parser().parse_args(argv)
    try:
        return {"analyze": cmd_analyze, "live": cmd_live, "exercises": cmd_exercises}[args.command](args)
    except PosturecamError as exc:
        print(f"posturecam: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("posturecam: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
