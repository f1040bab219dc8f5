//! The JNI library behind zkmr's Spark functions and Hadoop job.
//!
//! A thin surface over `zkmr-core`: Arrow IPC streams and bytes come in, protobuf messages
//! (`zkmr.v1`, see `native/proto`) go out, so the JVM side needs no knowledge of the proving
//! core beyond the wire contract. The Java half is `io.zkmr.NativeBridge` (in `jvm/bridge`);
//! each method here implements one of its `native` declarations.
//!
//! A key store opened by `openStore` (a local directory) or `openStoreFrom` (files the JVM
//! reads, see [`store_files`]) is a handle the Java side owns and frees with
//! `closeStore` (`io.zkmr.ZkStore` is `AutoCloseable`), so the SRS and manifest are read once
//! per store, not once per partition. Every error and panic becomes an `io.zkmr.ZkmrException`
//! (see [`boundary`]).

mod batches;
mod boundary;
mod chains;
mod methods;
mod outputs;
mod row_products;
mod store_files;
