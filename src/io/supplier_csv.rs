//! Reading supplier lists written elsewhere: header matching and `--map`, RFC 4180 quoting, BOM,
//! CRLF, ragged rows, invalid UTF-8, and validation of every cell into a `SupplierRow`, each with
//! the physical line its record starts on. It streams: one record in memory at a time, and a cell
//! over 64 KiB is refused as it is read.

use std::io::Read;

use csv::ByteRecord;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::records::{CrlfToLf, Got, Records};
use crate::domain::status::ScarceOverride;
use crate::domain::text::{self, LONG_MAX_BYTES};
use crate::domain::values::{self, Invalid};

/// A canonical supplier column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    NativeName,
    Aliases,
    Capabilities,
    Country,
    Province,
    City,
    Address,
    Website,
    Scarce,
    Note,
    Date,
}

impl Field {
    pub const ALL: [Field; 12] = [
        Field::Name,
        Field::NativeName,
        Field::Aliases,
        Field::Capabilities,
        Field::Country,
        Field::Province,
        Field::City,
        Field::Address,
        Field::Website,
        Field::Scarce,
        Field::Note,
        Field::Date,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::NativeName => "native_name",
            Field::Aliases => "aliases",
            Field::Capabilities => "capabilities",
            Field::Country => "country",
            Field::Province => "province",
            Field::City => "city",
            Field::Address => "address",
            Field::Website => "website",
            Field::Scarce => "scarce",
            Field::Note => "note",
            Field::Date => "date",
        }
    }

    fn from_header(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.as_str() == key)
    }
}

/// What a source column feeds: a field, or nothing (`--map COL=-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Field(Field),
    Ignore,
}

/// Header names are matched case-insensitively, after NFKC and trimming; spaces and hyphens
/// count as underscores (`Native Name` is `native_name`).
fn header_key(header: &str) -> String {
    let text: String = header.nfkc().collect();
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// One `--map SOURCE=field` (or `SOURCE=-`).
#[derive(Debug, Clone)]
pub struct Mapping {
    source: String,
    target: Target,
}

impl std::str::FromStr for Mapping {
    type Err = Invalid;

    fn from_str(text: &str) -> Result<Self, Invalid> {
        let Some((source, field)) = text.rsplit_once('=') else {
            return Err(Invalid::new(
                "map",
                format!("'{text}' is not SOURCE=field or SOURCE=-"),
            ));
        };
        let target = match field.trim() {
            "-" => Target::Ignore,
            name => Target::Field(Field::from_header(&header_key(name)).ok_or_else(|| {
                Invalid::new(
                    "map",
                    format!(
                        "'{name}' is not a supplier field; use one of {}, or - to ignore the column",
                        Field::ALL.map(Field::as_str).join(", ")
                    ),
                )
            })?),
        };
        Ok(Mapping {
            source: header_key(source),
            target,
        })
    }
}

/// A problem with one row: the physical line its record starts on, the column, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.line, self.problem)
        } else {
            write!(f, "line {}: {}: {}", self.line, self.column, self.problem)
        }
    }
}

/// A valid supplier row, cleaned and in canonical form. Serialisable, so that an import can set
/// checked rows aside (`store::import`'s spill) and read them back for writing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SupplierRow {
    pub line: u64,
    pub name: String,
    pub native_name: Option<String>,
    pub aliases: Vec<String>,
    pub capabilities: Vec<String>,
    pub country: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    #[serde(with = "scarce_text")]
    pub scarce: Option<ScarceOverride>,
    pub note: Option<String>,
    /// The day the supplier is on record from, and the row's changes hold from [default: the
    /// import's `--date`].
    #[serde(default)]
    pub date: Option<chrono::NaiveDate>,
    /// Normalised name, native name and aliases, computed once for matching.
    pub name_norm: String,
    pub native_norm: Option<String>,
    pub alias_norms: Vec<String>,
}

impl SupplierRow {
    /// The normalised keys the row answers to: name, native name, aliases.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        std::iter::once(&self.name_norm)
            .chain(&self.native_norm)
            .chain(&self.alias_norms)
    }
}

/// The scarcity override as its text, for serde.
mod scarce_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::domain::status::ScarceOverride;

    pub fn serialize<S: Serializer>(value: &Option<ScarceOverride>, s: S) -> Result<S::Ok, S::Error> {
        value.map(ScarceOverride::as_str).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ScarceOverride>, D::Error> {
        Option::<&str>::deserialize(d)?
            .map(|text| ScarceOverride::parse(text).map_err(|e| serde::de::Error::custom(e.problem)))
            .transpose()
    }
}

/// A record as read, for a reject file: its fields as they were. Kept as bytes, and turned into
/// text only for a row that is rejected; empty unless the reader was asked to keep records.
#[derive(Debug, Clone)]
pub struct RawRecord(ByteRecord);

impl RawRecord {
    /// The fields as text; bytes that are not UTF-8 become U+FFFD.
    pub fn fields(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect()
    }
}

impl Serialize for RawRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

impl<'de> Deserialize<'de> for RawRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(RawRecord(ByteRecord::from(Vec::<Vec<u8>>::deserialize(d)?)))
    }
}

/// Records read ahead on their own thread (see [`SupplierCsv::read_ahead`]), not yet checked.
pub struct Batch {
    pub records: Vec<RawRow>,
    /// Bytes consumed after this batch, for a progress bar.
    pub position: u64,
    /// The file ends with this batch. A channel that closes before a last batch means the reading
    /// thread died, which is an error, never a short file.
    pub last: bool,
}

/// A record as read and not yet checked: the line it starts on, what reading it found, and its
/// fields. Checking it ([`Columns::check`]) needs no reader, so records are checked on every core.
pub struct RawRow {
    line: u64,
    shape: Shape,
    record: ByteRecord,
}

/// What reading a record found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The record, whole.
    Whole,
    /// Cell `field` (0-based) was over 64 KiB; the record holds the cells before it (and empty
    /// ones after, when records are kept for a reject file).
    CellTooLong(usize),
    /// The record had this many fields, more than the header.
    TooManyFields(usize),
}

/// What reading one record gives.
pub enum Record {
    Valid(Box<SupplierRow>, RawRecord),
    Invalid(Vec<RowError>, RawRecord),
}

/// An error that stops the whole file (no header, no name column, unknown columns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub String);

/// A batch of records read ahead holds at most about this many bytes of the file (and a record
/// more): 2,000 rows of 64 KiB notes would otherwise hold 128 MB, and make a MariaDB insert
/// larger than its default 16 MB packet.
pub const BATCH_BYTES: u64 = 4 << 20;

/// A header has at most this many columns.
pub const MAX_COLUMNS: usize = 4096;

pub struct SupplierCsv<R: Read> {
    reader: Records<CrlfToLf<R>>,
    columns: Columns,
    /// Bytes consumed so far, for a progress bar.
    pub position: u64,
}

/// What a file's header says: its columns and the field each feeds. Checks records.
#[derive(Debug, Clone)]
pub struct Columns {
    headers: Vec<String>,
    targets: Vec<Target>,
    /// Whether records keep their raw fields (for a reject file).
    keep_raw: bool,
    /// The day the file is read on: a `date` cannot come after it.
    today: chrono::NaiveDate,
}

/// Records read ahead on their own thread, and the way back for their buffers.
pub struct ReadAhead {
    pub columns: std::sync::Arc<Columns>,
    batches: tokio::sync::mpsc::Receiver<Result<Batch, FileError>>,
    recycled: std::sync::mpsc::Sender<Vec<RawRow>>,
}

impl ReadAhead {
    /// The next batch; `None` once the reading thread has ended.
    pub async fn recv(&mut self) -> Option<Result<Batch, FileError>> {
        self.batches.recv().await
    }

    /// Hands a checked batch's records back to the reader, which reads the next ones into them
    /// instead of allocating new ones.
    pub fn recycle(&self, records: Vec<RawRow>) {
        let _ = self.recycled.send(records);
    }
}

/// The column a reject file adds after the row's own (`io::rejects`).
pub const REJECT_COLUMN: &str = "error";

/// The field each column feeds: every `--map` names a column, a name column exists, no column
/// is unknown, and no single-valued field is fed twice.
fn targets(headers: &[String], maps: &[Mapping]) -> Result<Vec<Target>, FileError> {
    if headers
        .first()
        .is_some_and(|h| h.trim_start().starts_with(['{', '[']))
    {
        return Err(FileError(
            "this looks like a vetted backup (JSON), not a CSV of suppliers; restore a backup \
             into a new database with `vetted import all FILE`"
                .into(),
        ));
    }
    for map in maps {
        if !headers.iter().any(|h| header_key(h) == map.source) {
            return Err(FileError(format!(
                "--map names a column '{}' that the file does not have; its columns are: {}",
                map.source,
                headers.join(", ")
            )));
        }
    }
    let mut targets = Vec::with_capacity(headers.len());
    let mut unknown = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let key = header_key(h);
        let target = match maps.iter().find(|m| m.source == key) {
            Some(map) => map.target,
            // The last column of a reject file vetted wrote says why each row was rejected: a
            // reject file, fixed, imports back as it is.
            None if key == REJECT_COLUMN && i + 1 == headers.len() => Target::Ignore,
            None => match Field::from_header(&key) {
                Some(field) => Target::Field(field),
                None => {
                    unknown.push(h.clone());
                    Target::Ignore
                }
            },
        };
        targets.push(target);
    }
    if !targets.contains(&Target::Field(Field::Name)) {
        return Err(FileError(format!(
            "no name column; the file's columns are {}; say which one holds the name with --map COLUMN=name",
            headers.join(", ")
        )));
    }
    if !unknown.is_empty() {
        let first = &unknown[0];
        return Err(FileError(format!(
            "unknown column{} {}; map {} to a field with --map '{first}=FIELD' or ignore {} with --map '{first}=-' \
             (fields: {})",
            if unknown.len() == 1 { "" } else { "s" },
            unknown
                .iter()
                .map(|u| format!("'{u}'"))
                .collect::<Vec<_>>()
                .join(", "),
            if unknown.len() == 1 { "it" } else { "each" },
            if unknown.len() == 1 { "it" } else { "each" },
            Field::ALL.map(Field::as_str).join(", ")
        )));
    }
    for field in Field::ALL {
        let feeding: Vec<&String> = headers
            .iter()
            .zip(&targets)
            .filter(|(_, t)| **t == Target::Field(field))
            .map(|(h, _)| h)
            .collect();
        if feeding.len() > 1 && !matches!(field, Field::Aliases | Field::Capabilities) {
            return Err(FileError(format!(
                "columns {} all feed the {} field; ignore all but one with --map COLUMN=-",
                feeding
                    .iter()
                    .map(|h| format!("'{h}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
                field.as_str()
            )));
        }
    }
    Ok(targets)
}

impl<R: Read> SupplierCsv<R> {
    /// Reads the header and resolves every column to a field or to "ignored".
    pub fn open(input: R, maps: &[Mapping]) -> Result<Self, FileError> {
        let mut reader = Records::new(CrlfToLf::new(input));
        let mut header = ByteRecord::new();
        let got = reader
            .read(&mut header, MAX_COLUMNS, LONG_MAX_BYTES)
            .map_err(|e| FileError(format!("cannot read the header: {e}")))?;
        match got {
            Got::CellTooLong { field, .. } => {
                return Err(FileError(format!(
                    "line 1: column {}: the header is longer than 64 KiB",
                    field + 1
                )));
            }
            Got::TooManyFields { fields, .. } => {
                return Err(FileError(format!(
                    "line 1: the header has {fields} columns; at most {MAX_COLUMNS}"
                )));
            }
            Got::Record { .. } | Got::End => {}
        }
        if got == Got::End || header.iter().all(|h| h.iter().all(u8::is_ascii_whitespace)) {
            return Err(FileError(
                "the file is empty: expected a header row with at least a name column".into(),
            ));
        }
        let headers: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, h)| {
                String::from_utf8(h.to_vec())
                    .map(|s| s.trim_start_matches('\u{feff}').trim().to_string())
                    .map_err(|_| FileError(format!("line 1: column {}: header is not valid UTF-8", i + 1)))
            })
            .collect::<Result<_, _>>()?;
        let targets = targets(&headers, maps)?;
        Ok(SupplierCsv {
            reader,
            columns: Columns {
                headers,
                targets,
                keep_raw: true,
                today: chrono::Local::now().date_naive(),
            },
            position: 0,
        })
    }

    /// Whether records keep their fields as read (for a reject file); they do unless told not.
    pub fn keep_raw(mut self, keep: bool) -> Self {
        self.columns.keep_raw = keep;
        self
    }

    pub fn headers(&self) -> &[String] {
        &self.columns.headers
    }

    /// The next record, valid or with its problems; `None` at the end of the file. An error that
    /// stops reading (an I/O error) is returned as `Err`. (Imports read ahead in batches.)
    #[cfg(test)]
    pub fn next_record(&mut self) -> Result<Option<Record>, FileError> {
        let mut raw = RawRow {
            line: 0,
            shape: Shape::Whole,
            record: ByteRecord::new(),
        };
        Ok(self.next_raw(&mut raw)?.then(|| self.columns.check(&raw)))
    }

    /// Reads the next record into `raw` (reusing its buffers); `false` at the end of the file.
    fn next_raw(&mut self, raw: &mut RawRow) -> Result<bool, FileError> {
        let columns = self.columns.headers.len();
        loop {
            let got = self
                .reader
                .read(&mut raw.record, columns, LONG_MAX_BYTES)
                .map_err(|e| FileError(format!("cannot read the file: {e}")))?;
            self.position = self.reader.position;
            (raw.line, raw.shape) = match got {
                Got::End => return Ok(false),
                Got::CellTooLong { line, field } => {
                    // The reject file gets the cells before the long one, and empty ones after.
                    while self.columns.keep_raw && raw.record.len() < columns {
                        raw.record.push_field(b"");
                    }
                    (line, Shape::CellTooLong(field))
                }
                Got::TooManyFields { line, fields } => (line, Shape::TooManyFields(fields)),
                Got::Record { line } => {
                    // Blank lines between records are not rows.
                    if raw.record.len() == 1 && raw.record[0].iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    (line, Shape::Whole)
                }
            };
            return Ok(true);
        }
    }

    /// Reads the rest of the file on its own thread, `size` records a batch, so that reading
    /// overlaps with checking the records (on every core, [`Columns::check`]) and whatever the
    /// caller does with them. A batch also ends after [`BATCH_BYTES`] of input, so rows of long
    /// cells make smaller batches. At most two batches wait in the channel: memory stays flat
    /// however long the file is and whatever its rows hold. Dropping the receiver stops the thread.
    pub fn read_ahead(mut self, size: usize) -> ReadAhead
    where
        R: Send + 'static,
    {
        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        let (recycled, returned) = std::sync::mpsc::channel::<Vec<RawRow>>();
        let columns = std::sync::Arc::new(self.columns.clone());
        let reader = std::thread::Builder::new().name("csv-reader".into());
        let spawned = reader.spawn(move || {
            loop {
                // Records of a batch the caller has checked and handed back are read into again.
                let mut spare = returned.try_recv().unwrap_or_default();
                let mut records = Vec::with_capacity(size);
                let start = self.position;
                let read = loop {
                    let mut raw = spare.pop().unwrap_or_else(|| RawRow {
                        line: 0,
                        shape: Shape::Whole,
                        record: ByteRecord::new(),
                    });
                    match self.next_raw(&mut raw) {
                        Ok(true) => {
                            records.push(raw);
                            if records.len() == size || self.position - start >= BATCH_BYTES {
                                break Ok(false);
                            }
                        }
                        Ok(false) => break Ok(true),
                        Err(e) => break Err(e),
                    }
                };
                let (message, done) = match read {
                    Ok(last) => {
                        let position = self.position;
                        (
                            Ok(Batch {
                                records,
                                position,
                                last,
                            }),
                            last,
                        )
                    }
                    Err(e) => (Err(e), true),
                };
                if sender.blocking_send(message).is_err() || done {
                    return;
                }
            }
        });
        // Without a thread the sender is gone and the caller sees the file end early: an error.
        drop(spawned);
        ReadAhead {
            columns,
            batches: receiver,
            recycled,
        }
    }
}

impl Columns {
    /// Checks a record read: a valid row, or every problem found in it.
    pub fn check(&self, raw: &RawRow) -> Record {
        let line = raw.line;
        match raw.shape {
            Shape::Whole => self.convert(line, &raw.record),
            Shape::CellTooLong(field) => {
                let column = self
                    .headers
                    .get(field)
                    .cloned()
                    .unwrap_or_else(|| format!("column {}", field + 1));
                Record::Invalid(
                    vec![RowError {
                        line,
                        column,
                        problem: format!(
                            "is longer than 64 KiB ({LONG_MAX_BYTES} bytes); a cell holds at most that"
                        ),
                    }],
                    self.raw(&raw.record),
                )
            }
            Shape::TooManyFields(fields) => Record::Invalid(
                vec![RowError {
                    line,
                    column: String::new(),
                    problem: format!(
                        "has {fields} fields but the header has {} (an unquoted comma?)",
                        self.headers.len()
                    ),
                }],
                self.raw(&raw.record),
            ),
        }
    }

    /// The record as read, for a reject file (if one is kept).
    fn raw(&self, record: &ByteRecord) -> RawRecord {
        RawRecord(if self.keep_raw {
            record.clone()
        } else {
            ByteRecord::new()
        })
    }

    /// A record with fewer fields than the header is a problem only when a missing one is read:
    /// trailing columns that are ignored anyway may be left out.
    fn short_record(&self, line: u64, record: &ByteRecord) -> Option<RowError> {
        let (fields, expected) = (record.len(), self.headers.len());
        let missing: Vec<&str> = self
            .headers
            .iter()
            .zip(&self.targets)
            .skip(fields)
            .filter(|(_, t)| **t != Target::Ignore)
            .map(|(h, _)| h.as_str())
            .collect();
        (!missing.is_empty()).then(|| RowError {
            line,
            column: String::new(),
            problem: format!(
                "has {fields} fields but the header has {expected} (missing {})",
                missing.join(", ")
            ),
        })
    }

    fn convert(&self, line: u64, record: &ByteRecord) -> Record {
        let raw = self.raw(record);
        if let Some(short) = self.short_record(line, record) {
            return Record::Invalid(vec![short], raw);
        }
        let mut errors = Vec::new();
        let mut row = SupplierRow {
            line,
            ..Default::default()
        };
        for (i, bytes) in record.iter().enumerate() {
            let Target::Field(field) = self.targets[i] else {
                continue;
            };
            let column = &self.headers[i];
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    errors.push(RowError {
                        line,
                        column: column.clone(),
                        problem: "is not valid UTF-8 (save the file as UTF-8)".into(),
                    });
                    continue;
                }
            };
            // A cell of a file vetted exported: its formula guard is not part of the value.
            let text = crate::output::unguard(text);
            let cleaned = if field == Field::Note {
                clean_multiline(text)
            } else {
                clean(text)
            };
            let Some(text) = cleaned else { continue };
            if let Err(invalid) = set(&mut row, field, text, self.today) {
                errors.push(RowError {
                    line,
                    column: column.clone(),
                    problem: invalid.problem,
                });
            }
        }
        if row.name.is_empty() && errors.is_empty() {
            let column = self.headers[self
                .targets
                .iter()
                .position(|t| *t == Target::Field(Field::Name))
                .unwrap_or(0)]
            .clone();
            errors.push(RowError {
                line,
                column,
                problem: "is empty; every supplier needs a name".into(),
            });
        }
        if errors.is_empty() {
            Record::Valid(Box::new(row), raw)
        } else {
            Record::Invalid(errors, raw)
        }
    }
}

/// Trims a cell (no-break and other Unicode spaces too) and collapses inner runs of spaces.
/// Empty cells and the literal `NULL` that database exports write mean "no value".
fn clean(text: &str) -> Option<String> {
    let text = text::single_spaced(text);
    (!text.is_empty() && text != "NULL" && text != "\\N").then(|| text.into_owned())
}

/// A note keeps its line breaks; only the ends are trimmed.
fn clean_multiline(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "NULL" || trimmed == "\\N" {
        None
    } else {
        Some(trimmed.to_string())
    }
}

/// The values of a multi-valued cell, split at any of [`text::LIST_SEPARATORS`].
fn split_list(text: &str) -> impl Iterator<Item = &str> {
    text.split(text::LIST_SEPARATORS)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Checks one cleaned cell against the field's rules (the commands' rules) and stores it.
fn set(row: &mut SupplierRow, field: Field, text: String, today: chrono::NaiveDate) -> Result<(), Invalid> {
    let f = field.as_str();
    match field {
        Field::Name => (row.name, row.name_norm) = text::keyed_name(f, &text)?,
        Field::NativeName => {
            let (native, key) = text::keyed_name(f, &text)?;
            row.native_name = Some(native);
            row.native_norm = Some(key);
        }
        Field::Aliases => {
            for alias in split_list(&text) {
                let (alias, key) = text::list_name(f, alias)?;
                if !row.aliases.contains(&alias) {
                    row.aliases.push(alias);
                    row.alias_norms.push(key);
                }
            }
        }
        Field::Capabilities => {
            for cap in split_list(&text) {
                let tag = values::parse_capability(f, cap)?;
                if !row.capabilities.contains(&tag) {
                    row.capabilities.push(tag);
                }
            }
        }
        Field::Country => row.country = Some(values::parse_country(f, &text)?),
        Field::Province => row.province = Some(text::line(f, &text)?),
        Field::City => row.city = Some(text::line(f, &text)?),
        Field::Address => row.address = Some(text::line(f, &text)?),
        Field::Website => row.website = Some(values::parse_website(f, &text)?),
        Field::Scarce => row.scarce = Some(ScarceOverride::parse(&text)?),
        Field::Note => row.note = Some(text::long(f, &text)?),
        Field::Date => row.date = Some(crate::domain::dates::parse_past_date(f, &text, today)?),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8], maps: &[&str]) -> Result<Vec<Result<SupplierRow, Vec<RowError>>>, FileError> {
        let maps: Vec<Mapping> = maps.iter().map(|m| m.parse().unwrap()).collect();
        let mut csv = SupplierCsv::open(text, &maps)?;
        let mut out = Vec::new();
        while let Some(record) = csv.next_record()? {
            out.push(match record {
                Record::Valid(row, _) => Ok(*row),
                Record::Invalid(errors, _) => Err(errors),
            });
        }
        Ok(out)
    }

    #[test]
    fn bom_crlf_quotes_and_no_final_newline() {
        let rows = read(
            b"\xef\xbb\xbf Name ,Country,Address\r\n\"Lumina, Inc.\",china,\"88 Xinghu St\r\nSuzhou\"\r\nMaxwell GmbH,DE,x",
            &[],
        )
        .unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.name, "Lumina, Inc.");
        assert_eq!(first.country.as_deref(), Some("CN"));
        assert_eq!(
            first.address.as_deref(),
            Some("88 Xinghu St Suzhou"),
            "line breaks in a cell are spaces"
        );
        assert_eq!(first.line, 2);
        assert_eq!(
            rows[1].as_ref().unwrap().line,
            4,
            "the physical line where the record starts"
        );
    }

    #[test]
    fn spaces_nulls_and_lists_are_cleaned() {
        let rows = read(
            "name,aliases,capabilities,province\n\u{a0}Lumina  HJT \u{a0},LHE; Lumina；LHE,PECVD; wet bench,NULL\n".as_bytes(),
            &[],
        )
        .unwrap();
        let row = rows[0].as_ref().unwrap();
        assert_eq!(row.name, "Lumina HJT");
        assert_eq!(row.aliases, ["LHE", "Lumina"]);
        assert_eq!(row.capabilities, ["pecvd", "wet-bench"]);
        assert_eq!(row.province, None);
    }

    #[test]
    fn every_bad_cell_is_reported_with_line_and_column() {
        let rows = read(b"name,country,scarce\nA,Atlantis,maybe\n,CN,\n", &[]).unwrap();
        let errors = rows[0].as_ref().unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2);
        assert!(shown[0].starts_with("line 2: country: 'Atlantis'"), "{shown:?}");
        assert!(shown[1].starts_with("line 2: scarce: 'maybe'"), "{shown:?}");
        assert_eq!(
            rows[1].as_ref().unwrap_err()[0].to_string(),
            "line 3: name: is empty; every supplier needs a name"
        );
    }

    #[test]
    fn ragged_rows_and_invalid_utf8() {
        let rows = read(b"name,city\nA,B,C\nD\nE,\xff\xfe\n", &[]).unwrap();
        assert!(
            rows[0].as_ref().unwrap_err()[0]
                .problem
                .contains("has 3 fields but the header has 2")
        );
        assert!(rows[1].as_ref().unwrap_err()[0].problem.contains("missing city"));
        assert_eq!(
            rows[2].as_ref().unwrap_err()[0].to_string(),
            "line 4: city: is not valid UTF-8 (save the file as UTF-8)"
        );
        // A missing trailing column that is ignored anyway is fine.
        let rows = read(b"name,extra\nA\n", &["extra=-"]).unwrap();
        assert_eq!(rows[0].as_ref().unwrap().name, "A");
    }

    #[test]
    fn header_problems_stop_the_file() {
        assert!(read(b"", &[]).unwrap_err().0.contains("empty"));
        assert!(
            read(b"company,city\nA,B\n", &[])
                .unwrap_err()
                .0
                .contains("no name column")
        );
        let err = read(b"name,sector,lat\nA,B,1\n", &[]).unwrap_err().0;
        assert!(err.contains("unknown columns 'sector', 'lat'"), "{err}");
        assert!(read(b"Company Name,Sector\nA,B\n", &["company name=name", "SECTOR=-"]).is_ok());
        assert!(read(b"name,x\n", &["y=-"]).unwrap_err().0.contains("'y'"));
        assert!("x=colour".parse::<Mapping>().is_err());
    }

    #[test]
    fn the_formula_guard_of_an_export_is_removed_and_nothing_else() {
        let rows = read(
            "name,aliases,note\n'=HYPERLINK(\"x\"),'＠a; 'b,'+1\n''-Quoted,'plain,it's\n".as_bytes(),
            &[],
        )
        .unwrap();
        let first = rows[0].as_ref().unwrap();
        assert_eq!(first.name, "=HYPERLINK(\"x\")");
        assert_eq!(first.aliases, ["＠a", "'b"]);
        assert_eq!(first.note.as_deref(), Some("+1"));
        let second = rows[1].as_ref().unwrap();
        assert_eq!(second.name, "'-Quoted");
        assert_eq!(second.aliases, ["'plain"]);
        assert_eq!(second.note.as_deref(), Some("it's"));
    }

    #[test]
    fn countries_from_real_lists() {
        for country in [
            "Sri Lanka",
            "Turkey",
            "VIETNAM",
            "Netherlands",
            "Mauritius",
            "UK",
            "USA",
            "United States",
        ] {
            assert!(values::parse_country("country", country).is_ok(), "{country}");
        }
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever bytes arrive, the reader answers with rows, row errors or a file error.
        #[test]
        fn the_reader_never_panics(body in prop::collection::vec(any::<u8>(), 0..400), crlf in any::<bool>()) {
            let mut input = b"name,country,aliases,note\n".to_vec();
            input.extend(body);
            if crlf {
                input = input.iter().flat_map(|b| if *b == b'\n' { vec![b'\r', b'\n'] } else { vec![*b] }).collect();
            }
            if let Ok(mut csv) = SupplierCsv::open(input.as_slice(), &[]) {
                let mut last_line = 0;
                while let Ok(Some(record)) = csv.next_record() {
                    let line = match &record {
                        Record::Valid(row, _) => row.line,
                        Record::Invalid(errors, _) => errors[0].line,
                    };
                    prop_assert!(line > last_line, "line numbers go forward");
                    last_line = line;
                }
            }
        }

        /// Quoted text of any kind a note may hold survives a CSV round trip as the cell's value.
        #[test]
        fn quoted_cells_come_back(note in "([^\\p{Cc}\u{202a}-\u{202e}\u{2066}-\u{2069}]|\t|\n|\r){0,40}") {
            let mut out = Vec::new();
            {
                let mut writer = csv::Writer::from_writer(&mut out);
                writer.write_record(["name", "note"]).unwrap();
                writer.write_record(["Lumina", note.as_str()]).unwrap();
            }
            let mut csv = SupplierCsv::open(out.as_slice(), &[]).unwrap();
            match csv.next_record().unwrap() {
                Some(Record::Valid(row, _)) => {
                    let expected = clean_multiline(crate::output::unguard(&note.replace("\r\n", "\n").replace('\r', "\n")));
                    prop_assert_eq!(row.note, expected)
                }
                Some(Record::Invalid(errors, _)) => prop_assert!(false, "{:?}", errors),
                None => prop_assert!(false, "the row vanished"),
            }
        }
    }
}
