"""Batches of any size from Python: streamed in chunks into the batch proof the CLI writes,
verified chunk by chunk, and one input checked alone by its owner, against NumPy's product."""

import json

import numpy as np
import pytest

import zkmr


def _batch(tmp_path, rng, count=23, cols=6):
    a = rng.integers(-60, 60, size=(9, cols))
    xs = rng.integers(-40, 40, size=(count, cols))
    c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=4)
    path = tmp_path / "xs.json"
    path.write_text(json.dumps(xs.tolist()))
    return a, xs, c, path


def test_a_batch_streamed_in_chunks_is_the_clis_batch_proof(tmp_path, cli, rng):
    a, xs, c, path = _batch(tmp_path, rng)
    calls = []
    proved = zkmr.prove_batch(c, path, tmp_path / "batch.zkmr", chunk=5,
                              y_out=tmp_path / "y.parquet",
                              progress=lambda done, total: calls.append((done, total)))
    assert proved and (proved.vectors, proved.chunks) == (23, 5)
    assert len(proved.batch_root) == 64 and (tmp_path / "y.parquet").stat().st_size > 0
    assert calls and all(done <= total for done, total in calls)

    # The same chunks through the CLI give the same batch root; each verifies the other's file.
    done = cli("prove", "--keys", tmp_path / "keys", "--vectors", path, "--chunk", "5",
               "--json", "--out", tmp_path / "cli.zkmr")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["batch_root"] == proved.batch_root
    done = cli("verify", "--bundle", tmp_path / "batch.zkmr", "--commitment", c.hex,
               "--vectors", path, "--job-root", proved.batch_root)
    assert done.returncode == 0, done.stderr
    v = zkmr.verify_batch(tmp_path / "cli.zkmr", c, vectors=path, batch_root=proved.batch_root)
    assert v and v.inputs_checked and (v.vectors, v.chunks) == (23, 5)

    # Another input in chunk 2, or another root, is a rejection naming what differs.
    other = xs.copy()
    other[12, 1] += 1
    (tmp_path / "other.json").write_text(json.dumps(other.tolist()))
    v = zkmr.verify_batch(tmp_path / "batch.zkmr", c, vectors=tmp_path / "other.json")
    assert not v and "chunk 2 (inputs from 10)" in v.reason
    v = zkmr.verify_batch(tmp_path / "batch.zkmr", c, batch_root="0" * 64)
    assert not v and "not the one expected" in v.reason
    foreign = zkmr.commit(a + 1, tmp_path / "other-keys")
    v = zkmr.verify_batch(tmp_path / "batch.zkmr", foreign)
    assert not v and "not the trusted commitment" in v.reason


def test_one_input_is_checked_alone_by_its_owner(tmp_path, rng):
    a, xs, c, path = _batch(tmp_path, rng)
    proved = zkmr.prove_batch(c, path, tmp_path / "batch.zkmr", chunk=4)
    for i in (0, 7, 22):
        opening = tmp_path / f"input-{i}.opening"
        assert zkmr.open_input(tmp_path / "batch.zkmr", i, opening) == i // 4
        v = zkmr.verify_input(opening, c, batch_root=proved.batch_root, x=xs[i])
        assert v and v.input == i and v.batch_root == proved.batch_root
        np.testing.assert_array_equal(v.x, xs[i])
        np.testing.assert_array_equal(v.y, a @ xs[i])
    v = zkmr.verify_input(tmp_path / "input-7.opening", c, x=xs[8])
    assert not v and "input 7: x:" in v.reason
    v = zkmr.verify_input(tmp_path / "input-7.opening", c, batch_root="1" * 64)
    assert not v and "not the one expected" in v.reason
    with pytest.raises(zkmr.InputError, match="no input 23"):
        zkmr.open_input(tmp_path / "batch.zkmr", 23, tmp_path / "none.opening")
