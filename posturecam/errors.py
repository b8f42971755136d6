"""The one exception type whose message is shown to the person as-is.

Anything the user can cause (a missing clip, a camera that is not there, a
folder that cannot be written) raises ``PosturecamError`` with a one-line,
plain-language message; the CLI prints it and exits non-zero, never a
traceback.
"""

from __future__ import annotations


class PosturecamError(Exception):
    """A problem with the user's input or environment, explained in one line."""

    exit_code: int = 2
