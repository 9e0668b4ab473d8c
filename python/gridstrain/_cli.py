"""The ``gridstrain`` command installed by the Python package (a console-script entry
point): the Rust command line (``gridstrain::cli::main_from``) with this process's
arguments, so behaviour, messages and exit codes (0 ok, 1 error, 2 bad usage) are the
binary's.

Signals: Python ignores SIGPIPE as a Rust program does, so a closed pipe
(``gridstrain regions | head -1``) reaches the Rust code as a write error, which ends the
command silently with exit 0. Python's own SIGINT handler would only run once the Rust
call returns, so Ctrl-C is given back its default action (stop the process) first.
"""

from __future__ import annotations

import signal
import sys
from typing import NoReturn


def main() -> NoReturn:
    """Run the command with ``sys.argv`` and exit with its code."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    import gridstrain  # noqa: F401  (sets GRIDSTRAIN_HOME and the Parquet reader)
    from gridstrain import _native

    code = _native.main(["gridstrain", *sys.argv[1:]])
    try:
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        pass
    sys.exit(code)
