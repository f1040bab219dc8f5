"""`scripts/example.sh`, as a newcomer first types it: with no example, with --help, with one
that does not exist. None of these sets anything up or builds anything."""

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "example.sh"


def run(*args):
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60)


def test_help_lists_the_examples_and_succeeds():
    for flag in ("--help", "-h", "help"):
        done = run(flag)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("usage: scripts/example.sh EXAMPLE [ARGS...]")
        assert "pagerank" in done.stdout and "mlp" in done.stdout


def test_no_example_prints_the_usage_and_fails():
    done = run()
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("usage: scripts/example.sh EXAMPLE")


def test_an_unknown_example_is_named_with_the_usage():
    done = run("--graph")
    assert done.returncode == 2
    assert done.stderr.startswith('no example "--graph" (examples: pagerank, mlp)\nusage:')
