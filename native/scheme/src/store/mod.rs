//! The prover's key store: a directory made by `commit` and read by `prove`, from that
//! directory or from wherever an engine keeps it ([`crate::store::files`]).
//!
//! Every store has a `manifest.json` naming its scheme, the matrix's shape and encoding, the
//! matrix commitment and the partition list. The rest is the scheme's (each scheme crate's
//! `store` module); today's:
//!
//! ```text
//! halo2:    srs.params              the SRS downsized to the circuit size
//!           partitions/NNNNNN.key   PartitionKey (protobuf): verifying key and encoded block
//! pedersen: matrix.key              PedersenMatrixKey: the column commitments C_j (public)
//!           secret.key              PedersenSecret: blinding seed and column blindings
//!           partitions/NNNNNN.part  PedersenPartition: encoded block and C_{p,j}
//! ```
//!
//! Files holding the matrix or a secret are readable by their owner only.
//!
//! The manifest lists the BLAKE3 digest of every other file and carries a checksum of itself,
//! and it must be in the one form this code writes: a changed byte anywhere in a store is
//! found when the file is read, before anything is proved from it. (This catches corruption
//! and files swapped between stores; a prover who edits a store on purpose is caught by
//! verification, which never trusts the store.)
//!
//! A store is built in a temporary directory beside its destination and renamed into place,
//! so a failed `commit` leaves nothing behind and a reader never sees half a store. While it
//! is built, the destination is locked: a second `commit` into it fails at once.

pub mod files;
pub mod manifest;
pub mod open;
pub mod writer;

pub use files::{DirFiles, StoreFiles};
pub use manifest::{digest_from_hex, digest_to_hex, manifest, Manifest, ManifestPartition};
pub use open::{is_key_store, is_occupied, KeyStore};
pub use writer::KeyStoreWriter;
