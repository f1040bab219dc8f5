"""Running the zkmr CLI from the Python examples: one JSON object per command."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def binary() -> str:
    """The CLI: $ZKMR_BIN, else this checkout's release build (scripts/example.sh builds it)."""
    return os.environ.get("ZKMR_BIN", str(ROOT / "target" / "release" / "zkmr"))


def attempt(*args):
    """Runs `zkmr ARGS --json`: its exit status, its JSON object (or None) and its stderr."""
    done = subprocess.run(
        [binary(), *map(str, args), "--json"], capture_output=True, text=True
    )
    out = json.loads(done.stdout) if done.stdout.strip() else None
    return done.returncode, out, done.stderr


def run(*args) -> dict:
    """Runs `zkmr ARGS --json` and returns its JSON object; a failure raises with zkmr's
    message. On a terminal, zkmr writes to it directly, so its progress bars show while it
    works (and a failure's message shows there)."""
    if sys.stderr.isatty():
        done = subprocess.run([binary(), *map(str, args), "--json"], stdout=subprocess.PIPE, text=True)
        code, out, err = done.returncode, done.stdout, "its message is above"
        if code == 0:
            return json.loads(out)
    else:
        code, out, err = attempt(*args)
    if code != 0:
        raise RuntimeError(f"zkmr {' '.join(map(str, args))} exited {code}: {err.strip()}")
    return out
