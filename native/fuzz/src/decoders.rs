//! The panics of the Parquet and Arrow IPC decoders, which zkmr-io turns into input errors.

use std::panic::Location;
use std::sync::Once;

/// Lets the panics of the Parquet and Arrow IPC decoders unwind to zkmr-io, which turns them
/// into input errors (those decoders panic on some malformed input; zkmr-io runs them under
/// `catch_unwind`). Every other panic still reaches the hook that was installed before, so
/// libFuzzer records its input as a crash.
///
/// libfuzzer-sys installs a panic hook that aborts before unwinding, which no `catch_unwind`
/// survives; this wraps it, once, after libfuzzer-sys has installed it (so the targets that
/// need it call it from their body). Set `ZKMR_FUZZ_SHOW_DECODER_PANICS=1` to see the panics
/// it lets through.
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
