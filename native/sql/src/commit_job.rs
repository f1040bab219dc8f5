//! `zkCommit(part, store, x [, x_scale_bits])`: the reduce side of a job.
//!
//! Gathers the `zkMatMul` results of every partition, checks that they are the store's
//! partitions exactly once and were proved for the query's `x`, assembles the bundle, verifies
//! it against the store's matrix commitment (the partitions were proved by other tasks, which
//! the reducer does not trust), and returns the job root, `y`, `x` and the bundle.
//!
//! The job's `x` comes from the query, encoded as `zkMatMul` encodes it, never from the
//! tasks' results: a task that proved another `x` would otherwise decide what the job is
//! about. A result proved for another `x` is rejected naming its partition.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_datafusion_err, exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use prost::Message;
use zkmr_core::store::digest_to_hex;
use zkmr_core::Vectors;

use crate::args::{self, check, failed, in_function, Kind};
use crate::context::Shared;
use crate::identity::{identity_methods, Identity};
use crate::numbers::constant_x;
use crate::result::{bytes, float, floats, int, job_fields, struct_value, text};
use crate::state;

const NAME: &str = "zkCommit";
const USAGE: &str = "zkCommit(part, store, x [, x_scale_bits]), part being zkMatMul's result and \
                     x and x_scale_bits as passed to zkMatMul";

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ZkCommit {
    identity: Identity,
    shared: Shared,
}

impl ZkCommit {
    pub fn new(shared: Shared) -> Self {
        Self {
            identity: Identity::new(NAME, Signature::variadic_any(Volatility::Immutable)),
            shared,
        }
    }
}

impl AggregateUDFImpl for ZkCommit {
    identity_methods!();

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        if types.len() == 2 {
            return plan_err!(
                "{NAME} needs the job's x as its third argument, the x passed to zkMatMul: the \
                 reducer holds every partition to the x the query asked about rather than \
                 trusting the x its task reports: {USAGE}"
            );
        }
        check(
            NAME,
            USAGE,
            &["part", "store", "x", "x_scale_bits"],
            &[Kind::Struct, Kind::Text, Kind::Vectors, Kind::Integer],
            1,
            types,
        )?;
        Ok(DataType::Struct(job_fields()))
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(JobAccumulator {
            shared: self.shared.clone(),
            parts: zkmr_proto::JobParts::default(),
            x: None,
        }))
    }

    /// The gathered results, and the job's `x` in a field of its own (`JobParts` has none).
    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let mut fields = state::fields(args.name);
        fields.push(state::field(args.name, "x"));
        Ok(fields)
    }
}

#[derive(Debug)]
struct JobAccumulator {
    shared: Shared,
    parts: zkmr_proto::JobParts,
    /// The job's `x`, from the query; known from the first row or state seen.
    x: Option<Vectors>,
}

impl JobAccumulator {
    fn set_store(&mut self, store: String) -> Result<()> {
        if self.parts.store.is_empty() {
            self.parts.store = store;
        } else if self.parts.store != store {
            return exec_err!("store differs between rows");
        }
        Ok(())
    }

    fn set_x(&mut self, x: Vectors) -> Result<()> {
        match &self.x {
            None => self.x = Some(x),
            Some(job) if *job != x => return exec_err!("x differs between rows"),
            Some(_) => {}
        }
        Ok(())
    }

    fn update(&mut self, values: &[ArrayRef]) -> Result<()> {
        if values[0].is_empty() {
            return Ok(());
        }
        self.set_store(args::constant_text(&values[1], "store")?)?;
        let results = Self::results(&values[0])?;
        let x_scale = args::constant_scale(values.get(3), "x_scale_bits")?;
        let partition = |i: usize| {
            let index = results[i].proof.as_ref().map_or(0, |p| p.index);
            format!("the row of partition {index}")
        };
        if let Some(x) = constant_x(&values[2], x_scale, &partition)? {
            self.set_x(x)?;
        }
        self.parts.results.extend(results);
        Ok(())
    }

    /// The `zkMatMul` results in a batch of `part`s.
    fn results(part: &ArrayRef) -> Result<Vec<zkmr_proto::PartitionResult>> {
        let part = part.as_struct();
        let Some(results) = part.column_by_name("result") else {
            return exec_err!("part must be a zkMatMul result (it has no \"result\" field)");
        };
        let results = results
            .as_binary_opt::<i32>()
            .ok_or_else(|| exec_datafusion_err!("part.result must be bytes"))?;
        (0..results.len())
            .map(|i| {
                if part.is_null(i) || results.is_null(i) {
                    return exec_err!("part is null (a zkMatMul group produced no result)");
                }
                zkmr_proto::PartitionResult::decode(results.value(i))
                    .map_err(|e| exec_datafusion_err!("part {i}: not a zkMatMul result: {e}"))
            })
            .collect()
    }

    fn finish(&self) -> Result<ScalarValue> {
        // No rows, no x: the job over an empty table is NULL.
        let Some(x) = &self.x else {
            return ScalarValue::try_from(DataType::Struct(job_fields()));
        };
        let open = self
            .shared
            .store(&self.parts.store)
            .map_err(|e| failed(NAME, e))?;
        let committed = open
            .reduce(x, self.parts.results.clone())
            .map_err(|e| failed(NAME, e))?;
        let verified = &committed.verified;
        let x_decoded = verified
            .x
            .iter()
            .map(|v| verified.x_encoding.decode(*v as i128))
            .collect();
        struct_value(
            job_fields(),
            vec![
                text(digest_to_hex(&committed.commitment)),
                text(digest_to_hex(&verified.job_root)),
                floats(committed.y()),
                int(verified.y_scale_bits as i64),
                int(verified.partitions as i64),
                bytes(&committed.bundle.encode_to_vec()),
                int(verified.vectors as i64),
                float(committed.y_error_bound),
                floats(x_decoded),
                text(digest_to_hex(&verified.x_digest)),
            ],
        )
    }
}

impl Accumulator for JobAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.update(values).map_err(|e| in_function(NAME, e))
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for state in state::decode::<zkmr_proto::JobParts>(states, NAME)? {
            if !state.store.is_empty() {
                self.set_store(state.store)
                    .map_err(|e| in_function(NAME, e))?;
            }
            self.parts.results.extend(state.results);
        }
        for x in state::decode_column::<zkmr_proto::PartitionRows>(&states[1], NAME)? {
            self.set_x(state::x_of(&x, NAME)?)
                .map_err(|e| in_function(NAME, e))?;
        }
        Ok(())
    }

    /// A group that saw no rows leaves its `x` field empty.
    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let x = self.x.as_ref().map(state::x_state).unwrap_or_default();
        let mut values = state::value(&self.parts);
        values.extend(state::value(&x));
        Ok(values)
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.finish().map_err(|e| in_function(NAME, e))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.parts.encoded_len()
            + self.x.as_ref().map_or(0, |x| x.values.len() * 8)
    }
}
