//! The native methods of a job without a shuffle (`StoreInfo.row_products`): a task multiplies
//! the rows or coordinate entries it holds, the reducer proves the job from every task's
//! products.

use jni::objects::{JByteArray, JClass, JObjectArray};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;
use zkmr_io::MatrixBatch;

use crate::boundary::run;
use crate::methods::{bytes, job_vectors, job_vectors_at, message, messages, store};
use crate::outputs;

/// `byte[] multiplyRows(long handle, byte[] matrixIpc, byte[] xIpc, int xScaleBits, int
/// xValueBits)`: checks what a task holds of the matrix against the committed one and
/// multiplies it by `x`: whole rows (`row`, `values`; any rows, in any order) or coordinate
/// entries (`row`, `col`, `value`; any entries, a row's possibly spread over several tasks).
/// `x` is encoded at the given scale and value bits, or the defaults where negative. Returns
/// `RowProducts`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_multiplyRows<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    matrix: JByteArray<'local>,
    x: JByteArray<'local>,
    x_scale_bits: jint,
    x_value_bits: jint,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        let x = job_vectors_at(env, &x, x_scale_bits, x_value_bits)?;
        let products = match zkmr_io::matrix_from_ipc(&bytes(env, &matrix, "matrix")?, "matrix")? {
            MatrixBatch::Rows(rows) => open.multiply_rows(rows, &x)?,
            MatrixBatch::Entries(entries) => open.multiply_entries(entries, &x)?,
        };
        message(env, &products)
    })
}

/// `byte[] commitProducts(long handle, byte[][] products, byte[] xIpc, int xScaleBits)`: the
/// reduce step over every task's `RowProducts`, for the job's `x` as the driver holds it
/// (encoded as `multiplyRows` encodes it), never as a task reports it. Returns `JobOutput`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_commitProducts<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    products: JObjectArray<'local, JByteArray<'local>>,
    x: JByteArray<'local>,
    x_scale_bits: jint,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        let x = job_vectors(env, &x, x_scale_bits)?;
        let pieces = messages(env, &products, "products", "RowProducts message")?;
        let committed = open.reduce_products(&x, pieces)?;
        message(env, &outputs::job_output(committed))
    })
}
