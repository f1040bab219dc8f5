//! The wire contract shared by the CLI, the JNI bridge and the JVM side.
//!
//! Every artifact that leaves a process (a proof bundle, a partition result) is one of these
//! messages, so Java, Scala and Rust read the same bytes. The schema lives in
//! `proto/zkmr.proto`; the Rust types are generated at build time.

include!(concat!(env!("OUT_DIR"), "/zkmr.v1.rs"));

/// Version written into every [`Bundle`]; readers take [`BUNDLE_VERSIONS`]. Version 6: a
/// partition's `y` in its shortest common width (a width byte, then the entries), not 16 bytes
/// per entry. Version 5: a Pedersen
/// commitment binds one matrix key and partitions carry no key digest. Version 4: every byte is
/// bound (nothing informational, canonical encoding only). Version 3: the scheme, batches
/// of vectors and the Pedersen proof. Version 2: partition
/// proofs use the Poseidon transcript and key digests hash the key's commitments.
pub const BUNDLE_VERSION: u32 = 6;

/// The bundle versions readers take: this one, and version 5, whose `y` blocks take 16 bytes per
/// entry ([`BUNDLE_VERSION_FIXED_Y`]).
pub const BUNDLE_VERSIONS: std::ops::RangeInclusive<u32> = 5..=6;

/// The last bundle version whose `y` blocks take 16 bytes per entry.
pub const BUNDLE_VERSION_FIXED_Y: u32 = 5;

/// Version written into every [`PartitionOpening`]; readers reject any other. Version 2: the
/// partition is checked against the matrix key with a representation proof over the other
/// rows' generators.
pub const OPENING_VERSION: u32 = 2;

/// Version written into every [`ChainProof`]; readers reject any other.
pub const CHAIN_VERSION: u32 = 1;

/// Version written into every [`AggregatedProof`]; readers reject any other.
pub const AGGREGATED_VERSION: u32 = 1;

/// Version written into every batch proof's [`BatchHeader`]; readers also take version 1, whose
/// chunks all hold their bundles (version 2 lets a chunk name the file holding it).
pub const BATCH_VERSION: u32 = 2;

/// Version written into every [`BatchInputOpening`]; readers reject any other.
pub const INPUT_OPENING_VERSION: u32 = 1;
