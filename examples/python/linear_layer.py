"""Verified inference through a linear layer, from Python.

A scikit-learn logistic regression trained on the digits dataset is a linear layer: its
logits are ``W·x + b``. The weights (with the bias as a last column, fed by a constant 1)
are committed once; a batch of test images is proved as one job; the verifier, holding only
the commitment, checks the logits and takes the predicted class from them. With PyTorch, the
same goes for ``torch.nn.Linear``: commit ``np.hstack([layer.weight.detach().numpy(),
layer.bias.detach().numpy()[:, None]])``.

    .venv/bin/python examples/python/linear_layer.py [--keys DIR] [--images N]

Prints one JSON object: how many predictions agree with scikit-learn's, the largest logit
error against scikit-learn's and the bound zkmr reports, and the times.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

import zkmr


def run(keys: Path, images: int) -> dict:
    digits = load_digits()
    train_x, test_x, train_y, _ = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.4, random_state=0
    )
    model = LogisticRegression(max_iter=2000).fit(train_x, train_y)
    layer = np.hstack([model.coef_, model.intercept_[:, None]])  # W | b
    batch = np.hstack([test_x[:images], np.ones((min(images, len(test_x)), 1))])  # x | 1

    started = time.perf_counter()
    commitment = zkmr.commit(layer, keys, force=True)
    commit_s = time.perf_counter() - started
    started = time.perf_counter()
    logits, proof = zkmr.prove(keys, batch)
    prove_s = time.perf_counter() - started

    # The verifier's side: the commitment and the proof, nothing else.
    started = time.perf_counter()
    verdict = zkmr.verify(proof.to_bytes(), commitment.hex)
    verify_s = time.perf_counter() - started
    if not verdict:
        raise SystemExit(f"the proof was rejected: {verdict.reason}")
    predicted = model.classes_[np.argmax(verdict.y, axis=1)]
    expected = model.predict(test_x[:images])
    reference = model.decision_function(test_x[:images])
    return {
        "verified": verdict.verified,
        "images": len(batch),
        "matrix_commitment": commitment.hex,
        "agree": int((predicted == expected).sum()),
        "max_logit_error": float(np.abs(verdict.y - reference).max()),
        "y_error_bound": proof.y_error_bound,
        "commit_seconds": commit_s,
        "prove_seconds": prove_s,
        "verify_seconds": verify_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=Path, help="key store directory (default: a temporary one)")
    parser.add_argument("--images", type=int, default=719, help="test images to prove")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(args.keys or Path(tmp) / "keys", args.images), indent=2))


if __name__ == "__main__":
    main()
