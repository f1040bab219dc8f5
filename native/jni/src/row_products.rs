//! The native methods of a job without a shuffle (`StoreInfo.row_products`): a task multiplies
//! the rows it holds, the reducer proves the job from every task's products.

use jni::objects::{JByteArray, JClass, JObjectArray};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;
use zkmr_core::Error;
use zkmr_io::MatrixBatch;

use crate::boundary::run;
use crate::methods::{bytes, job_vectors, message, messages, store};
use crate::outputs;

/// `byte[] multiplyRows(long handle, byte[] rowsIpc, byte[] xIpc, int xScaleBits)`: checks the
/// rows (`row`, `values`; any rows of the matrix, in any order) against the committed matrix
/// and multiplies them by `x`; returns `RowProducts`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_multiplyRows<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    rows: JByteArray<'local>,
    x: JByteArray<'local>,
    x_scale_bits: jint,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let open = unsafe { store(handle) }?;
        let x = job_vectors(env, &x, x_scale_bits)?;
        let MatrixBatch::Rows(rows) =
            zkmr_io::matrix_from_ipc(&bytes(env, &rows, "rows")?, "rows")?
        else {
            return Err(Error::Usage(
                "multiplyRows takes rows (row, values), not coordinate entries".into(),
            )
            .into());
        };
        message(env, &open.multiply_rows(rows, &x)?)
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
