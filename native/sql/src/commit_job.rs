//! `zkCommit(part, store)`: the reduce side of a job.
//!
//! Gathers the `zkMatMul` results of every partition, checks that they are the store's
//! partitions exactly once and were proved for one `x`, assembles the bundle, verifies it
//! against the store's matrix commitment (the partitions were proved by other tasks, which
//! the reducer does not trust), and returns the job root, `y` and the bundle.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_datafusion_err, exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use prost::Message;
use zkmr_core::keystore::digest_to_hex;

use crate::args::{self, check, failed, in_function, Kind};
use crate::context::Shared;
use crate::result::{bytes, float, floats, int, job_fields, struct_value, text};
use crate::state;

const NAME: &str = "zkCommit";
const USAGE: &str = "zkCommit(part, store), part being zkMatMul's result";

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ZkCommit {
    signature: Signature,
    aliases: Vec<String>,
    shared: Shared,
}

impl ZkCommit {
    pub fn new(shared: Shared) -> Self {
        Self {
            signature: Signature::any(2, Volatility::Immutable),
            aliases: vec![NAME.into()],
            shared,
        }
    }
}

impl AggregateUDFImpl for ZkCommit {
    fn name(&self) -> &str {
        "zkcommit"
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        check(
            NAME,
            USAGE,
            &["part", "store"],
            &[Kind::Struct, Kind::Text],
            0,
            types,
        )?;
        Ok(DataType::Struct(job_fields()))
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(JobAccumulator {
            shared: self.shared.clone(),
            parts: zkmr_proto::JobParts::default(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(state::fields(args.name))
    }
}

#[derive(Debug)]
struct JobAccumulator {
    shared: Shared,
    parts: zkmr_proto::JobParts,
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

    fn update(&mut self, values: &[ArrayRef]) -> Result<()> {
        if values[0].is_empty() {
            return Ok(());
        }
        self.set_store(args::constant_text(&values[1], "store")?)?;
        let part = values[0].as_struct();
        let Some(results) = part.column_by_name("result") else {
            return exec_err!("part must be a zkMatMul result (it has no \"result\" field)");
        };
        let results = results
            .as_binary_opt::<i32>()
            .ok_or_else(|| exec_datafusion_err!("part.result must be bytes"))?;
        for i in 0..results.len() {
            if part.is_null(i) || results.is_null(i) {
                return exec_err!("part is null (a zkMatMul group produced no result)");
            }
            let result = zkmr_proto::PartitionResult::decode(results.value(i))
                .map_err(|e| exec_datafusion_err!("part {i}: not a zkMatMul result: {e}"))?;
            self.parts.results.push(result);
        }
        Ok(())
    }

    fn finish(&self) -> Result<ScalarValue> {
        if self.parts.results.is_empty() {
            return ScalarValue::try_from(DataType::Struct(job_fields()));
        }
        let open = self
            .shared
            .store(&self.parts.store)
            .map_err(|e| failed(NAME, e))?;
        let committed = open
            .commit_results(self.parts.results.clone())
            .map_err(|e| failed(NAME, e))?;
        let verified = &committed.verified;
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
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(state::value(&self.parts))
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.finish().map_err(|e| in_function(NAME, e))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.parts.encoded_len()
    }
}
