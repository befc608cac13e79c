//! The reject file of `import suppliers`: every rejected row as it was read, with its problems in
//! a last `error` column.
//!
//! Rows are rejected at two moments: while the file is read and checked (no transaction open),
//! and while a write attempt matches rows against the stored suppliers (a row that matches two
//! of them). Both kinds wait in anonymous temporary files; the file itself is written whole, in
//! one go, by [`RejectFile::write_out`], which the import calls before it commits. A reject file
//! that cannot be written therefore fails the import with nothing imported, and a write attempt
//! that runs again (after colliding with another writer) starts its own rejects afresh.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use super::out_file::OutFile;
use super::supplier_csv::{RawRecord, RowError};
use crate::error::{Error, Result};
use crate::output::{self, Output};

pub struct RejectFile<'a>(Option<Rejects<'a>>);

struct Rejects<'a> {
    header: Vec<String>,
    /// Cells are written formula-guarded like every CSV (unless `--raw`).
    output: Output,
    /// The output opened (and checked) when the import began, until its first write.
    out: Option<OutFile>,
    /// Opens the output again, for a write attempt that runs again.
    reopen: Box<dyn FnMut() -> Result<OutFile> + 'a>,
    /// Rows refused while reading the file.
    read: csv::Writer<File>,
    /// Rows refused by the current write attempt.
    attempt: Option<csv::Writer<File>>,
}

impl<'a> RejectFile<'a> {
    /// No reject file: rejected rows are only counted and reported.
    pub fn none() -> RejectFile<'static> {
        RejectFile(None)
    }

    /// Rejected rows go to `out` (opened and checked by the caller), under the input's `header`
    /// and an `error` column; `reopen` opens the same output again.
    pub fn new(
        header: &[String],
        out: OutFile,
        output: Output,
        reopen: impl FnMut() -> Result<OutFile> + 'a,
    ) -> Result<RejectFile<'a>> {
        let mut header = header.to_vec();
        header.push(super::supplier_csv::REJECT_COLUMN.into());
        Ok(RejectFile(Some(Rejects {
            header,
            output,
            out: Some(out),
            reopen: Box::new(reopen),
            read: temp_csv()?,
            attempt: None,
        })))
    }

    /// Records a rejected row.
    pub fn add(&mut self, raw: &RawRecord, errors: &[RowError]) -> Result<()> {
        let Some(rejects) = &mut self.0 else {
            return Ok(());
        };
        let mut record = raw.fields();
        record.push(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        );
        // The rows as read: each cell's value, guarded as every CSV is.
        let cells = record.iter().map(|c| rejects.output.csv_cell(output::unguard(c)));
        let writer = rejects.attempt.as_mut().unwrap_or(&mut rejects.read);
        writer.write_record(cells).map_err(temp_error)
    }

    /// Rows rejected from now on belong to a write attempt; those of an earlier attempt are
    /// forgotten.
    pub fn start_attempt(&mut self) -> Result<()> {
        if let Some(rejects) = &mut self.0 {
            rejects.attempt = Some(temp_csv()?);
        }
        Ok(())
    }

    /// Writes the reject file whole: the header, the rows refused while reading, then those the
    /// current write attempt refused. Every error writing can raise is raised here.
    pub fn write_out(&mut self) -> Result<()> {
        let Some(rejects) = &mut self.0 else {
            return Ok(());
        };
        let mut out = match rejects.out.take() {
            Some(out) => out,
            None => (rejects.reopen)()?,
        };
        let written = (|| -> Result<()> {
            let mut header = csv::Writer::from_writer(&mut out);
            let cells = rejects.header.iter().map(|c| rejects.output.csv_cell(c));
            header.write_record(cells).map_err(temp_error)?;
            header.flush()?;
            drop(header);
            copy(&mut rejects.read, &mut out)?;
            if let Some(attempt) = &mut rejects.attempt {
                copy(attempt, &mut out)?;
            }
            Ok(())
        })();
        match written {
            Err(Error::Io(e)) => Err(out.error(e)),
            Err(e) => Err(e),
            Ok(()) => out.finish()?.keep(),
        }
    }
}

fn temp_csv() -> Result<csv::Writer<File>> {
    let file =
        tempfile::tempfile().map_err(|e| Error::Other(format!("cannot create a temporary file: {e}")))?;
    Ok(csv::Writer::from_writer(file))
}

/// Copies what `from` holds to `to`, leaving `from` ready for more rows.
fn copy(from: &mut csv::Writer<File>, to: &mut impl Write) -> Result<()> {
    from.flush()?;
    let mut file = from.get_ref().try_clone()?;
    file.seek(SeekFrom::Start(0))?;
    let copied = std::io::copy(&mut file, to);
    file.seek(SeekFrom::End(0))?;
    copied?;
    Ok(())
}

fn temp_error(e: csv::Error) -> Error {
    Error::Other(format!("cannot write a temporary file: {e}"))
}
