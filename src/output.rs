//! Rendering lists and records for people (aligned tables, Markdown) and for machines (JSON,
//! CSV). Every view is a `Serialize` struct; its snake_case field names are the JSON and CSV keys.

use comfy_table::{Attribute, Cell, Color, ContentArrangement, LineStyle, Table, TableStyle};
use serde::Serialize;
use serde_json::{Map, Value};

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
        table.set_header(header.iter().map(|h| styled(h)));
        for row in rows {
            table.add_row(row.into_iter().zip(header).map(|(text, column)| {
                let colour = if self.color {
                    colour_for(column, &text)
                } else {
                    None
                };
                let cell = Cell::new(&text);
                match colour {
                    Some(c) => cell.fg(c),
                    None => cell,
                }
            }));
        }
        table.to_string()
    }

    fn markdown(header: &[String], rows: Vec<Vec<String>>) -> String {
        let escape = |s: &str| s.replace('|', "\\|").replace('\n', "<br>");
        let mut out = format!(
            "| {} |\n",
            header.iter().map(|h| escape(h)).collect::<Vec<_>>().join(" | ")
        );
        out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
        for row in rows {
            out.push_str(&format!(
                "| {} |\n",
                row.iter().map(|c| escape(c)).collect::<Vec<_>>().join(" | ")
            ));
        }
        out
    }

    fn csv(header: &[String], rows: Vec<Vec<String>>) -> String {
        let mut out = Vec::new();
        write_csv(&mut out, header, rows, false).expect("writing to memory");
        String::from_utf8(out).expect("CSV of UTF-8 text")
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
            Format::Csv => Self::csv(&header, cells),
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
                Self::csv(
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
            out.push(cell_text(value));
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

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a
/// leading `'`, so that opening an export cannot execute anything (OWASP "CSV injection").
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// Writes CSV, neutralising formula-like cells when asked.
pub fn write_csv(
    out: impl std::io::Write,
    header: &[String],
    rows: Vec<Vec<String>>,
    neutralise_cells: bool,
) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header)?;
    for row in rows {
        if neutralise_cells {
            writer.write_record(row.iter().map(|c| neutralise(c).into_owned()))?;
        } else {
            writer.write_record(row)?;
        }
    }
    writer.flush()
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
