//! Each format read back as written, and each malformed input named precisely.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Float64Builder, Int64Array, ListBuilder, RecordBatch};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::ipc::writer::{FileWriter, StreamWriter};
use parquet::arrow::ArrowWriter;
use zkmr_core::fixed_point::Number;
use zkmr_io::{read_matrix, read_vector};

fn matrix_batch(rows: &[(i64, Option<Vec<Option<f64>>>)]) -> RecordBatch {
    let mut values = ListBuilder::new(Float64Builder::new());
    for (_, row) in rows {
        match row {
            Some(v) => {
                for x in v {
                    values.values().append_option(*x);
                }
                values.append(true);
            }
            None => values.append(false),
        }
    }
    let index: ArrayRef = Arc::new(Int64Array::from(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
    ));
    let values: ArrayRef = Arc::new(values.finish());
    RecordBatch::try_from_iter([("row", index), ("values", values)]).unwrap()
}

fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

fn write_ipc_file(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = FileWriter::try_new(file, &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
}

fn write_ipc_stream(path: &Path, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = StreamWriter::try_new(file, &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
}

fn tmp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    (dir, path)
}

fn floats(v: &[f64]) -> Vec<Number> {
    v.iter().map(|x| Number::Float(*x)).collect()
}

#[test]
fn columnar_formats_read_rows_in_index_order() {
    let batch = matrix_batch(&[
        (1, Some(vec![Some(3.0), Some(4.5)])),
        (0, Some(vec![Some(1.0), Some(-2.0)])),
    ]);
    let expected = vec![floats(&[1.0, -2.0]), floats(&[3.0, 4.5])];
    for (name, write) in [
        ("m.parquet", write_parquet as fn(&Path, &RecordBatch)),
        ("m.arrow", write_ipc_file),
        ("m.arrows", write_ipc_stream),
    ] {
        let (_d, path) = tmp(name);
        write(&path, &batch);
        assert_eq!(read_matrix(&path).unwrap(), expected, "{name}");
    }
}

#[test]
fn columnar_matrix_errors_name_the_row() {
    let cases: Vec<(RecordBatch, &str)> = vec![
        (
            matrix_batch(&[(0, Some(vec![Some(1.0)])), (0, Some(vec![Some(2.0)]))]),
            "row 0 appears more than once",
        ),
        (
            matrix_batch(&[(0, Some(vec![Some(1.0)])), (2, Some(vec![Some(2.0)]))]),
            "row 2 is outside the 2 rows given",
        ),
        (
            matrix_batch(&[(0, Some(vec![Some(1.0), None]))]),
            "row 0, column 1: null value",
        ),
        (matrix_batch(&[(0, None)]), "row 0: values is null"),
        (matrix_batch(&[(-1, Some(vec![Some(1.0)]))]), "negative"),
    ];
    for (batch, message) in cases {
        let (_d, path) = tmp("bad.parquet");
        write_parquet(&path, &batch);
        let err = read_matrix(&path).unwrap_err().to_string();
        assert!(
            err.contains(message) && err.contains("bad.parquet"),
            "{err}"
        );
    }
}

#[test]
fn missing_columns_are_named() {
    let x: ArrayRef = Arc::new(Float64Array::from(vec![1.0]));
    let batch = RecordBatch::try_from_iter([("x", x)]).unwrap();
    let (_d, path) = tmp("m.parquet");
    write_parquet(&path, &batch);
    let err = read_matrix(&path).unwrap_err().to_string();
    assert!(err.contains("missing column \"row\""), "{err}");
}

#[test]
fn vector_tables_and_json() {
    let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
    let batch =
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![5, -6, 7]))]).unwrap();
    let (_d, path) = tmp("x.parquet");
    write_parquet(&path, &batch);
    let ints = vec![Number::Int(5), Number::Int(-6), Number::Int(7)];
    assert_eq!(read_vector(&path).unwrap(), ints);

    let (_d2, json) = tmp("x.json");
    std::fs::write(&json, "[5, -6, 7]").unwrap();
    assert_eq!(read_vector(&json).unwrap(), ints);
    std::fs::write(&json, r#"{"matrix": [[1, 2.5]], "vector": [5, -6, 7]}"#).unwrap();
    assert_eq!(read_vector(&json).unwrap(), ints);
    assert_eq!(
        read_matrix(&json).unwrap(),
        vec![vec![Number::Int(1), Number::Float(2.5)]]
    );
}

#[test]
fn malformed_json_is_named() {
    let (_d, path) = tmp("in.json");
    for (text, message) in [
        (
            r#"{"matrix": [[1, "two"]]}"#,
            "row 0, column 1: expected a number",
        ),
        (r#"{"matrix": [[1], 2]}"#, "row 1: expected an array"),
        (r#"{"vector": [1]}"#, "no \"matrix\" member"),
        (r#"{"matrix": [[1, 2]"#, "EOF"),
        (r#"{"matrix": []}"#, "no rows"),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = read_matrix(&path).unwrap_err().to_string();
        assert!(
            err.contains(message) && err.contains("in.json"),
            "{text}: {err}"
        );
    }
    std::fs::write(&path, "matrix").unwrap();
    assert!(read_matrix(&path)
        .unwrap_err()
        .to_string()
        .contains("not JSON, Parquet, Arrow IPC or CSV"));
}

fn entries_batch(rows: &[i64], cols: &[i64], values: &[f64]) -> RecordBatch {
    let column = |v: &[i64]| -> ArrayRef { Arc::new(Int64Array::from(v.to_vec())) };
    let values: ArrayRef = Arc::new(Float64Array::from(values.to_vec()));
    RecordBatch::try_from_iter([
        ("row", column(rows)),
        ("col", column(cols)),
        ("value", values),
    ])
    .unwrap()
}

/// The same coordinate entries from CSV, JSON, Parquet, Arrow IPC (file and stream) and an
/// engine's IPC bytes.
#[test]
fn coordinate_entries_read_alike_from_every_format() {
    let expect = vec![
        (2u64, 0u64, Number::Float(0.5)),
        (0, 3, Number::Int(-4)),
        (1, 1, Number::Float(2.25)),
    ];
    let (_dir, path) = tmp("m.csv");
    std::fs::write(&path, "col, row ,value\n0,2,0.5\n3,0,-4\n\n1,1,2.25\n").unwrap();
    let csv = zkmr_io::read_coordinates(&path).unwrap();
    assert_eq!(csv.entries, expect);
    assert_eq!(csv.shape(), (3, 4));
    assert!(zkmr_io::is_coordinates(&path).unwrap());

    let json = path.with_file_name("m.json");
    std::fs::write(
        &json,
        r#"{"shape": [5, 6], "entries": [[2, 0, 0.5], [0, 3, -4], [1, 1, 2.25]]}"#,
    )
    .unwrap();
    let read = zkmr_io::read_coordinates(&json).unwrap();
    assert_eq!(read.shape(), (5, 6));
    assert_eq!(read.entries, expect);
    assert!(zkmr_io::is_coordinates(&json).unwrap());

    // Columnar values are floats: -4 reads as -4.0.
    let floats: Vec<_> = expect
        .iter()
        .map(|(i, j, v)| (*i, *j, Number::Float(v.as_f64())))
        .collect();
    let batch = entries_batch(&[2, 0, 1], &[0, 3, 1], &[0.5, -4.0, 2.25]);
    for (name, write) in [
        ("m.parquet", write_parquet as fn(&Path, &RecordBatch)),
        ("m.arrow", write_ipc_file),
        ("m.arrows", write_ipc_stream),
    ] {
        let file = path.with_file_name(name);
        write(&file, &batch);
        assert_eq!(
            zkmr_io::read_coordinates(&file).unwrap().entries,
            floats,
            "{name}"
        );
        assert!(zkmr_io::is_coordinates(&file).unwrap(), "{name}");
    }
    let stream = std::fs::read(path.with_file_name("m.arrows")).unwrap();
    match zkmr_io::matrix_from_ipc(&stream, "task").unwrap() {
        zkmr_io::MatrixBatch::Entries(e) => assert_eq!(e, floats),
        other => panic!("read as {other:?}"),
    }
    // A matrix of rows is not in coordinate form.
    let rows = path.with_file_name("rows.parquet");
    write_parquet(&rows, &matrix_batch(&[(0, Some(vec![Some(1.0)]))]));
    assert!(!zkmr_io::is_coordinates(&rows).unwrap());
}

#[test]
fn bad_coordinate_entries_are_named() {
    let (_dir, path) = tmp("bad.csv");
    for (text, message) in [
        ("row,col\n0,1\n", "no \"value\" column"),
        ("row,col,value,extra\n0,1,2,3\n", "4 columns"),
        ("row,col,value\n0,1\n", "line 2: 2 fields"),
        (
            "row,col,value\n0,x,1\n",
            "line 2, column \"col\": \"x\" is not an integer",
        ),
        (
            "row,col,value\n0,1,2\n-3,1,2\n",
            "line 3: row index -3 is negative",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let err = zkmr_io::read_coordinates(&path).unwrap_err().to_string();
        assert!(
            err.contains(message) && err.contains("bad.csv"),
            "{text}: {err}"
        );
    }
    // CSV holds coordinates only: reading it as rows says so.
    std::fs::write(&path, "row,col,value\n0,1,2\n").unwrap();
    let err = read_matrix(&path).unwrap_err().to_string();
    assert!(err.contains("coordinate form"), "{err}");
    let json = path.with_file_name("bad.json");
    std::fs::write(&json, r#"{"shape": [2], "entries": []}"#).unwrap();
    let err = zkmr_io::read_coordinates(&json).unwrap_err().to_string();
    assert!(err.contains("shape: expected [rows, cols]"), "{err}");
    let parquet = path.with_file_name("neg.parquet");
    write_parquet(&parquet, &entries_batch(&[0, -1], &[0, 0], &[1.0, 2.0]));
    let err = zkmr_io::read_coordinates(&parquet).unwrap_err().to_string();
    assert!(
        err.contains("neg.parquet") && err.contains("row index -1"),
        "{err}"
    );
}
