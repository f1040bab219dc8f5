//! Arrow IPC streams and files: every length the framing declares fits in the input.

use std::fmt::Display;
use std::io::{ErrorKind, Read, Seek, SeekFrom};

use arrow::ipc::{root_as_footer, root_as_message, Message};
use zkmr_core::{Error, Result};

/// The most a message's compressed buffers may declare together, uncompressed: 1 GiB, or 255
/// bytes per byte of its body (LZ4's own limit) where that is more. The decoder reserves each
/// buffer's declared length before it decompresses anything, so without a bound a few bytes
/// could reserve terabytes; a ratio alone would refuse honest input (ZSTD packs a column of
/// one repeated value 300 to 1 and better).
const MIN_DECOMPRESSED_LIMIT: i64 = 1 << 30;
const MAX_COMPRESSION_RATIO: i64 = 255;

fn overrun(origin: &dyn Display, what: &str, declared: i64, left: u64) -> Error {
    Error::Input(format!(
        "{origin}: {what} declares {declared} bytes, but only {left} follow"
    ))
}

/// Reads exactly `buf.len()` bytes, or says that the input ended first.
fn read_or_end(reader: &mut impl Read, buf: &mut [u8]) -> Result<bool> {
    match reader.read_exact(buf) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(Error::Input(format!("reading an Arrow IPC input: {e}"))),
    }
}

/// The messages of an Arrow IPC stream of `len` bytes: each one's metadata and body fit in
/// what is left. Framing the decoder will reject anyway (a bad flatbuffer, a short read) is
/// left to its error.
pub(crate) fn ipc_stream<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    origin: &dyn Display,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Input(format!("{origin}: {e}"));
    loop {
        let mut word = [0u8; 4];
        if !read_or_end(reader, &mut word)? {
            return Ok(());
        }
        if word == [0xff; 4] && !read_or_end(reader, &mut word)? {
            return Ok(());
        }
        let meta_len = i32::from_le_bytes(word);
        if meta_len <= 0 {
            return Ok(());
        }
        let left = len.saturating_sub(reader.stream_position().map_err(io)?);
        if meta_len as u64 > left {
            return Err(overrun(
                origin,
                "a message's metadata",
                meta_len.into(),
                left,
            ));
        }
        let mut meta = vec![0u8; meta_len as usize];
        reader.read_exact(&mut meta).map_err(io)?;
        let Ok(message) = root_as_message(&meta) else {
            return Ok(());
        };
        let body = message.bodyLength();
        let left = left - meta_len as u64;
        if body < 0 || body as u64 > left {
            return Err(overrun(origin, "a message's body", body, left));
        }
        let body_start = reader.stream_position().map_err(io)?;
        compressed_buffers(reader, &message, body_start, body, origin)?;
        reader
            .seek(SeekFrom::Start(body_start + body as u64))
            .map_err(io)?;
    }
}

/// The footer and blocks of an Arrow IPC file of `len` bytes: the footer fits before its
/// length word, and every block it lists lies inside the file.
pub(crate) fn ipc_file<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    origin: &dyn Display,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Input(format!("{origin}: {e}"));
    if len < 10 {
        return Ok(());
    }
    let mut tail = [0u8; 10];
    reader.seek(SeekFrom::End(-10)).map_err(io)?;
    reader.read_exact(&mut tail).map_err(io)?;
    let footer_len = i32::from_le_bytes(tail[..4].try_into().expect("4 bytes"));
    if footer_len < 0 {
        return Ok(());
    }
    if footer_len as u64 > len - 10 {
        return Err(overrun(origin, "the footer", footer_len.into(), len - 10));
    }
    let mut footer = vec![0u8; footer_len as usize];
    reader
        .seek(SeekFrom::End(-10 - i64::from(footer_len)))
        .map_err(io)?;
    reader.read_exact(&mut footer).map_err(io)?;
    let Ok(footer) = root_as_footer(&footer) else {
        return Ok(());
    };
    let blocks = footer.dictionaries().into_iter().flatten();
    for block in blocks.chain(footer.recordBatches().into_iter().flatten()) {
        let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
        let end = i128::from(offset) + i128::from(meta) + i128::from(body);
        if offset < 0 || meta < 0 || body < 0 || end > i128::from(len) {
            return Err(Error::Input(format!(
                "{origin}: a block at offset {offset} declares {meta} + {body} bytes, past the \
                 end of the {len}-byte file"
            )));
        }
        block_message(reader, offset as u64, meta as usize, body, origin)?;
    }
    Ok(())
}

/// The message of a file's block, whose metadata (`meta_len` bytes at `offset`) and body are
/// known to lie inside the file: its compressed buffers, if any, fit in their bytes.
fn block_message<R: Read + Seek>(
    reader: &mut R,
    offset: u64,
    meta_len: usize,
    body: i64,
    origin: &dyn Display,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Input(format!("{origin}: {e}"));
    let mut meta = vec![0u8; meta_len];
    reader.seek(SeekFrom::Start(offset)).map_err(io)?;
    reader.read_exact(&mut meta).map_err(io)?;
    // The flatbuffer follows the continuation marker and its length (its length alone in
    // files older than the marker), and padding follows it.
    let start = if meta.starts_with(&[0xff; 4]) { 4 } else { 0 };
    let Some(word) = meta.get(start..start + 4) else {
        return Ok(());
    };
    let len = i32::from_le_bytes(word.try_into().expect("4 bytes"));
    let Some(flatbuffer) = usize::try_from(len)
        .ok()
        .and_then(|len| meta.get(start + 4..start + 4 + len))
    else {
        return Ok(());
    };
    let Ok(message) = root_as_message(flatbuffer) else {
        return Ok(());
    };
    compressed_buffers(reader, &message, offset + meta_len as u64, body, origin)
}

/// A record batch's (or a dictionary's) compressed buffers, in a body of `body_len` bytes at
/// `body_start`: each starts with the length it decompresses to, and together they stay within
/// [`MIN_DECOMPRESSED_LIMIT`] or [`MAX_COMPRESSION_RATIO`] times the body. Buffers outside the
/// body, and negative lengths, are left to the decoder's own errors.
fn compressed_buffers<R: Read + Seek>(
    reader: &mut R,
    message: &Message,
    body_start: u64,
    body_len: i64,
    origin: &dyn Display,
) -> Result<()> {
    let io = |e: std::io::Error| Error::Input(format!("{origin}: {e}"));
    let batch = message.header_as_record_batch().or_else(|| {
        message
            .header_as_dictionary_batch()
            .and_then(|dictionary| dictionary.data())
    });
    let Some(batch) = batch.filter(|batch| batch.compression().is_some()) else {
        return Ok(());
    };
    let limit = MIN_DECOMPRESSED_LIMIT.max(body_len.saturating_mul(MAX_COMPRESSION_RATIO));
    let mut declared: i64 = 0;
    for buffer in batch.buffers().into_iter().flatten() {
        let (at, length) = (buffer.offset(), buffer.length());
        let inside = at >= 0 && at.checked_add(length).is_some_and(|end| end <= body_len);
        if !inside || length < 8 {
            continue;
        }
        let mut prefix = [0u8; 8];
        reader
            .seek(SeekFrom::Start(body_start + at as u64))
            .map_err(io)?;
        reader.read_exact(&mut prefix).map_err(io)?;
        declared = declared.saturating_add(i64::from_le_bytes(prefix).max(0));
        if declared > limit {
            return Err(Error::Input(format!(
                "{origin}: a record batch's compressed buffers declare {declared} bytes \
                 uncompressed in a body of {body_len} bytes (at most {limit})"
            )));
        }
    }
    Ok(())
}
