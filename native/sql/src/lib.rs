//! zkmr's SQL functions for Apache DataFusion.
//!
//! The functions, their arguments and results are specified in `docs/sql.md`; the Spark
//! functions follow the same specification, so a query moves between a laptop and a cluster
//! unchanged. [`register`] adds them to a [`SessionContext`]:
//!
//! | function | kind | what it does |
//! |---|---|---|
//! | `zkCommitMatrix(row, values, store [, rows_per_partition [, scale_bits]])` | aggregate | makes the key store and the matrix commitment |
//! | `zkPartition(row, store)` | scalar | the partition a row belongs to (the `GROUP BY` key) |
//! | `zkMatMul(row, values, x, store [, x_scale_bits])` | aggregate | proves one partition |
//! | `zkCommit(part, store, x [, x_scale_bits])` | aggregate | verifies the partitions for the query's `x`, assembles `y` and the job root |
//! | `zkVerify(bundle, commitment [, x])`, `zkVerifyExplain(...)` | scalar | checks a bundle (for the `x` expected) |
//! | `zkOpen(bundle, partition, store)` | scalar | one partition of a verified job, for a third party |
//! | `zkVerifyPartition(opening, commitment [, x [, job_root]])` | scalar | checks one partition alone |
//!
//! Proving happens as rows arrive: a `zkMatMul` group proves its partition as soon as it
//! holds every row of it and keeps only the result, so memory holds the partitions still
//! being filled, not the matrix.

mod args;
mod commit_job;
mod commit_matrix;
mod context;
mod expected;
mod identity;
mod matmul;
mod numbers;
mod open_partition;
mod partition_of;
mod result;
mod state;
mod verify_bundle;

use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF};

pub use context::SessionOptions;

/// Registers every zkmr function on `ctx`.
pub fn register(ctx: &SessionContext, options: SessionOptions) {
    let shared = context::Shared::new(options);
    ctx.register_udaf(AggregateUDF::from(commit_matrix::ZkCommitMatrix::new(
        shared.clone(),
    )));
    ctx.register_udf(ScalarUDF::from(partition_of::ZkPartition::new(
        shared.clone(),
    )));
    ctx.register_udaf(AggregateUDF::from(matmul::ZkMatMul::new(shared.clone())));
    ctx.register_udaf(AggregateUDF::from(commit_job::ZkCommit::new(
        shared.clone(),
    )));
    ctx.register_udf(ScalarUDF::from(open_partition::ZkOpen::new(shared)));
    ctx.register_udf(ScalarUDF::from(open_partition::ZkVerifyPartition::new()));
    ctx.register_udf(ScalarUDF::from(verify_bundle::ZkVerify::boolean()));
    ctx.register_udf(ScalarUDF::from(verify_bundle::ZkVerify::explaining()));
}
