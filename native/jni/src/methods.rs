//! The native methods of `io.zkmr.NativeBridge`, one function each.

use std::path::Path;
use std::sync::Arc;

use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned};
use prost::Message;
use zkmr_core::device::{Device, DeviceChoice};
use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, commit_sparse, CommitOptions};
use zkmr_core::setup::{srs_choice, SrsChoice};
use zkmr_core::sparse::{Block, SparseMatrix};
use zkmr_core::store::digest_from_hex;
use zkmr_core::verify::{opening_verdict, verdict, Expected, ExpectedX};
use zkmr_core::Error;
use zkmr_core::Vectors;
use zkmr_io::MatrixBatch;

use crate::boundary::{run, Result};
use crate::outputs;
use crate::store_files::JvmFiles;

pub(crate) fn text(env: &Env<'_>, s: &JString<'_>, what: &str) -> Result<String> {
    if s.is_null() {
        return Err(Error::Usage(format!("{what} is null")).into());
    }
    Ok(s.try_to_string(env)?)
}

pub(crate) fn bytes(env: &Env<'_>, a: &JByteArray<'_>, what: &str) -> Result<Vec<u8>> {
    if a.is_null() {
        return Err(Error::Usage(format!("{what} is null")).into());
    }
    Ok(env.convert_byte_array(a)?)
}

pub(crate) fn message<'local>(
    env: &mut Env<'local>,
    m: &impl Message,
) -> Result<JByteArray<'local>> {
    Ok(env.byte_array_from_slice(&m.encode_to_vec())?)
}

/// Each element of a `byte[][]`, named `what i` in errors.
fn byte_arrays(
    env: &mut Env<'_>,
    arrays: &JObjectArray<'_, JByteArray<'_>>,
    what: &str,
) -> Result<Vec<Vec<u8>>> {
    if arrays.is_null() {
        return Err(Error::Usage(format!("{what}s is null")).into());
    }
    let mut out = Vec::new();
    for i in 0..arrays.len(env)? {
        let element = arrays.get_element(env, i)?;
        out.push(bytes(env, &element, &format!("{what} {i}"))?);
    }
    Ok(out)
}

/// Each element of a `byte[][]` decoded as a protobuf `M` (a `kind`, in errors); an element
/// that is not one is named `what i`.
pub(crate) fn messages<M: Message + Default>(
    env: &mut Env<'_>,
    arrays: &JObjectArray<'_, JByteArray<'_>>,
    what: &str,
    kind: &str,
) -> Result<Vec<M>> {
    let mut out = Vec::new();
    for (i, raw) in byte_arrays(env, arrays, what)?.iter().enumerate() {
        out.push(
            M::decode(raw.as_slice())
                .map_err(|e| Error::Format(format!("{what} {i}: not a {kind}: {e}")))?,
        );
    }
    Ok(out)
}

/// The scheme a caller named; null means the default (pedersen).
fn scheme_of(env: &Env<'_>, scheme: &JString<'_>) -> Result<zkmr_core::Scheme> {
    if scheme.is_null() {
        return Ok(zkmr_core::Scheme::default());
    }
    Ok(text(env, scheme, "scheme")?.parse()?)
}

/// The SRS for `scheme`: none under pedersen, `srs_file` or else the development SRS under
/// halo2 (and a file given under pedersen, which the setup then refuses).
fn srs_of(
    env: &Env<'_>,
    scheme: zkmr_core::Scheme,
    srs_file: &JString<'_>,
) -> Result<Option<SrsChoice>> {
    let file = if srs_file.is_null() {
        None
    } else {
        Some(text(env, srs_file, "srs file")?.into())
    };
    let development = file.is_none() && zkmr_core::registry::scheme(scheme)?.capabilities().srs;
    Ok(srs_choice(file, development)?)
}

fn positive_rows(rows_per_partition: jint) -> Result<usize> {
    Ok(usize::try_from(rows_per_partition)
        .ok()
        .filter(|r| *r > 0)
        .ok_or_else(|| {
            Error::Usage(format!(
                "rows per partition must be positive, not {rows_per_partition}"
            ))
        })?)
}

/// The store behind a handle from `openStore`.
///
/// # Safety
/// `handle` must come from `openStore` and not yet be closed; `io.zkmr.ZkStore` holds a read
/// lock for the duration of every call and closes under the write lock, which guarantees it.
pub(crate) unsafe fn store<'a>(handle: jlong) -> Result<&'a JobRunner> {
    (handle as *const JobRunner)
        .as_ref()
        .ok_or_else(|| Error::Usage("the key store is closed".into()).into())
}

/// An encoding chosen for `values`, or the one asked for when `scale_bits` is not negative.
fn encoding_for(values: &[Number], scale_bits: jint) -> zkmr_core::Result<FixedPoint> {
    FixedPoint::for_values(values.iter().copied(), u32::try_from(scale_bits).ok(), None)
}

/// The job's vectors, sent as one vector (a single numeric column) or a batch (`row`,
/// `values`, as `ArrowBatches.vectors` writes it), encoded at `scale_bits` (or the default for
/// their values when negative). Tasks and the reducer call this alike, so the same vectors and
/// scale encode the same way on both sides.
pub(crate) fn job_vectors(env: &Env<'_>, x: &JByteArray<'_>, scale_bits: jint) -> Result<Vectors> {
    job_vectors_at(env, x, scale_bits, -1)
}

/// [`job_vectors`] at `value_bits` too (when not negative): a chain's inputs are at the spec's
/// encoding, and a task must encode them as the driver does for their digests to agree.
pub(crate) fn job_vectors_at(
    env: &Env<'_>,
    x: &JByteArray<'_>,
    scale_bits: jint,
    value_bits: jint,
) -> Result<Vectors> {
    let vectors = expected_vectors(&bytes(env, x, "x")?)?;
    Ok(Vectors::encode(
        &vectors,
        u32::try_from(scale_bits).ok(),
        u32::try_from(value_bits).ok(),
    )?)
}

/// The vectors a relying party sends: a batch, one vector per row (`row`, `values`, as
/// `ArrowBatches.vectors` writes it), or else one vector (a single numeric column).
fn expected_vectors(ipc: &[u8]) -> zkmr_core::Result<Vec<Vec<Number>>> {
    match zkmr_io::matrix_from_ipc(ipc, "x") {
        Ok(MatrixBatch::Rows(rows)) => zkmr_io::ordered_rows(rows, &"x"),
        _ => Ok(vec![zkmr_io::vector_from_ipc(ipc, "x")?]),
    }
}

/// An optional `0x`-hex digest argument; null means not given.
fn optional_digest(env: &Env<'_>, hex: &JString<'_>, what: &str) -> Result<Option<[u8; 32]>> {
    if hex.is_null() {
        return Ok(None);
    }
    Ok(Some(digest_from_hex(&text(env, hex, what)?, what)?))
}

/// What the caller expects of a verdict: `x` as vectors or as their digest (at most one;
/// neither means any `x`), and an opening's job root. Arguments that are not hex, or both
/// forms of `x`, are the caller's error rather than a rejection.
fn expected(
    env: &Env<'_>,
    x: &JByteArray<'_>,
    x_digest: &JString<'_>,
    job_root: Option<&JString<'_>>,
) -> Result<Expected> {
    let digest = optional_digest(env, x_digest, "x digest")?;
    let x = match (x.is_null(), digest) {
        (false, Some(_)) => {
            return Err(Error::Usage("give x or its digest, not both".into()).into())
        }
        (false, None) => Some(ExpectedX::Vectors(expected_vectors(&bytes(env, x, "x")?)?)),
        (true, digest) => digest.map(ExpectedX::Digest),
    };
    let job_root = match job_root {
        Some(root) => optional_digest(env, root, "job root")?,
        None => None,
    };
    Ok(Expected { x, job_root })
}

/// Hands `open` to the JVM as a handle, once it is known to commit to `commitment` when the
/// caller gave one: the commitment its holder published, so a store replaced or rewritten
/// since (and resealed for another matrix) is refused before anything is proved from it.
fn handle_of(env: &Env<'_>, open: JobRunner, commitment: &JString<'_>) -> Result<jlong> {
    if let Some(trusted) = optional_digest(env, commitment, "commitment")? {
        open.expect_commitment(&trusted)?;
    }
    Ok(Box::into_raw(Box::new(open)) as jlong)
}

/// `long openStore(String dir, String commitment)`: reads a key store's manifest and SRS,
/// refusing a store that does not commit to `commitment` (`0x`-hex; null: any).
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_openStore<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    dir: JString<'local>,
    commitment: JString<'local>,
) -> jlong {
    run(&mut env, |env| {
        let dir = text(env, &dir, "store")?;
        handle_of(env, JobRunner::open(Path::new(&dir))?, &commitment)
    })
}

/// `long openStoreFrom(StoreFiles files, String commitment)`: opens a key store whose files
/// the JVM reads (from HDFS or any Hadoop file system), calling `files.read(name)` as files
/// are needed; `commitment` as for `openStore`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_openStoreFrom<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    files: JObject<'local>,
    commitment: JString<'local>,
) -> jlong {
    run(&mut env, |env| {
        if files.is_null() {
            return Err(Error::Usage("store files is null".into()).into());
        }
        let files = Arc::new(JvmFiles::new(env, &files)?);
        let open = JobRunner::open_from(files, Device::select(DeviceChoice::from_env()))?;
        handle_of(env, open, &commitment)
    })
}

/// `void closeStore(long handle)`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_closeStore<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    run(&mut env, |_| {
        if handle != 0 {
            // SAFETY: the handle came from `openStore` and `ZkStore` closes it once.
            drop(unsafe { Box::from_raw(handle as *mut JobRunner) });
        }
        Ok(())
    })
}

/// `byte[] storeInfo(long handle)`: `StoreInfo`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_storeInfo<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        message(env, &outputs::store_info(open)?)
    })
}

/// `byte[] commitMatrix(String dir, byte[] matrixIpc, String scheme, int rowsPerPartition,
/// int scaleBits, String srsFile, boolean replace)`: makes a key store, returns its
/// `StoreInfo`. The batch holds rows (`row`, `values`) or coordinate entries (`row`, `col`,
/// `value`: kept sparse, pedersen only, the shape one past the largest indices). A null `scheme` means the default (pedersen); under halo2 a null `srsFile`
/// means the insecure development SRS, and under pedersen `srsFile` must be null. A negative
/// `scaleBits` chooses one.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_commitMatrix<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    dir: JString<'local>,
    matrix: JByteArray<'local>,
    scheme: JString<'local>,
    rows_per_partition: jint,
    scale_bits: jint,
    srs_file: JString<'local>,
    replace: jboolean,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let dir = text(env, &dir, "store")?;
        let scheme = scheme_of(env, &scheme)?;
        let srs = srs_of(env, scheme, &srs_file)?;
        let rows_per_partition = positive_rows(rows_per_partition)?;
        let options = CommitOptions {
            scheme,
            rows_per_partition,
            srs,
            replace,
            ..CommitOptions::default()
        };
        match zkmr_io::matrix_from_ipc(&bytes(env, &matrix, "matrix")?, "matrix")? {
            MatrixBatch::Rows(pairs) => {
                let rows = zkmr_io::ordered_rows(pairs, &"matrix")?;
                let encoding = encoding_for(&rows.concat(), scale_bits)?;
                let encoded = IntMatrix::encode(&rows, encoding)?;
                commit(&encoded, encoding, &options, Path::new(&dir), &Silent)?;
            }
            MatrixBatch::Entries(entries) => {
                let values: Vec<_> = entries.iter().map(|(_, _, v)| *v).collect();
                let encoding = encoding_for(&values, scale_bits)?;
                let coordinates = zkmr_io::Coordinates {
                    shape: None,
                    entries,
                };
                let (rows, cols) = coordinates.shape();
                let matrix = SparseMatrix::encode(rows, cols, &coordinates.entries, encoding)?;
                commit_sparse(&matrix, encoding, &options, Path::new(&dir), &Silent)?;
            }
        }
        let open = JobRunner::open(Path::new(&dir))?;
        message(env, &outputs::store_info(&open)?)
    })
}

/// `byte[] provePartition(long handle, byte[] rowsIpc, byte[] xIpc, int xScaleBits)`: proves
/// the partition whose rows (`row`, `values`) or non-zero entries (`row`, `col`, `value`) the
/// batch holds, returns `PartitionOutput`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_provePartition<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    rows: JByteArray<'local>,
    x: JByteArray<'local>,
    x_scale_bits: jint,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        let rows = zkmr_io::matrix_from_ipc(&bytes(env, &rows, "rows")?, "partition rows")?;
        let x = job_vectors(env, &x, x_scale_bits)?;
        let (index, block) = match rows {
            MatrixBatch::Rows(rows) => {
                let (index, block) = open.block_of(rows)?;
                (index, Block::Dense(block))
            }
            MatrixBatch::Entries(entries) => open.entries_of(entries)?,
        };
        let result = open.prove_block(index, &block, &x)?;
        let macs = block.values().len() as u64;
        message(env, &outputs::partition_output(open, result, macs)?)
    })
}

/// `byte[] commitJob(long handle, byte[][] results, byte[] xIpc, int xScaleBits)`: the reduce
/// step over the `result` bytes of every partition's `PartitionOutput`, for the job's `x` as
/// the driver holds it (encoded as `provePartition` encodes it), never as a task reports it:
/// a task that proved another `x` is rejected, naming its partition. Returns `JobOutput`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_commitJob<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    results: JObjectArray<'local, JByteArray<'local>>,
    x: JByteArray<'local>,
    x_scale_bits: jint,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        let x = job_vectors(env, &x, x_scale_bits)?;
        let decoded = messages(env, &results, "result", "partition result")?;
        let committed = open.reduce(&x, decoded)?;
        message(env, &outputs::job_output(committed))
    })
}

/// `byte[] verify(byte[] bundle, String commitment, byte[] xIpc, String xDigest)`:
/// `Verification` of untrusted bundle bytes against a trusted `0x`-hex matrix commitment and,
/// when given (null: not given), the `x` the caller asked about: its vectors (a one-column
/// vector, or a batch as rows) or their `0x`-hex digest. A bad bundle, or one for another
/// `x`, is a rejection; arguments that are not hex are the caller's error.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_verify<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    bundle: JByteArray<'local>,
    commitment: JString<'local>,
    x: JByteArray<'local>,
    x_digest: JString<'local>,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let trusted = digest_from_hex(&text(env, &commitment, "commitment")?, "commitment")?;
        let expected = expected(env, &x, &x_digest, None)?;
        let (verified, line) = verdict(&bytes(env, &bundle, "bundle")?, &trusted, &expected);
        message(env, &outputs::verification(verified, line))
    })
}

/// `byte[] openPartition(long handle, byte[] bundle, int partition)`: a `PartitionOpening` of
/// one partition of a bundle that verifies against the store, for a third party.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_openPartition<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    bundle: JByteArray<'local>,
    partition: jint,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        let partition = u32::try_from(partition)
            .map_err(|_| Error::Usage(format!("partition {partition} is negative")))?;
        let bundle = zkmr_core::bundle::decode(&bytes(env, &bundle, "bundle")?, "bundle")?;
        message(env, &open.open_partition(&bundle, partition)?)
    })
}

/// `byte[] verifyOpening(byte[] opening, String commitment, byte[] xIpc, String xDigest,
/// String jobRoot)`: `Verification` of untrusted partition-opening bytes against a trusted
/// matrix commitment and, when given (null: not given), the `x` as for `verify` and the root
/// of the job the partition must belong to; the verdict's job root is the one it belongs to.
/// A bad opening, or one for another `x` or job, is a rejection; arguments that are not hex
/// are the caller's error.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_verifyOpening<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    opening: JByteArray<'local>,
    commitment: JString<'local>,
    x: JByteArray<'local>,
    x_digest: JString<'local>,
    job_root: JString<'local>,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let trusted = digest_from_hex(&text(env, &commitment, "commitment")?, "commitment")?;
        let expected = expected(env, &x, &x_digest, Some(&job_root))?;
        let (opened, line) =
            opening_verdict(&bytes(env, &opening, "opening")?, &trusted, &expected);
        message(env, &outputs::opening_verification(opened, line))
    })
}

/// `byte[] setupPlan(String scheme, long rows, long cols, int scaleBits, boolean integral,
/// int rowsPerPartition, String srsFile)`: the `SetupPlan` of a distributed setup. The encoding
/// is `scaleBits` when not negative, else 0 for an `integral` matrix and 16 otherwise; a null
/// `scheme` and `srsFile` mean as in `commitMatrix`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_io_zkmr_NativeBridge_setupPlan<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    scheme: JString<'local>,
    rows: jlong,
    cols: jlong,
    scale_bits: jint,
    integral: jboolean,
    rows_per_partition: jint,
    srs_file: JString<'local>,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let scheme = scheme_of(env, &scheme)?;
        let srs = srs_of(env, scheme, &srs_file)?;
        let encoding = FixedPoint::for_integrality(integral, u32::try_from(scale_bits).ok(), None)?;
        let plan = zkmr_core::setup_job::plan(
            scheme,
            u64::try_from(rows).unwrap_or(0),
            u64::try_from(cols).unwrap_or(0),
            encoding,
            positive_rows(rows_per_partition)?,
            srs.as_ref(),
        )?;
        message(env, &plan)
    })
}

/// `byte[] setupPartition(byte[] plan, byte[] rowsIpc)`: commits the partition whose rows
/// (`row`, `values`) the batch holds, returns `PartitionSetup`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_setupPartition<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    plan: JByteArray<'local>,
    rows: JByteArray<'local>,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let plan = decode_plan(env, &plan)?;
        let rows = zkmr_io::matrix_rows_from_ipc(&bytes(env, &rows, "rows")?, "partition rows")?;
        message(env, &zkmr_core::setup_job::commit_partition(&plan, rows)?)
    })
}

/// `byte[] setupFinish(byte[] plan, byte[][] partitions)`: from every partition's
/// `PartitionSetup`, the rest of the store as `SetupFiles`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_setupFinish<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    plan: JByteArray<'local>,
    partitions: JObjectArray<'local, JByteArray<'local>>,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let plan = decode_plan(env, &plan)?;
        let parts = byte_arrays(env, &partitions, "partitions")?
            .iter()
            .map(|b| {
                zkmr_proto::PartitionSetup::decode(b.as_slice())
                    .map_err(|e| Error::Format(format!("partition setup: {e}")))
            })
            .collect::<zkmr_core::Result<Vec<_>>>()?;
        message(env, &zkmr_core::setup_job::finish(&plan, parts)?)
    })
}

fn decode_plan(env: &Env<'_>, plan: &JByteArray<'_>) -> Result<zkmr_proto::SetupPlan> {
    Ok(
        zkmr_proto::SetupPlan::decode(bytes(env, plan, "plan")?.as_slice())
            .map_err(|e| Error::Format(format!("setup plan: {e}")))?,
    )
}
