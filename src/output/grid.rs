//! Drawing rows of text as an aligned terminal table (comfy-table: CJK widths, wrapping) or a
//! Markdown table, every cell made safe to show.

use comfy_table::{Attribute, Cell, Color, ContentArrangement, LineStyle, Table, TableStyle};

use super::safe::{markdown_text, visible};

/// Statuses and severities people should notice, when colour is on.
fn colour_for(column: &str, text: &str) -> Option<Color> {
    match (column, text) {
        ("severity", "critical") | ("status", "terminated") => Some(Color::Red),
        ("severity", "major") | ("status", "declined") => Some(Color::Yellow),
        ("status", "signed") | ("status", "resolved") => Some(Color::Green),
        ("status", "negotiating") => Some(Color::Cyan),
        _ => None,
    }
}

/// An aligned table for a terminal.
pub fn terminal(header: &[String], rows: Vec<Vec<String>>, color: bool) -> String {
    let mut table = Table::new();
    // Columns separated by space, one rule under the header: light to read, easy to paste.
    table.load_style(TableStyle::new().header_separator(LineStyle::none().fill('─').junction(' ')));
    table.set_content_arrangement(ContentArrangement::Dynamic);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    let styled = |text: &str| {
        let cell = Cell::new(text);
        if color {
            cell.add_attribute(Attribute::Bold)
        } else {
            cell
        }
    };
    table.set_header(header.iter().map(|h| styled(&visible(h))));
    for row in rows {
        table.add_row(row.into_iter().zip(header).map(|(text, column)| {
            let cell = Cell::new(visible(&text));
            match colour_for(column, &text).filter(|_| color) {
                Some(c) => cell.fg(c),
                None => cell,
            }
        }));
    }
    table.to_string()
}

/// A Markdown table.
pub fn markdown(header: &[String], rows: Vec<Vec<String>>) -> String {
    let line =
        |cells: &mut dyn Iterator<Item = String>| format!("| {} |\n", cells.collect::<Vec<_>>().join(" | "));
    let mut out = line(&mut header.iter().map(|h| markdown_text(h)));
    out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
    for row in rows {
        out.push_str(&line(&mut row.iter().map(|c| markdown_text(c))));
    }
    out
}
