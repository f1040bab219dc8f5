//! The native methods of batch inference on an engine: a task proves a chunk of inputs as one
//! job, the driver ties the chunks into a batch (`docs/batches.md`).

use jni::objects::{JByteArray, JClass};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;
use prost::Message;
use zkmr_core::batch::trailer;
use zkmr_core::progress::Silent;
use zkmr_core::Error;

use crate::boundary::run;
use crate::methods::{bytes, job_vectors, message, store};
use crate::outputs;

/// `byte[] proveVectors(long handle, byte[] xIpc, int xScaleBits)`: proves `Y = A X` for the
/// vectors (one vector, or a batch as rows) with one proof, in this process, and verifies it;
/// returns `ChunkOutput`: one chunk of a batch, its bundle as encoded bytes for the task to
/// write as they are.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_proveVectors<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    x: JByteArray<'local>,
    x_scale_bits: jint,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        let x = job_vectors(env, &x, x_scale_bits)?;
        let reply = outputs::chunk_output(open.prove_reduced(&x, &Silent)?);
        Ok(env.byte_array_from_slice(&reply)?)
    })
}

/// `byte[] multiplyVectors(long handle, byte[] xIpc, int xScaleBits)`: `Y = A X` for the
/// vectors, as `proveVectors` computes it but with no proof: a `ChunkOutput` holding `y`
/// (decoded) and the vector count only. The baseline a batch job's cost is measured against.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_multiplyVectors<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    x: JByteArray<'local>,
    x_scale_bits: jint,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        let x = job_vectors(env, &x, x_scale_bits)?;
        let y = open.plain_product(&x)?;
        message(
            env,
            &zkmr_proto::ChunkOutput {
                y,
                vectors: x.count as u32,
                ..Default::default()
            },
        )
    })
}

/// `byte[] batchEnds(byte[] chunks)`: the header and trailer (`BatchEnds`) of a batch file
/// holding the chunks a `BatchChunks` message lists, in the batch's order.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_batchEnds<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    chunks: JByteArray<'local>,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let chunks = zkmr_proto::BatchChunks::decode(bytes(env, &chunks, "chunks")?.as_slice())
            .map_err(|e| Error::Format(format!("not a BatchChunks message: {e}")))?;
        let commitment: [u8; 32] = chunks
            .matrix_commitment
            .as_slice()
            .try_into()
            .map_err(|_| Error::Format("the matrix commitment is not 32 bytes".into()))?;
        if chunks.counts.len() != chunks.job_roots.len() {
            return Err(Error::Format(format!(
                "{} chunk counts but {} job roots",
                chunks.counts.len(),
                chunks.job_roots.len()
            ))
            .into());
        }
        let mut listed = Vec::with_capacity(chunks.counts.len());
        for (j, (count, root)) in chunks.counts.iter().zip(&chunks.job_roots).enumerate() {
            let root: [u8; 32] = root
                .as_slice()
                .try_into()
                .map_err(|_| Error::Format(format!("chunk {j}: the job root is not 32 bytes")))?;
            listed.push((*count, root));
        }
        let ends = zkmr_proto::BatchEnds {
            header: Some(zkmr_proto::BatchHeader {
                version: zkmr_proto::BATCH_VERSION,
                matrix_commitment: commitment.to_vec(),
            }),
            trailer: Some(trailer(&commitment, &listed)),
        };
        message(env, &ends)
    })
}
