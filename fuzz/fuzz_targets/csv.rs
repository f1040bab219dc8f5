//! CSV tables (`zkmr sql --table NAME=FILE.csv`): DataFusion reads them with arrow's CSV
//! reader, so this target runs that reader with DataFusion's defaults (a header row, commas,
//! double quotes, the schema inferred from the first 1000 records), then decodes every batch.
#![no_main]

use std::io::Cursor;
use std::sync::Arc;

use arrow::csv::reader::Format;
use arrow::csv::ReaderBuilder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let format = Format::default().with_header(true);
    let Ok((schema, _)) = format.infer_schema(Cursor::new(data), Some(1000)) else {
        return;
    };
    let Ok(reader) = ReaderBuilder::new(Arc::new(schema))
        .with_format(format)
        .with_batch_size(64)
        .build(Cursor::new(data))
    else {
        return;
    };
    for batch in reader {
        if batch.is_err() {
            return;
        }
    }
});
