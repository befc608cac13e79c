//! The checked rows of an import, set aside in a temporary file between reading the CSV and
//! writing the database, so that the write phase holds no more than a batch in memory and can run
//! again from the start when it collides with another writer.
//!
//! The file is anonymous (deleted when closed, or when the process dies) and holds one frame per
//! batch: its length (4 bytes, little-endian), then the batch's rows in postcard's compact binary
//! form. The page cache usually keeps it in memory; it counts against no one's peak RSS.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};

use crate::error::{Error, Result};
use crate::io::supplier_csv::{RawRecord, SupplierRow};

/// A row to write, with its record as read (for the reject file).
pub(super) type Row = (SupplierRow, RawRecord);

pub(super) struct Spill {
    writer: BufWriter<File>,
    /// Rows set aside.
    pub(super) rows: u64,
    /// Bytes written so far.
    len: u64,
    /// The last frame's buffer, used again for the next.
    buf: Vec<u8>,
}

/// Appends one row in the spill's encoding (postcard) to `buf`. Rows are encoded where they were
/// checked, on every core; [`Frame::add`] puts the encodings together.
pub(super) fn encode(row: &Row, buf: Vec<u8>) -> Result<Vec<u8>> {
    postcard::to_extend(row, buf).map_err(|e| Error::Other(format!("setting rows aside: {e}")))
}

/// A batch being put together from encoded rows: it reads back as one `Vec<Row>`.
pub(super) struct Frame {
    rows: u64,
    body: Vec<u8>,
}

impl Frame {
    /// Adds `rows` rows encoded one after the other in `bytes` (by [`encode`]).
    pub(super) fn add(&mut self, rows: u64, bytes: &[u8]) {
        self.rows += rows;
        self.body.extend_from_slice(bytes);
    }
}

impl Spill {
    pub(super) fn new() -> Result<Spill> {
        let file = tempfile::tempfile().map_err(|e| spill_error("create", e))?;
        Ok(Spill {
            writer: BufWriter::with_capacity(1 << 16, file),
            rows: 0,
            len: 0,
            buf: Vec::new(),
        })
    }

    /// An empty frame for the next batch.
    pub(super) fn frame(&mut self) -> Frame {
        let mut body = std::mem::take(&mut self.buf);
        body.clear();
        Frame { rows: 0, body }
    }

    /// Sets a batch of rows aside: its length (4 bytes), then the rows as postcard encodes a
    /// `Vec<Row>` (their count as a varint, then each row).
    pub(super) fn push(&mut self, frame: Frame) -> Result<()> {
        if frame.rows > 0 {
            let count = postcard::to_extend(&frame.rows, Vec::with_capacity(10))
                .map_err(|e| Error::Other(format!("setting rows aside: {e}")))?;
            let len = u32::try_from(count.len() + frame.body.len())
                .map_err(|_| Error::Other("setting rows aside: a batch over 4 GiB".into()))?;
            for part in [&len.to_le_bytes()[..], &count, &frame.body] {
                self.writer.write_all(part).map_err(|e| spill_error("write", e))?;
                self.len += part.len() as u64;
            }
            self.rows += frame.rows;
        }
        self.buf = frame.body;
        Ok(())
    }

    /// Everything written: the rows can be read back, as often as needed.
    pub(super) fn finish(self) -> Result<Spilled> {
        let file = self
            .writer
            .into_inner()
            .map_err(|e| spill_error("write", e.into_error()))?;
        Ok(Spilled {
            file,
            rows: self.rows,
            len: self.len,
        })
    }
}

/// The rows set aside, complete.
pub(super) struct Spilled {
    file: File,
    pub(super) rows: u64,
    len: u64,
}

impl Spilled {
    /// Reads the rows back from the start, a batch at a time, on the caller's thread (which then
    /// frees what it decoded, cheaply).
    pub(super) fn batches(&self) -> Result<Batches> {
        let file = self.file.try_clone().map_err(|e| spill_error("read", e))?;
        Ok(Batches {
            reader: BufReader::with_capacity(
                1 << 16,
                At {
                    file,
                    position: 0,
                    end: self.len,
                },
            ),
            buf: Vec::new(),
            failed: false,
        })
    }
}

/// The batches of a spill, in the order they were set aside.
pub(super) struct Batches {
    reader: BufReader<At>,
    buf: Vec<u8>,
    failed: bool,
}

impl Iterator for Batches {
    type Item = Result<Vec<Row>>;

    fn next(&mut self) -> Option<Result<Vec<Row>>> {
        if self.failed {
            return None;
        }
        let mut len = [0; 4];
        match self.reader.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return None,
            Err(e) => {
                self.failed = true;
                return Some(Err(spill_error("read", e)));
            }
        }
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        let batch = self
            .reader
            .read_exact(&mut self.buf)
            .map_err(|e| spill_error("read", e))
            .and_then(|()| {
                postcard::from_bytes::<Vec<Row>>(&self.buf)
                    .map_err(|e| Error::Other(format!("reading rows set aside: {e}")))
            });
        self.failed = batch.is_err();
        Some(batch)
    }
}

/// Reads a file from its own position, whatever other handles of the file do (each write attempt
/// reads the spill from the start, and an earlier attempt's reader may still be winding down).
struct At {
    file: File,
    position: u64,
    end: u64,
}

impl Read for At {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = (self.end - self.position).min(buf.len() as u64) as usize;
        if left == 0 {
            return Ok(0);
        }
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(&self.file, &mut buf[..left], self.position)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(&self.file, &mut buf[..left], self.position)?;
        self.position += n as u64;
        Ok(n)
    }
}

fn spill_error(what: &str, e: std::io::Error) -> Error {
    Error::Other(format!(
        "cannot {what} the temporary file for the import's checked rows: {e} (set TMPDIR to a folder with room)"
    ))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::io::supplier_csv::{Record, SupplierCsv};

    /// The rows of a CSV text, all valid (for tests of what the import does with rows).
    pub(in super::super) fn rows(text: &str) -> Vec<Row> {
        let mut csv = SupplierCsv::open(text.as_bytes(), &[]).unwrap();
        let mut rows = Vec::new();
        while let Some(record) = csv.next_record().unwrap() {
            match record {
                Record::Valid(row, raw) => rows.push((*row, raw)),
                Record::Invalid(errors, _) => panic!("{errors:?}"),
            }
        }
        rows
    }

    #[test]
    fn rows_come_back_as_set_aside_every_time() {
        let first = rows(
            "name,native_name,aliases,capabilities,scarce,note\nA Co,甲,A1;A2,pecvd;pvd,yes,\"two\nlines\"\n",
        );
        let second = rows("name,country\nB GmbH,DE\nC Ltd,\n");
        let mut spill = Spill::new().unwrap();
        for rows in [&first[..], &[], &second[..]] {
            let mut frame = spill.frame();
            // Rows encoded in two parts, as two cores would.
            let (a, b) = rows.split_at(rows.len() / 2);
            for part in [a, b] {
                let mut bytes = Vec::new();
                for row in part {
                    bytes = encode(row, bytes).unwrap();
                }
                frame.add(part.len() as u64, &bytes);
            }
            spill.push(frame).unwrap();
        }
        let spilled = spill.finish().unwrap();
        assert_eq!(spilled.rows, 3);
        for _ in 0..2 {
            let mut back = Vec::new();
            for batch in spilled.batches().unwrap() {
                back.push(
                    batch
                        .unwrap()
                        .into_iter()
                        .map(|(row, raw)| (row, raw.fields()))
                        .collect::<Vec<_>>(),
                );
            }
            let expected: Vec<Vec<_>> = [&first, &second]
                .iter()
                .map(|rows| {
                    rows.iter()
                        .map(|(row, raw)| (row.clone(), raw.fields()))
                        .collect()
                })
                .collect();
            assert_eq!(back, expected);
        }
    }
}
