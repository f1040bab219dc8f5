//! `zkCommitMatrix(row, values, store [, rows_per_partition [, scale_bits]])`: setup.
//!
//! An aggregate over a whole matrix table: it gathers the rows, encodes them as `zkmr commit`
//! does (scale 0 when every value is an integer, 16 bits otherwise, unless `scale_bits` is
//! given), writes the key store at `store` and returns the matrix commitment. Rows may come in
//! any order; each index from 0 to the last must appear exactly once. The SRS is the
//! session's ([`crate::SessionOptions::srs`]).
//!
//! Setup needs the whole matrix, as numbers, in memory (8 bytes a value); proving does not.

use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, BooleanArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_datafusion_err, exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::matrix::IntMatrix;
use zkmr_core::setup::{commit, CommitOptions, DEFAULT_ROWS_PER_PARTITION};
use zkmr_core::store::digest_to_hex;

use crate::args::{self, check, failed, in_function, Kind};
use crate::context::Shared;
use crate::identity::{identity_methods, Identity};
use crate::numbers::NumberLists;
use crate::result::{int, matrix_fields, struct_value, text};
use crate::state;

const NAME: &str = "zkCommitMatrix";
const USAGE: &str = "zkCommitMatrix(row, values, store [, rows_per_partition [, scale_bits]])";

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ZkCommitMatrix {
    identity: Identity,
    shared: Shared,
}

impl ZkCommitMatrix {
    pub fn new(shared: Shared) -> Self {
        Self {
            identity: Identity::new(NAME, Signature::variadic_any(Volatility::Volatile)),
            shared,
        }
    }
}

impl AggregateUDFImpl for ZkCommitMatrix {
    identity_methods!();

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        check(
            NAME,
            USAGE,
            &["row", "values", "store", "rows_per_partition", "scale_bits"],
            &[
                Kind::Integer,
                Kind::NumberList,
                Kind::Text,
                Kind::Integer,
                Kind::Integer,
            ],
            2,
            types,
        )?;
        Ok(DataType::Struct(matrix_fields()))
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(MatrixAccumulator {
            shared: self.shared.clone(),
            rows: zkmr_proto::MatrixRows::default(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(state::fields(args.name))
    }
}

#[derive(Debug)]
struct MatrixAccumulator {
    shared: Shared,
    rows: zkmr_proto::MatrixRows,
}

impl MatrixAccumulator {
    /// Takes the settings of a batch or a partial state, checking they agree with earlier ones.
    fn settle(&mut self, store: String, cols: u64, per: u64, scale: Option<u32>) -> Result<()> {
        let r = &mut self.rows;
        if r.store.is_empty() {
            (r.store, r.cols, r.rows_per_partition, r.scale_bits) = (store, cols, per, scale);
            return Ok(());
        }
        if r.store != store || r.rows_per_partition != per || r.scale_bits != scale {
            return exec_err!(
                "store, rows_per_partition and scale_bits must be the same on every row"
            );
        }
        if r.cols != cols {
            return exec_err!("rows have {} and {cols} values", r.cols);
        }
        Ok(())
    }

    fn update(&mut self, values: &[ArrayRef]) -> Result<()> {
        if values[0].is_empty() {
            return Ok(());
        }
        let store = args::constant_text(&values[2], "store")?;
        let per = args::constant_integer(values.get(3), "rows_per_partition")?
            .unwrap_or(DEFAULT_ROWS_PER_PARTITION as i64);
        let per = u64::try_from(per).ok().filter(|p| *p > 0).ok_or_else(|| {
            exec_datafusion_err!("rows_per_partition must be positive, got {per}")
        })?;
        let scale = args::constant_integer(values.get(4), "scale_bits")?
            .map(|s| {
                u32::try_from(s).map_err(|_| exec_datafusion_err!("scale_bits {s} is negative"))
            })
            .transpose()?;
        let rows = args::row_indices(&values[0])?;
        let lists = NumberLists::new(&values[1], "values")?;
        for (i, row) in rows.iter().enumerate() {
            if lists.is_null(i) {
                return exec_err!("row {row}: values is null");
            }
            let numbers = lists.numbers(i, &|j| format!("row {row}, column {j}"))?;
            if numbers.is_empty() {
                return exec_err!("row {row} has no values");
            }
            self.settle(store.clone(), numbers.len() as u64, per, scale)
                .map_err(|e| exec_datafusion_err!("row {row}: {e}"))?;
            self.rows.rows.push(*row);
            for v in numbers {
                match v {
                    Number::Int(i) => self.rows.ints.push(i),
                    Number::Float(f) => self.rows.floats.push(f),
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, state: zkmr_proto::MatrixRows) -> Result<()> {
        if state.rows.is_empty() {
            return Ok(());
        }
        self.settle(
            state.store,
            state.cols,
            state.rows_per_partition,
            state.scale_bits,
        )?;
        self.rows.rows.extend(state.rows);
        self.rows.ints.extend(state.ints);
        self.rows.floats.extend(state.floats);
        Ok(())
    }

    /// The matrix's rows in order, checking every row is there once.
    fn matrix(&self) -> Result<Vec<Vec<Number>>> {
        let r = &self.rows;
        let cols = r.cols as usize;
        let n = r.rows.len();
        if !r.ints.is_empty() && !r.floats.is_empty() {
            return exec_err!("values mix integer and float lists");
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_unstable_by_key(|i| r.rows[*i]);
        for (expected, i) in order.iter().enumerate() {
            let row = r.rows[*i];
            if row != expected as u64 {
                return if row < expected as u64 {
                    exec_err!("row {row} appears twice")
                } else {
                    exec_err!("row {expected} is missing (rows are numbered from 0 without gaps)")
                };
            }
        }
        let value = |k: usize| match r.ints.get(k) {
            Some(v) => Number::Int(*v),
            None => Number::Float(r.floats[k]),
        };
        Ok(order
            .iter()
            .map(|i| (i * cols..(i + 1) * cols).map(value).collect())
            .collect())
    }

    fn finish(&mut self) -> Result<ScalarValue> {
        if self.rows.rows.is_empty() {
            return ScalarValue::try_from(DataType::Struct(matrix_fields()));
        }
        let rows = self.matrix()?;
        let encoding =
            FixedPoint::for_values(rows.iter().flatten().copied(), self.rows.scale_bits, None)
                .map_err(|e| failed(NAME, e))?;
        let matrix = IntMatrix::encode(&rows, encoding).map_err(|e| failed(NAME, e))?;
        drop(rows);
        let session = self.shared.options();
        let options = CommitOptions {
            scheme: session.scheme,
            rows_per_partition: self.rows.rows_per_partition as usize,
            srs: session.srs.clone(),
            fold: None,
            replace: session.replace_stores,
        };
        let dest = Path::new(&self.rows.store);
        if session.srs.is_none()
            && zkmr_core::registry::scheme(session.scheme)
                .map_err(|e| failed(NAME, e))?
                .capabilities()
                .srs
        {
            return Err(failed(
                NAME,
                zkmr_core::Error::Usage(format!(
                    "the {} scheme needs an SRS, and this session has none (zkmr sql --srs FILE, \
                     or --dev-srs for the insecure development SRS)",
                    session.scheme
                )),
            ));
        }
        let occupied = zkmr_core::store::is_occupied(dest);
        if occupied && !session.replace_stores {
            return Err(failed(
                NAME,
                zkmr_core::Error::Usage(format!(
                    "{} already exists and is not empty, and this session does not replace key \
                     stores (zkmr sql --force)",
                    dest.display()
                )),
            ));
        }
        let committed = commit(&matrix, encoding, &options, dest, self.shared.progress())
            .map_err(|e| failed(NAME, e))?;
        let manifest = &committed.store.manifest;
        struct_value(
            matrix_fields(),
            vec![
                text(digest_to_hex(&committed.commitment)),
                text(self.rows.store.clone()),
                int(manifest.rows as i64),
                int(manifest.cols as i64),
                int(manifest.partitions.len() as i64),
                int(manifest.rows_per_partition as i64),
                int(manifest.encoding.scale_bits as i64),
                int(manifest.setting_u32("k").map_or(0, i64::from)),
                Arc::new(BooleanArray::from(vec![manifest.is_unsafe()])),
                text(manifest.scheme.to_string()),
            ],
        )
    }
}

impl Accumulator for MatrixAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.update(values).map_err(|e| in_function(NAME, e))
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for state in state::decode::<zkmr_proto::MatrixRows>(states, NAME)? {
            self.merge(state).map_err(|e| in_function(NAME, e))?;
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(state::value(&std::mem::take(&mut self.rows)))
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.finish().map_err(|e| in_function(NAME, e))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.rows.rows.len() * 8
            + self.rows.ints.len() * 8
            + self.rows.floats.len() * 8
    }
}
