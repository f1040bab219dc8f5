"""Shared fixtures: the repository, the zkmr CLI (for the cross-checks) and seeded data."""

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def zkmr_bin() -> str:
    """The CLI built by the workspace (``$ZKMR_BIN`` or ``target/release/zkmr``)."""
    path = os.environ.get("ZKMR_BIN") or str(ROOT / "target" / "release" / "zkmr")
    if not os.path.isfile(path):
        pytest.fail(f"the zkmr CLI is not built at {path}: run cargo build --release --workspace")
    return path


@pytest.fixture
def cli(zkmr_bin):
    """Runs ``zkmr ARGS`` and returns the finished process (never raises on exit status)."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([zkmr_bin, *map(str, args)], capture_output=True, text=True)

    return run


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261129)
