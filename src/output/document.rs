//! A record shown whole (`supplier show`, `visit show`, a record just changed): its fields in
//! order, each a cell, a part (records) or a section (a record of its own). Tables and Markdown
//! give a section per part, CSV gives `field,value` rows with dotted paths
//! (`visits.0.findings.1.severity`), JSON is serde's.

use serde::Serialize;

use super::cell::{Cell, Records, Row};

/// A field's name: a column's, or a list's index.
pub type Name = std::borrow::Cow<'static, str>;

/// One field of a document.
pub enum Field {
    Cell(Cell),
    Section(Vec<(Name, Field)>),
}

/// A record shown whole. Every [`Row`] is one: its columns are its fields.
pub trait Document: Serialize {
    /// Columns that tables of the document's parts leave out, because the document says them
    /// already (a supplier's own id and name on each of its sites).
    const HIDDEN: &'static [&'static str] = &[];

    fn fields(&self) -> Vec<(Name, Field)>;
}

impl<T: Row> Document for T {
    fn fields(&self) -> Vec<(Name, Field)> {
        fields_of(self)
    }
}

/// A list of records (the migrations `db migrate` applied), one section each.
impl<T: Row> Document for Vec<T> {
    fn fields(&self) -> Vec<(Name, Field)> {
        self.iter()
            .enumerate()
            .map(|(i, row)| (Name::Owned(i.to_string()), Field::Section(fields_of(row))))
            .collect()
    }
}

/// A row's columns as a document's fields.
pub fn fields_of<T: Row>(row: &T) -> Vec<(Name, Field)> {
    T::COLUMNS
        .iter()
        .map(|c| Name::Borrowed(c))
        .zip(row.cells().into_iter().map(Field::Cell))
        .collect()
}

impl Field {
    fn records(&self) -> Option<&Records> {
        match self {
            Field::Cell(Cell::Records(records)) if !records.rows.is_empty() => Some(records),
            _ => None,
        }
    }

    /// An empty list: in a document of parts, an empty part rather than a field.
    fn is_empty_list(&self) -> bool {
        match self {
            Field::Cell(Cell::List(items)) => items.is_empty(),
            Field::Cell(Cell::Records(records)) => records.rows.is_empty(),
            _ => false,
        }
    }
}

/// The sections of a document for tables or Markdown: a field/value table of its cells, then a
/// table per part (and per part nested in a part's rows, keyed by the parent's id).
pub(super) struct Sections<'a> {
    pub output: &'a super::Output,
    pub hidden: &'a [&'a str],
    pub out: Vec<String>,
}

impl Sections<'_> {
    fn heading(&self, name: &str) -> String {
        match self.output.format {
            super::Format::Md => format!("## {name}\n\n"),
            _ => format!("{name}\n"),
        }
    }

    pub fn add(&mut self, title: &str, fields: &[(Name, Field)]) {
        let has_parts = fields
            .iter()
            .any(|(_, f)| matches!(f, Field::Section(_)) || f.records().is_some());
        let is_empty_part = |f: &Field| has_parts && f.is_empty_list();
        let scalars: Vec<Vec<String>> = fields
            .iter()
            .filter_map(|(name, f)| match f {
                Field::Cell(cell) if f.records().is_none() && !is_empty_part(f) => {
                    Some(vec![name.to_string(), cell.csv().into_owned()])
                }
                _ => None,
            })
            .collect();
        if !scalars.is_empty() {
            let table = self.output.grid(&["field".into(), "value".into()], scalars);
            self.out.push(format!("{}{table}", self.heading(title)));
        }
        for (name, field) in fields {
            if is_empty_part(field) {
                self.out.push(format!("{}(none)\n", self.heading(name)));
            } else if let Field::Section(inner) = field {
                self.add(name, inner);
            } else if let Some(records) = field.records() {
                self.part(name, records);
            }
        }
    }

    /// A part's table, then a table for each column of its rows that holds records.
    fn part(&mut self, name: &str, records: &Records) {
        let shown: Vec<usize> = (0..records.columns.len())
            .filter(|&i| !self.hidden.contains(&records.columns[i]))
            .collect();
        let header: Vec<String> = shown.iter().map(|&i| records.columns[i].to_string()).collect();
        let rows = records
            .rows
            .iter()
            .map(|row| shown.iter().map(|&i| row[i].human().into_owned()).collect())
            .collect();
        self.out.push(format!(
            "{}{}",
            self.heading(name),
            self.output.grid(&header, rows)
        ));
        let id = records.columns.iter().position(|c| *c == "id");
        for &column in &shown {
            let children: Vec<(String, &Records)> = records
                .rows
                .iter()
                .filter_map(|row| match &row[column] {
                    Cell::Records(nested) if !nested.rows.is_empty() => {
                        let parent = id.map(|i| row[i].csv().into_owned()).unwrap_or_default();
                        Some((parent, nested))
                    }
                    _ => None,
                })
                .collect();
            if let Some((_, first)) = children.first() {
                let nested = records.columns[column];
                self.nested(name, nested, first.columns, &children);
            }
        }
    }

    /// Records nested one level further (a visit's findings, a deal's history), in one table
    /// with their parent's id first, unless they name their parent already (`deal_id`).
    fn nested(&mut self, name: &str, column: &str, columns: &[&str], children: &[(String, &Records)]) {
        let shown: Vec<usize> = (0..columns.len())
            .filter(|&i| !self.hidden.contains(&columns[i]))
            .collect();
        let parent_column = format!("{}_id", name.strip_suffix('s').unwrap_or(name));
        let names_parent = shown.iter().any(|&i| columns[i] == parent_column);
        let mut header = Vec::new();
        if !names_parent {
            header.push(parent_column);
        }
        header.extend(shown.iter().map(|&i| columns[i].to_string()));
        let mut rows = Vec::new();
        for (parent, nested) in children {
            for child in &nested.rows {
                let mut row = Vec::with_capacity(header.len());
                if !names_parent {
                    row.push(parent.clone());
                }
                row.extend(shown.iter().map(|&i| child[i].human().into_owned()));
                rows.push(row);
            }
        }
        self.out.push(format!(
            "{}{}",
            self.heading(&format!("{name}: {column}")),
            self.output.grid(&header, rows)
        ));
    }
}

/// `field,value` rows with dotted paths: `sites.0.name`, `visits.1.findings.0.severity`.
pub(super) fn flatten(prefix: &str, fields: &[(Name, Field)], out: &mut Vec<Vec<String>>) {
    for (name, field) in fields {
        let path = join(prefix, name);
        match field {
            Field::Section(inner) => flatten(&path, inner, out),
            Field::Cell(cell) => flatten_cell(&path, cell, out),
        }
    }
}

fn flatten_cell(path: &str, cell: &Cell, out: &mut Vec<Vec<String>>) {
    match cell {
        Cell::Records(records) if !records.rows.is_empty() => {
            for (i, row) in records.rows.iter().enumerate() {
                let item = join(path, &i.to_string());
                for (column, cell) in records.columns.iter().zip(row) {
                    flatten_cell(&join(&item, column), cell, out);
                }
            }
        }
        other => out.push(vec![path.to_string(), other.csv().into_owned()]),
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}
