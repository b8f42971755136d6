"""Speaking cues and rep counts aloud, for people on the floor who cannot read the screen.

Speech must never slow the frame loop, so ``Speaker.say`` only drops the
message into a one-slot mailbox and a background thread speaks it. While
one phrase is being spoken, newer messages replace older waiting ones
(newest wins: a cue from three seconds ago is worse than silence). The same
message is not repeated within ``repeat_after_s``, so a fault that keeps
coming back does not nag every second.

Engines are offline only: espeak-ng (or espeak) via subprocess, else
pyttsx3 if installed. Without one, ``make_speaker`` says so once and returns
a silent speaker.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from posturecam.exercises.engine import CoachState

# Seconds before the same phrase may be spoken again.
DEFAULT_REPEAT_AFTER_S = 8.0
# Words per minute: a little slower than espeak's default 175 to be clear from across a room.
ESPEAK_WPM = 160

Engine = Callable[[str], None]


class Speaker(Protocol):
    def say(self, text: str, key: str | None = None) -> None: ...

    def close(self) -> None: ...


class SilentSpeaker:
    """Used when speech is off or no engine exists."""

    def say(self, text: str, key: str | None = None) -> None:
        pass

    def close(self) -> None:
        pass


class ThreadedSpeaker:
    """Speaks on a background thread with a newest-wins mailbox and per-message cooldown.

    ``engine(text)`` blocks while speaking; it runs only on the speaker thread.
    ``key`` groups messages for the cooldown (default: the text itself).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        repeat_after_s: float = DEFAULT_REPEAT_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self.repeat_after_s = repeat_after_s
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: str | None = None
        self._last_said: dict[str, float] = {}
        self._closed = False
        self.spoken: list[str] = []  # what was actually spoken (tests, debugging)
        self.failed: str | None = None
        self._thread = threading.Thread(target=self._run, name="posturecam-speech", daemon=True)
        self._thread.start()

    def say(self, text: str, key: str | None = None) -> None:
        """Queue ``text`` (replacing anything not yet spoken) unless said recently. Never blocks."""
        k = key or text
        now = self._clock()
        with self._cond:
            last = self._last_said.get(k)
            if last is not None and now - last < self.repeat_after_s:
                return
            self._last_said[k] = now
            self._pending = text
            self._cond.notify()

    def close(self, timeout: float = 1.0) -> None:
        with self._cond:
            self._closed = True
            self._pending = None
            self._cond.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                text, self._pending = self._pending, None
            try:
                self._engine(text)
                self.spoken.append(text)
            except Exception as exc:  # a broken engine silences speech, it never stops coaching
                self.failed = str(exc)
                print(f"posturecam: speech failed ({exc}); continuing without speech", file=sys.stderr)
                return


def espeak_engine(binary: str) -> Engine:
    def speak(text: str) -> None:
        subprocess.run(
            [binary, "-s", str(ESPEAK_WPM), "--", text],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=15,
        )

    return speak


def pyttsx3_engine() -> Engine | None:
    try:
        import pyttsx3  # type: ignore[import-not-found]

        tts = pyttsx3.init()
    except Exception:
        return None

    def speak(text: str) -> None:
        tts.say(text)
        tts.runAndWait()

    return speak


def find_engine() -> Engine | None:
    for name in ("espeak-ng", "espeak"):
        path = shutil.which(name)
        if path:
            return espeak_engine(path)
    return pyttsx3_engine()


def make_speaker(enabled: bool) -> Speaker:
    """A real speaker if asked for and an engine exists; otherwise silent (saying why, once)."""
    if not enabled:
        return SilentSpeaker()
    engine = find_engine()
    if engine is None:
        print("posturecam: no speech engine found (install espeak-ng); continuing without speech", file=sys.stderr)
        return SilentSpeaker()
    return ThreadedSpeaker(engine)


class CoachAnnouncer:
    """Turns the coach's per-frame state into things worth saying: a new cue, a new rep, a finished hold."""

    def __init__(self, speaker: Speaker) -> None:
        self.speaker = speaker
        self._cue: str | None = None
        self._reps: Mapping[str, int] = {}
        self._holds: Mapping[str, int] = {}

    def reset(self) -> None:
        """Forget the last state (a new exercise starts counting from zero)."""
        self._cue, self._reps, self._holds = None, {}, {}

    def update(self, state: CoachState) -> None:
        """Say what changed this frame, as one phrase (the count first: it is what people wait for)."""
        parts: list[tuple[str, str]] = []  # (text, cooldown key)
        reps = dict(state.rep_count)
        if reps.get("total", 0) > self._reps.get("total", 0):
            side = next((s for s in ("left", "right") if reps.get(s, 0) > self._reps.get(s, 0)), None)
            n = reps[side] if side else reps["total"]
            parts.append((f"{side} {n}" if side else str(n), f"rep.{side}.{n}"))
        holds = dict(state.holds_done)
        if sum(holds.values()) > sum(self._holds.values()):
            parts.append(("Hold complete", f"hold.{sum(holds.values())}"))
        cue = state.cue.id if state.cue else None
        if state.cue is not None and cue != self._cue:
            parts.append((state.cue.text, f"cue.{cue}"))
        self._cue, self._reps, self._holds = cue, reps, holds
        if parts:
            self.speaker.say(". ".join(t for t, _ in parts), key="|".join(k for _, k in parts))
