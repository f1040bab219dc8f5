"""Verified PageRank against networkx.pagerank: graphs networkx ships and a generated graph of
100,000 nodes and 1,000,000 edges, each proved to a tolerance with `zkmr chain`, verified, and
compared rank by rank; a tampered proof or a changed spec is rejected by the CLI."""

import json

import networkx as nx
import numpy as np
import pytest

import pagerank
import zkmr_cli


def varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at, shift = at + 1, shift + 7
        if byte < 0x80:
            return value, at


def fields(data, start, end):
    """The length-delimited fields of the protobuf message in data[start:end], by field number:
    the (start, end) of each occurrence (enough to find a chain proof's y blocks without the
    generated classes)."""
    found = {}
    at = start
    while at < end:
        key, at = varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, at = varint(data, at)
        elif wire == 1:
            at += 8
        elif wire == 5:
            at += 4
        elif wire == 2:
            length, at = varint(data, at)
            found.setdefault(number, []).append((at, at + length))
            at += length
        else:
            raise ValueError(f"wire type {wire} at byte {at}")
    return found


def check_agreement(r, k=10):
    assert r["converged"], f"stopped at the iteration limit after {r['steps']} steps"
    assert r["l1"] <= r["bound"], f"L1 {r['l1']:.3e} beyond the bound {r['bound']:.3e}"
    assert r["top_disagreements"] == [], r["top_disagreements"]
    # The top k as sets too, up to ranks within the error of the k-th.
    ours, theirs = r["ours"], r["theirs"]
    kth = np.sort(theirs)[-k]
    clear = set(np.flatnonzero(theirs > kth + 2 * r["bound"]))
    assert clear <= set(np.argsort(-ours)[:k])
    # The ranks are a distribution.
    assert abs(ours.sum() - 1) <= r["bound"] + 1e-6


@pytest.mark.parametrize("name", ["karate", "les_miserables", "florentine"])
def test_real_graphs_match_networkx(name):
    g = pagerank.REAL_GRAPHS[name]()
    r = pagerank.compare(g)
    check_agreement(r)
    assert r["nodes"] == g.number_of_nodes()


def test_a_generated_graph_of_100k_nodes_and_1m_edges_matches_networkx():
    g = pagerank.generated_graph(100_000, 1_000_000, seed=1)
    assert (g.number_of_nodes(), g.number_of_edges()) == (100_000, 1_000_000)
    r = pagerank.compare(g)
    check_agreement(r)
    assert r["entries"] >= 1_000_000
    # Each rank within the bound of networkx's, the largest ones ordered alike.
    assert np.abs(r["ours"] - r["theirs"]).max() <= r["bound"]


def test_dangling_nodes_keep_their_mass():
    # 3 -> nothing, 4 -> nothing: their rank is spread over every node, as networkx does.
    g = nx.DiGraph([(0, 1), (1, 2), (2, 0), (0, 3), (1, 4)])
    check_agreement(pagerank.compare(g, k=5), k=5)


def test_a_tampered_proof_or_another_spec_is_rejected(tmp_path):
    proved = pagerank.prove(pagerank.REAL_GRAPHS["karate"](), tmp_path, tolerance=1e-7)
    spec, proof = proved["spec"], proved["proof"]
    code, out, _ = zkmr_cli.attempt("chain", "verify", "--spec", spec, "--proof", proof)
    assert code == 0 and out["verified"], out
    # The lowest bit of one y value of the middle step: it changes the value by one and never
    # the width its block is packed in.
    data = bytearray(proof.read_bytes())
    steps = fields(data, 0, len(data))[4]
    step = steps[len(steps) // 2]
    partition = fields(data, *step)[7][0]
    y_start, _ = fields(data, *partition)[5][0]
    data[y_start + 1] ^= 0x01  # byte 0 is the block's width, byte 1 the first value's lowest
    bad = tmp_path / "bad.chain"
    bad.write_bytes(bytes(data))
    code, out, _ = zkmr_cli.attempt("chain", "verify", "--spec", spec, "--proof", bad)
    assert code == 1 and not out["verified"]
    assert "step" in out["error"], out["error"]
    # The proof checked against a looser spec than it was made for.
    other = json.loads(spec.read_text())
    other["stages"][0]["repeat"]["tolerance"] = 1e-3
    loose = tmp_path / "loose.json"
    loose.write_text(json.dumps(other))
    code, out, _ = zkmr_cli.attempt("chain", "verify", "--spec", loose, "--proof", proof)
    assert code == 1 and "another spec" in out["error"]
