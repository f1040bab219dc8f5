"""The linear-layer example: every verified prediction agrees with scikit-learn's."""

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python" / "linear_layer.py"


def test_verified_logits_give_scikit_learns_predictions(tmp_path):
    pytest.importorskip("sklearn", reason="the example needs scikit-learn (examples/requirements.txt)")
    run = runpy.run_path(str(EXAMPLE))["run"]
    result = run(tmp_path / "keys", 300)
    assert result["verified"] and result["images"] == 300
    assert result["agree"] == 300
    assert 0 < result["max_logit_error"] <= result["y_error_bound"]
