//! A job: partitions proved where their rows are, combined by a reducer into a verified
//! bundle, under whichever scheme the key store records.
//!
//! Every engine goes through [`JobRunner`] (the CLI in one process; the SQL aggregates, Spark
//! and Hadoop across tasks through JNI), so a partition proved anywhere is the same
//! [`zkmr_proto::PartitionResult`] and a job committed anywhere is the same bundle and root.
//! Nothing here depends on the scheme: its [`Prover`] does the scheme's part.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::bundle::encoding_from_proto;
use crate::device::{Device, DeviceChoice};
use crate::error::{Error, Result};
use crate::field::{pack_i128, unpack_i128};
use crate::fixed_point::{check_output_range, decode_all, product_scale, y_error_bound, Number};
use crate::matrix::PartitionLayout;
use crate::progress::{Event, Progress};
use crate::sparse::{Block, Entry};
use crate::store::KeyStore;
use crate::store::StoreFiles;
use crate::verify::{verify, x_digest, Verified};
use crate::{PartitionProved, Prover, Scheme, Vectors};

/// A key store opened for proving, with its scheme's prover.
#[derive(Debug)]
pub struct JobRunner {
    pub store: KeyStore,
    prover: Box<dyn Prover>,
}

impl JobRunner {
    /// Opens the store at `dir`. Under halo2 the SRS is read once here, and the device comes
    /// from `ZKMR_DEVICE` (engines have no command line).
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_on(dir, Device::select(DeviceChoice::from_env()))
    }

    /// Opens the store at `dir`, proving on `device` where the scheme uses one.
    pub fn open_on(dir: &Path, device: Device) -> Result<Self> {
        Self::with_store(KeyStore::open(dir)?, device)
    }

    /// Opens the store `files` reads (see [`crate::store::files`]), proving on `device`.
    pub fn open_from(files: Arc<dyn StoreFiles>, device: Device) -> Result<Self> {
        Self::with_store(KeyStore::open_from(files)?, device)
    }

    fn with_store(store: KeyStore, device: Device) -> Result<Self> {
        let scheme = crate::registry::scheme(store.manifest.scheme);
        scheme.check_manifest(&store.manifest, store.dir())?;
        let prover = scheme.prover(store.clone(), device)?;
        Ok(Self { store, prover })
    }

    pub fn scheme(&self) -> Scheme {
        self.prover.scheme()
    }

    pub fn prover(&self) -> &dyn Prover {
        self.prover.as_ref()
    }

    /// The matrix the store holds, as the wire contract describes it.
    pub fn matrix_meta(&self) -> Result<zkmr_proto::MatrixMeta> {
        crate::registry::scheme(self.scheme()).matrix_meta(&self.store.manifest)
    }

    /// The matrix commitment.
    pub fn commitment(&self) -> Result<[u8; 32]> {
        self.store.manifest.commitment()
    }

    /// Refuses the store unless its manifest names `trusted`, the commitment its holder
    /// published. A manifest's digests are unkeyed, so whoever can rewrite a store can reseal
    /// it for another matrix; pinning the commitment means everything proved from the store
    /// verifies against the published one (each proof is verified before it is returned).
    pub fn expect_commitment(&self, trusted: &[u8; 32]) -> Result<()> {
        let have = self.commitment()?;
        if &have != trusted {
            return Err(Error::Input(format!(
                "{}: the key store commits to {}, not the expected commitment {}; it was \
                 replaced or rewritten since that commitment was published",
                self.store.dir().display(),
                hex::encode(have),
                hex::encode(trusted)
            )));
        }
        Ok(())
    }

    /// Whether outputs made with this store are insecure (the development SRS).
    pub fn is_unsafe(&self) -> bool {
        self.prover.is_unsafe()
    }

    /// Checks vectors against the store's matrix and their declared encoding.
    pub fn check_vectors(&self, x: &Vectors) -> Result<()> {
        let cols = self.store.manifest.cols as usize;
        if x.count == 0 {
            return Err(Error::Input("no vectors".into()));
        }
        let most = crate::limits::MAX_VECTORS;
        if x.count as u64 > most {
            return Err(Error::Input(format!(
                "{} vectors are more than the {most} one bundle holds: prove them in batches of at \
                 most {most}",
                x.count
            )));
        }
        if x.values.len() != x.count * cols {
            let what = if x.count == 1 {
                format!("vector has {} entries", x.values.len())
            } else {
                format!("{} vectors hold {} entries in all", x.count, x.values.len())
            };
            return Err(Error::Input(format!(
                "{what} but the matrix has {cols} columns"
            )));
        }
        let bound = 1u64 << x.encoding.value_bits;
        if let Some(k) = x.values.iter().position(|v| v.unsigned_abs() >= bound) {
            let at = if x.count == 1 {
                format!("vector index {k}")
            } else {
                format!("vector {}, index {}", k / cols, k % cols)
            };
            return Err(Error::Input(format!(
                "{at}: {} does not fit the declared {} bits",
                x.values[k], x.encoding.value_bits
            )));
        }
        check_output_range(cols, self.store.manifest.encoding, x.encoding)
    }

    /// Encodes the rows one task received as one partition's block: every row of a single
    /// partition, each once, in any order. Says which row is out of place or missing.
    pub fn block_of(&self, rows: Vec<(u64, Vec<Number>)>) -> Result<(u32, Vec<i64>)> {
        let m = &self.store.manifest;
        let layout = PartitionLayout {
            rows: m.rows,
            cols: m.cols as usize,
            rows_per_partition: m.rows_per_partition as u64,
            encoding: m.encoding,
        };
        layout.block_of(rows)
    }

    /// Encodes the coordinate entries one task received as one partition's sparse block (see
    /// [`PartitionLayout::entries_of`]).
    pub fn entries_of(&self, entries: Vec<Entry>) -> Result<(u32, Block)> {
        let m = &self.store.manifest;
        PartitionLayout {
            rows: m.rows,
            cols: m.cols as usize,
            rows_per_partition: m.rows_per_partition as u64,
            encoding: m.encoding,
        }
        .entries_of(entries)
    }

    /// Proves partition `index` for `x`, given the partition's rows as the task received them
    /// (encoded; dense rows or coordinate entries, whichever form the store keeps). Values that
    /// differ from the committed block are reported by row and column: a proof over other
    /// values than the committed ones cannot verify.
    pub fn prove_block(
        &self,
        index: u32,
        block: &Block,
        x: &Vectors,
    ) -> Result<zkmr_proto::PartitionResult> {
        self.check_vectors(x)?;
        let committed = self.prover.block(index)?;
        let rows = self.store.manifest.partitioning()?.range(index as usize);
        let cols = self.store.manifest.cols as usize;
        if let Some((i, j)) = committed.first_difference(block, rows.len(), cols) {
            return Err(Error::Input(format!(
                "row {}, column {j}: the value differs from the matrix committed in {}",
                rows.start + i,
                self.store.dir().display()
            )));
        }
        let started = Instant::now();
        let proved = self.prover.prove_partition(index, x)?;
        tracing::info!(
            partition = index,
            seconds = started.elapsed().as_secs_f64(),
            "proved"
        );
        self.result(proved, x)
    }

    fn result(&self, proved: PartitionProved, x: &Vectors) -> Result<zkmr_proto::PartitionResult> {
        Ok(zkmr_proto::PartitionResult {
            proof: Some(zkmr_proto::PartitionProof {
                y: pack_i128(&proved.y),
                ..proved.proof
            }),
            matrix_commitment: self.commitment()?.to_vec(),
            x: x.values.clone(),
            x_encoding: Some(crate::bundle::encoding_to_proto(x.encoding)),
            scheme: self.scheme().to_proto(),
            vectors: x.count as u32,
            device: proved.device,
            prove_seconds: proved.seconds,
        })
    }

    /// Proves every partition for `x` in this process, in parallel, assembles the bundle and
    /// verifies it against the store's commitment before returning anything: a store whose
    /// files were changed consistently enough to pass their digests still cannot hand out an
    /// unverified `y`.
    pub fn prove(&self, x: &Vectors, progress: &dyn Progress) -> Result<Proved> {
        self.check_vectors(x)?;
        let started = Instant::now();
        let count = self.store.manifest.partitions.len();
        progress.report(Event::Started { total: count });
        let partitions = (0..count as u32)
            .into_par_iter()
            .map(|index| {
                let proved = self.prover.prove_partition(index, x)?;
                progress.report(Event::PartitionDone { index });
                Ok(proved)
            })
            .collect::<Result<Vec<_>>>()?;
        let bundle = self.prover.assemble(x, partitions)?;
        let seconds = started.elapsed().as_secs_f64();
        let verified = verify(&bundle, &self.commitment()?).map_err(|e| {
            Error::Format(format!(
                "{}: the key store's own result does not verify, so it is damaged or \
                 inconsistent ({e}); commit the matrix again",
                self.store.dir().display()
            ))
        })?;
        Ok(Proved {
            bundle,
            y: verified.y,
            job_root: verified.job_root,
            seconds,
        })
    }

    /// A bound on the rounding error of `y = A·x` against the unrounded inputs; `x_exact`
    /// says whether `x` encoded without rounding (see [`y_error_bound`]).
    pub fn y_error_bound(&self, x: &Vectors, x_exact: bool) -> f64 {
        let manifest = &self.store.manifest;
        y_error_bound(
            manifest.encoding,
            manifest.rounding,
            x.encoding,
            x_exact,
            &x.values,
            manifest.cols as usize,
        )
    }

    /// What a proved partition says, in the terms a user reads: rows, decoded `y`, digests.
    pub fn summarize(&self, result: &zkmr_proto::PartitionResult) -> Result<PartitionSummary> {
        let proof = result
            .proof
            .as_ref()
            .ok_or_else(|| Error::Format("partition result without a proof".into()))?;
        let x = self.vectors_of(result)?;
        let y = unpack_i128(&proof.y, "y")?;
        Ok(PartitionSummary {
            index: proof.index,
            row_start: proof.row_start,
            row_end: proof.row_end,
            y: decode_all(&y, product_scale(self.store.manifest.encoding, x.encoding)),
            key_digest: self.prover.key_digest(proof.index)?,
            leaf: self.prover.job_leaf(proof.index, &x, &y)?,
            prove_seconds: result.prove_seconds,
        })
    }

    fn vectors_of(&self, result: &zkmr_proto::PartitionResult) -> Result<Vectors> {
        Ok(Vectors {
            values: result.x.clone(),
            count: result.vectors.max(1) as usize,
            encoding: encoding_from_proto(result.x_encoding.as_ref(), "x_encoding")?,
        })
    }

    /// The reduce step for the job's `x`, as the driver or the query gave it: checks that
    /// `results` are this store's partitions, each once, proved for that `x` and this matrix
    /// under its scheme, assembles the bundle and verifies it against the store's commitment.
    /// The reducer does not trust the tasks that proved: a task that proved another `x`, or a
    /// bundle that fails, is rejected naming the partition at fault.
    pub fn reduce(
        &self,
        x: &Vectors,
        results: Vec<zkmr_proto::PartitionResult>,
    ) -> Result<Reduced> {
        let commitment = self.commitment()?;
        if results.is_empty() {
            return Err(Error::Input("the job has no partition results".into()));
        }
        self.check_vectors(x)?;
        let x = x.clone();
        // In partition order, so that a job whose tasks all proved another x names the first.
        let mut results = results;
        results.sort_by_key(|r| r.proof.as_ref().map_or(u32::MAX, |p| p.index));
        let mut partitions = Vec::with_capacity(results.len());
        for result in results {
            let proof = result
                .proof
                .ok_or_else(|| Error::Format("a partition result has no proof".into()))?;
            if result.scheme != self.scheme().to_proto() {
                return Err(Error::Input(format!(
                    "partition {} was proved under another scheme than the store's {}",
                    proof.index,
                    self.scheme()
                )));
            }
            if result.x != x.values
                || result.vectors.max(1) as usize != x.count
                || encoding_from_proto(result.x_encoding.as_ref(), "x_encoding")? != x.encoding
            {
                return Err(Error::rejected(
                    proof.index,
                    format!(
                        "its task proved another x than the job's (digest {} against the \
                         job's {}): the task is faulty",
                        hex::encode(x_digest(
                            &result.x,
                            result.vectors.max(1) as usize,
                            encoding_from_proto(result.x_encoding.as_ref(), "x_encoding")
                                .unwrap_or(x.encoding)
                        )),
                        hex::encode(x_digest(&x.values, x.count, x.encoding))
                    ),
                ));
            }
            if result.matrix_commitment != commitment {
                return Err(Error::Input(format!(
                    "partition {} was proved for another matrix than the one in {}",
                    proof.index,
                    self.store.dir().display()
                )));
            }
            let y = unpack_i128(&proof.y, "y")?;
            partitions.push(PartitionProved {
                y,
                proof,
                device: result.device,
                seconds: result.prove_seconds,
            });
        }
        order_partitions(&self.store, &mut partitions, x.count)?;
        let bundle = self.prover.assemble(&x, partitions)?;
        let verified = verify(&bundle, &commitment).map_err(|e| self.locate(&bundle, e))?;
        // Engines pass vectors as numbers already chosen a scale for: a scale of 0 is chosen
        // only for integers, which encode exactly; at any other scale rounding is counted.
        let y_error_bound = self.y_error_bound(&x, x.encoding.scale_bits == 0);
        Ok(Reduced {
            bundle,
            verified,
            commitment,
            y_error_bound,
        })
    }

    /// A failed job check names the partition at fault where the store can tell: the holder
    /// recomputes each partition's block of `y` from the block it committed.
    pub fn locate(&self, bundle: &zkmr_proto::Bundle, err: Error) -> Error {
        if !matches!(
            err,
            Error::Rejected {
                partition: None,
                ..
            }
        ) {
            return err;
        }
        let all: Vec<u32> = (0..self.store.manifest.partitions.len() as u32).collect();
        match self.prover.partitions_hold(bundle, &all) {
            Ok(Some(holds)) => match holds.iter().position(|h| !h) {
                Some(index) => Error::rejected(
                    index as u32,
                    "its y block is not the product of the committed block (the job check \
                     failed)",
                ),
                None => err,
            },
            Ok(None) | Err(_) => err,
        }
    }

    /// Shows partition `index` of `bundle` on its own, for a third party to check against
    /// the matrix commitment and the job root (see `zkmr_pedersen::opening`). The bundle
    /// must verify against this store first: openings are made for verified jobs only.
    pub fn open_partition(
        &self,
        bundle: &zkmr_proto::Bundle,
        index: u32,
    ) -> Result<zkmr_proto::PartitionOpening> {
        verify(bundle, &self.commitment()?).map_err(|e| self.locate(bundle, e))?;
        self.prover.open_partition(bundle, index)
    }

    /// Checks partition `index` of `bundle` alone, against the block this store committed.
    pub fn check_partition(&self, bundle: &zkmr_proto::Bundle, index: u32) -> Result<()> {
        match self.prover.partitions_hold(bundle, &[index])?.as_deref() {
            Some([true]) => Ok(()),
            Some(_) => Err(Error::rejected(
                index,
                "its y block is not the product of the committed block",
            )),
            None => Err(Error::Usage(format!(
                "the {} scheme checks partitions with the whole bundle: drop --partition",
                self.scheme()
            ))),
        }
    }
}

/// Sorts `partitions` and checks that each partition of the store is there exactly once, over
/// its rows, with one `y` block per vector.
pub fn order_partitions(
    store: &KeyStore,
    partitions: &mut [PartitionProved],
    vectors: usize,
) -> Result<()> {
    let listed = &store.manifest.partitions;
    partitions.sort_by_key(|p| p.proof.index);
    for (position, p) in partitions.iter().enumerate() {
        let index = p.proof.index;
        if position > 0 && partitions[position - 1].proof.index == index {
            return Err(Error::Input(format!("partition {index} appears twice")));
        }
        let Some(id) = listed.get(index as usize) else {
            return Err(Error::Input(format!(
                "partition {index} is not in the key store, which has {} partitions",
                listed.len()
            )));
        };
        let rows = id.row_end - id.row_start;
        if (p.proof.row_start, p.proof.row_end) != (id.row_start, id.row_end)
            || p.y.len() as u64 != rows * vectors as u64
        {
            return Err(Error::Input(format!(
                "partition {index}: rows {}..{} with {} outputs, the key store has rows {}..{} \
                 and {vectors} vectors",
                p.proof.row_start,
                p.proof.row_end,
                p.y.len(),
                id.row_start,
                id.row_end
            )));
        }
    }
    if partitions.len() != listed.len() {
        let have: std::collections::HashSet<u32> =
            partitions.iter().map(|p| p.proof.index).collect();
        let missing: Vec<String> = (0..listed.len() as u32)
            .filter(|i| !have.contains(i))
            .map(|i| i.to_string())
            .collect();
        return Err(Error::Input(format!(
            "partitions missing from the job: {}",
            missing.join(", ")
        )));
    }
    Ok(())
}

/// A job proved in one process.
#[derive(Debug)]
pub struct Proved {
    pub bundle: zkmr_proto::Bundle,
    /// `Y = A X`, encoded at scale `s_A + s_x`: one block of all rows per vector.
    pub y: Vec<i128>,
    pub job_root: [u8; 32],
    pub seconds: f64,
}

/// A proved partition as a user reads it.
#[derive(Clone, Debug)]
pub struct PartitionSummary {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    /// The partition's blocks of `y`, decoded, one per vector.
    pub y: Vec<f64>,
    /// The partition's key digest (halo2: its verifying key's); `None` under pedersen, whose
    /// one key is the matrix's.
    pub key_digest: Option<[u8; 32]>,
    /// The partition's job leaf: index, rows, key, `x` and `y` block.
    pub leaf: [u8; 32],
    pub prove_seconds: f64,
}

/// A job assembled and verified on the reduce side.
#[derive(Debug)]
pub struct Reduced {
    pub bundle: zkmr_proto::Bundle,
    pub verified: Verified,
    pub commitment: [u8; 32],
    /// A bound on `y`'s rounding error against the unrounded inputs.
    pub y_error_bound: f64,
}

impl Reduced {
    /// `Y = A X`, decoded, vector after vector.
    pub fn y(&self) -> Vec<f64> {
        decode_all(&self.verified.y, self.verified.y_scale_bits)
    }
}
