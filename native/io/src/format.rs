//! Telling input formats apart by their first bytes, so a file's name need not say.

use std::path::Path;

use zkmr_core::{Error, Result};

use crate::in_file;

/// The UTF-8 byte order mark some editors put before text; skipped wherever text is read.
pub(crate) const BOM: &[u8] = b"\xef\xbb\xbf";

/// A supported input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    Json,
    Parquet,
    /// Arrow IPC, file (`ARROW1` magic) or stream.
    ArrowIpc,
    /// Comma-separated text with a header line (a matrix in coordinate form).
    Csv,
}

impl InputFormat {
    /// The format that an input's first bytes `head` tell; `whole` when they are all of it.
    /// Text may start with a UTF-8 byte order mark.
    pub(crate) fn of_head(head: &[u8], whole: bool, path: &Path) -> Result<Self> {
        if head.starts_with(b"PAR1") {
            return Ok(Self::Parquet);
        }
        // Arrow IPC files start with the magic, streams with a 0xFFFFFFFF continuation marker.
        if head.starts_with(b"ARROW1") || head.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
            return Ok(Self::ArrowIpc);
        }
        let text = head.strip_prefix(BOM).unwrap_or(head);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') | Some(b'[') => Ok(Self::Json),
            _ if is_csv_header(text) => Ok(Self::Csv),
            None if whole && text.is_empty() => Err(in_file(path, "the file is empty")),
            None if whole => Err(in_file(path, "the file holds nothing but whitespace")),
            _ => Err(Error::Input(format!(
                "{}: not JSON, Parquet, Arrow IPC or CSV (unrecognised first bytes)",
                path.display()
            ))),
        }
    }
}

/// A first line of printable text holding a comma: a CSV header.
fn is_csv_header(head: &[u8]) -> bool {
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    line.contains(&b',') && line.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
}

#[cfg(test)]
mod tests {
    use zkmr_core::fixed_point::Number;

    use super::*;

    #[test]
    fn empty_and_blank_files_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        for (bytes, message) in [
            (&b""[..], "the file is empty"),
            (b"\xef\xbb\xbf", "the file is empty"),
            (b" \n\t\r\n", "the file holds nothing but whitespace"),
        ] {
            std::fs::write(&path, bytes).unwrap();
            let expected = format!("invalid input: {}: {message}", path.display());
            for err in [
                crate::read_vector(&path).unwrap_err(),
                crate::read_matrix(&path).unwrap_err(),
                crate::read_coordinates(&path).unwrap_err(),
                InputFormat::detect(&path).unwrap_err(),
            ] {
                assert_eq!(err.to_string(), expected, "{bytes:?}");
            }
        }
    }

    #[test]
    fn text_after_a_byte_order_mark_reads_as_without() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("m.csv");
        std::fs::write(&csv, b"\xef\xbb\xbfrow,col,value\r\n1,0,7\r\n0,2,0.25\r\n").unwrap();
        assert_eq!(InputFormat::detect(&csv).unwrap(), InputFormat::Csv);
        assert_eq!(
            crate::read_coordinates(&csv).unwrap().entries,
            vec![(1, 0, Number::Int(7)), (0, 2, Number::Float(0.25))]
        );
        let json = dir.path().join("x.json");
        std::fs::write(&json, b"\xef\xbb\xbf{\"vector\": [4, -0.5]}").unwrap();
        assert_eq!(InputFormat::detect(&json).unwrap(), InputFormat::Json);
        assert_eq!(
            crate::read_vector(&json).unwrap(),
            vec![Number::Int(4), Number::Float(-0.5)]
        );
        std::fs::write(&json, b"\xef\xbb\xbf[[1, 2], [3, 4]]").unwrap();
        assert_eq!(
            crate::read_matrix(&json).unwrap(),
            vec![
                vec![Number::Int(1), Number::Int(2)],
                vec![Number::Int(3), Number::Int(4)]
            ]
        );
    }
}
