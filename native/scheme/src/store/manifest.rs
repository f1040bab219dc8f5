//! `manifest.json`: what a key store holds, sealed with the digest of every other file and a
//! checksum of itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::{FixedPoint, MatrixRounding};
use zkmr_math::matrix::Partitioning;

use crate::digest::PartitionId;
use crate::id::Scheme;
use crate::srs::SrsSource;

pub(crate) const FORMAT: &str = "zkmr-keystore";
/// The most entries of one partition's block: a manifest that declares more (or more rows or
/// columns than [`MAX_DIMENSION`]) is refused before anything is allocated.
pub(crate) const MAX_BLOCK_ENTRIES: u64 = 1 << 34;
/// Version 5: a pedersen store keeps one matrix key and no per-partition commitments, so its
/// partitions list no key digest. Version 4: file digests and the manifest's checksum. Version 3: the scheme is recorded.
/// Version 2: key digests hash the key's commitments (see
/// the halo2 scheme's `keys::key_digest`).
pub(crate) const VERSION: u32 = 5;

/// `manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub scheme: Scheme,
    pub rows: u64,
    pub cols: u64,
    pub encoding: FixedPoint,
    pub rows_per_partition: u32,
    /// What bounds the rounding error of `y`.
    pub rounding: MatrixRounding,
    /// The scheme's own settings, under the scheme's name: the halo2 scheme records its circuit
    /// and SRS (`"halo2": {"fold", "k", "srs", "srs_digest"}`); a scheme with none records
    /// nothing. The scheme checks them when it opens the store.
    #[serde(flatten)]
    pub settings: BTreeMap<String, serde_json::Value>,
    pub matrix_commitment: String,
    pub partitions: Vec<ManifestPartition>,
    /// BLAKE3 (hex) of every other file of the store, by path relative to the store.
    pub files: BTreeMap<String, String>,
    /// BLAKE3 (hex) of this manifest as written with an empty checksum.
    pub checksum: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManifestPartition {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    /// The digest of the partition's own key, under a scheme with one key per partition
    /// (halo2's verifying keys); empty under one with a key for the whole matrix.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key_digest: String,
}

impl Manifest {
    /// The settings the store's scheme records under its own name, read as `T`; `None` where
    /// it records none.
    pub fn settings<T: serde::de::DeserializeOwned>(&self) -> Result<Option<T>> {
        self.settings
            .get(self.scheme.name())
            .map(|v| {
                serde_json::from_value(v.clone()).map_err(|e| {
                    Error::Format(format!("manifest: the {} settings: {e}", self.scheme))
                })
            })
            .transpose()
    }

    /// One of the settings the store's scheme records (`k`, `fold`, ...), for reports.
    pub fn setting(&self, name: &str) -> Option<&serde_json::Value> {
        self.settings.get(self.scheme.name())?.get(name)
    }

    /// One of the settings the store's scheme records, as a number (`k`, `fold`), for reports.
    pub fn setting_u32(&self, name: &str) -> Option<u32> {
        self.setting(name)?.as_u64()?.try_into().ok()
    }

    /// Where the store's SRS came from, for a scheme made with one (it records it as its `srs`
    /// setting).
    pub fn srs(&self) -> Option<SrsSource> {
        serde_json::from_value(self.setting("srs")?.clone()).ok()
    }

    /// Whether outputs made with this store are insecure (the development SRS).
    pub fn is_unsafe(&self) -> bool {
        self.srs().is_some_and(|s| s.is_unsafe())
    }

    /// The partitions the manifest lists, in its order.
    pub fn partition_ids(&self) -> Vec<PartitionId> {
        self.partitions
            .iter()
            .map(|p| PartitionId {
                index: p.index,
                row_start: p.row_start,
                row_end: p.row_end,
            })
            .collect()
    }

    pub fn partitioning(&self) -> Result<Partitioning> {
        Partitioning::new(self.rows as usize, self.rows_per_partition as usize)
    }

    /// The matrix commitment as bytes.
    pub fn commitment(&self) -> Result<[u8; 32]> {
        digest_from_hex(&self.matrix_commitment, "manifest matrix_commitment")
    }

    /// This manifest listing `files` (name to BLAKE3 digest, hex) and sealed with its checksum:
    /// what a store's `manifest.json` holds.
    pub fn sealed(self, files: BTreeMap<String, String>) -> Manifest {
        let mut manifest = Manifest {
            files,
            checksum: String::new(),
            ..self
        };
        manifest.checksum = manifest.compute_checksum();
        manifest
    }

    /// The manifest's bytes as written.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("manifest serialises");
        bytes.push(b'\n');
        bytes
    }

    /// The checksum of this manifest: its bytes with the checksum left empty.
    pub(crate) fn compute_checksum(&self) -> String {
        let unsealed = Manifest {
            checksum: String::new(),
            ..self.clone()
        };
        blake3::hash(&unsealed.to_bytes()).to_hex().to_string()
    }
}

/// 32 bytes as 64 hex digits, as commitments, roots and digests are printed.
pub fn digest_to_hex(d: &[u8; 32]) -> String {
    hex::encode(d)
}

/// Reads 64 hex digits (an optional `0x` first) as 32 bytes; `what` names them in the error.
pub fn digest_from_hex(s: &str, what: &str) -> Result<[u8; 32]> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    let bytes = hex::decode(s).map_err(|e| Error::Format(format!("{what}: not hex: {e}")))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| Error::Format(format!("{what}: expected 32 bytes, got {}", b.len())))
}

/// The manifest of a finished commit under `scheme`, with the scheme's `settings` (if any);
/// `partitions` are `(index, rows, key digest)` in partition order, the key digest only under
/// a scheme with a key per partition.
pub fn manifest(
    scheme: Scheme,
    shape: (u64, u64, FixedPoint, u32),
    rounding: MatrixRounding,
    settings: Option<serde_json::Value>,
    commitment: &[u8; 32],
    partitions: impl IntoIterator<Item = (u32, u64, u64, Option<[u8; 32]>)>,
) -> Manifest {
    let (rows, cols, encoding, rows_per_partition) = shape;
    Manifest {
        format: FORMAT.into(),
        version: VERSION,
        scheme,
        rows,
        cols,
        encoding,
        rows_per_partition,
        rounding,
        settings: settings
            .map(|v| (scheme.name().to_string(), v))
            .into_iter()
            .collect(),
        matrix_commitment: hex::encode(commitment),
        files: BTreeMap::new(),
        checksum: String::new(),
        partitions: partitions
            .into_iter()
            .map(
                |(index, row_start, row_end, key_digest)| ManifestPartition {
                    index,
                    row_start,
                    row_end,
                    key_digest: key_digest.map(hex::encode).unwrap_or_default(),
                },
            )
            .collect(),
    }
}
