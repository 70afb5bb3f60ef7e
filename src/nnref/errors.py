"""What a bad setting or a bad file becomes at a command: one line that names it, and exit status 2.

ConfigError is a bad setting (nnref.checks, nnref.parts); nnref.data.DataError a bad data or
checkpoint file. Neither is a crash, so neither shows a traceback.
"""

from __future__ import annotations

import sys


class ConfigError(ValueError):
    """A bad setting: the message names the key, the value and what is valid."""


def refuse(error: Exception) -> None:
    """Print a refusal the way every nnref command does, and exit with status 2."""
    print(f"nnref: error: {error}", file=sys.stderr)
    sys.exit(2)
