//! The key store target: a small valid store of each scheme, one of whose files an input
//! replaces before the store is opened and used.
//!
//! The stores are the ones in `native/fuzz/stores/` (written by `fuzz/seed.sh` with the CLI),
//! built into the binary. They are fixed rather than made afresh at start-up because a commit draws
//! a random blinding seed: the corpus entries are these stores' own files, and a file only
//! passes the store's cross-checks (key digests in the manifest, the commitment) next to the
//! files it was made with, which is what lets mutations reach the proving code.
//!
//! A store's manifest lists the BLAKE3 digest of every other file and a checksum of itself, so
//! a changed byte is caught before the file is parsed. Those checks are not the whole defence:
//! anyone who edits a store on purpose can recompute the digests, and what reads the files must
//! still fail cleanly. So after replacing a file the target re-seals the manifest (the file's
//! new digest, a fresh checksum) as such an editor would, and the parsers behind the checks get
//! the input; an input for the manifest itself is tried both as given and re-sealed.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::halo2::keys::vk_from_bytes;
use zkmr_core::job::JobRunner;
use zkmr_core::progress::Silent;
use zkmr_core::store::Manifest;
use zkmr_core::Scheme;
use zkmr_core::Vectors;

/// A store's files: `(path in the store, contents)`.
type Files = &'static [(&'static str, &'static [u8])];

const MANIFEST: &str = "manifest.json";

/// The 3x4 matrix of `examples/matvec.json`, committed under the Pedersen scheme with two
/// rows per partition.
const PEDERSEN: Files = &[
    (MANIFEST, include_bytes!("../stores/pedersen/manifest.json")),
    (
        "matrix.key",
        include_bytes!("../stores/pedersen/matrix.key"),
    ),
    (
        "secret.key",
        include_bytes!("../stores/pedersen/secret.key"),
    ),
    (
        "partitions/000000.part",
        include_bytes!("../stores/pedersen/partitions/000000.part"),
    ),
    (
        "partitions/000001.part",
        include_bytes!("../stores/pedersen/partitions/000001.part"),
    ),
];

/// The same matrix under the halo2 scheme (development SRS, k = 4).
const HALO2: Files = &[
    (MANIFEST, include_bytes!("../stores/halo2/manifest.json")),
    ("srs.params", include_bytes!("../stores/halo2/srs.params")),
    (
        "partitions/000000.key",
        include_bytes!("../stores/halo2/partitions/000000.key"),
    ),
    (
        "partitions/000001.key",
        include_bytes!("../stores/halo2/partitions/000001.key"),
    ),
];

/// Every file an input can replace, as `(scheme, path in the store, contents)`, in the order
/// its first byte selects them (modulo the count): the corpus entries in `corpus/keystore/`
/// start with the index of the file they hold, so this order must not change without
/// regenerating them.
pub fn files() -> impl Iterator<Item = (&'static str, &'static str, &'static [u8])> {
    let pedersen = PEDERSEN
        .iter()
        .map(|(name, bytes)| ("pedersen", *name, *bytes));
    let halo2 = HALO2.iter().map(|(name, bytes)| ("halo2", *name, *bytes));
    pedersen.chain(halo2)
}

/// The stores written out once per process, under `scheme/`. A store that does not work as
/// it is (one made before a change to the store format) is worth a warning: every input would
/// stop at the first check, so the target would fuzz nothing past it.
fn stores() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = crate::scratch_dir().join("stores");
        for (scheme, name, bytes) in files() {
            let path = dir.join(scheme).join(name);
            std::fs::create_dir_all(path.parent().expect("a store file has a parent"))
                .expect("creating the store directory");
            std::fs::write(&path, bytes).expect("writing a store file");
        }
        for scheme in ["pedersen", "halo2"] {
            if let Err(e) = use_store(&dir.join(scheme)) {
                eprintln!(
                    "warning: native/fuzz/stores/{scheme} does not work ({e}); remake it with fuzz/seed.sh"
                );
            }
        }
        dir
    })
}

/// Replaces the file `data[0]` selects with `data[1..]`, uses the store, and puts the store
/// back as it was.
pub fn run(data: &[u8]) {
    let Some((&selector, contents)) = data.split_first() else {
        return;
    };
    let count = files().count();
    let (scheme, name, original) = files()
        .nth(usize::from(selector) % count)
        .expect("the selector is reduced modulo the count");
    let dir = stores().join(scheme);
    let manifest = files()
        .find(|(s, n, _)| (*s, *n) == (scheme, MANIFEST))
        .map(|(_, _, bytes)| bytes)
        .expect("every store has a manifest");
    let write = |name: &str, bytes: &[u8]| crate::replace_file(&dir.join(name), bytes);
    if name == MANIFEST {
        write(MANIFEST, contents);
        let _ = JobRunner::open_on(&dir, Device::Cpu);
        if let Some(sealed) = serde_json::from_slice(contents).ok().and_then(seal) {
            write(MANIFEST, &sealed);
            let _ = use_store(&dir);
        }
    } else {
        write(name, contents);
        let mut listed: Manifest =
            serde_json::from_slice(manifest).expect("the built-in manifest parses");
        listed
            .files
            .insert(name.into(), blake3::hash(contents).to_hex().to_string());
        if let Some(sealed) = seal(listed) {
            write(MANIFEST, &sealed);
            let _ = use_store(&dir);
        }
        write(name, original);
    }
    write(MANIFEST, manifest);
}

/// The manifest's bytes with its checksum set, in the one form a store accepts (what
/// `zkmr_core::store` writes: pretty JSON and a newline, the checksum being the BLAKE3 of
/// that form with an empty checksum).
fn seal(mut manifest: Manifest) -> Option<Vec<u8>> {
    let form = |m: &Manifest| {
        serde_json::to_vec_pretty(m).ok().map(|mut bytes| {
            bytes.push(b'\n');
            bytes
        })
    };
    manifest.checksum = String::new();
    manifest.checksum = blake3::hash(&form(&manifest)?).to_hex().to_string();
    form(&manifest)
}

/// What the engines do with a store. Pedersen and cqlin: prove every partition for a vector and
/// assemble the bundle (reading every file), then, as the reducer holding the store does,
/// verify the bundle and check each partition against its own commitments. Halo2: read the SRS
/// and every partition key and parse its verifying key; proving takes about a second per input
/// in the instrumented build, which would leave the other files of the target unfuzzed.
fn use_store(dir: &Path) -> zkmr_core::Result<()> {
    let store = JobRunner::open_on(dir, Device::Cpu)?;
    let partitions = store.store.manifest.partitions.len() as u32;
    match store.scheme() {
        Scheme::Pedersen | Scheme::Cqlin => {
            let x = Vectors::one(vec![3, -1, 4, -1], FixedPoint::new(0, 32)?);
            let proved = store.prove(&x, &Silent)?;
            zkmr_core::verify::verify(&proved.bundle, &store.commitment()?)?;
            for index in 0..partitions {
                store.check_partition(&proved.bundle, index)?;
            }
        }
        Scheme::Halo2 => {
            let shape = zkmr_core::halo2::store::shape(&store.store.manifest)?;
            for index in 0..partitions {
                let key = zkmr_core::halo2::store::partition(&store.store, index)?;
                vk_from_bytes(&key.verifying_key, shape, index)?;
            }
        }
    }
    Ok(())
}
