//! `zkMatMul(row, values, x, store [, x_scale_bits])`: proves one partition of `A x`, or of
//! `A X` when `x` is a list of vectors (a batch, one job).
//!
//! An aggregate grouped by partition (`GROUP BY zkPartition(row, store)`). Each group
//! collects its rows, encoded with the store's matrix encoding, and proves as soon as it
//! holds the whole partition: the rows are dropped and only the result is kept, so memory
//! holds the partitions still being filled. Rows of one partition that DataFusion's partial
//! aggregation saw in different streams travel as state and are proved where they meet.
//!
//! The rows must equal the committed block (the proving key is the commitment to it); a
//! difference is reported with its row and column rather than as a failed proof.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use prost::Message;
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::encode_row;
use zkmr_core::progress::Event;
use zkmr_core::sparse::Block;
use zkmr_core::Vectors;

use crate::args::{self, check, failed, in_function, Kind};
use crate::context::Shared;
use crate::identity::{identity_methods, Identity};
use crate::numbers::{constant_x, NumberLists};
use crate::result::{partition_fields, partition_value};
use crate::state;

const NAME: &str = "zkMatMul";
const USAGE: &str = "zkMatMul(row, values, x, store [, x_scale_bits])";

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ZkMatMul {
    identity: Identity,
    shared: Shared,
}

impl ZkMatMul {
    pub fn new(shared: Shared) -> Self {
        Self {
            identity: Identity::new(NAME, Signature::variadic_any(Volatility::Immutable)),
            shared,
        }
    }
}

impl AggregateUDFImpl for ZkMatMul {
    identity_methods!();

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        check(
            NAME,
            USAGE,
            &["row", "values", "x", "store", "x_scale_bits"],
            &[
                Kind::Integer,
                Kind::NumberList,
                Kind::Vectors,
                Kind::Text,
                Kind::Integer,
            ],
            1,
            types,
        )?;
        Ok(DataType::Struct(partition_fields()))
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(PartitionAccumulator::new(self.shared.clone())))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(state::fields(args.name))
    }
}

/// The rows of one partition, then its proof.
#[derive(Debug)]
struct PartitionAccumulator {
    shared: Shared,
    /// The store and `x`, known from the first row or state seen.
    job: Option<Job>,
    /// The partition this group holds, known from its first row or state.
    partition: Option<Held>,
}

/// A group's partition: its rows while they arrive, then only its proof.
#[derive(Debug)]
enum Held {
    Rows(Filling),
    Proved(zkmr_proto::PartitionResult),
}

/// The index of a proved partition.
fn proved_index(result: &zkmr_proto::PartitionResult) -> u32 {
    result.proof.as_ref().map_or(0, |p| p.index)
}

#[derive(Debug)]
struct Job {
    path: String,
    store: Arc<JobRunner>,
    x: Vectors,
}

/// A partition's block as its rows arrive.
#[derive(Debug)]
struct Filling {
    index: u32,
    row_start: u64,
    rows: usize,
    block: Vec<i64>,
    received: Vec<bool>,
    count: usize,
}

impl PartitionAccumulator {
    fn new(shared: Shared) -> Self {
        Self {
            shared,
            job: None,
            partition: None,
        }
    }

    /// Sets the job from the first row, or checks a later row's against it.
    fn join(&mut self, path: &str, x: Vectors) -> Result<()> {
        if let Some(job) = &self.job {
            if job.path != path {
                return exec_err!("store differs between rows of one group");
            }
            if job.x != x {
                return exec_err!("x differs between rows of one partition");
            }
            return Ok(());
        }
        let store = self.shared.store(path).map_err(|e| failed(NAME, e))?;
        store.check_vectors(&x).map_err(|e| failed(NAME, e))?;
        self.shared.report(Event::Started {
            total: store.store.manifest.partitions.len(),
        });
        self.job = Some(Job {
            path: path.to_string(),
            store,
            x,
        });
        Ok(())
    }

    fn job(&self) -> &Job {
        self.job.as_ref().expect("joined before rows are added")
    }

    /// Adds one encoded row; proves when the partition is whole.
    fn add_row(&mut self, row: u64, values: &[i64]) -> Result<()> {
        let manifest = &self.job().store.store.manifest;
        let (rows, cols, per) = (
            manifest.rows,
            manifest.cols as usize,
            manifest.rows_per_partition as u64,
        );
        let store_path = self.job().path.clone();
        if row >= rows {
            return exec_err!("row {row} is outside the committed matrix of {rows} rows");
        }
        if values.len() != cols {
            return exec_err!(
                "row {row} has {} values but the committed matrix has {cols} columns",
                values.len()
            );
        }
        let index = (row / per) as u32;
        let filling = match &mut self.partition {
            Some(Held::Proved(result)) if proved_index(result) == index => {
                return exec_err!(
                    "row {row} arrived after partition {index} was proved: it appears twice"
                )
            }
            Some(Held::Proved(result)) => {
                return exec_err!(
                    "row {row} is in a group with partition {} but belongs to partition {index}; \
                     group by zkPartition(row, '{store_path}')",
                    proved_index(result)
                )
            }
            Some(Held::Rows(f)) if f.index != index => {
                return exec_err!(
                    "rows {} and {row} are in one group but belong to partitions {} and {index}; \
                     group by zkPartition(row, '{store_path}')",
                    f.row_start,
                    f.index
                )
            }
            Some(Held::Rows(f)) => f,
            None => {
                let row_start = index as u64 * per;
                let n = (rows.min(row_start + per) - row_start) as usize;
                let held = self.partition.insert(Held::Rows(Filling {
                    index,
                    row_start,
                    rows: n,
                    block: vec![0; n * cols],
                    received: vec![false; n],
                    count: 0,
                }));
                let Held::Rows(f) = held else {
                    unreachable!("just inserted")
                };
                f
            }
        };
        let local = (row - filling.row_start) as usize;
        if filling.received[local] {
            return exec_err!("row {row} appears twice");
        }
        filling.received[local] = true;
        filling.count += 1;
        filling.block[local * cols..(local + 1) * cols].copy_from_slice(values);
        if filling.count == filling.rows {
            let Some(Held::Rows(filling)) = self.partition.take() else {
                unreachable!("the partition being filled")
            };
            let result = self.prove(filling)?;
            self.partition = Some(Held::Proved(result));
        }
        Ok(())
    }

    /// Proves a whole partition, dropping its rows.
    fn prove(&self, filling: Filling) -> Result<zkmr_proto::PartitionResult> {
        let job = self.job();
        let result = job
            .store
            .prove_block(filling.index, &Block::Dense(filling.block), &job.x)
            .map_err(|e| failed(NAME, e))?;
        self.shared.report(Event::PartitionDone {
            index: filling.index,
        });
        Ok(result)
    }

    fn update(&mut self, values: &[ArrayRef]) -> Result<()> {
        if values[0].is_empty() {
            return Ok(());
        }
        let path = args::constant_text(&values[3], "store")?;
        let x_scale = args::constant_scale(values.get(4), "x_scale_bits")?;
        let rows = args::row_indices(&values[0])?;
        let Some(x) = constant_x(&values[2], x_scale, &|i| format!("row {}", rows[i]))? else {
            return Ok(());
        };
        self.join(&path, x)?;
        let lists = NumberLists::new(&values[1], "values")?;
        for (i, row) in rows.iter().enumerate() {
            if lists.is_null(i) {
                return exec_err!("row {row}: values is null");
            }
            let numbers = lists.numbers(i, &|j| format!("row {row}, column {j}"))?;
            let encoding = self.job().store.store.manifest.encoding;
            let encoded = encode_row(&numbers, *row, encoding).map_err(|e| failed(NAME, e))?;
            self.add_row(*row, &encoded)?;
        }
        Ok(())
    }

    fn merge(&mut self, state: zkmr_proto::PartitionRows) -> Result<()> {
        self.join(&state.store, state::x_of(&state, NAME)?)?;
        if let Some(result) = state.result {
            if self.partition.is_some() {
                return exec_err!(
                    "partition {} appears in two groups' results",
                    proved_index(&result)
                );
            }
            self.partition = Some(Held::Proved(result));
        }
        let cols = self.job().store.store.manifest.cols as usize;
        if state.values.len() != state.rows.len() * cols {
            return exec_err!("corrupt partial state: rows and values disagree");
        }
        for (row, values) in state.rows.iter().zip(state.values.chunks(cols)) {
            self.add_row(*row, values)?;
        }
        Ok(())
    }

    fn to_state(&self) -> zkmr_proto::PartitionRows {
        let Some(job) = &self.job else {
            return zkmr_proto::PartitionRows::default();
        };
        let mut state = zkmr_proto::PartitionRows {
            store: job.path.clone(),
            ..state::x_state(&job.x)
        };
        match &self.partition {
            Some(Held::Proved(result)) => state.result = Some(result.clone()),
            Some(Held::Rows(f)) => {
                let cols = job.store.store.manifest.cols as usize;
                for (local, _) in f.received.iter().enumerate().filter(|(_, r)| **r) {
                    state.rows.push(f.row_start + local as u64);
                    state
                        .values
                        .extend_from_slice(&f.block[local * cols..(local + 1) * cols]);
                }
            }
            None => {}
        }
        state
    }
}

impl Accumulator for PartitionAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.update(values).map_err(|e| in_function(NAME, e))
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for state in state::decode::<zkmr_proto::PartitionRows>(states, NAME)? {
            self.merge(state).map_err(|e| in_function(NAME, e))?;
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(state::value(&self.to_state()))
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let (Some(job), Some(held)) = (&self.job, &self.partition) else {
            return ScalarValue::try_from(DataType::Struct(partition_fields()));
        };
        let result = match held {
            Held::Proved(result) => result,
            Held::Rows(filling) => {
                return exec_err!(
                    "{NAME}: partition {} received {} of its {} rows (from row {}): its rows are \
                 split across groups or missing from the table; group by zkPartition(row, '{}')",
                    filling.index,
                    filling.count,
                    filling.rows,
                    filling.row_start,
                    job.path
                )
            }
        };
        let summary = job.store.summarize(result).map_err(|e| failed(NAME, e))?;
        partition_value(result, &summary)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + match &self.partition {
                Some(Held::Rows(f)) => f.block.len() * 8 + f.received.len(),
                Some(Held::Proved(result)) => result.encoded_len(),
                None => 0,
            }
            + self.job.as_ref().map_or(0, |j| j.x.values.len() * 8)
    }
}
