//! Printing results: one JSON object with `--json`, readable lines otherwise.
//!
//! Reports go through [`say!`] rather than `println!`, for two reasons. A reader that closes
//! the pipe early (`zkmr verify … | head -1`) must not turn into a panic: the rest of the
//! report is dropped and the exit status stays the command's, so a verdict is never changed by
//! how its report was read. And when an output file is stdout itself (`--out -`), the report
//! moves to stderr so that stdout carries the file alone.

use std::fmt::Display;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use serde::Serialize;

/// Set once an output file goes to stdout: reports then go to stderr.
static STDOUT_IS_A_FILE: AtomicBool = AtomicBool::new(false);
/// The first failure writing a report, other than a closed pipe (a full disk behind stdout).
static FAILED: Mutex<Option<std::io::Error>> = Mutex::new(None);

/// Prints one line of the command's report (see the module's documentation).
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}
pub(crate) use say;

/// Writes `text` and a newline to the report's stream.
pub fn line(text: impl Display) {
    let written = if STDOUT_IS_A_FILE.load(Ordering::Relaxed) {
        writeln!(std::io::stderr().lock(), "{text}")
    } else {
        writeln!(std::io::stdout().lock(), "{text}")
    };
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {}
        Err(e) => {
            FAILED
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(e);
        }
    }
}

/// A report that could not be written (other than to a closed pipe), for the exit status.
pub fn failure() -> Option<std::io::Error> {
    FAILED.lock().unwrap_or_else(|p| p.into_inner()).take()
}

/// An output path as given: `-` is stdout, which from then on carries that file alone.
pub fn path(given: &Path) -> PathBuf {
    if given == Path::new("-") {
        STDOUT_IS_A_FILE.store(true, Ordering::Relaxed);
        PathBuf::from("/dev/stdout")
    } else {
        given.to_path_buf()
    }
}

/// Prints `value` as the single JSON object of the report.
pub fn json(value: &impl Serialize) {
    say!(
        "{}",
        serde_json::to_string_pretty(value).expect("results serialise")
    );
}

/// A short rendering of a long vector for terminals.
pub fn preview(values: &[f64]) -> String {
    const SHOWN: usize = 8;
    let head: Vec<String> = values.iter().take(SHOWN).map(|v| format!("{v}")).collect();
    if values.len() > SHOWN {
        format!("[{}, ... ({} values)]", head.join(", "), values.len())
    } else {
        format!("[{}]", head.join(", "))
    }
}

/// A short rendering of `y`: one vector, or the first of a batch and the count.
pub fn preview_value(y: &serde_json::Value) -> String {
    let floats = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
            .unwrap_or_default()
    };
    match y.as_array() {
        Some(items) if items.first().is_some_and(serde_json::Value::is_array) => format!(
            "{} vectors; the first: {}",
            items.len(),
            preview(&floats(&items[0]))
        ),
        _ => preview(&floats(y)),
    }
}

/// The warning shown whenever the development SRS was used.
pub const UNSAFE_SRS: &str =
    "UNSAFE: development SRS (its secret is public; proofs under it can be forged)";
