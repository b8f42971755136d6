"""Keeping MediaPipe's native chatter off the person's terminal.

MediaPipe, TFLite and absl write straight to file descriptor 2 from C++
("INFO: Created TensorFlow Lite XNNPACK delegate", "W0000 ... Feedback
manager requires ...") and ignore ``GLOG_minloglevel``, so setting
environment variables is not enough: the only reliable switch is at the
file-descriptor level. Python's own ``sys.stderr`` (our one-line errors,
the progress bar) is kept on the real terminal.

Set ``POSTURECAM_DEBUG=1`` to see the native output again.
"""

from __future__ import annotations

import os
import sys

DEBUG_ENV = "POSTURECAM_DEBUG"


def debug_enabled() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def set_native_log_env() -> None:
    """Ask the native libraries to be quiet (honoured by some builds only; see module doc)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "2")


def route_native_stderr_away() -> bool:
    """For the rest of the process: fd 2 goes to /dev/null, Python's ``sys.stderr`` to the real stderr.

    Done once at CLI start, before MediaPipe is imported, so every native
    message (at import, landmarker creation and on the first frames, in this
    process and in forked workers) is dropped while our own messages are not.
    Returns False (and changes nothing) in debug mode or when fd 2 is not
    usable.
    """
    if debug_enabled():
        return False
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return False
    try:
        os.set_inheritable(saved, False)
        # Line-buffered so each message appears at once, like the normal stderr.
        new_stderr = open(  # noqa: SIM115 (lives for the whole process as sys.stderr)
            saved,
            "w",
            buffering=1,
            encoding=sys.stderr.encoding or "utf-8",
            errors="backslashreplace",
            closefd=True,
        )
        os.dup2(devnull, 2)
    except OSError:
        os.close(saved)
        return False
    finally:
        os.close(devnull)
    sys.stderr = new_stderr
    return True
