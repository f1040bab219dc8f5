//! Input files and streams, read as the CLI, the SQL engine and the JVM engines read them.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use arrow::csv::reader::Format;
use arrow::csv::ReaderBuilder;
use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::matrix::{encode_vector, IntMatrix};
use zkmr_io::{InputFormat, ParquetRows};

use crate::decoders::let_decoder_panics_unwind;
use crate::scratch::input_file;

/// JSON inputs (`--matrix`, `--vector`, `--vectors`, `run --input`): the combined
/// `{"matrix": ..., "vector": ...}` object or bare arrays, read and encoded as the CLI does.
pub fn json(data: &[u8]) {
    let path = input_file(data);
    if is_format(&path, InputFormat::Json) {
        read_as_cli(&path);
    }
}

/// CSV tables (`zkmr sql --table NAME=FILE.csv`): DataFusion reads them with arrow's CSV
/// reader, so this runs that reader with DataFusion's defaults (a header row, commas, double
/// quotes, the schema inferred from the first 1000 records), then decodes every batch.
pub fn csv(data: &[u8]) {
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
}

/// Parquet inputs: matrices (`row`, `values`) and one-column vectors, read and encoded as the
/// CLI does, and the streaming reader `zkmr commit` surveys a large matrix with. The Parquet
/// decoders' own panics, which zkmr-io turns into input errors, are not crashes here; see
/// [`let_decoder_panics_unwind`].
pub fn parquet(data: &[u8]) {
    let_decoder_panics_unwind();
    let path = input_file(data);
    if is_format(&path, InputFormat::Parquet) {
        read_as_cli(&path);
        let _ = ParquetRows::survey(&path);
    }
}

/// Arrow IPC inputs: files and streams read from a path as the CLI does, and the same bytes as
/// the in-memory streams the JVM engines send through JNI (matrix rows or coordinate entries,
/// and vectors). The decoders' own panics are not crashes here, as for [`parquet`].
pub fn arrow_ipc(data: &[u8]) {
    let_decoder_panics_unwind();
    if let Ok(pairs) = zkmr_io::matrix_rows_from_ipc(data, "fuzz") {
        let _ = zkmr_io::ordered_rows(pairs, &"fuzz");
    }
    if let Ok(zkmr_io::MatrixBatch::Entries(entries)) = zkmr_io::matrix_from_ipc(data, "fuzz") {
        encode_entries(&zkmr_io::Coordinates {
            shape: None,
            entries,
        });
    }
    let _ = zkmr_io::vector_from_ipc(data, "fuzz");
    let path = input_file(data);
    if is_format(&path, InputFormat::ArrowIpc) {
        read_as_cli(&path);
    }
}

/// Whether the readers would take `path` as `format`: each reader's target skips inputs that
/// another target covers, so that its corpus stays about its format.
fn is_format(path: &Path, format: InputFormat) -> bool {
    InputFormat::detect(path).is_ok_and(|f| f == format)
}

/// Reads `path` as the CLI reads `--matrix`, `--vector` and `--vectors`, and encodes what it
/// read with the default fixed-point encoding, as `commit`, `prove` and `run` do.
fn read_as_cli(path: &Path) {
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
fn encode_entries(coordinates: &zkmr_io::Coordinates) {
    let (rows, cols) = coordinates.shape();
    if let Ok(encoding) = encoding_for(coordinates.entries.iter().map(|(_, _, v)| v)) {
        let _ = zkmr_core::sparse::SparseMatrix::encode(rows, cols, &coordinates.entries, encoding);
    }
}

fn encoding_for<'a>(values: impl IntoIterator<Item = &'a Number>) -> zkmr_core::Result<FixedPoint> {
    FixedPoint::for_values(values.into_iter().copied(), None, None)
}
