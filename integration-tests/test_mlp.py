"""Verified MLP inference against scikit-learn: a classifier trained on its digits data set,
all 1,797 images proved as one batched chain and verified; the verified predictions equal
`predict` except where the fixed-point error explains it."""

import json

import numpy as np

import mlp
import zkmr_cli


def test_verified_predictions_equal_scikit_learns():
    r = mlp.compare()
    assert r["images"] == 1797
    assert r["agree"] + r["differ"] == 1797
    # Every logit within its bound of the float forward pass, so any differing prediction is
    # one whose float logits are closer than the error.
    assert r["beyond_bound"] == 0, r
    assert r["unexplained"] == 0, r
    assert r["agree"] >= 1790, r
    assert r["steps"] == 3


def test_another_input_or_a_changed_logit_is_rejected(tmp_path):
    x, _, clf = mlp.train()
    mats = mlp.layers(clf)
    proved = mlp.prove(mats, x[:50], tmp_path)
    spec, proof, images = proved["spec"], proved["proof"], proved["images"]
    # The chain proves the model on the inputs it publishes: other inputs are refused.
    other = json.loads(images.read_text())
    other[0][3] += 1.0
    changed = tmp_path / "other.json"
    changed.write_text(json.dumps(other))
    code, out, _ = zkmr_cli.attempt(
        "chain", "verify", "--spec", spec, "--proof", proof, "--input", changed
    )
    assert code == 1 and "first input" in out["error"], out
    # A changed byte near the end (the last layer's outputs) fails that step.
    data = bytearray(proof.read_bytes())
    data[-200] ^= 0x04
    bad = tmp_path / "bad.chain"
    bad.write_bytes(bytes(data))
    code, out, _ = zkmr_cli.attempt("chain", "verify", "--spec", spec, "--proof", bad)
    assert code == 1 and not out["verified"], out
    # The logits verify and give the float model's classes on these images.
    code, out, _ = zkmr_cli.attempt("chain", "verify", "--spec", spec, "--proof", proof)
    assert code == 0 and out["steps"] == 3
    _, reference = mlp.float_forward(mats, x[:50])
    assert (np.abs(proved["logits"] - reference).max(axis=1) <= mlp.error_bounds(mats, mlp.float_forward(mats, x[:50])[0])).all()
