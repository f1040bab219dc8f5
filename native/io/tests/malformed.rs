//! Malformed and hostile inputs are input errors, found quickly: never a panic, an allocation
//! sized by a number in the input or a loop as long as one. The files come from fuzzing
//! (`fuzz/regressions/<target>/`, which zkmr-fuzz's replay test and scripts/fuzz.sh also run
//! through the fuzz targets): each once crashed a reader or stalled it for minutes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, RecordBatch};
use arrow::ipc::writer::{FileWriter, StreamWriter};
use arrow_ipc::writer::IpcWriteOptions;
use arrow_ipc::CompressionType;
use zkmr_core::fixed_point::Number;
use zkmr_io::{matrix_rows_from_ipc, ordered_rows, read_matrix, read_vector, vector_from_ipc};

/// The saved inputs of a fuzz target.
fn regressions(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(target))
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// Reads `bytes` as a matrix and as a vector file; both must fail, naming the file.
fn assert_file_rejected(bytes: &[u8], name: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    std::fs::write(&path, bytes).unwrap();
    for (what, err) in [
        ("matrix", read_matrix(&path).err()),
        ("vector", read_vector(&path).err()),
    ] {
        let err = err
            .unwrap_or_else(|| panic!("{}: read as a {what}", name.display()))
            .to_string();
        assert!(err.contains("input"), "{}: {err}", name.display());
    }
}

#[test]
fn parquet_files_that_crashed_or_stalled_a_reader_are_rejected() {
    let files = regressions("parquet");
    assert!(!files.is_empty());
    for file in files {
        assert_file_rejected(&std::fs::read(&file).unwrap(), &file);
        assert!(zkmr_io::ParquetRows::survey(&file).is_err());
    }
}

#[test]
fn arrow_streams_that_crashed_a_reader_are_rejected() {
    let files = regressions("arrow_ipc");
    assert!(!files.is_empty());
    for file in files {
        let bytes = std::fs::read(&file).unwrap();
        assert!(matrix_rows_from_ipc(&bytes, "engine").is_err(), "{file:?}");
        assert!(vector_from_ipc(&bytes, "engine").is_err(), "{file:?}");
        assert_file_rejected(&bytes, &file);
    }
}

#[test]
fn row_indices_past_the_row_count_are_named_not_allocated() {
    for index in [2, 1 << 40, i64::MAX as u64, u64::MAX] {
        let pairs = vec![(0, vec![Number::Int(1)]), (index, vec![Number::Int(2)])];
        let err = ordered_rows(pairs, &"m.parquet").unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("invalid input: m.parquet: row {index} is outside")),
            "{err}"
        );
    }
    let pairs = vec![(1, vec![Number::Int(1)]), (1, vec![Number::Int(2)])];
    let err = ordered_rows(pairs, &"m").unwrap_err().to_string();
    assert!(err.contains("row 1 appears more than once"), "{err}");
}

/// A one-column vector table as an Arrow IPC stream and as an Arrow IPC file.
fn ipc_stream_and_file() -> (Vec<u8>, Vec<u8>) {
    let x: ArrayRef = Arc::new(Int64Array::from(vec![5, -6, 7]));
    let batch = RecordBatch::try_from_iter([("x", x)]).unwrap();
    let mut stream = StreamWriter::try_new(Vec::new(), &batch.schema()).unwrap();
    stream.write(&batch).unwrap();
    let mut file = FileWriter::try_new(Vec::new(), &batch.schema()).unwrap();
    file.write(&batch).unwrap();
    (stream.into_inner().unwrap(), file.into_inner().unwrap())
}

#[test]
fn ipc_lengths_past_the_input_are_refused_before_allocating() {
    let (stream, file) = ipc_stream_and_file();
    assert_eq!(vector_from_ipc(&stream, "engine").unwrap().len(), 3);
    // A file sent as a stream: its magic, "ARRO", reads as 1.3 GB of metadata.
    let err = vector_from_ipc(&file, "engine").unwrap_err().to_string();
    assert!(err.contains("metadata declares 1330795073 bytes"), "{err}");
    // A stream cut short inside its record batch's body.
    let cut = &stream[..stream.len() - 16];
    let err = vector_from_ipc(cut, "engine").unwrap_err().to_string();
    assert!(err.contains("body declares"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.arrow");
    std::fs::write(&path, &file).unwrap();
    assert_eq!(read_vector(&path).unwrap().len(), 3);
    // A file whose footer length claims 2 GB.
    let mut long_footer = file.clone();
    let at = long_footer.len() - 10;
    long_footer[at..at + 4].copy_from_slice(&i32::MAX.to_le_bytes());
    std::fs::write(&path, &long_footer).unwrap();
    let err = read_vector(&path).unwrap_err().to_string();
    assert!(err.contains("footer declares 2147483647 bytes"), "{err}");
    std::fs::write(&path, cut).unwrap();
    let err = read_vector(&path).unwrap_err().to_string();
    assert!(err.contains("x.arrow: a message's body declares"), "{err}");
}

#[test]
fn compressed_buffers_declaring_terabytes_are_refused_before_allocating() {
    let x: ArrayRef = Arc::new(Int64Array::from(vec![7; 1000]));
    let batch = RecordBatch::try_from_iter([("x", x)]).unwrap();
    let options = IpcWriteOptions::default()
        .try_with_compression(Some(CompressionType::ZSTD))
        .unwrap();
    let mut writer =
        StreamWriter::try_new_with_options(Vec::new(), &batch.schema(), options).unwrap();
    writer.write(&batch).unwrap();
    let mut stream = writer.into_inner().unwrap();
    assert_eq!(
        vector_from_ipc(&stream, "engine").unwrap(),
        vec![Number::Int(7); 1000]
    );
    // The values buffer: the length it decompresses to (1000 values of 8 bytes), then a ZSTD
    // frame of 25 bytes (320 to 1, which is read). Declared as 1 TiB, the decoder would
    // reserve that before decompressing.
    let prefix = [&8000i64.to_le_bytes()[..], &[0x28, 0xb5, 0x2f, 0xfd]].concat();
    let at = stream
        .windows(prefix.len())
        .position(|w| w == prefix)
        .expect("the compressed values buffer");
    stream[at..at + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
    let err = vector_from_ipc(&stream, "engine").unwrap_err().to_string();
    assert!(
        err.contains("compressed buffers declare 1099511627776 bytes uncompressed in a body of"),
        "{err}"
    );
}
