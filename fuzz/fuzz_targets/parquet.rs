//! Parquet inputs: matrices (`row`, `values`) and one-column vectors, read and encoded as the
//! CLI does, and the streaming reader `zkmr commit` surveys a large matrix with.
//! The Parquet decoders' own panics, which zkmr-io turns into input errors, do not count as
//! crashes here; see `zkmr_fuzz::let_decoder_panics_unwind`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkmr_io::{InputFormat, ParquetRows};

fuzz_target!(|data: &[u8]| {
    zkmr_fuzz::let_decoder_panics_unwind();
    let path = zkmr_fuzz::input_file(data);
    if zkmr_fuzz::is_format(path, InputFormat::Parquet) {
        zkmr_fuzz::read_as_cli(path);
        let _ = ParquetRows::survey(path);
    }
});
