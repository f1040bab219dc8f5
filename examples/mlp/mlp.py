"""Verified MLP inference: a scikit-learn classifier's predictions on its digits data set, as
one batched zkmr chain, checked against scikit-learn's own `predict`.

Each layer's weights and bias go into zkmr as one matrix (the bias as a last column, which the
input's constant 1 multiplies). The chain feeds the whole data set through the layers at once
(a batch of 1,797 vectors per product, checked by Freivalds folding), with the public step
function between layers: requantise to 16 fractional bits, ReLU, append the constant 1. The
verifier recomputes those steps, so the proof shows the logits are the committed model's on
the published inputs.

    .venv/bin/python examples/mlp/mlp.py

(`scripts/example.sh mlp` sets up .venv and builds zkmr first.)
"""

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import zkmr_cli  # noqa: E402

# Fixed-point scale of weights and activations: 2^-16.
SCALE = 16


def train(hidden=(64, 32), seed: int = 0):
    """The digits data set (pixels scaled to [0, 1]) and an MLP trained on it."""
    digits = load_digits()
    x = digits.data / 16.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=hidden, max_iter=300, random_state=seed).fit(x, digits.target)
    return x, digits.target, clf


def layers(clf):
    """Each layer as the matrix zkmr commits: one row per output, the bias last."""
    return [np.hstack([w.T, b[:, None]]) for w, b in zip(clf.coefs_, clf.intercepts_)]


def float_forward(mats, x):
    """The float64 forward pass over the same matrices: each layer's input (with its constant
    1) and the logits."""
    inputs, a = [], x
    for k, m in enumerate(mats):
        a = np.hstack([a, np.ones((a.shape[0], 1))])
        inputs.append(a)
        a = a @ m.T
        if k + 1 < len(mats):
            a = np.maximum(a, 0)
    return inputs, a


def error_bounds(mats, inputs):
    """Per image, a bound on |verified logit − float logit|.

    A layer's verified input â differs from the float one a by at most e (per entry). Its
    product uses Ŵ, each weight rounded by at most ε = 2^-(SCALE+1): |Ŵâ − Wa| ≤ ε·‖â‖₁ +
    ‖W_i‖₁·e with ‖â‖₁ ≤ ‖a‖₁ + n·e; requantising adds ε; ReLU does not grow it."""
    eps = 2.0 ** -(SCALE + 1)
    e = np.zeros(inputs[0].shape[0])  # pixels / 16 encode exactly
    for m, a in zip(mats, inputs):
        row_l1 = np.abs(m).sum(axis=1).max()
        a_l1 = np.abs(a).sum(axis=1) + a.shape[1] * e
        e = row_l1 * e + eps * a_l1 + eps
    return e


def prove(mats, x, workdir: Path) -> dict:
    """Commits the layers, proves the batch through them as a chain and verifies it."""
    workdir.mkdir(parents=True, exist_ok=True)
    stages, keys, commit_seconds = [], [], 0.0
    for k, m in enumerate(mats):
        path = workdir / f"layer{k + 1}.json"
        path.write_text(json.dumps({"matrix": m.tolist()}))
        store = workdir / f"layer{k + 1}.keys"
        done = zkmr_cli.run("commit", "--matrix", path, "--keys", store, "--scale", SCALE, "--force")
        commit_seconds += done["keygen_seconds"]
        keys += ["--keys", store]
        then = [{"op": "rescale", "scale_bits": SCALE}]
        if k + 1 < len(mats):
            then += [{"op": "relu"}, {"op": "append", "value": 1}]
        stages.append({"name": f"layer {k + 1}", "commitment": done["matrix_commitment"], "then": then})
    spec = {"input": {"scale_bits": SCALE, "value_bits": 32}, "stages": stages}
    spec_path = workdir / "spec.json"
    spec_path.write_text(json.dumps(spec, indent=2))
    images = workdir / "images.json"
    images.write_text(json.dumps(np.hstack([x, np.ones((x.shape[0], 1))]).tolist()))
    proof = workdir / "mlp.chain"
    proved = zkmr_cli.run("chain", "prove", "--spec", spec_path, *keys, "--input", images, "--out", proof)
    out = workdir / "logits.json"
    verified = zkmr_cli.run(
        "chain", "verify", "--spec", spec_path, "--proof", proof, "--input", images, "--output-out", out
    )
    return {
        "logits": np.array(json.loads(out.read_text())["output"]),
        "commit_seconds": commit_seconds,
        "prove_seconds": proved["prove_seconds"],
        "verify_seconds": verified["verify_seconds"],
        "proof_bytes": proved["proof_bytes"],
        "steps": verified["steps"],
        "spec": spec_path,
        "proof": proof,
        "images": images,
    }


def compare(workdir=None, hidden=(64, 32)) -> dict:
    x, y, clf = train(hidden)
    mats = layers(clf)
    inputs, reference = float_forward(mats, x)
    started = time.perf_counter()
    predicted = clf.predict(x)
    predict_seconds = time.perf_counter() - started
    # The float forward pass is scikit-learn's: the same classes.
    assert (reference.argmax(axis=1) == predicted).all()
    with tempfile.TemporaryDirectory() as tmp:
        proved = prove(mats, x, Path(workdir or tmp))
    ours = proved["logits"].argmax(axis=1)
    bounds = error_bounds(mats, inputs)
    error = np.abs(proved["logits"] - reference).max(axis=1)
    rows = np.arange(len(x))
    margin = reference[rows, predicted] - reference[rows, ours]
    differ = ours != predicted
    return {
        **{k: v for k, v in proved.items() if k not in ("logits", "spec", "proof", "images")},
        "images": len(x),
        "labels": y,
        "verified_predictions": ours,
        "predict_seconds": predict_seconds,
        "accuracy": float((predicted == y).mean()),
        "agree": int((~differ).sum()),
        "differ": int(differ.sum()),
        "unexplained": int((differ & (margin > 2 * bounds)).sum()),
        "max_error": float(error.max()),
        "max_bound": float(bounds.max()),
        "beyond_bound": int((error > bounds).sum()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", help="keep the key stores, spec, inputs and proof here")
    parser.add_argument("--plot", type=Path, help="draw the verified predictions' confusion matrix "
                        "here (default: target/examples/mlp-confusion.png)")
    args = parser.parse_args()
    started = time.perf_counter()
    r = compare(args.workdir)
    n = r["images"]
    print(f"MLP 64-64-32-10 on scikit-learn's digits ({n} images), training accuracy {r['accuracy']:.3f}")
    print(f"committed 3 layers in {r['commit_seconds']:.2f} s")
    print(f"proved {n} inferences as one chain of {r['steps']} batched steps in {r['prove_seconds']:.2f} s "
          f"({n / r['prove_seconds']:.0f} images/s); proof {r['proof_bytes']} bytes")
    print(f"verified in {r['verify_seconds']:.2f} s ({n / r['verify_seconds']:.0f} images/s)")
    print(f"scikit-learn predict: {r['predict_seconds'] * 1e3:.1f} ms ({n / r['predict_seconds']:.0f} images/s); "
          f"proving costs {r['prove_seconds'] / r['predict_seconds']:.0f}x predict")
    print(f"verified predictions equal scikit-learn's predict for {r['agree']} of {n} images; "
          f"{r['differ']} differ, {r['unexplained']} of them beyond the fixed-point error")
    print(f"largest logit error {r['max_error']:.2e} (bound {r['max_bound']:.2e}; {r['beyond_bound']} beyond)")
    print(f"total {time.perf_counter() - started:.1f} s")
    import plots

    drawn = plots.confusion(r["labels"], r["verified_predictions"], r["agree"],
                            "Verified MLP predictions on scikit-learn's digits",
                            args.plot or plots.DEFAULT_DIR / "mlp-confusion.png")
    print(f"plot: {drawn}")
    sys.exit(0 if r["unexplained"] == 0 and r["beyond_bound"] == 0 else 1)


if __name__ == "__main__":
    main()
