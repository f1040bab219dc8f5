"""Verified PageRank: the ranks of a graph as a zkmr chain, checked against networkx.

The graph's transition matrix `M` (`M[i][j] = w(j→i) / out(j)`) goes into zkmr in coordinate
form with one extra row, the indicator of the dangling nodes, so each product `M·r` also gives
the rank mass that dangling nodes spread over every node. The chain repeats one public step
function, PageRank's

    r'_i = d·(M·r)_i + (d·dangling + (1 − d)) / N,

until the ranks change by at most `tolerance` in L1; the verifier recomputes every step between
products, so the proof shows that the published ranks are what PageRank computes from the
committed graph.

    .venv/bin/python examples/pagerank/pagerank.py --graph karate
    .venv/bin/python examples/pagerank/pagerank.py --graph generated --nodes 100000 --edges 1000000

(`scripts/example.sh pagerank ...` sets up .venv and builds zkmr first.)
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import zkmr_cli  # noqa: E402

DAMPING = 0.85
# Fixed-point scales: transition probabilities at 2^-28, ranks at 2^-32.
A_SCALE = 28
R_SCALE = 32

REAL_GRAPHS = {
    "karate": nx.karate_club_graph,
    "les_miserables": nx.les_miserables_graph,
    "florentine": nx.florentine_families_graph,
}


def generated_graph(nodes: int, edges: int, seed: int = 1) -> nx.DiGraph:
    """A directed graph with power-law in-degrees: sources uniform, targets drawn with
    probability proportional to (rank + 1)^-0.9; no self-loops or repeated edges."""
    rng = np.random.default_rng(seed)
    weights = (np.arange(nodes) + 1.0) ** -0.9
    weights /= weights.sum()
    target_of = rng.permutation(nodes)
    pairs = np.empty(0, dtype=np.int64)
    while pairs.size < edges:
        draw = int((edges - pairs.size) * 1.3) + 16
        src = rng.integers(0, nodes, draw)
        dst = target_of[rng.choice(nodes, draw, p=weights)]
        keep = src != dst
        pairs = np.unique(np.concatenate([pairs, src[keep] * nodes + dst[keep]]))
    pairs = rng.permutation(pairs)[:edges]
    g = nx.DiGraph()
    g.add_nodes_from(range(nodes))
    g.add_edges_from(zip((pairs // nodes).tolist(), (pairs % nodes).tolist()))
    return g


def graph(name: str, nodes: int, edges: int, seed: int) -> nx.Graph:
    if name == "generated":
        return generated_graph(nodes, edges, seed)
    return REAL_GRAPHS[name]()


def transition_csv(g: nx.Graph, path: Path):
    """Writes `M` and the dangling row as `row,col,value` and returns the node order and the
    largest number of entries in a column (what the entries' rounding can add up to)."""
    d = g if g.is_directed() else g.to_directed()
    nodes = list(d)
    index = {v: k for k, v in enumerate(nodes)}
    n = len(nodes)
    out = np.zeros(n)
    src, dst, w = [], [], []
    for u, v, weight in d.edges(data="weight", default=1):
        src.append(index[u])
        dst.append(index[v])
        w.append(float(weight))
    src, dst, w = np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64), np.array(w)
    np.add.at(out, src, w)
    dangling = np.flatnonzero(out == 0)
    rows = np.concatenate([dst, np.full(dangling.size, n)])
    cols = np.concatenate([src, dangling])
    vals = np.concatenate([w / out[src], np.ones(dangling.size)])
    with open(path, "w") as f:
        f.write("row,col,value\n")
        f.write("".join(f"{r},{c},{v!r}\n" for r, c, v in zip(rows.tolist(), cols.tolist(), vals.tolist())))
    per_column = np.bincount(cols, minlength=n).max()
    return nodes, int(per_column), len(rows)


def chain_spec(commitment: str, tolerance: float, max_iter: int = 200) -> dict:
    """The chain: PageRank's step after each product by the committed matrix, from the uniform
    distribution, until a step moves the ranks by at most `tolerance` (L1)."""
    return {
        "input": {"scale_bits": R_SCALE, "value_bits": R_SCALE + 2, "uniform": True},
        "stages": [{
            "name": "pagerank",
            "commitment": commitment,
            "then": [{"op": "pagerank", "damping": DAMPING}, {"op": "rescale", "scale_bits": R_SCALE}],
            "repeat": {"tolerance": tolerance, "max": max_iter},
        }],
    }


def prove(g: nx.Graph, workdir: Path, tolerance: float, max_iter: int = 200) -> dict:
    """Commits the graph's transition matrix, proves PageRank to `tolerance` as a chain and
    verifies it; returns the verified ranks (in node order) and the timings."""
    workdir.mkdir(parents=True, exist_ok=True)
    matrix = workdir / "transition.csv"
    nodes, per_column, entries = transition_csv(g, matrix)
    n = len(nodes)
    keys = workdir / "keys"
    committed = zkmr_cli.run(
        "commit", "--matrix", matrix, "--keys", keys, "--force", "--scale", A_SCALE,
        "--shape", f"{n + 1}x{n}",
    )
    spec_path = workdir / "spec.json"
    spec_path.write_text(json.dumps(chain_spec(committed["matrix_commitment"], tolerance, max_iter), indent=2))
    proof = workdir / "pagerank.chain"
    proved = zkmr_cli.run("chain", "prove", "--spec", spec_path, "--keys", keys, "--out", proof)
    out = workdir / "ranks.json"
    verified = zkmr_cli.run(
        "chain", "verify", "--spec", spec_path, "--proof", proof, "--output-out", out
    )
    ranks = np.array(json.loads(out.read_text())["output"][0])
    stage = verified["stages"][0]
    return {
        "nodes": nodes,
        "ranks": ranks,
        "entries": entries,
        "per_column": per_column,
        "steps": verified["steps"],
        "converged": stage["converged"],
        "last_change": stage["last_change"],
        "commit_seconds": committed["keygen_seconds"],
        "prove_seconds": proved["prove_seconds"],
        "verify_seconds": verified["verify_seconds"],
        "proof_bytes": proved["proof_bytes"],
        "spec": spec_path,
        "proof": proof,
        "tolerance": tolerance,
    }


def networkx_ranks(g: nx.Graph, nodes, tol: float):
    """networkx.pagerank in the same node order, and its time."""
    started = time.perf_counter()
    ranks = nx.pagerank(g, alpha=DAMPING, tol=tol, max_iter=10_000)
    seconds = time.perf_counter() - started
    return np.array([ranks[v] for v in nodes]), seconds


def networkx_iterations(g: nx.Graph, tol: float) -> int:
    """How many iterations networkx.pagerank takes to `tol`: its power iteration replayed with
    its own stopping rule (‖x − x_prev‖₁ < N·tol), which it does not report."""
    a = nx.to_scipy_sparse_array(g, dtype=float)
    n = a.shape[0]
    out = np.asarray(a.sum(axis=1)).ravel()
    inv = np.divide(1.0, out, out=np.zeros(n), where=out != 0)
    q = a.multiply(inv[:, None]).tocsr()
    x = np.full(n, 1.0 / n)
    dangling = out == 0
    for k in range(1, 10_001):
        last = x
        x = DAMPING * (x @ q + x[dangling].sum() / n) + (1 - DAMPING) / n
        if np.abs(x - last).sum() < n * tol:
            return k
    return 10_000


def error_bound(n: int, per_column: int, tolerance: float, nx_tol: float) -> float:
    """A bound on the L1 distance between the verified ranks and networkx's.

    Both approximate the fixed point r* of PageRank's map F, a contraction of factor d in L1.
    Our step is F plus at most δ in L1: the entries of M rounded to A_SCALE bits move M·r by at
    most d·2^-(A_SCALE+1)·(largest column count)·‖r‖₁, the step's division by N at most half a
    unit at A_SCALE + R_SCALE bits per entry, and the rescale half a unit at R_SCALE bits per
    entry. Stopping once a step moves r by at most τ leaves ‖r − r*‖₁ ≤ (δ + d·τ)/(1 − d);
    networkx stops once ‖x − x_prev‖₁ < N·tol, leaving ‖x − r*‖₁ ≤ d·N·tol/(1 − d) (plus float
    rounding, far below)."""
    d = DAMPING
    delta = (
        d * 2.0 ** -(A_SCALE + 1) * per_column * 1.01
        + n * 2.0 ** -(A_SCALE + R_SCALE + 1)
        + n * 2.0 ** -(R_SCALE + 1)
    )
    ours = (delta + d * tolerance) / (1 - d)
    theirs = d * n * nx_tol / (1 - d) + n * 1e-15
    return ours + theirs


def top_k_disagreements(ours, theirs, bound: float, k: int = 10):
    """Pairs among networkx's top k that the verified ranks order the other way although
    networkx's scores differ by more than 2·bound (more than both errors together)."""
    top = np.argsort(-theirs, kind="stable")[:k]
    bad = []
    for a in range(k):
        for b in range(a + 1, k):
            i, j = top[a], top[b]
            if theirs[i] - theirs[j] > 2 * bound and ours[i] <= ours[j]:
                bad.append((int(i), int(j)))
    return top, bad


def compare(g: nx.Graph, tolerance: float = 1e-7, nx_tol: float = 1e-12, workdir=None, k: int = 10) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proved = prove(g, Path(workdir or tmp), tolerance)
    theirs, nx_seconds = networkx_ranks(g, proved["nodes"], nx_tol)
    n = len(proved["nodes"])
    bound = error_bound(n, proved["per_column"], tolerance, nx_tol)
    top, bad = top_k_disagreements(proved["ranks"], theirs, bound, k)
    return {
        **{key: v for key, v in proved.items() if key not in ("ranks", "spec", "proof")},
        "ours": proved["ranks"],
        "theirs": theirs,
        "nodes": n,
        "l1": float(np.abs(proved["ranks"] - theirs).sum()),
        "bound": bound,
        "top": [proved["nodes"][i] for i in top],
        "top_disagreements": bad,
        "networkx_seconds": nx_seconds,
        "networkx_iterations": networkx_iterations(g, nx_tol),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", default="karate", choices=[*REAL_GRAPHS, "generated"])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tolerance", type=float, default=1e-7, help="stop when a step moves the ranks this little (L1)")
    parser.add_argument("--workdir", help="keep the key store, spec and proof here")
    parser.add_argument("--plot", type=Path, help="draw the verified ranks against networkx's here "
                        "(default: target/examples/pagerank-GRAPH.png)")
    args = parser.parse_args()
    started = time.perf_counter()
    g = graph(args.graph, args.nodes, args.edges, args.seed)
    print(f"graph {args.graph}: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges "
          f"({time.perf_counter() - started:.1f} s to build)")
    r = compare(g, args.tolerance, workdir=args.workdir)
    steps = r["steps"]
    print(f"transition matrix: {r['entries']} entries; committed in {r['commit_seconds']:.2f} s")
    print(f"verified PageRank: {steps} iterations, converged={r['converged']} "
          f"(last change {r['last_change']:.2e}), proof {r['proof_bytes']} bytes")
    print(f"  prove  {r['prove_seconds']:.2f} s ({r['prove_seconds'] / steps * 1e3:.1f} ms per iteration)")
    print(f"  verify {r['verify_seconds']:.2f} s ({r['verify_seconds'] / steps * 1e3:.1f} ms per iteration)")
    nx_iter = r["networkx_iterations"]
    print(f"  networkx.pagerank {r['networkx_seconds']:.2f} s to tol 1e-12 ({nx_iter} iterations, "
          f"{r['networkx_seconds'] / nx_iter * 1e3:.1f} ms per iteration with its setup)")
    print(f"L1 distance to networkx {r['l1']:.3e}, bound {r['bound']:.3e}")
    print(f"top 10: {r['top']}; order disagreements beyond the bound: {len(r['top_disagreements'])}")
    ok = r["l1"] <= r["bound"] and not r["top_disagreements"] and r["converged"]
    print("agrees with networkx" if ok else "DOES NOT agree with networkx")
    import plots

    drawn = plots.pagerank(r["ours"], r["theirs"], r["bound"],
                           f"PageRank of {args.graph}: verified ranks against networkx",
                           args.plot or plots.DEFAULT_DIR / f"pagerank-{args.graph}.png")
    print(f"plot: {drawn}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
