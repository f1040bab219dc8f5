"""A tampered proof or the wrong commitment is a rejection with its reason; bad arrays raise
InputError with the message the CLI prints for the same input."""

import math

import numpy as np
import pytest

import zkmr


@pytest.fixture
def job(tmp_path, rng):
    a = rng.integers(-100, 100, size=(9, 4))
    c = zkmr.commit(a, tmp_path / "keys", rows_per_partition=3)
    x = np.array([3, -1, 4, 1])
    y, proof = zkmr.prove(c, x)
    return a, c, x, y, proof


def test_a_changed_y_is_rejected(job):
    _, c, _, y, proof = job
    data = bytearray(proof.to_bytes())
    # Partition 1's y block (rows 3..6) travels as a width byte w, the fewest bytes that hold
    # every entry, then each entry as w little-endian bytes; flip the lowest bit of y[4], which
    # changes it by one and never the width it needs.
    block = [int(v) for v in y[3:6]]
    width = max((v if v >= 0 else ~v).bit_length() // 8 + 1 for v in block)
    packed = bytes([width]) + b"".join(v.to_bytes(width, "little", signed=True) for v in block)
    assert data.count(packed) == 1
    data[data.index(packed) + 1 + width] ^= 1
    v = zkmr.verify(bytes(data), c.hex)
    assert not v and not v.verified
    assert v.reason.startswith("rejected") and v.y is None


def test_another_commitment_is_rejected(job, tmp_path):
    a, c, _, _, proof = job
    other = zkmr.commit(a + 1, tmp_path / "other")
    v = zkmr.verify(proof, other.hex)
    assert not v.verified and "commitment" in v.reason
    # The same matrix committed again is another commitment too (fresh blinding).
    again = zkmr.commit(a, tmp_path / "again", rows_per_partition=3)
    assert again.hex != c.hex and not zkmr.verify(proof, again).verified


def test_every_bit_of_the_proof_is_bound(job):
    _, c, _, _, proof = job
    data = proof.to_bytes()
    accepted = [
        (i, bit)
        for i in range(len(data))
        for bit in (0, 7)
        if zkmr.verify(data[:i] + bytes([data[i] ^ (1 << bit)]) + data[i + 1:], c.hex)
    ]
    assert accepted == []


def test_malformed_bytes_are_a_rejection_and_a_malformed_file_an_error(job, tmp_path):
    _, c, _, _, _ = job
    v = zkmr.verify(b"not a bundle", c.hex)
    assert not v.verified and v.reason.startswith("rejected")
    (tmp_path / "junk.bundle").write_bytes(b"not a bundle")
    with pytest.raises(zkmr.FormatError):
        zkmr.load(tmp_path / "junk.bundle")


def test_a_malformed_commitment_raises(job):
    *_, proof = job
    with pytest.raises(zkmr.InputError, match="commitment"):
        zkmr.verify(proof, "abc")


def test_a_masked_array_is_refused_unless_nothing_is_masked(tmp_path):
    a = np.arange(12.0).reshape(3, 4)
    with pytest.raises(zkmr.InputError) as raised:
        zkmr.commit(np.ma.masked_greater(a, 9), tmp_path / "keys")
    assert "matrix: a masked array with 2 masked entries" in str(raised.value)
    assert "a.filled(value)" in str(raised.value)
    assert not (tmp_path / "keys").exists()
    # Nothing masked: the data as they are, and a proof of their product.
    c = zkmr.commit(np.ma.masked_array(a, mask=False), tmp_path / "keys")
    y, _ = zkmr.prove(c, np.ma.masked_array(np.ones(4), mask=False))
    assert np.allclose(y, a @ np.ones(4))
    with pytest.raises(zkmr.InputError, match="x: a masked array with 1 masked entry"):
        zkmr.prove(c, np.ma.masked_array(np.ones(4), mask=[0, 0, 1, 0]))


@pytest.mark.parametrize(
    "matrix, message",
    [
        ([[1.0, 2.0], [3.0, math.nan]], "row 1, column 1"),
        ([[1.0, 2.0], [math.inf, 1.0]], "row 1, column 0"),
        ([[1, 2, 3], [4, 5]], "rows of different lengths"),
        (np.array([[1 + 2j, 0]]), "dtype complex128 is not a number type"),
        (np.array([["a", "b"]]), "dtype <U1 is not a number type"),
        (np.array([[True, False]]), "dtype bool is not a number type"),
        (np.ones((2, 2, 2)), "expected a 2-dimensional array, got shape (2, 2, 2)"),
        (np.ones(3), "expected a 2-dimensional array, got shape (3,)"),
        (np.zeros((0, 3)), "the array is empty"),
        ([[2**40, 1]], "does not fit"),
        (np.array([[2**64 - 1]], dtype=np.uint64), "does not fit a signed 64-bit integer"),
    ],
)
def test_bad_matrices_are_named(tmp_path, matrix, message):
    with pytest.raises(zkmr.InputError, match=None) as raised:
        zkmr.commit(matrix, tmp_path / "keys")
    assert message in str(raised.value)
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize(
    "x, message",
    [
        (np.array([1.0, math.nan, 0, 0]), "vector index 1"),
        (np.array([1, 2, 3]), "vector has 3 entries but the matrix has 4 columns"),
        (
            np.ones((2, 3)),
            "x has shape (2, 3): each row is one vector, of 3 entries, but the matrix has 4 "
            "columns",
        ),
        (np.ones((4, 1)), "has 4 columns; did you mean x.T (shape (1, 4)) or x.ravel() for one"),
        (np.ones((4, 3)), "has 4 columns; did you mean x.T (shape (3, 4))?"),
        (np.ones((2, 2, 1)), "expected a 1-dimensional or 2-dimensional array"),
        ([[1, 2, 3, 4], [5, 6]], "rows of different lengths"),
        (np.array(["1", "2", "3", "4"]), "is not a number type"),
    ],
)
def test_bad_vectors_are_named(job, x, message):
    _, c, *_ = job
    with pytest.raises(zkmr.InputError) as raised:
        zkmr.prove(c, x)
    assert message in str(raised.value)


def test_messages_are_the_clis(job, tmp_path, cli):
    """The same bad vector through the CLI and through Python: one message, less the file."""
    _, c, *_ = job
    for values in ([1, 2, 3], [2**40, 0, 0, 0]):
        path = tmp_path / "x.json"
        path.write_text(str(values))
        done = cli("prove", "--keys", c.store, "--vector", path, "--out", tmp_path / "b")
        assert done.returncode == 2
        with pytest.raises(zkmr.InputError) as raised:
            zkmr.prove(c, np.array(values))
        cli_message = done.stderr.strip().removeprefix("zkmr: ")
        assert cli_message == str(raised.value).replace(
            "invalid input: ", f"invalid input: {path}: ", 1
        )


def test_a_missing_store_and_an_existing_one_are_errors(tmp_path, cli):
    with pytest.raises(zkmr.StoreIOError) as raised:
        zkmr.prove(tmp_path / "nowhere", np.ones(2))
    done = cli("prove", "--keys", tmp_path / "nowhere", "--vector", "x.json", "--out", "b")
    assert str(raised.value) in done.stderr
    zkmr.commit(np.eye(2), tmp_path / "keys")
    with pytest.raises(zkmr.ZkmrError, match="exists"):
        zkmr.commit(np.eye(2), tmp_path / "keys")
    assert zkmr.commit(np.eye(2), tmp_path / "keys", force=True).rows == 2


def test_bad_options_are_input_errors(tmp_path):
    with pytest.raises(zkmr.InputError, match='scheme "groth16" is not one of pedersen, halo2'):
        zkmr.commit(np.eye(2), tmp_path / "k", scheme="groth16")
    with pytest.raises(zkmr.InputError, match="rows_per_partition is 0"):
        zkmr.commit(np.eye(2), tmp_path / "k", rows_per_partition=0)
    with pytest.raises(zkmr.InputError, match="the pedersen scheme takes no SRS"):
        zkmr.commit(np.eye(2), tmp_path / "k", dev_srs=True)
    with pytest.raises(zkmr.InputError, match="shape is for a matrix file"):
        zkmr.commit(np.eye(2), tmp_path / "k", shape=(2, 2))


def test_a_proof_for_another_x_is_rejected_naming_x(job):
    a, c, x, _, proof = job
    other = x.copy()
    other[2] += 1
    v = zkmr.verify(proof, c, x=other)
    assert not v.verified and v.y is None and v.x is None
    assert v.reason.startswith("rejected: x: ") and "x[2]" in v.reason
    # A batch of the right vector twice is another x too: the proof is about one vector.
    assert not zkmr.verify(proof, c, x=np.stack([x, x])).verified


def test_x_or_its_digest_pins_the_verdict(job):
    a, c, x, _, proof = job
    v = zkmr.verify(proof, c, x=x)
    assert v.verified
    np.testing.assert_array_equal(v.x, x)
    np.testing.assert_array_equal(v.y, a @ x)
    assert len(v.x_digest) == 64 and f"x {v.x_digest}, job root {v.job_root}" in repr(v)
    # Without an x the verdict still says which x it is about.
    unpinned = zkmr.verify(proof, c)
    assert unpinned.x_digest == v.x_digest
    np.testing.assert_array_equal(unpinned.x, x)
    assert zkmr.verify(proof, c, x_digest=v.x_digest).verified
    wrong = ("0" if v.x_digest[0] != "0" else "1") + v.x_digest[1:]
    rejected = zkmr.verify(proof, c, x_digest=wrong)
    assert not rejected.verified and rejected.reason.startswith("rejected: x: ")
    with pytest.raises(zkmr.InputError, match="not both"):
        zkmr.verify(proof, c, x=x, x_digest=v.x_digest)
    with pytest.raises(zkmr.InputError, match="x_digest"):
        zkmr.verify(proof, c, x_digest="abc")


def test_a_store_that_commits_to_another_matrix_is_refused(job, tmp_path):
    a, c, x, _, _ = job
    with pytest.raises(zkmr.InputError, match="not the expected commitment"):
        zkmr.prove(c.store, x, commitment=zkmr.commit(a + 1, tmp_path / "other").hex)
    # The store replaced (committed again in place): its old Commitment no longer proves.
    replaced = zkmr.commit(a, c.store, rows_per_partition=3, force=True)
    with pytest.raises(zkmr.InputError, match=c.hex):
        zkmr.prove(c, x)
    y, proof = zkmr.prove(c.store, x, commitment=replaced)
    np.testing.assert_array_equal(y, a @ x)
    assert zkmr.verify(proof, replaced, x=x).verified
