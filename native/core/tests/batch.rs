//! Batch proofs (docs/batches.md): a batch proved in chunks verifies, every chunk's `y` is the
//! plain integer product, and every way of rearranging, replacing, cutting or padding the
//! proof is rejected by the real verifier, naming the chunk where one is at fault. One input
//! opened alone leads to the batch's root with its own `x` and `y`, and no change to an
//! opening makes it state another input's place, `x` or `y` under that root.

use prost::Message;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::batch::{
    encode_input_opening, open_input, prove_batch, read_input_opening, verify_batch, verify_input,
    BatchProved, BatchReader, BatchVerified, MAGIC,
};
use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, CommitOptions, SrsChoice};
use zkmr_core::{Error, Result, Scheme, Vectors};
use zkmr_proto::batch_record::Record;
use zkmr_proto::BatchRecord;

fn encoding() -> FixedPoint {
    FixedPoint::new(0, 16).unwrap()
}

/// A committed random matrix and its store.
struct Store {
    matrix: IntMatrix,
    runner: JobRunner,
    commitment: [u8; 32],
    _dir: tempfile::TempDir,
}

fn store(scheme: Scheme, seed: u64, (rows, cols, per): (usize, usize, usize)) -> Store {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let values = (0..rows * cols).map(|_| rng.gen_range(-99..=99)).collect();
    let matrix = IntMatrix::new(rows, cols, values).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let options = CommitOptions {
        scheme,
        rows_per_partition: per,
        srs: zkmr_core::registry::scheme(scheme)
            .unwrap()
            .capabilities()
            .srs
            .then(|| SrsChoice::Development {
                cache_dir: zkmr_core::setup::default_cache_dir(),
            }),
        ..CommitOptions::default()
    };
    let committed = commit(&matrix, encoding(), &options, &keys, &Silent).unwrap();
    Store {
        matrix,
        runner: JobRunner::open_on(&keys, Device::Cpu).unwrap(),
        commitment: committed.commitment,
        _dir: dir,
    }
}

/// `count` random vectors for `store`'s matrix.
fn inputs(store: &Store, seed: u64, count: usize) -> Vec<Vec<i64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            (0..store.matrix.cols())
                .map(|_| rng.gen_range(-50..=50))
                .collect()
        })
        .collect()
}

fn chunks(inputs: &[Vec<i64>], size: usize) -> Vec<Vectors> {
    inputs
        .chunks(size)
        .map(|chunk| Vectors {
            values: chunk.concat(),
            count: chunk.len(),
            encoding: encoding(),
        })
        .collect()
}

fn prove(store: &Store, inputs: &[Vec<i64>], size: usize) -> (Vec<u8>, BatchProved) {
    let mut bytes = Vec::new();
    let proved = prove_batch(
        &store.runner,
        chunks(inputs, size).into_iter().map(Ok),
        &mut bytes,
        &Silent,
        |_, _, _| Ok(()),
    )
    .unwrap();
    (bytes, proved)
}

/// Each verified chunk's first input and `y`.
type ChunkYs = Vec<(u64, Vec<i128>)>;

/// Verifies `bytes`; returns the verdict and each chunk's `y`.
fn verify(bytes: &[u8], commitment: &[u8; 32]) -> Result<(BatchVerified, ChunkYs)> {
    let mut reader = BatchReader::new(bytes, bytes.len() as u64, "batch")?;
    let mut ys = Vec::new();
    let verified = verify_batch(&mut reader, commitment, |chunk| {
        ys.push((chunk.first, chunk.verified.y.clone()));
        Ok(())
    })?;
    Ok((verified, ys))
}

fn rejected(bytes: &[u8], commitment: &[u8; 32]) -> String {
    match verify(bytes, commitment) {
        Ok(_) => panic!("a changed batch proof verified"),
        Err(e) => e.to_string(),
    }
}

/// The proof's records (after the magic word), decoded.
fn records(bytes: &[u8]) -> Vec<Record> {
    assert!(bytes.starts_with(MAGIC));
    let mut rest = &bytes[MAGIC.len()..];
    let mut records = Vec::new();
    while !rest.is_empty() {
        let len = u64::from_le_bytes(rest[..8].try_into().unwrap()) as usize;
        let record = BatchRecord::decode(&rest[8..8 + len]).unwrap();
        records.push(record.record.unwrap());
        rest = &rest[8 + len..];
    }
    records
}

fn assemble(records: &[Record]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    for record in records {
        let encoded = BatchRecord {
            record: Some(record.clone()),
        }
        .encode_to_vec();
        bytes.extend((encoded.len() as u64).to_le_bytes());
        bytes.extend(encoded);
    }
    bytes
}

/// `A·x` for each vector, one block of rows per vector, as plain integers.
fn product(a: &IntMatrix, inputs: &[Vec<i64>]) -> Vec<i128> {
    inputs
        .iter()
        .flat_map(|x| {
            (0..a.rows()).map(move |r| {
                a.row(r)
                    .iter()
                    .zip(x)
                    .map(|(p, q)| *p as i128 * *q as i128)
                    .sum::<i128>()
            })
        })
        .collect()
}

#[test]
fn a_batch_in_chunks_verifies_and_every_y_is_the_plain_product() {
    let store = store(Scheme::Pedersen, 1, (9, 6, 4));
    let inputs = inputs(&store, 2, 11);
    let (bytes, proved) = prove(&store, &inputs, 4);
    assert_eq!((proved.chunks, proved.inputs), (3, 11));
    let (verified, ys) = verify(&bytes, &store.commitment).unwrap();
    assert_eq!((verified.chunks, verified.inputs), (3, 11));
    assert_eq!(verified.root, proved.root);
    assert!(!verified.srs_unsafe);
    let firsts: Vec<u64> = ys.iter().map(|(first, _)| *first).collect();
    assert_eq!(firsts, [0, 4, 8]);
    let y: Vec<i128> = ys.into_iter().flat_map(|(_, y)| y).collect();
    assert_eq!(y, product(&store.matrix, &inputs));

    // The root names this proof: the same inputs cut into other chunks give another root.
    let (_, other) = prove(&store, &inputs, 5);
    assert_ne!(other.root, proved.root);
}

#[test]
fn reordered_dropped_repeated_or_foreign_chunks_are_rejected() {
    let store = store(Scheme::Pedersen, 3, (7, 5, 3));
    let inputs = inputs(&store, 4, 9);
    let (bytes, _) = prove(&store, &inputs, 3);
    let good = records(&bytes);
    assert_eq!(good.len(), 5, "a header, three chunks, a trailer");
    let c = &store.commitment;

    let mut swapped = good.clone();
    swapped.swap(1, 2);
    assert!(rejected(&assemble(&swapped), c).contains("out of place"));

    let mut dropped = good.clone();
    dropped.remove(2);
    assert!(rejected(&assemble(&dropped), c).contains("out of place"));

    let mut last_dropped = good.clone();
    last_dropped.remove(3);
    assert!(rejected(&assemble(&last_dropped), c).contains("the trailer states 3 chunks"));

    let mut repeated = good.clone();
    repeated.insert(2, good[1].clone());
    assert!(rejected(&assemble(&repeated), c).contains("out of place"));

    // Chunk 1 of another batch of the same matrix, in its place: it verifies alone, but the
    // root is no longer the trailer's.
    let mut others = inputs.clone();
    others[4][0] += 1;
    let (other_bytes, _) = prove(&store, &others, 3);
    let mut foreign = good.clone();
    foreign[2] = records(&other_bytes)[2].clone();
    assert!(rejected(&assemble(&foreign), c).contains("is not the root of the chunks"));

    // Renumbered chunks (index and first input consistent with each other, not with the
    // batch) are out of place.
    let mut renumbered = good.clone();
    if let Record::Chunk(chunk) = &mut renumbered[1] {
        chunk.index = 1;
        chunk.first = 3;
    }
    assert!(rejected(&assemble(&renumbered), c).contains("out of place"));

    // A trailer that states other counts or another root.
    for change in 0..3 {
        let mut trailer = good.clone();
        if let Record::Trailer(t) = &mut trailer[4] {
            match change {
                0 => t.chunks += 1,
                1 => t.inputs -= 1,
                _ => t.root[0] ^= 1,
            }
        }
        assert!(
            verify(&assemble(&trailer), c).is_err(),
            "trailer change {change}"
        );
    }

    // Another matrix's commitment.
    let other = self::store(Scheme::Pedersen, 5, (7, 5, 3));
    assert!(rejected(&bytes, &other.commitment).contains("not the trusted commitment"));
}

#[test]
fn a_changed_y_or_x_in_any_chunk_is_rejected_naming_the_chunk() {
    let store = store(Scheme::Pedersen, 6, (8, 4, 4));
    let inputs = inputs(&store, 7, 6);
    let (bytes, _) = prove(&store, &inputs, 2);
    let good = records(&bytes);
    for index in 1..=3 {
        for field in ["y", "x"] {
            let mut changed = good.clone();
            let Record::Chunk(chunk) = &mut changed[index] else {
                panic!("record {index} is a chunk");
            };
            let bundle = chunk.bundle.as_mut().unwrap();
            match field {
                "y" => {
                    let y = &mut bundle.partitions[1].y;
                    let last = y.len() - 1;
                    y[last] ^= 1;
                }
                _ => bundle.x[0] += 1,
            }
            let err = rejected(&assemble(&changed), &store.commitment);
            assert!(
                err.contains(&format!("chunk {}", index - 1)),
                "{field}: {err}"
            );
        }
    }
}

/// `bytes` as an engine's driver writes it in `dir`: each chunk's bundle in a file under
/// `chunks/`, named by its record. Returns the batch proof's path.
fn with_chunk_files(bytes: &[u8], dir: &std::path::Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("chunks")).unwrap();
    let mut listed = records(bytes);
    for record in &mut listed {
        if let Record::Chunk(chunk) = record {
            chunk.file = format!("chunks/{:05}.bundle", chunk.index);
            let bundle = chunk.bundle.take().unwrap();
            std::fs::write(dir.join(&chunk.file), bundle.encode_to_vec()).unwrap();
        }
    }
    let path = dir.join("batch.zkmr");
    std::fs::write(&path, assemble(&listed)).unwrap();
    path
}

/// Verifies the batch proof at `path`, reading the chunk files it names.
fn verify_file(path: &std::path::Path, commitment: &[u8; 32]) -> Result<BatchVerified> {
    verify_batch(&mut BatchReader::open(path)?, commitment, |_| Ok(()))
}

#[test]
fn chunks_in_files_beside_the_proof_verify_and_every_change_to_them_is_named() {
    let store = store(Scheme::Pedersen, 12, (8, 5, 4));
    let inputs = inputs(&store, 13, 7);
    let (bytes, proved) = prove(&store, &inputs, 3);
    let dir = tempfile::tempdir().unwrap();
    let path = with_chunk_files(&bytes, dir.path());
    let verified = verify_file(&path, &store.commitment).unwrap();
    assert_eq!(
        (verified.chunks, verified.inputs, verified.root),
        (3, 7, proved.root),
        "the same batch as the one holding its bundles"
    );
    let c = &store.commitment;
    let err = |path: &std::path::Path| match verify_file(path, c) {
        Ok(_) => panic!("a changed batch verified"),
        Err(e) => e.to_string(),
    };

    // A chunk's file changed, gone, swapped with another's, or not a file.
    let chunk1 = dir.path().join("chunks/00001.bundle");
    let good1 = std::fs::read(&chunk1).unwrap();
    let mut tampered = zkmr_core::bundle::decode(&good1, "chunk").unwrap();
    tampered.x[0] += 1;
    std::fs::write(&chunk1, tampered.encode_to_vec()).unwrap();
    assert!(
        err(&path).contains("chunk 1 (inputs from 3)"),
        "{}",
        err(&path)
    );
    std::fs::remove_file(&chunk1).unwrap();
    assert!(
        err(&path).contains("chunk 1 (inputs from 3): its file"),
        "{}",
        err(&path)
    );
    std::fs::copy(dir.path().join("chunks/00000.bundle"), &chunk1).unwrap();
    assert!(
        verify_file(&path, c).is_err(),
        "chunk 0's bundle in chunk 1's place"
    );
    std::fs::remove_file(&chunk1).unwrap();
    std::fs::create_dir(&chunk1).unwrap();
    assert!(err(&path).contains("not a regular file"), "{}", err(&path));
    std::fs::remove_dir(&chunk1).unwrap();
    std::fs::write(&chunk1, &good1).unwrap();
    verify_file(&path, c).unwrap();

    // Names that leave the directory, a chunk with both a bundle and a file, a file named by
    // a version 1 proof, and one read from bytes with no directory to name it from.
    let listed = records(&std::fs::read(&path).unwrap());
    for name in [
        "../chunks/00001.bundle",
        "/etc/passwd",
        "./chunks/00001.bundle",
        "",
    ] {
        let mut changed = listed.clone();
        let Record::Chunk(chunk) = &mut changed[2] else {
            panic!("record 2 is a chunk")
        };
        chunk.file = name.into();
        std::fs::write(&path, assemble(&changed)).unwrap();
        let e = err(&path);
        if name.is_empty() {
            assert!(e.contains("no bundle"), "{name:?}: {e}");
        } else {
            assert!(
                e.contains("not a relative path of plain names"),
                "{name:?}: {e}"
            );
        }
    }
    let mut both = listed.clone();
    if let Record::Chunk(chunk) = &mut both[2] {
        chunk.bundle = Some(zkmr_core::bundle::decode(&good1, "chunk").unwrap());
    }
    std::fs::write(&path, assemble(&both)).unwrap();
    assert!(err(&path).contains("also names the file"), "{}", err(&path));
    let mut old = listed.clone();
    if let Record::Header(header) = &mut old[0] {
        header.version = 1;
    }
    std::fs::write(&path, assemble(&old)).unwrap();
    assert!(
        err(&path).contains("version 1 batch proofs do not"),
        "{}",
        err(&path)
    );
    let bytes = assemble(&listed);
    let from_bytes = verify_batch(
        &mut BatchReader::new(bytes.as_slice(), bytes.len() as u64, "batch").unwrap(),
        c,
        |_| Ok(()),
    );
    assert!(from_bytes
        .unwrap_err()
        .to_string()
        .contains("not read from a directory"));
}

#[test]
fn cut_padded_or_oversized_proofs_are_refused_without_a_panic() {
    let store = store(Scheme::Pedersen, 8, (5, 3, 2));
    let inputs = inputs(&store, 9, 4);
    let (bytes, _) = prove(&store, &inputs, 2);
    let c = &store.commitment;
    for cut in [0, 4, 8, 12, 40, bytes.len() / 2, bytes.len() - 1] {
        let err = rejected(&bytes[..cut], c);
        assert!(!err.is_empty(), "cut at {cut}");
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(rejected(&padded, c).contains("follow the trailer"));

    // A record declaring more bytes than the file holds is refused before it is allocated.
    let mut oversized = bytes.clone();
    let at = MAGIC.len();
    oversized[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(rejected(&oversized, c).contains("declares 18446744073709551615 bytes"));

    let mut second_header = records(&bytes);
    second_header.insert(2, second_header[0].clone());
    assert!(rejected(&assemble(&second_header), c).contains("a second header"));

    let mut no_chunks = records(&bytes);
    no_chunks.retain(|r| !matches!(r, Record::Chunk(_)));
    if let Some(Record::Trailer(t)) = no_chunks.last_mut() {
        (t.chunks, t.inputs) = (0, 0);
    }
    assert!(rejected(&assemble(&no_chunks), c).contains("no chunks"));

    let mut foreign = bytes.clone();
    foreign[0] ^= 1;
    assert!(matches!(verify(&foreign, c), Err(Error::Format(_))));
}

#[test]
fn a_scheme_without_batches_proves_chunks_of_one_vector() {
    let store = store(Scheme::Halo2, 10, (4, 3, 2));
    let inputs = inputs(&store, 11, 2);
    let (bytes, proved) = prove(&store, &inputs, 1);
    let (verified, ys) = verify(&bytes, &store.commitment).unwrap();
    assert_eq!((verified.chunks, verified.inputs), (2, 2));
    assert_eq!(verified.root, proved.root);
    let y: Vec<i128> = ys.into_iter().flat_map(|(_, y)| y).collect();
    assert_eq!(y, product(&store.matrix, &inputs));
}

/// Input `input`'s opening of the batch `bytes`, as its file's bytes.
fn opening(bytes: &[u8], input: u64) -> Result<Vec<u8>> {
    let mut reader = BatchReader::new(bytes, bytes.len() as u64, "batch")?;
    Ok(encode_input_opening(&open_input(&mut reader, input)?))
}

#[test]
fn every_input_opened_alone_leads_to_the_batch_root_with_its_own_x_and_y() {
    let store = store(Scheme::Pedersen, 12, (7, 5, 3));
    let c = &store.commitment;
    // Three chunks (a tree padded to four leaves) and five (padded to eight).
    for (count, size) in [(11, 4), (13, 3)] {
        let inputs = inputs(&store, 13, count);
        let (bytes, proved) = prove(&store, &inputs, size);
        let y = product(&store.matrix, &inputs);
        let rows = store.matrix.rows();
        for (i, x) in inputs.iter().enumerate() {
            let file = opening(&bytes, i as u64).unwrap();
            let v = verify_input(&read_input_opening(&file, "opening").unwrap(), c).unwrap();
            assert_eq!(v.root, proved.root, "input {i} of {count}");
            assert_eq!((v.input, v.chunk), (i as u64, (i / size) as u32));
            assert_eq!((v.chunks, v.inputs), (proved.chunks, count as u64));
            assert_eq!(&v.x, x, "input {i}: x");
            assert_eq!(v.y, y[i * rows..(i + 1) * rows], "input {i}: y");
        }
        let err = opening(&bytes, count as u64).unwrap_err().to_string();
        assert!(err.contains(&format!("no input {count}")), "{err}");
    }
}

#[test]
fn no_change_to_an_input_opening_states_a_wrong_x_y_or_place_under_the_root() {
    let store = store(Scheme::Pedersen, 14, (6, 4, 3));
    let c = &store.commitment;
    let inputs = inputs(&store, 15, 7);
    let (bytes, proved) = prove(&store, &inputs, 2);
    let y = product(&store.matrix, &inputs);
    let rows = store.matrix.rows();
    let good = opening(&bytes, 3).unwrap();
    let check = |file: &[u8]| -> std::result::Result<(), String> {
        let opened = read_input_opening(file, "opening").map_err(|e| e.to_string())?;
        let v = verify_input(&opened, c).map_err(|e| e.to_string())?;
        if v.root != proved.root {
            return Err("another root".into());
        }
        // Under the batch's root, whatever input it names must be that input, with its y.
        let i = v.input as usize;
        assert_eq!(
            v.x, inputs[i],
            "a changed opening states a wrong x for input {i}"
        );
        assert_eq!(v.y, y[i * rows..(i + 1) * rows], "a wrong y for input {i}");
        Ok(())
    };
    check(&good).unwrap();
    for at in 0..good.len() {
        for bit in [0x01, 0x80] {
            let mut changed = good.clone();
            changed[at] ^= bit;
            let _ = check(&changed);
        }
    }

    // The named ways, each with its reason.
    let base = read_input_opening(&good, "opening").unwrap();
    let reason = |change: &dyn Fn(&mut zkmr_proto::BatchInputOpening)| {
        let mut o = base.clone();
        change(&mut o);
        match verify_input(&o, c) {
            Ok(v) => {
                assert_ne!(v.root, proved.root, "a changed opening kept the root");
                "another root".to_string()
            }
            Err(e) => e.to_string(),
        }
    };
    assert!(reason(&|o| o.input = 0).contains("not in chunk 1"));
    assert!(reason(&|o| o.chunks = 1).contains("not in a batch of 1 chunks"));
    assert!(reason(&|o| o.chunks = 8).contains("the path has 2 hashes"));
    assert!(reason(&|o| o.inputs = 3).contains("past the batch's 3 inputs"));
    assert_eq!(reason(&|o| o.inputs = 8), "another root");
    assert_eq!(reason(&|o| o.path[1][0] ^= 1), "another root");
    assert!(reason(&|o| {
        o.path[0].pop();
    })
    .contains("not 32 bytes"));
    assert_eq!(
        reason(&|o| o.chunk.as_mut().unwrap().index = 0),
        "another root"
    );
    assert!(
        reason(&|o| o.chunk.as_mut().unwrap().bundle.as_mut().unwrap().x[0] += 1)
            .contains("chunk 1")
    );
    let other = self::store(Scheme::Pedersen, 16, (6, 4, 3));
    assert!(verify_input(&base, &other.commitment)
        .unwrap_err()
        .to_string()
        .contains("not the trusted commitment"));
    assert!(matches!(
        read_input_opening(&bytes, "a batch"),
        Err(Error::Format(_))
    ));
}
