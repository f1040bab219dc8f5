//! What the fuzz targets in `fuzz_targets/` share: a scratch file for the readers that take a
//! path, the steps the CLI takes after reading an input, and the key store target's stores.
//!
//! Every function here swallows errors: a target fails only by panicking, aborting, running
//! out of memory or stalling (scripts/fuzz.sh allows 30 s an input), which is what fuzzing
//! looks for. Rejecting malformed input is the expected outcome.

pub mod keystore;

use std::panic::Location;
use std::path::{Path, PathBuf};
use std::sync::{Once, OnceLock};

use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::matrix::{encode_vector, IntMatrix};
use zkmr_io::InputFormat;

/// This process's scratch directory. It is never removed (libFuzzer exits without running
/// destructors), so scripts/fuzz.sh points `TMPDIR` at a directory it removes itself.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        tempfile::Builder::new()
            .prefix("zkmr-fuzz-")
            .tempdir()
            .expect("a scratch directory")
            .keep()
    })
}

/// Writes `data` to the scratch input file and returns its path: the readers take paths, as
/// the CLI gives them.
pub fn input_file(data: &[u8]) -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    let path = PATH.get_or_init(|| scratch_dir().join("input"));
    replace_file(path, data);
    path
}

/// Writes `bytes` to `path` as a new file. Rewriting a file in place truncates it, and ext4
/// then flushes it to disk when it is closed, which made the file writes most of a target's
/// time on a busy disk; a new file is not flushed.
pub fn replace_file(path: &Path, bytes: &[u8]) {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            panic!("removing {}: {e}", path.display())
        }
        _ => {}
    }
    std::fs::write(path, bytes).expect("writing a scratch file");
}

/// Lets the panics of the Parquet and Arrow IPC decoders unwind to zkmr-io, which turns them
/// into input errors (those decoders panic on some malformed input; zkmr-io runs them under
/// `catch_unwind`). Every other panic still aborts, so libFuzzer records its input as a crash.
///
/// libfuzzer-sys installs a panic hook that aborts before unwinding, which no `catch_unwind`
/// survives; this wraps it, once, after libfuzzer-sys has installed it (so call it from the
/// target's body). Set `ZKMR_FUZZ_SHOW_DECODER_PANICS=1` to see the panics it lets through.
pub fn let_decoder_panics_unwind() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let abort = std::panic::take_hook();
        let show = std::env::var_os("ZKMR_FUZZ_SHOW_DECODER_PANICS").is_some();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(in_decoder) {
                abort(info);
            } else if show {
                eprintln!("decoder panic, left to zkmr-io: {info}");
            }
        }));
    });
}

/// Whether a panic was raised in the source of a decoder crate, as cargo's registry holds it
/// (`.../registry/src/<index>/arrow-ipc-59.3.2/src/reader.rs`).
fn in_decoder(location: &Location) -> bool {
    const DECODERS: &[&str] = &["arrow-", "parquet-", "flatbuffers-", "thrift-"];
    let file = location.file();
    file.contains("/registry/src/")
        && file
            .split('/')
            .any(|part| DECODERS.iter().any(|d| part.starts_with(d)))
}

/// Whether the readers would take `path` as `format`: each reader's target skips inputs that
/// another target covers, so that its corpus stays about its format.
pub fn is_format(path: &Path, format: InputFormat) -> bool {
    InputFormat::detect(path).is_ok_and(|f| f == format)
}

/// Reads `path` as the CLI reads `--matrix`, `--vector` and `--vectors`, and encodes what it
/// read with the default fixed-point encoding, as `commit`, `prove` and `run` do.
pub fn read_as_cli(path: &Path) {
    if let Ok(rows) = zkmr_io::read_matrix(path) {
        if let Ok(encoding) = encoding_for(rows.iter().flatten()) {
            let _ = IntMatrix::encode(&rows, encoding);
        }
    }
    if let Ok(values) = zkmr_io::read_vector(path) {
        if let Ok(encoding) = encoding_for(&values) {
            let _ = encode_vector(&values, encoding);
        }
    }
    if let Ok(coordinates) = zkmr_io::read_coordinates(path) {
        encode_entries(&coordinates);
    }
}

/// Encodes coordinate entries as `commit` does, in the shape they imply.
pub fn encode_entries(coordinates: &zkmr_io::Coordinates) {
    let (rows, cols) = coordinates.shape();
    if let Ok(encoding) = encoding_for(coordinates.entries.iter().map(|(_, _, v)| v)) {
        let _ = zkmr_core::sparse::SparseMatrix::encode(rows, cols, &coordinates.entries, encoding);
    }
}

fn encoding_for<'a>(values: impl IntoIterator<Item = &'a Number>) -> zkmr_core::Result<FixedPoint> {
    FixedPoint::for_values(values.into_iter().copied(), None, None)
}
