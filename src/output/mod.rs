//! Rendering lists and records for people (aligned tables, Markdown) and for machines (JSON,
//! CSV). A view's JSON is serde's; its table, Markdown and CSV come from the columns and cells it
//! declares (`Row`, `Document`), drawn by `grid`.
//!
//! Nothing a user typed gets out as anything but text: CSV cells that a spreadsheet would run as
//! formulas are guarded (`guard`, undone on import by `unguard`), tables show control characters
//! as escapes (`visible`), Markdown escapes its markup (`markdown_text`).

mod cell;
mod document;
mod grid;
mod safe;

use std::borrow::Cow;

use serde::Serialize;

use crate::error::{Error, Result};

pub use cell::{Cell, Row, ToCell, debug_check_columns};
pub use document::{Document, Field, Name, fields_of};
pub use grid::Layout;
pub use safe::{guard, markdown_text, unguard, visible};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
    Md,
    /// Reports only: a self-contained dashboard page.
    Html,
}

impl Format {
    /// The extensions `--out` takes, and what they mean: a file with another is refused unless
    /// `--format` says what to write.
    pub const EXTENSIONS: &'static str = ".csv, .json, .md, .html, or .txt (a table)";

    /// Whether a path's extension is one `of_path` reads (or `.txt`, or none).
    pub fn is_known_extension(path: &std::path::Path) -> bool {
        match path.extension().and_then(|e| e.to_str()) {
            None => true,
            Some(e) => e.eq_ignore_ascii_case("txt") || Format::of_path(path).is_some(),
        }
    }

    /// The format a file's extension names (`.csv`, `.json`, `.md`, `.html`), if any.
    pub fn of_path(path: &std::path::Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "md" | "markdown" => Some(Format::Md),
            "html" | "htm" => Some(Format::Html),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Output {
    pub format: Format,
    pub color: bool,
    /// CSV cells as they are, formulas included (`--raw`).
    pub raw: bool,
    /// CSV begins with a UTF-8 byte-order mark (`--bom`), for Excel.
    pub bom: bool,
    /// Tables or one block per record on a terminal (`--layout`).
    pub layout: Layout,
    /// The columns a list or a report's main table shows (`--columns`), in that order; empty:
    /// its own choice.
    pub columns: Vec<String>,
    /// At most this many rows of a list or a report (`--limit`).
    pub limit: Option<usize>,
}

/// Rows of cells under named columns, built by a report for its own table.
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A list of views, under their columns.
    pub fn of<T: Row>(rows: &[T]) -> Table {
        if let Some(first) = rows.first() {
            debug_check_columns(first);
        }
        Table {
            columns: T::COLUMNS.iter().map(|c| c.to_string()).collect(),
            rows: rows.iter().map(Row::cells).collect(),
        }
    }
}

/// The UTF-8 byte-order mark `--bom` begins a CSV with.
const BOM: &str = "\u{feff}";

fn pretty_json<T: Serialize + ?Sized>(value: &T) -> String {
    // Views are plain data (strings, numbers, dates, lists): serialising them cannot fail.
    format!("{}\n", serde_json::to_string_pretty(value).unwrap_or_default())
}

impl Output {
    /// Writes CSV, every cell through `csv_cell`.
    pub fn write_csv(
        &self,
        out: impl std::io::Write,
        header: &[String],
        rows: Vec<Vec<String>>,
    ) -> std::io::Result<()> {
        let mut out = out;
        if self.bom {
            out.write_all(BOM.as_bytes())?;
        }
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(header.iter().map(|c| self.csv_cell(c)))?;
        for row in rows {
            writer.write_record(row.iter().map(|c| self.csv_cell(c)))?;
        }
        writer.flush()
    }

    fn csv(&self, header: &[String], rows: Vec<Vec<String>>) -> String {
        let mut out = Vec::new();
        // Writing to memory cannot fail; the text is UTF-8 throughout.
        let _ = self.write_csv(&mut out, header, rows);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// A value as a CSV cell: guarded against formulas (`guard`), unless `--raw`.
    pub fn csv_cell<'a>(&self, value: &'a str) -> CsvCell<'a> {
        CsvCell(if self.raw {
            Cow::Borrowed(value)
        } else {
            guard(value)
        })
    }

    /// Free text said to people (a heading, a confirmation), escaped for tables or Markdown.
    pub fn text(&self, text: &str) -> String {
        match self.format {
            Format::Md => markdown_text(text),
            Format::Table => grid::fitted(&visible(text)),
            Format::Json | Format::Csv | Format::Html => text.to_string(),
        }
    }

    /// A list of views: the first `--limit` of them. JSON and CSV carry every field; tables and
    /// Markdown show `shown`, the columns a person reads (all when empty); `--columns` picks
    /// them instead, CSV's too.
    pub fn list<T: Row>(&self, rows: &[T], shown: &[&str]) -> Result<String> {
        let rows = &rows[..self.limit.unwrap_or(usize::MAX).min(rows.len())];
        match self.format {
            Format::Json => Ok(pretty_json(rows)),
            _ => self.main_table(&Table::of(rows), shown),
        }
    }

    /// A list's or a report's own table ([`Output::table`]), with the columns `--columns`
    /// picks: each must be one of the table's.
    pub fn main_table(&self, table: &Table, shown: &[&str]) -> Result<String> {
        if self.columns.is_empty() {
            return Ok(self.table(table, shown));
        }
        if let Some(unknown) = self.columns.iter().find(|c| !table.columns.contains(c)) {
            return Err(Error::invalid(
                "columns",
                format!(
                    "'{unknown}' is not a column here; the columns are: {}",
                    table.columns.join(", ")
                ),
            ));
        }
        Ok(self.grid_of(table, self.columns.clone()))
    }

    /// A table as CSV (every column), Markdown or an aligned table (the `shown` columns, all
    /// when empty). An empty table shows the columns a person reads, or says `(none)`.
    pub fn table(&self, table: &Table, shown: &[&str]) -> String {
        let header: Vec<String> = match (table.rows.is_empty(), self.format, shown.is_empty()) {
            (true, _, _) => shown.iter().map(|c| c.to_string()).collect(),
            (false, Format::Csv, _) | (false, _, true) => table.columns.clone(),
            (false, _, false) => shown.iter().map(|c| c.to_string()).collect(),
        };
        self.grid_of(table, header)
    }

    /// `table`'s `header` columns as CSV, Markdown or an aligned table.
    fn grid_of(&self, table: &Table, header: Vec<String>) -> String {
        if header.is_empty() {
            return match self.format {
                Format::Csv => String::new(),
                _ => "(none)\n".to_string(),
            };
        }
        let at: Vec<Option<usize>> = header
            .iter()
            .map(|h| table.columns.iter().position(|c| c == h))
            .collect();
        let human = self.format != Format::Csv;
        let cells: Vec<Vec<String>> = table
            .rows
            .iter()
            .map(|row| {
                at.iter()
                    .map(|i| match i.map(|i| &row[i]) {
                        Some(cell) if human => cell.human().into_owned(),
                        Some(cell) => cell.csv().into_owned(),
                        None => String::new(),
                    })
                    .collect()
            })
            .collect();
        match self.format {
            Format::Csv => self.csv(&header, cells),
            _ => self.grid(&header, cells),
        }
    }

    /// One record with its parts (`supplier show`, `visit show`, a record just changed). JSON is
    /// the record itself; CSV is `field,value` rows with dotted paths; tables and Markdown give
    /// one section per part.
    pub fn document<T: Document>(&self, title: &str, doc: &T) -> String {
        let fields = doc.fields();
        match self.format {
            Format::Json => pretty_json(doc),
            Format::Csv => {
                let mut rows = Vec::new();
                document::flatten("", &fields, &mut rows);
                self.csv(&["field".to_string(), "value".to_string()], rows)
            }
            Format::Table | Format::Md | Format::Html => {
                let mut sections = document::Sections {
                    output: self,
                    hidden: T::HIDDEN,
                    out: Vec::new(),
                };
                sections.add(title, &fields);
                sections.out.join("\n")
            }
        }
    }

    /// The head of a list written a row at a time (CSV or Markdown, which need no widths):
    /// its header line(s). `streamed_row` then gives each row's line.
    pub fn streamed_header(&self, header: &[&str]) -> String {
        // `csv` writes the byte-order mark, when asked for, with the header.
        let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
        match self.format {
            Format::Csv => self.csv(&header, Vec::new()),
            _ => grid::markdown(&header, Vec::new()),
        }
    }

    /// One row of a list written a row at a time (`streamed_header`).
    pub fn streamed_row(&self, cells: &[Cell]) -> String {
        match self.format {
            Format::Csv => {
                let mut out = Vec::new();
                let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out);
                // Writing to memory cannot fail.
                let _ = writer.write_record(cells.iter().map(|c| self.csv_cell(&c.csv()).0.into_owned()));
                drop(writer);
                String::from_utf8_lossy(&out).into_owned()
            }
            _ => grid::markdown_row(cells.iter().map(|c| c.human().into_owned())),
        }
    }

    fn grid(&self, header: &[String], rows: Vec<Vec<String>>) -> String {
        match self.format {
            Format::Md => grid::markdown(header, rows),
            _ => format!("{}\n", grid::terminal(header, rows, self.color, self.layout)),
        }
    }
}

/// A cell for `csv::Writer::write_record`.
pub struct CsvCell<'a>(Cow<'a, str>);

impl AsRef<[u8]> for CsvCell<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}
