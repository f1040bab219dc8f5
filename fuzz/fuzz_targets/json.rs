//! JSON inputs (`--matrix`, `--vector`, `--vectors`, `run --input`): the combined
//! `{"matrix": ..., "vector": ...}` object or bare arrays, read and encoded as the CLI does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkmr_io::InputFormat;

fuzz_target!(|data: &[u8]| {
    let path = zkmr_fuzz::input_file(data);
    if zkmr_fuzz::is_format(path, InputFormat::Json) {
        zkmr_fuzz::read_as_cli(path);
    }
});
