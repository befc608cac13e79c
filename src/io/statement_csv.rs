//! A CSV of statements (capacity rows): a header of known column names, then rows read as text
//! cells with the physical line each starts on. What a cell means is checked by the command's
//! own rules; this reader only makes sure every cell is there to check: UTF-8, at most 64 KiB,
//! no more cells than the header has, and no more rows than [`MAX_ROWS`].

use std::io::Read;

use csv::ByteRecord;

use super::records::{CrlfToLf, Got, Records};
use super::supplier_csv::{FileError, MAX_COLUMNS, RowError};
use crate::domain::text::LONG_MAX_BYTES;

/// A statements file holds at most this many rows: one file is one operation, checked whole
/// before anything is written.
pub const MAX_ROWS: u64 = 100_000;

/// One row: its line and its cells by column name (a column the row is short of reads empty).
pub struct Row {
    pub line: u64,
    cells: Vec<(&'static str, String)>,
}

impl Row {
    /// The cell of `column`, trimmed; `None` when empty.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Every row of the file, or the problems of the rows that could not be read.
pub struct Parsed {
    pub rows: Vec<Row>,
    pub problems: Vec<RowError>,
    /// Records read, good or not.
    pub count: u64,
}

/// Reads `input` whole. `columns`: the names a header may use (any case; a BOM and spaces
/// around are ignored); `required`: those it must have. An unknown or repeated column, a
/// missing required one or more than [`MAX_ROWS`] rows stop the file.
pub fn read(
    input: impl Read,
    columns: &[&'static str],
    required: &[&'static str],
) -> Result<Parsed, FileError> {
    let mut reader = Records::new(CrlfToLf::new(input));
    let mut record = ByteRecord::new();
    let got = reader
        .read(&mut record, MAX_COLUMNS, LONG_MAX_BYTES)
        .map_err(|e| FileError(format!("cannot read the header: {e}")))?;
    if !matches!(got, Got::Record { .. }) || record.iter().all(|c| c.trim_ascii().is_empty()) {
        return Err(FileError(format!(
            "line 1: expected a header with the columns {}",
            required.join(", ")
        )));
    }
    let mut header: Vec<&'static str> = Vec::new();
    for (i, cell) in record.iter().enumerate() {
        let name = String::from_utf8_lossy(cell);
        let name = name.trim_start_matches('\u{feff}').trim().to_ascii_lowercase();
        let Some(known) = columns.iter().find(|c| **c == name) else {
            return Err(FileError(format!(
                "line 1: column {}: '{name}' is not a column of this file; the columns are {}",
                i + 1,
                columns.join(", ")
            )));
        };
        if header.contains(known) {
            return Err(FileError(format!(
                "line 1: column {}: '{name}' appears twice",
                i + 1
            )));
        }
        header.push(known);
    }
    if let Some(missing) = required.iter().find(|r| !header.contains(r)) {
        return Err(FileError(format!("line 1: the header has no '{missing}' column")));
    }
    let mut read = Parsed {
        rows: Vec::new(),
        problems: Vec::new(),
        count: 0,
    };
    loop {
        let got = reader
            .read(&mut record, header.len(), LONG_MAX_BYTES)
            .map_err(|e| FileError(format!("cannot read the file: {e}")))?;
        let line = match got {
            Got::End => return Ok(read),
            Got::Record { line } => line,
            Got::CellTooLong { line, field } => {
                read.count += 1;
                read.problems
                    .push(problem(line, header[field], "longer than 64 KiB"));
                continue;
            }
            Got::TooManyFields { line, fields } => {
                read.count += 1;
                read.problems.push(problem(
                    line,
                    "",
                    &format!("{fields} cells; the header has {}", header.len()),
                ));
                continue;
            }
        };
        // A blank line is not a row.
        if record.len() == 1 && record[0].trim_ascii().is_empty() {
            continue;
        }
        read.count += 1;
        if read.count > MAX_ROWS {
            return Err(FileError(format!(
                "line {line}: more than {MAX_ROWS} rows; split the file"
            )));
        }
        let mut cells = Vec::with_capacity(header.len());
        let mut whole = true;
        for (column, cell) in header.iter().zip(record.iter()) {
            match std::str::from_utf8(cell) {
                Ok(text) => cells.push((*column, text.to_string())),
                Err(_) => {
                    read.problems.push(problem(line, column, "not valid UTF-8"));
                    whole = false;
                }
            }
        }
        if whole {
            read.rows.push(Row { line, cells });
        }
    }
}

fn problem(line: u64, column: &str, what: &str) -> RowError {
    RowError {
        line,
        column: column.to_string(),
        problem: what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["supplier", "units", "note"];

    #[test]
    fn rows_keep_their_physical_lines_and_cells_by_name() {
        let text = "\u{feff}Supplier, UNITS\r\nLumina,2\r\n\r\n\"Qiantang\nPV\",3\r\n";
        let read = read(text.as_bytes(), COLUMNS, &["supplier"]).unwrap();
        assert_eq!(read.count, 2);
        assert_eq!(read.rows[0].line, 2);
        assert_eq!(read.rows[0].get("units"), Some("2"));
        assert_eq!(read.rows[0].get("note"), None);
        assert_eq!(read.rows[1].line, 4);
        assert_eq!(read.rows[1].get("supplier"), Some("Qiantang\nPV"));
    }

    #[test]
    fn a_bad_header_stops_the_file() {
        let refused = |text: &str| read(text.as_bytes(), COLUMNS, &["supplier"]).err().unwrap().0;
        assert!(refused("").contains("expected a header"));
        assert!(refused("supplier,unit\n").contains("'unit' is not a column"));
        assert!(refused("supplier,supplier\n").contains("appears twice"));
        assert!(refused("units\n1\n").contains("no 'supplier' column"));
    }

    #[test]
    fn bad_rows_are_problems_with_lines() {
        let mut text = b"supplier,units\nLumina,1,extra\n".to_vec();
        text.extend_from_slice(b"\xff\xfe,2\n");
        text.extend_from_slice(format!("Lumina,{}\n", "9".repeat(70_000)).as_bytes());
        let read = read(&text[..], COLUMNS, &["supplier"]).unwrap();
        assert!(read.rows.is_empty());
        let problems: Vec<String> = read.problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "line 2: 3 cells; the header has 2",
                "line 3: supplier: not valid UTF-8",
                "line 4: units: longer than 64 KiB"
            ]
        );
    }
}
