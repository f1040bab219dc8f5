//! Arrow IPC inputs: files and streams read from a path as the CLI does, and the same bytes as
//! the in-memory streams the JVM engines send through JNI (matrix rows or coordinate entries,
//! and vectors).
//! The Arrow IPC decoders' own panics, which zkmr-io turns into input errors, do not count as
//! crashes here; see `zkmr_fuzz::let_decoder_panics_unwind`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkmr_io::InputFormat;

fuzz_target!(|data: &[u8]| {
    zkmr_fuzz::let_decoder_panics_unwind();
    if let Ok(pairs) = zkmr_io::matrix_rows_from_ipc(data, "fuzz") {
        let _ = zkmr_io::ordered_rows(pairs, &"fuzz");
    }
    if let Ok(zkmr_io::MatrixBatch::Entries(entries)) = zkmr_io::matrix_from_ipc(data, "fuzz") {
        zkmr_fuzz::encode_entries(&zkmr_io::Coordinates {
            shape: None,
            entries,
        });
    }
    let _ = zkmr_io::vector_from_ipc(data, "fuzz");
    let path = zkmr_fuzz::input_file(data);
    if zkmr_fuzz::is_format(path, InputFormat::ArrowIpc) {
        zkmr_fuzz::read_as_cli(path);
    }
});
