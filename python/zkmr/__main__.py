"""The ``zkmr`` command (and ``python -m zkmr``): the zkmr CLI, run from the package's native
module, with the checkout binary's commands, flags, output and exit codes (``zkmr --help``).

This build leaves out ``zkmr sql``, which the checkout's ``./scripts/zkmr`` has.
"""

import signal
import sys

from ._native import cli


def main() -> int:
    # Ctrl-C stops the command as it stops the binary: the native code does not return to
    # Python's signal handling until it finishes.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    return cli(["zkmr", *sys.argv[1:]], [sys.executable, "-m", "zkmr"])


if __name__ == "__main__":
    sys.exit(main())
