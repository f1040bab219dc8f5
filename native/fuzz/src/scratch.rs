//! Scratch files: the readers take paths, as the CLI gives them, so a target writes its input
//! to a file first.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// This process's scratch directory. libFuzzer exits without running destructors, so it is
/// never removed here: scripts/fuzz.sh points `TMPDIR` at a directory it removes itself, and
/// the replay test removes this one when it is done.
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

/// Writes `data` to this thread's scratch input file and returns its path (one file per
/// thread, so that tests replaying two targets at once do not share one).
pub(crate) fn input_file(data: &[u8]) -> PathBuf {
    thread_local! {
        static PATH: OnceCell<PathBuf> = const { OnceCell::new() };
    }
    let path = PATH.with(|path| {
        path.get_or_init(|| {
            let thread = format!("{:?}", std::thread::current().id());
            let id: String = thread.chars().filter(char::is_ascii_digit).collect();
            scratch_dir().join(format!("input-{id}"))
        })
        .clone()
    });
    replace_file(&path, data);
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
