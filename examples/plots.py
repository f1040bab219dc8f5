"""Pictures of the examples' results and of `zkmr bench`, drawn with matplotlib
(examples/requirements.txt) into PNG files. Nothing is shown on screen, so they draw on a
machine with no display; each function returns the path it wrote."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

#: Where the examples put their pictures unless told otherwise (under the git-ignored target/).
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "target" / "examples"


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def pagerank(ours, theirs, bound: float, title: str, path) -> Path:
    """Verified ranks against networkx's, node by node (log-log, with the diagonal), and each
    node's difference beside the derived bound on the L1 distance of all of them."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    low, high = theirs.min() * 0.8, theirs.max() * 1.25
    left.plot([low, high], [low, high], color="0.6", linewidth=1, label="equal")
    left.scatter(theirs, ours, s=8, alpha=0.6, label=f"{len(ours):,} nodes")
    left.set(xscale="log", yscale="log", xlabel="networkx.pagerank", ylabel="verified (zkmr chain)")
    left.set_title("rank of each node")
    left.legend(loc="upper left")
    order = np.argsort(-theirs)
    gap = np.abs(ours - theirs)[order]
    right.semilogy(np.arange(1, len(gap) + 1), np.maximum(gap, 1e-18), ".", markersize=3,
                   label="|verified − networkx|")
    right.axhline(bound, color="tab:red", linewidth=1, label=f"bound on the L1 sum: {bound:.1e}")
    right.set(xlabel="node, by networkx's rank", ylabel="difference")
    right.set_title(f"L1 distance {gap.sum():.2e}")
    right.legend(loc="lower right")
    fig.suptitle(title)
    return _save(fig, path)


def confusion(labels, predicted, agree: int, title: str, path) -> Path:
    """The verified predictions against the true labels, as counts per (label, prediction)."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    classes = np.union1d(labels, predicted)
    counts = np.zeros((len(classes), len(classes)), dtype=int)
    np.add.at(counts, (np.searchsorted(classes, labels), np.searchsorted(classes, predicted)), 1)
    fig, ax = plt.subplots(figsize=(6, 5.5))
    image = ax.imshow(counts, cmap="Blues")
    for i in range(len(classes)):
        for j in range(len(classes)):
            if counts[i, j]:
                ax.text(j, i, counts[i, j], ha="center", va="center", fontsize=8,
                        color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set(xticks=range(len(classes)), yticks=range(len(classes)),
           xticklabels=classes, yticklabels=classes,
           xlabel="verified prediction", ylabel="true label")
    accuracy = np.trace(counts) / counts.sum()
    ax.set_title(f"{title}\naccuracy {accuracy:.3f} on these {len(labels):,} images; "
                 f"equal to predict for {agree:,}")
    fig.colorbar(image, ax=ax, shrink=0.8)
    return _save(fig, path)


def bench(report: dict, path) -> Path:
    """`zkmr bench --json`: per scheme and size, prove and verify time against the plain f64
    product of the same run (log scale), and prove / product."""
    results = report["results"]
    sizes = list(dict.fromkeys(_size(r) for r in results))
    schemes = list(dict.fromkeys(r["scheme"] for r in results))
    fig, (times, ratio) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.8 / (2 * len(schemes) + 1)
    x = np.arange(len(sizes))
    product = {_size(r): r["matvec_f64_s"] for r in results}
    times.bar(x, [product[s] for s in sizes], width, label="plain f64 product", color="0.6")
    for k, scheme in enumerate(schemes):
        rows = {_size(r): r for r in results if r["scheme"] == scheme}
        for m, (field, what, scale) in enumerate((("prove_s", "prove", 1), ("verify_ms", "verify", 1e-3))):
            heights = [rows[s][field] * scale if s in rows else np.nan for s in sizes]
            times.bar(x + (1 + 2 * k + m) * width, heights, width, label=f"{scheme} {what}")
        ratio.plot(sizes, [rows[s]["prove_over_matvec"] if s in rows else np.nan for s in sizes],
                   "o-", label=scheme)
    times.set(yscale="log", ylabel="seconds", xticks=x + width * len(schemes), xticklabels=sizes)
    times.set_title("time per job")
    times.legend(fontsize=8)
    ratio.axhline(1, color="0.6", linewidth=1)
    ratio.set(yscale="log", ylabel="prove / plain product", xlabel="rows×cols×vectors")
    ratio.set_title("proving cost over the product")
    ratio.legend()
    fig.suptitle(f"zkmr bench, {report['threads']} threads, {report['rows_per_partition']} rows per partition")
    return _save(fig, path)


def _size(r: dict) -> str:
    size = f"{r['rows']}×{r['cols']}"
    return size if r["vectors"] == 1 else f"{size}×{r['vectors']}"
