//! The checked rows of an import, set aside in a temporary file between reading the CSV and
//! writing the database, so that the write phase holds no more than a batch in memory and can run
//! again from the start when it collides with another writer.
//!
//! The file is anonymous (deleted when closed, or when the process dies) and holds one frame per
//! batch: its length (4 bytes, little-endian), then the batch's rows in postcard's compact binary
//! form. The page cache usually keeps it in memory; it counts against no one's peak RSS.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};

use tokio::sync::mpsc::Receiver;

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
    buf: Vec<u8>,
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

    /// Sets a batch of rows aside.
    pub(super) fn push(&mut self, rows: &[Row]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.buf.clear();
        self.buf.extend_from_slice(&[0; 4]);
        let mut buf = postcard::to_extend(rows, std::mem::take(&mut self.buf))
            .map_err(|e| Error::Other(format!("setting rows aside: {e}")))?;
        let frame = u32::try_from(buf.len() - 4)
            .map_err(|_| Error::Other("setting rows aside: a batch over 4 GiB".into()))?;
        buf[..4].copy_from_slice(&frame.to_le_bytes());
        self.writer.write_all(&buf).map_err(|e| spill_error("write", e))?;
        self.len += buf.len() as u64;
        self.rows += rows.len() as u64;
        self.buf = buf;
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
    /// Reads the rows back from the start, batch by batch, on their own thread (deserialising
    /// overlaps with matching and writing). At most two batches wait in the channel. The channel
    /// closes after the last batch; a reader that ends early (it cannot) shows as missing rows.
    pub(super) fn read_ahead(&self) -> Result<Receiver<Result<Vec<Row>>>> {
        let file = self.file.try_clone().map_err(|e| spill_error("read", e))?;
        let mut reader = BufReader::with_capacity(
            1 << 16,
            At {
                file,
                position: 0,
                end: self.len,
            },
        );
        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        let thread = std::thread::Builder::new().name("spill-reader".into());
        let spawned = thread.spawn(move || {
            let mut buf = Vec::new();
            loop {
                let mut len = [0; 4];
                match reader.read_exact(&mut len) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return,
                    Err(e) => {
                        let _ = sender.blocking_send(Err(spill_error("read", e)));
                        return;
                    }
                }
                buf.resize(u32::from_le_bytes(len) as usize, 0);
                let batch = reader
                    .read_exact(&mut buf)
                    .map_err(|e| spill_error("read", e))
                    .and_then(|()| {
                        postcard::from_bytes::<Vec<Row>>(&buf)
                            .map_err(|e| Error::Other(format!("reading rows set aside: {e}")))
                    });
                let failed = batch.is_err();
                if sender.blocking_send(batch).is_err() || failed {
                    return;
                }
            }
        });
        drop(spawned);
        Ok(receiver)
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
mod tests {
    use super::*;
    use crate::io::supplier_csv::{Record, SupplierCsv};

    fn rows(text: &str) -> Vec<Row> {
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

    #[tokio::test]
    async fn rows_come_back_as_set_aside_every_time() {
        let first = rows(
            "name,native_name,aliases,capabilities,scarce,note\nA Co,甲,A1;A2,pecvd;pvd,yes,\"two\nlines\"\n",
        );
        let second = rows("name,country\nB GmbH,DE\nC Ltd,\n");
        let mut spill = Spill::new().unwrap();
        spill.push(&first).unwrap();
        spill.push(&[]).unwrap();
        spill.push(&second).unwrap();
        let spilled = spill.finish().unwrap();
        assert_eq!(spilled.rows, 3);
        for _ in 0..2 {
            let mut batches = spilled.read_ahead().unwrap();
            let mut back = Vec::new();
            while let Some(batch) = batches.recv().await {
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
