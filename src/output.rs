//! Rendering lists and records for people (aligned tables, Markdown) and for machines (JSON,
//! CSV). Every view is a `Serialize` struct; its snake_case field names are the JSON and CSV keys.
//!
//! Nothing a user typed gets out as anything but text: CSV cells that a spreadsheet would run as
//! formulas are guarded (`guard`, undone on import by `unguard`), tables show control characters
//! as escapes (`visible`), Markdown escapes its markup (`markdown_text`).

use comfy_table::{Attribute, Cell, Color, ContentArrangement, LineStyle, Table, TableStyle};
use serde::Serialize;
use serde_json::{Map, Value};
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Md,
    /// Reports only: a self-contained dashboard page.
    Html,
}

#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub format: Format,
    pub color: bool,
    /// CSV cells as they are, formulas included (`--raw`).
    pub raw: bool,
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("views serialise to JSON")
}

/// A scalar-ish cell: strings as they are, lists of scalars joined with `; `, anything nested as
/// compact JSON.
fn cell_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(cell_text).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}

/// For people: a list of objects (findings, history) in a table cell is shown as its count.
fn human_cell(value: &Value) -> String {
    match value {
        Value::Array(items) if items.iter().any(Value::is_object) => items.len().to_string(),
        other => cell_text(other),
    }
}

fn colour_for(column: &str, text: &str) -> Option<Color> {
    match (column, text) {
        ("severity", "critical") | ("status", "terminated") => Some(Color::Red),
        ("severity", "major") | ("status", "declined") => Some(Color::Yellow),
        ("status", "signed") | ("status", "resolved") => Some(Color::Green),
        ("status", "negotiating") => Some(Color::Cyan),
        _ => None,
    }
}

impl Output {
    fn table(&self, header: &[String], rows: Vec<Vec<String>>) -> String {
        let mut table = Table::new();
        // Columns separated by space, one rule under the header: light to read, easy to paste.
        table.load_style(TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' ')));
        table.set_content_arrangement(ContentArrangement::Dynamic);
        if self.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        let styled = |text: &str| {
            let cell = Cell::new(text);
            if self.color {
                cell.add_attribute(Attribute::Bold)
            } else {
                cell
            }
        };
        table.set_header(header.iter().map(|h| styled(&visible(h))));
        for row in rows {
            table.add_row(row.into_iter().zip(header).map(|(text, column)| {
                let colour = if self.color {
                    colour_for(column, &text)
                } else {
                    None
                };
                let cell = Cell::new(visible(&text));
                match colour {
                    Some(c) => cell.fg(c),
                    None => cell,
                }
            }));
        }
        table.to_string()
    }

    fn markdown(header: &[String], rows: Vec<Vec<String>>) -> String {
        let mut out = format!(
            "| {} |\n",
            header
                .iter()
                .map(|h| markdown_text(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
        for row in rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter()
                    .map(|c| markdown_text(c))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
        out
    }

    fn csv(&self, header: &[String], rows: Vec<Vec<String>>) -> String {
        let mut out = Vec::new();
        self.write_csv(&mut out, header, rows).expect("writing to memory");
        String::from_utf8(out).expect("CSV of UTF-8 text")
    }

    /// Writes CSV, every cell through `csv_cell`.
    pub fn write_csv(
        &self,
        out: impl std::io::Write,
        header: &[String],
        rows: Vec<Vec<String>>,
    ) -> std::io::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        writer.write_record(header.iter().map(|c| self.csv_cell(c)))?;
        for row in rows {
            writer.write_record(row.iter().map(|c| self.csv_cell(c)))?;
        }
        writer.flush()
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
            Format::Table => visible(text).into_owned(),
            Format::Json | Format::Csv | Format::Html => text.to_string(),
        }
    }

    /// A list. JSON and CSV carry every field; tables and Markdown show `columns`, the ones a
    /// person reads (all fields when empty).
    pub fn list<T: Serialize>(&self, rows: &[T], columns: &[&str]) -> String {
        if self.format == Format::Json {
            return format!(
                "{}\n",
                serde_json::to_string_pretty(&to_value(&rows)).expect("JSON")
            );
        }
        // Rows become cells one at a time: a long list never holds every row as JSON values.
        let all_keys: Vec<String> = rows
            .first()
            .map(|r| object(r).keys().cloned().collect())
            .unwrap_or_default();
        let header: Vec<String> = match (self.format, columns.is_empty()) {
            // An empty CSV still has its header row (the columns people see, at least).
            (Format::Csv, _) if !all_keys.is_empty() => all_keys,
            (_, true) => all_keys,
            _ => columns.iter().map(|c| c.to_string()).collect(),
        };
        if header.is_empty() {
            return match self.format {
                Format::Csv => String::new(),
                _ => "(none)\n".to_string(),
            };
        }
        let human = self.format != Format::Csv;
        let cells: Vec<Vec<String>> = rows.iter().map(|r| cells(&header, &object(r), human)).collect();
        match self.format {
            Format::Csv => self.csv(&header, cells),
            Format::Md => Self::markdown(&header, cells),
            _ => format!("{}\n", self.table(&header, cells)),
        }
    }

    /// One record with nested parts (`supplier show`, `visit show`). JSON is the record itself;
    /// CSV is `field,value` rows with dotted paths; tables and Markdown give one section per part.
    ///
    /// `omit` names fields that tables leave out because the document already says them (the
    /// supplier's id and name on each of its sites, visits and deals).
    pub fn document<T: Serialize>(&self, title: &str, doc: &T, omit: &[&str]) -> String {
        let value = to_value(doc);
        match self.format {
            Format::Json => format!("{}\n", serde_json::to_string_pretty(&value).expect("JSON")),
            Format::Csv => {
                let mut rows = Vec::new();
                flatten("", &value, &mut rows);
                self.csv(
                    &["field".to_string(), "value".to_string()],
                    rows.into_iter().map(|(k, v)| vec![k, v]).collect(),
                )
            }
            Format::Table | Format::Md | Format::Html => {
                let mut sections = Vec::new();
                self.sections(title, &value, omit, &mut sections);
                sections.join("\n")
            }
        }
    }

    fn sections(&self, title: &str, value: &Value, omit: &[&str], out: &mut Vec<String>) {
        let Value::Object(map) = value else {
            out.push(self.text(&cell_text(value)));
            return;
        };
        let heading = |name: &str| match self.format {
            Format::Md => format!("## {name}\n\n"),
            _ => format!("{name}\n"),
        };
        // In a document of parts, an empty list is an empty part, not a field.
        let has_parts = map.values().any(|v| v.is_object() || is_record_list(v));
        let is_empty_part = |v: &Value| has_parts && matches!(v, Value::Array(items) if items.is_empty());
        let scalars: Vec<Vec<String>> = map
            .iter()
            .filter(|(_, v)| !is_record_list(v) && !v.is_object() && !is_empty_part(v))
            .map(|(k, v)| vec![k.clone(), cell_text(v)])
            .collect();
        if !scalars.is_empty() {
            out.push(format!(
                "{}{}",
                heading(title),
                self.grid(&["field".into(), "value".into()], scalars)
            ));
        }
        for (key, v) in map {
            if is_empty_part(v) {
                out.push(format!("{}(none)\n", heading(key)));
            } else if v.is_object() {
                self.sections(key, v, omit, out);
            } else if let Value::Array(items) = v.clone() {
                if !is_record_list(v) {
                    continue;
                }
                let keys: Vec<String> = items[0]
                    .as_object()
                    .map(|o| {
                        o.keys()
                            .filter(|k| !omit.contains(&k.as_str()))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                let rows = items
                    .iter()
                    .map(|item| {
                        keys.iter()
                            .map(|k| human_cell(item.get(k).unwrap_or(&Value::Null)))
                            .collect()
                    })
                    .collect();
                out.push(format!("{}{}", heading(key), self.grid(&keys, rows)));
                // Records nested one level further (a visit's findings, a deal's history) get
                // their own section, keyed by the parent's id.
                for nested_key in keys
                    .iter()
                    .filter(|k| items.iter().any(|i| is_record_list(&i[k.as_str()])))
                {
                    let mut nested_rows = Vec::new();
                    let mut nested_cols: Vec<String> = Vec::new();
                    for item in &items {
                        let parent = cell_text(&item["id"]);
                        if let Value::Array(children) = &item[nested_key.as_str()] {
                            for child in children {
                                if let Value::Object(o) = child {
                                    if nested_cols.is_empty() {
                                        nested_cols = o
                                            .keys()
                                            .filter(|k| !omit.contains(&k.as_str()))
                                            .cloned()
                                            .collect();
                                    }
                                    let mut row = vec![parent.clone()];
                                    row.extend(
                                        nested_cols
                                            .iter()
                                            .map(|k| human_cell(o.get(k).unwrap_or(&Value::Null))),
                                    );
                                    nested_rows.push(row);
                                }
                            }
                        }
                    }
                    let mut header = vec![format!("{}_id", singular(key))];
                    header.extend(nested_cols);
                    // A child that already names its parent (a deal event's deal_id) needs no
                    // extra parent column.
                    if header[1..].contains(&header[0]) {
                        nested_rows.iter_mut().for_each(|r| {
                            r.remove(0);
                        });
                        header.remove(0);
                    }
                    out.push(format!(
                        "{}{}",
                        heading(&format!("{key}: {nested_key}")),
                        self.grid(&header, nested_rows)
                    ));
                }
            }
        }
    }

    fn grid(&self, header: &[String], rows: Vec<Vec<String>>) -> String {
        match self.format {
            Format::Md => Self::markdown(header, rows),
            _ => format!("{}\n", self.table(header, rows)),
        }
    }
}

/// A row as a JSON object (a scalar row becomes `{"value": ...}`).
fn object<T: Serialize>(row: &T) -> Map<String, Value> {
    match to_value(row) {
        Value::Object(map) => map,
        other => Map::from_iter([("value".to_string(), other)]),
    }
}

/// The row's cells under `header`: for people (`human`) or as CSV text.
fn cells(header: &[String], row: &Map<String, Value>, human: bool) -> Vec<String> {
    header
        .iter()
        .map(|k| {
            let v = row.get(k).unwrap_or(&Value::Null);
            if human { human_cell(v) } else { cell_text(v) }
        })
        .collect()
}

/// Every field of every row as CSV text: a header from the first row's keys, then the cells.
pub fn csv_cells<T: Serialize>(rows: &[T]) -> (Vec<String>, Vec<Vec<String>>) {
    let header: Vec<String> = rows
        .first()
        .map(|r| object(r).keys().cloned().collect())
        .unwrap_or_default();
    let cells = rows.iter().map(|r| cells(&header, &object(r), false)).collect();
    (header, cells)
}

/// A cell for `csv::Writer::write_record`.
pub struct CsvCell<'a>(Cow<'a, str>);

impl AsRef<[u8]> for CsvCell<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// The characters a spreadsheet takes as the start of a formula (OWASP "CSV injection"), with
/// the full-width forms that spreadsheets normalise.
const FORMULA_STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];

/// Whether a cell is a formula start behind any number of apostrophes.
fn quotes_a_formula(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// The one formula guard of every CSV vetted writes: a cell that starts with a formula character
/// gets a leading `'`, so opening the file cannot execute anything. A cell that starts with
/// apostrophes and then a formula character gets one more, so that `unguard` gives every value
/// back exactly (`'=x` is written `''=x`).
pub fn guard(cell: &str) -> Cow<'_, str> {
    if quotes_a_formula(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes `guard` on a cell read from a CSV file, and nothing else: `'=x` is `=x`, `''=x` is
/// `'=x`, `'x` stays `'x`.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if quotes_a_formula(cell) => rest,
        _ => cell,
    }
}

/// Characters that reorder the text around them on screen (bidirectional embeddings, overrides,
/// isolates and marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal: control characters (C0 but line breaks, DEL, C1) and bidi controls shown
/// as escapes such as `\u{1b}`, so nothing stored can move the cursor, recolour or ring the
/// terminal. A tab is a space.
pub fn visible(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| (c.is_control() && c != '\n') || is_bidi_control(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push(' '),
            c if unsafe_char(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Text for a Markdown document: markup characters escaped (HTML-significant ones as entities),
/// line breaks as `<br>` so a cell stays one table row, control characters as in `visible`.
pub fn markdown_text(text: &str) -> String {
    let text = visible(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\\' | '|' | '[' | ']' | '`' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn singular(word: &str) -> &str {
    word.strip_suffix('s').unwrap_or(word)
}

fn is_record_list(value: &Value) -> bool {
    matches!(value, Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object))
}

/// `field,value` rows for a nested record: `sites.0.name`, `visits.1.findings.0.severity`.
fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| flatten(&join(k), v, out)),
        Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => items
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten(&join(&i.to_string()), v, out)),
        other => out.push((prefix.to_string(), cell_text(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_guarded_and_the_guard_is_undone_exactly() {
        for (value, cell) in [
            ("=1+1", "'=1+1"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("＝1", "'＝1"),
            ("＋1", "'＋1"),
            ("－1", "'－1"),
            ("＠x", "'＠x"),
            ("'=x", "''=x"),
            ("''＠x", "'''＠x"),
            ("'x", "'x"),
            ("'", "'"),
            ("", ""),
            ("a=b", "a=b"),
            ("苏州", "苏州"),
        ] {
            assert_eq!(guard(value), cell, "{value:?}");
            assert_eq!(unguard(cell), value, "{cell:?}");
        }
    }

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(visible("plain 苏州\nnext"), "plain 苏州\nnext");
        assert_eq!(
            visible("a\u{1b}[31mb\u{7}c\u{0}\u{9b}\u{202e}d\te\r"),
            "a\\u{1b}[31mb\\u{7}c\\u{0}\\u{9b}\\u{202e}d e\\u{d}"
        );
    }

    #[test]
    fn markdown_markup_is_escaped() {
        assert_eq!(
            markdown_text("<script>&[x](y) `c` a|b \\ 1\n2"),
            "&lt;script&gt;&amp;\\[x\\](y) \\`c\\` a\\|b \\\\ 1<br>2"
        );
    }
}
