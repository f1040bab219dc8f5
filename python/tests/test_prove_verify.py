"""Commit, prove and verify from NumPy, checked against NumPy's own product."""

import sys
import threading

import numpy as np
import pytest

import zkmr


def test_integers_are_proved_exactly(tmp_path, rng):
    a = rng.integers(-1000, 1000, size=(100, 37))
    x = rng.integers(-1000, 1000, size=37)
    c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=16)
    assert (c.rows, c.cols, c.partitions, c.scheme) == (100, 37, 7, "pedersen")
    assert len(c.hex) == 64 and str(c) == c.hex

    y, proof = zkmr.prove(tmp_path / "keys", x)
    assert y.dtype == np.int64 and y.shape == (100,)
    np.testing.assert_array_equal(y, a @ x)
    assert proof.y_error_bound == 0.0

    v = zkmr.verify(proof, c.hex)
    assert v and v.verified and v.reason is None
    np.testing.assert_array_equal(v.y, a @ x)
    assert v.partitions == 7 and v.vectors == 1 and len(v.job_root) == 64


def test_a_batch_is_one_job(tmp_path, rng):
    a = rng.integers(-50, 50, size=(30, 12), dtype=np.int32)
    xs = rng.integers(-50, 50, size=(9, 12), dtype=np.int16)
    c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=8)
    y, proof = zkmr.prove(c, xs)
    assert y.shape == (9, 30)
    np.testing.assert_array_equal(y, xs.astype(np.int64) @ a.T.astype(np.int64))
    v = zkmr.verify(proof, c)
    assert v.verified and v.vectors == 9
    np.testing.assert_array_equal(v.y, y)


def test_floats_are_within_the_reported_error(tmp_path, rng):
    a = rng.normal(size=(64, 48))
    xs = rng.normal(size=(5, 48))
    c = zkmr.commit(a, tmp_path / "keys")
    assert c.scale_bits == 16
    y, proof = zkmr.prove(tmp_path / "keys", xs)
    assert y.dtype == np.float64
    error = np.abs(y - xs @ a.T).max()
    assert 0 < proof.y_error_bound < 1e-2
    assert error <= proof.y_error_bound
    v = zkmr.verify(proof, c.hex)
    assert v.verified and v.y_error_bound == proof.y_error_bound
    np.testing.assert_array_equal(v.y, y)


def test_scales_are_the_callers_to_choose(tmp_path):
    a = np.array([[0.5, 0.25], [1.0, -2.0]])
    c = zkmr.commit(a, tmp_path / "keys", scale_bits=2)
    y, proof = zkmr.prove(c, np.array([1.5, 4.0]), scale_bits=1)
    np.testing.assert_array_equal(y, a @ np.array([1.5, 4.0]))
    assert proof.y_error_bound == 0.0
    assert zkmr.verify(proof, c).y_scale_bits == 3


def test_a_saved_proof_loads_and_verifies(tmp_path, rng):
    a = rng.integers(-9, 9, size=(20, 6))
    c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=5)
    _, proof = zkmr.prove(c, np.arange(6))
    proof.save(tmp_path / "job.bundle")
    loaded = zkmr.load(tmp_path / "job.bundle")
    assert loaded.to_bytes() == proof.to_bytes()
    assert loaded.partitions == 4 and loaded.claimed_commitment == c.hex
    assert loaded.y_error_bound is None
    for form in (loaded, tmp_path / "job.bundle", str(tmp_path / "job.bundle"), proof.to_bytes()):
        v = zkmr.verify(form, c.hex)
        assert v.verified
        np.testing.assert_array_equal(v.y, a @ np.arange(6))


def test_a_file_matrix_commits_as_the_cli_reads_it(tmp_path, cli):
    # Coordinate entries, kept sparse: the product is checked against the dense matrix.
    entries = [(0, 3, 2.5), (2, 0, -1), (4, 4, 7), (1, 1, 0.125)]
    csv = tmp_path / "a.csv"
    csv.write_text("row,col,value\n" + "".join(f"{i},{j},{v}\n" for i, j, v in entries))
    c = zkmr.commit(csv, tmp_path / "keys", shape=(6, 5), rows_per_partition=2)
    assert (c.rows, c.cols, c.nonzeros) == (6, 5, 4)
    dense = np.zeros((6, 5))
    for i, j, v in entries:
        dense[i, j] = v
    x = np.array([1, 2, 3, 4, 5])
    y, proof = zkmr.prove(c, x)
    np.testing.assert_array_equal(y, dense @ x)
    assert zkmr.verify(proof, c).verified


def test_a_python_proof_verifies_with_the_cli_and_the_other_way(tmp_path, cli, rng):
    a = rng.integers(-99, 99, size=(12, 7))
    c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=4)
    x = rng.integers(-99, 99, size=7)
    _, proof = zkmr.prove(c, x)
    proof.save(tmp_path / "py.bundle")
    done = cli("verify", "--bundle", tmp_path / "py.bundle", "--commitment", c.hex)
    assert done.returncode == 0, done.stderr
    assert "verified: 3 partitions" in done.stdout

    (tmp_path / "x.json").write_text(str(list(map(int, x))))
    done = cli("prove", "--keys", tmp_path / "keys", "--vector", tmp_path / "x.json",
               "--out", tmp_path / "cli.bundle")
    assert done.returncode == 0, done.stderr
    v = zkmr.verify(tmp_path / "cli.bundle", c.hex)
    assert v.verified
    np.testing.assert_array_equal(v.y, a @ x)


def test_progress_is_reported_per_partition(tmp_path, rng):
    calls = []
    c = zkmr.commit(rng.integers(0, 9, size=(40, 4)), tmp_path / "keys", rows_per_partition=10,
                    progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 4) and sorted(calls)[-1] == (4, 4) and len(calls) == 5
    calls.clear()
    zkmr.prove(c, np.ones(4, dtype=np.int64), progress=lambda d, t: calls.append((d, t)))
    assert sorted(calls) == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_an_exception_in_the_progress_callback_is_raised_after_the_work(tmp_path):
    def fail(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        zkmr.commit(np.eye(3), tmp_path / "keys", progress=fail)


def test_the_gil_is_released_while_committing(tmp_path, rng):
    """Another Python thread runs while the native commit works; it could not run at all if
    the call held the GIL."""
    a = rng.integers(-100, 100, size=(1024, 256))
    ticks = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            ticks[0] += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        before = ticks[0]
        zkmr.commit(a, tmp_path / "keys")
        during = ticks[0] - before
    finally:
        stop.set()
        spinner.join()
    assert during > 10_000


def test_halo2_is_chosen_at_commit_and_followed(tmp_path):
    a = np.array([[1, 2, 3], [4, 5, 6]])
    c = zkmr.commit(a, tmp_path / "keys", scheme="halo2", dev_srs=True)
    assert c.scheme == "halo2" and c.srs_unsafe
    y, proof = zkmr.prove(c, np.array([1, 0, -1]))
    np.testing.assert_array_equal(y, [-2, -2])
    v = zkmr.verify(proof, c)
    assert v.verified and v.scheme == "halo2" and v.srs_unsafe


def test_cqlin_proves_a_batch_in_one_proof_and_refuses_a_changed_y(tmp_path):
    rng = np.random.default_rng(5)
    a = rng.integers(-50, 50, size=(9, 6))
    c = zkmr.commit(a, tmp_path / "keys", scheme="cqlin", dev_srs=True, rows_per_partition=4)
    assert c.scheme == "cqlin" and c.srs_unsafe and c.partitions == 3
    xs = rng.integers(-20, 20, size=(3, 6))
    y, proof = zkmr.prove(c, xs)
    np.testing.assert_array_equal(y, xs @ a.T)
    v = zkmr.verify(proof, c, x=xs)
    assert v.verified and v.scheme == "cqlin" and v.srs_unsafe and v.vectors == 3
    raw = bytearray(proof.to_bytes())
    # The bundle's last byte lies in the proof's last point: any change there is refused.
    raw[-1] ^= 1
    assert not zkmr.verify(bytes(raw), c).verified


def test_progress_true_draws_a_tqdm_bar(tmp_path, capsys):
    pytest.importorskip("tqdm")
    c = zkmr.commit(np.eye(8), tmp_path / "keys", rows_per_partition=2, progress=True)
    zkmr.prove(c, np.ones(8), progress=True)
    err = capsys.readouterr().err
    assert "commit" in err and "prove" in err and "4/4" in err


def test_progress_true_without_tqdm_draws_a_plain_bar(tmp_path, capsys, monkeypatch):
    # An import of tqdm fails, as on a machine without it.
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    c = zkmr.commit(np.eye(8), tmp_path / "keys", rows_per_partition=2, progress=True)
    y, _ = zkmr.prove(c, np.arange(8.0), progress=True)
    np.testing.assert_array_equal(y, np.arange(8.0))
    err = capsys.readouterr().err
    lines = err.split("\n")
    assert lines[0].rsplit("\r", 1)[-1] == f"commit [{'=' * 30}] 4/4 partitions"
    assert lines[1].rsplit("\r", 1)[-1] == f"prove [{'=' * 30}] 4/4 partitions"
    assert lines[2:] == [""]


def test_a_verdict_names_the_x_it_is_about(tmp_path, rng):
    a = rng.normal(size=(20, 6))
    xs = rng.normal(size=(3, 6))
    c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=7)
    _, proof = zkmr.prove(c, xs)
    v = zkmr.verify(proof, c, x=xs)
    assert v.verified and v.x.shape == xs.shape
    # x is proved at its 16-bit scale: the verdict's x is xs rounded there, as NumPy rounds it.
    np.testing.assert_array_equal(v.x, np.round(xs * 2**16) / 2**16)
    assert not zkmr.verify(proof, c, x=xs[::-1]).verified
    assert not zkmr.verify(proof, c, x=xs[0]).verified
