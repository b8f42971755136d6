"""The ``posturecam`` command line.

Every failure the user can cause ends in one plain line on stderr and a
non-zero exit, never a traceback: PosturecamError carries those lines, and
argparse is told to speak the same way. MediaPipe's native log lines are
routed away from the terminal (``posturecam.quiet``) so that line is the
only one. Cheap checks (arguments, files, config, model) run before the
slow MediaPipe import, so a typo is reported at once.

Exit codes: 0 done; 1 some clip failed or was damaged (outputs written as
far as it could be read); 2 unusable input or usage; 130 interrupted (Ctrl+C);
143 stopped by SIGTERM (``kill``). Both still write what was measured.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from posturecam.errors import PosturecamError
from posturecam.quiet import DEBUG_ENV, debug_enabled, route_native_stderr_away, set_native_log_env

VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv"}
EXERCISE_CHOICES = ("auto", "lunge", "bridge", "stretch", "standing", "none")
OUTLINE_HELP = (
    "filmed from the side, measure the knees and hips from the body's outline: more accurate knee "
    "and hip angles than the pose model's own points, about a quarter slower "
    "(default: on in analyze for lunge, bridge and stretch, off in live)"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"posturecam: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="posturecam", description="Pose-based coaching for hip-flexor stretches, lunges, bridges and posture."
    )
    p.add_argument("--version", action="version", version=f"posturecam {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    a = sub.add_parser("analyze", help="analyse recorded clips: annotated video, per-frame CSV/JSON, summary, report")
    a.add_argument("clips", nargs="+", metavar="CLIP", help="video files, or folders of them")
    a.add_argument(
        "--exercise", "-e", default="auto", choices=EXERCISE_CHOICES, help="what the person does (default: auto)"
    )
    a.add_argument("--out", "-o", default="posturecam-out", help="output folder (one subfolder per clip when several)")
    a.add_argument("--no-video", action="store_true", help="skip the annotated video (faster)")
    a.add_argument("--no-landmarks", action="store_true", help="skip frames.jsonl (landmarks per frame)")
    a.add_argument("--model", default=None, help="lite, full (bundled, default), heavy, or a path to a .task file")
    a.add_argument("--config", default=None, help="TOML file overriding exercise thresholds")
    a.add_argument("--jobs", "-j", type=int, default=1, help="clips analysed in parallel (default 1)")
    a.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    a.add_argument("--no-report", action="store_true", help="skip report.html / report.md (plots take a moment)")
    a.add_argument("--outline", action=argparse.BooleanOptionalAction, default=None, help=OUTLINE_HELP)

    r = sub.add_parser("report", help="(re)write report.html and report.md for an analysis or session folder")
    r.add_argument("folders", nargs="+", metavar="FOLDER", help="folders holding summary.json and frames.csv")

    lv = sub.add_parser("live", help="coach live from a webcam (or a clip played as if it were one)")
    lv.add_argument(
        "--exercise",
        "-e",
        default="auto",
        choices=EXERCISE_CHOICES,
        help="what you will do (default: auto; press e in the window to switch)",
    )
    src = lv.add_mutually_exclusive_group()
    src.add_argument("--camera", type=int, default=None, help="camera index (default: first that works)")
    src.add_argument("--source", default=None, help="play a recorded clip at its real speed instead of a camera")
    lv.add_argument("--mirror", action="store_true", help="show the picture like a mirror")
    lv.add_argument("--speak", action="store_true", help="speak cues and rep counts aloud")
    lv.add_argument("--out", "-o", default=None, help="session folder (default: posturecam-sessions/<time>)")
    lv.add_argument("--model", default=None, help="lite, full (bundled, default), heavy, or a .task path")
    lv.add_argument("--config", default=None, help="TOML file overriding exercise thresholds")
    lv.add_argument("--max-seconds", type=float, default=None, help="end the session after this long")
    lv.add_argument("--outline", action=argparse.BooleanOptionalAction, default=None, help=OUTLINE_HELP)

    ex = sub.add_parser("exercises", help="list the exercises, their camera view and their cues")
    ex.add_argument("--config", default=None, help="show the thresholds as overridden by this TOML file")
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
                suffixes = ", ".join(sorted(VIDEO_SUFFIXES))
                raise PosturecamError(f"no video files in folder {path} (looked for {suffixes})")
            clips.extend(found)
        elif not path.exists():
            # Checked here, before any clip is analysed: a typo in a long batch should not surface an hour in.
            raise PosturecamError(f"file not found: {path}")
        else:
            clips.append(path)
    return clips


def _load_config(path: str | None) -> dict | None:
    if path is None:
        return None
    from posturecam.exercises import load_thresholds

    return load_thresholds(path)


def cmd_analyze(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise PosturecamError("--jobs must be at least 1")
    clips = collect_clips(args.clips)
    thresholds = _load_config(args.config)
    from posturecam.model import resolve_model

    resolve_model(args.model)  # fail once, before any clip, on a bad --model
    from posturecam.batch import analyze_many  # imports MediaPipe: slow, so after the cheap checks

    results = analyze_many(
        clips,
        Path(args.out),
        exercise=args.exercise,
        video=not args.no_video,
        landmarks=not args.no_landmarks,
        model=args.model,
        thresholds=thresholds,
        jobs=args.jobs,
        progress=not args.quiet,
        outline=args.outline,
    )
    failed = damaged = interrupted = 0
    terminated = False
    for res in results:
        if isinstance(res, PosturecamError):
            print(f"posturecam: {res}", file=sys.stderr)
            failed += 1
            continue
        print(f"{res.clip.name} -> {res.out_dir}")
        for line in res.lines:
            print(f"  {line}")
        if not args.no_report:
            print(f"  report: {_report(res.out_dir)}")
        if res.interrupted:
            interrupted += 1
            terminated |= res.stopped_by == "sigterm"
            print(f"posturecam: interrupted; results so far were written to {res.out_dir}", file=sys.stderr)
        elif res.warning:
            damaged += 1
            print(f"posturecam: {res.warning}", file=sys.stderr)
    if interrupted:
        return 143 if terminated else 130  # as a shell reports SIGTERM and SIGINT, like `live`
    return 1 if failed or damaged else 0


def _report(out_dir: Path) -> str:
    """Write the report; a failure here is reported on the same line, never losing the analysis."""
    from posturecam.report import write_report

    try:
        return str(write_report(out_dir))
    except PosturecamError as exc:
        return f"not written ({exc})"
    except KeyboardInterrupt:
        return "not written (interrupted)"
    except Exception as exc:  # a plotting bug must not turn a finished analysis into a traceback
        if debug_enabled():
            raise
        return f"not written ({type(exc).__name__}: {exc})"


def cmd_report(args: argparse.Namespace) -> int:
    from posturecam.report import write_report

    for folder in args.folders:
        print(write_report(Path(folder)))
    return 0


def cmd_live(args: argparse.Namespace) -> int:
    from posturecam.live import run_live

    return run_live(args, thresholds=_load_config(args.config))


def cmd_exercises(args: argparse.Namespace) -> int:
    from posturecam.exercise_docs import describe_exercises

    print(describe_exercises(_load_config(args.config)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI. With ``argv=None`` (the real command line) native stderr is routed away for the process."""
    set_native_log_env()  # MediaPipe and TFLite start-up chatter: people need none of it
    if argv is None:
        route_native_stderr_away()
    if not debug_enabled():
        warnings.simplefilter("ignore")  # library deprecation notes are for developers, not for people exercising
    try:
        args = build_parser().parse_args(argv)
        commands = {"analyze": cmd_analyze, "live": cmd_live, "exercises": cmd_exercises, "report": cmd_report}
        return commands[args.command](args)
    except PosturecamError as exc:
        print(f"posturecam: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("posturecam: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1  # e.g. piped into `head`
    except Exception as exc:
        if debug_enabled():
            raise
        print(
            f"posturecam: unexpected error ({type(exc).__name__}: {exc}); run with {DEBUG_ENV}=1 for details",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
