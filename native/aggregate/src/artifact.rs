//! The aggregated-proof file: a [`zkmr_proto::AggregatedProof`].

use std::path::Path;

use prost::Message;
use zkmr_core::bundle::{encoding_from_proto, encoding_to_proto};
use zkmr_core::field::{from_bytes, pack_i128_fixed, to_bytes, unpack_i128_fixed, F};
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::fsio::{read_bytes, write_bytes};
use zkmr_core::halo2::meta::{meta_from_proto, meta_to_proto};
use zkmr_core::halo2::shape::CircuitShape;
use zkmr_core::halo2::srs::VerifierSrs;
use zkmr_core::halo2::statement::MatrixHeader;
use zkmr_core::matrix::Partitioning;
use zkmr_core::{Error, Result};

use crate::node_circuit::{JobContext, ACCUMULATOR_LIMBS};
use crate::settings::Settings;

/// An aggregated proof and the values it speaks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aggregated {
    pub header: MatrixHeader,
    pub partitions: usize,
    pub settings: Settings,
    pub srs: VerifierSrs,
    pub matrix_commitment: F,
    pub job_root: F,
    pub x_digest: F,
    pub y_digest: F,
    pub accumulator: Vec<F>,
    pub proof: Vec<u8>,
    pub x: Vec<i64>,
    pub x_encoding: FixedPoint,
    pub y: Vec<i128>,
}

impl Aggregated {
    /// The root proof's public inputs, in circuit order.
    pub fn instances(&self) -> Vec<F> {
        let mut values = self.accumulator.clone();
        values.extend([
            self.matrix_commitment,
            self.job_root,
            self.x_digest,
            self.y_digest,
        ]);
        values
    }

    /// What the aggregation circuits were made for.
    pub fn context(&self) -> Result<JobContext> {
        let h = self.header;
        Ok(JobContext {
            header: h,
            shape: CircuitShape::new(
                h.rows_per_partition as usize,
                h.cols as usize,
                h.fold as usize,
            )
            .map_err(|e| Error::Format(format!("aggregated proof: matrix shape: {e}")))?,
            partitions: self.partitions,
            x_encoding: self.x_encoding,
        })
    }

    pub fn to_proto(&self) -> zkmr_proto::AggregatedProof {
        let field = |v: &F| to_bytes(v).to_vec();
        zkmr_proto::AggregatedProof {
            version: zkmr_proto::AGGREGATED_VERSION,
            matrix: Some(meta_to_proto(&self.header)),
            partitions: self.partitions as u32,
            fan_in: self.settings.fan_in as u32,
            k: self.settings.k,
            srs: Some(self.srs.to_proto()),
            matrix_commitment: field(&self.matrix_commitment),
            job_root: field(&self.job_root),
            x_digest: field(&self.x_digest),
            y_digest: field(&self.y_digest),
            accumulator: self.accumulator.iter().map(field).collect(),
            proof: self.proof.clone(),
            x: self.x.clone(),
            x_encoding: Some(encoding_to_proto(self.x_encoding)),
            y: pack_i128_fixed(&self.y),
        }
    }

    pub fn from_proto(p: &zkmr_proto::AggregatedProof) -> Result<Self> {
        if p.version != zkmr_proto::AGGREGATED_VERSION {
            return Err(Error::Format(format!(
                "aggregated proof version {} is not the supported {}",
                p.version,
                zkmr_proto::AGGREGATED_VERSION
            )));
        }
        if p.accumulator.len() != ACCUMULATOR_LIMBS {
            return Err(Error::Format(format!(
                "aggregated proof: accumulator has {} limbs, expected {ACCUMULATOR_LIMBS}",
                p.accumulator.len()
            )));
        }
        let field =
            |bytes: &[u8], what: &str| from_bytes(bytes, &format!("aggregated proof {what}"));
        let header = meta_from_proto(p.matrix.as_ref())?;
        let settings = Settings {
            fan_in: p.fan_in as usize,
            k: p.k,
        };
        settings
            .check()
            .map_err(|e| Error::Format(format!("aggregated proof: {e}")))?;
        let y = unpack_i128_fixed(&p.y, "aggregated proof y")?;
        // Every size the verifier builds by is tied to bytes the file carries (x and y) before
        // anything is made for it.
        let partitions =
            Partitioning::new(header.rows as usize, header.rows_per_partition as usize)
                .map(|p| p.count())
                .ok();
        if y.len() as u64 != header.rows
            || p.x.len() as u64 != header.cols
            || partitions != Some(p.partitions as usize)
        {
            return Err(Error::Format(format!(
                "aggregated proof: it carries {} entries of x and {} of y in {} partitions, \
                 its header declares a {}x{} matrix in partitions of {} rows",
                p.x.len(),
                y.len(),
                p.partitions,
                header.rows,
                header.cols,
                header.rows_per_partition
            )));
        }
        Ok(Self {
            header,
            partitions: p.partitions as usize,
            settings,
            srs: VerifierSrs::from_proto(
                p.srs
                    .as_ref()
                    .ok_or_else(|| Error::Format("aggregated proof: missing srs".into()))?,
            )?,
            matrix_commitment: field(&p.matrix_commitment, "matrix_commitment")?,
            job_root: field(&p.job_root, "job_root")?,
            x_digest: field(&p.x_digest, "x_digest")?,
            y_digest: field(&p.y_digest, "y_digest")?,
            accumulator: p
                .accumulator
                .iter()
                .enumerate()
                .map(|(i, limb)| field(limb, &format!("accumulator[{i}]")))
                .collect::<Result<_>>()?,
            proof: p.proof.clone(),
            x: p.x.clone(),
            x_encoding: encoding_from_proto(p.x_encoding.as_ref(), "x_encoding")?,
            y,
        })
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        write_bytes(path, &self.to_proto().encode_to_vec())
    }

    pub fn decode(bytes: &[u8], what: &str) -> Result<Self> {
        let proto = zkmr_proto::AggregatedProof::decode(bytes)
            .map_err(|e| Error::Format(format!("{what}: not a zkmr aggregated proof: {e}")))?;
        Self::from_proto(&proto).map_err(|e| match e {
            Error::Format(reason) => Error::Format(format!("{what}: {reason}")),
            other => other,
        })
    }

    pub fn read(path: &Path) -> Result<Self> {
        Self::decode(&read_bytes(path)?, &path.display().to_string())
    }
}
