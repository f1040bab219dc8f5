//! Checks that the sizes a Parquet or Arrow IPC input declares fit in its bytes, before the
//! decoders allocate by them, and the Parquet input the decoder reads through.
//!
//! arrow's IPC readers allocate a message's metadata and body, a file's footer and blocks, and
//! a compressed buffer's uncompressed form at the lengths the input declares before reading
//! them, and parquet sizes a column's dictionary by its page header's value count before
//! checking that the page holds that many values. So a few bytes can ask for gigabytes, or for
//! more than the allocator can give, which aborts the process (no `catch_unwind` helps: the JVM
//! engines read through JNI in their own process). These walks read only the framing and
//! refuse a length that the bytes given cannot hold.

mod ipc;
mod parquet;

pub(crate) use ipc::{ipc_file, ipc_stream};
pub(crate) use parquet::{parquet_dictionaries, ParquetInput};
