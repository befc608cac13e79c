//! CSV records read with a cap on every cell. The csv crate grows a record for as long as a
//! cell goes on (a 10 MB cell took 437 MB on its way through); here its parser, `csv-core`, is
//! fed by hand, and a cell past the cap stops being kept: the parser runs on to the record's end,
//! throwing the rest away, and the next record is read as usual. Memory stays flat whatever the
//! file holds.

use std::io::Read;

use csv::ByteRecord;
use csv_core::ReadRecordResult;

/// How many bytes are read from the input at a time.
const CHUNK: usize = 64 * 1024;

/// What one read gives.
#[derive(Debug, PartialEq, Eq)]
pub enum Got {
    /// A whole record, in the record passed in.
    Record { line: u64 },
    /// A record whose field `field` (0-based) went past the cap; the record passed in holds the
    /// fields before it.
    CellTooLong { line: u64, field: usize },
    /// A record with more fields than the caller takes; the record holds the first of them.
    TooManyFields { line: u64, fields: usize },
    /// The end of the input.
    End,
}

pub struct Records<R> {
    input: R,
    parser: csv_core::Reader,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    fields: Vec<u8>,
    ends: Vec<usize>,
    /// Where the rest of an over-long record goes.
    scratch: Vec<u8>,
    scratch_ends: Vec<usize>,
    /// Line feeds of blank lines skipped before records, which the parser never counted.
    skipped_lines: u64,
    /// Bytes consumed so far.
    pub position: u64,
}

impl<R: Read> Records<R> {
    pub fn new(input: R) -> Self {
        Records {
            input,
            parser: csv_core::Reader::new(),
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            fields: vec![0; 1024],
            ends: vec![0; 16],
            scratch: vec![0; 4096],
            scratch_ends: vec![0; 64],
            skipped_lines: 0,
            position: 0,
        }
    }

    fn fill(&mut self) -> std::io::Result<()> {
        if self.start == self.end && !self.eof {
            self.start = 0;
            self.end = loop {
                match self.input.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.eof = self.end == 0;
        }
        Ok(())
    }

    /// Where field `index` of the record being read starts in `fields`.
    fn field_start(&self, index: usize) -> usize {
        if index == 0 { 0 } else { self.ends[index - 1] }
    }

    /// Reads the next record into `record`: at most `max_fields` fields of at most `cell_max`
    /// bytes each are kept. The line is the physical line the record starts on.
    ///
    /// One loop over csv-core's states, longer than most functions here: each state hands the
    /// parser's output buffers back and forth with the record being built, and split apart the
    /// pieces would pass all of that state between them.
    pub fn read(
        &mut self,
        record: &mut ByteRecord,
        max_fields: usize,
        cell_max: usize,
    ) -> std::io::Result<Got> {
        record.clear();
        // Blank lines are not records; skipping them here keeps the line a record starts on right.
        loop {
            self.fill()?;
            if self.start < self.end && self.buf[self.start] == b'\n' {
                self.start += 1;
                self.position += 1;
                self.skipped_lines += 1;
            } else {
                break;
            }
        }
        let line = self.parser.line() + self.skipped_lines;
        let (mut outlen, mut endlen) = (0, 0);
        // Once a cell is too long (`Some(its field)`) or the fields too many, the rest of the
        // record is parsed into scratch space and dropped.
        let mut too_long: Option<usize> = None;
        let mut too_many = false;
        let mut extra_fields = 0;
        loop {
            self.fill()?;
            let input = &self.buf[self.start..self.end];
            let cut = too_long.is_some() || too_many;
            // The cell being read may take `cell_max` bytes and one more, which shows it is too
            // long; the output ends there.
            let room = self.field_start(endlen) + cell_max + 1;
            let limit = self.fields.len().min(room);
            let (result, nin, nout, nend) = if !cut {
                self.parser
                    .read_record(input, &mut self.fields[outlen..limit], &mut self.ends[endlen..])
            } else {
                self.parser
                    .read_record(input, &mut self.scratch, &mut self.scratch_ends)
            };
            self.start += nin;
            self.position += nin as u64;
            if !cut {
                outlen += nout;
                endlen += nend;
            } else {
                extra_fields += nend;
            }
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull if cut => {}
                ReadRecordResult::OutputFull => {
                    let room = self.field_start(endlen) + cell_max + 1;
                    if outlen >= room {
                        too_long = Some(endlen);
                    } else if outlen >= self.fields.len() {
                        let grown = (self.fields.len() * 2).min(room);
                        self.fields.resize(grown, 0);
                    }
                    // Otherwise a field ended and the next one has room of its own.
                }
                ReadRecordResult::OutputEndsFull if cut => {}
                ReadRecordResult::OutputEndsFull => {
                    if endlen >= max_fields {
                        too_many = true;
                    } else {
                        let grown = (self.ends.len() * 2).min(max_fields);
                        self.ends.resize(grown, 0);
                    }
                }
                ReadRecordResult::Record => {
                    let mut from = 0;
                    for &to in &self.ends[..endlen.min(max_fields)] {
                        record.push_field(&self.fields[from..to]);
                        from = to;
                    }
                    let fields = endlen + extra_fields;
                    return Ok(match too_long {
                        Some(field) => Got::CellTooLong { line, field },
                        None if fields > max_fields => Got::TooManyFields { line, fields },
                        None => Got::Record { line },
                    });
                }
                ReadRecordResult::End => return Ok(Got::End),
            }
        }
    }
}

/// Turns CRLF (and a lone CR, the old Mac line end) into LF before the CSV parser sees it. The csv
/// crate counts lines by LF only, and counts a record that follows a CRLF as starting on the line
/// before (it leaves the LF for the next record); users need the physical line. A line break
/// inside a quoted cell becomes LF, which is what a stored note wants anyway.
pub struct CrlfToLf<R> {
    inner: R,
    pending_cr: bool,
    buf: Vec<u8>,
}

impl<R> CrlfToLf<R> {
    pub fn new(inner: R) -> Self {
        CrlfToLf {
            inner,
            pending_cr: false,
            buf: Vec::new(),
        }
    }
}

impl<R: Read> Read for CrlfToLf<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            // Each input byte can give two output bytes (a held-back CR and itself).
            let want = (out.len() / 2).max(1);
            self.buf.resize(want, 0);
            let n = self.inner.read(&mut self.buf[..want])?;
            if n == 0 {
                if std::mem::take(&mut self.pending_cr) {
                    out[0] = b'\n';
                    return Ok(1);
                }
                return Ok(0);
            }
            let mut written = 0;
            for &byte in &self.buf[..n] {
                if std::mem::take(&mut self.pending_cr) && byte != b'\n' {
                    out[written] = b'\n';
                    written += 1;
                }
                if byte == b'\r' {
                    self.pending_cr = true;
                } else {
                    out[written] = byte;
                    written += 1;
                }
            }
            if written > 0 {
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], max_fields: usize, cell_max: usize) -> Vec<(Got, Vec<String>)> {
        let mut records = Records::new(input);
        let mut record = ByteRecord::new();
        let mut out = Vec::new();
        loop {
            let read = records.read(&mut record, max_fields, cell_max).unwrap();
            if read == Got::End {
                return out;
            }
            let fields = record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect();
            out.push((read, fields));
        }
    }

    #[test]
    fn records_with_their_lines() {
        let got = all(b"a,b\n\n\"c\nd\",e\nf", 10, 100);
        assert_eq!(got[0], (Got::Record { line: 1 }, vec!["a".into(), "b".into()]));
        assert_eq!(got[1], (Got::Record { line: 3 }, vec!["c\nd".into(), "e".into()]));
        assert_eq!(got[2], (Got::Record { line: 5 }, vec!["f".into()]));
        assert_eq!(got.len(), 3);
    }

    #[test]
    fn a_long_cell_is_cut_and_the_next_record_reads() {
        let long = "x".repeat(5000);
        let text = format!("a,\"{long}\"\"\n{long}\",b\nc,d\n");
        let got = all(text.as_bytes(), 10, 100);
        assert_eq!(got[0].0, Got::CellTooLong { line: 1, field: 1 });
        assert_eq!(got[0].1, vec!["a".to_string()]);
        assert_eq!(got[1], (Got::Record { line: 3 }, vec!["c".into(), "d".into()]));
        // Right at the cap is fine.
        let got = all(format!("{}\n", "y".repeat(100)).as_bytes(), 10, 100);
        assert_eq!(got[0].0, Got::Record { line: 1 });
    }

    #[test]
    fn too_many_fields_are_counted_not_kept() {
        let text = format!("{}\nok\n", vec!["f"; 1000].join(","));
        let got = all(text.as_bytes(), 3, 100);
        assert_eq!(
            got[0].0,
            Got::TooManyFields {
                line: 1,
                fields: 1000
            }
        );
        assert_eq!(got[0].1.len(), 3);
        assert_eq!(got[1].0, Got::Record { line: 2 });
    }
}
