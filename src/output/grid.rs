//! Drawing rows of text as an aligned terminal table (comfy-table: CJK widths, wrapping) or a
//! Markdown table, every cell made safe to show.

use comfy_table::{
    Attribute, Cell, Color, ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width,
};

use unicode_width::UnicodeWidthStr;

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
    // A terminal's width is kept to, breaking lines between words; a column is never narrower
    // than its longest word (up to `WORD`), so `screen-printing` is not cut in two.
    if let Some(width) = terminal_width() {
        let longest_word = |i: usize| {
            std::iter::once(&header[i])
                .chain(rows.iter().filter_map(|r| r.get(i)))
                .flat_map(|text| text.split_whitespace())
                .map(unbreakable)
                .max()
                .unwrap_or(1)
                .min(WORD)
        };
        let words: Vec<usize> = (0..header.len()).map(longest_word).collect();
        // Too many columns for the terminal: wider than it rather than words cut (`--columns`
        // picks fewer). Each column takes two of padding and one to separate it.
        let needed: usize = words.iter().map(|w| w + 3).sum();
        table.set_width(width.max(needed.min(u16::MAX as usize) as u16));
        table.set_constraints(
            words
                .iter()
                // The boundary counts the padding on both sides too.
                .map(|w| ColumnConstraint::LowerBoundary(Width::Fixed(*w as u16 + 2))),
        );
    }
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

/// The longest word a column is kept wide enough for.
const WORD: usize = 30;

/// The width to keep tables to: `COLUMNS`, else the terminal's when standard output is one;
/// none when writing to a pipe or a file (the lines stay whole, for `grep`).
fn terminal_width() -> Option<u16> {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
    {
        return Some(columns.max(20));
    }
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| w)
}

/// How wide the widest part of `word` that must stay on one line is: Chinese, Japanese and
/// Korean text may break between any two of its characters, other words not at all.
fn unbreakable(word: &str) -> usize {
    word.split(|c: char| c.to_string().as_str().width() > 1)
        .map(UnicodeWidthStr::width)
        .max()
        .unwrap_or(0)
        .max(if word.is_empty() { 0 } else { 2 })
}

/// A Markdown table.
pub fn markdown(header: &[String], rows: Vec<Vec<String>>) -> String {
    let mut out = markdown_row(header.iter().cloned());
    out.push_str(&format!("|{}\n", " --- |".repeat(header.len())));
    for row in rows {
        out.push_str(&markdown_row(row.into_iter()));
    }
    out
}

/// One line of a Markdown table, its cells escaped.
pub fn markdown_row(cells: impl Iterator<Item = String>) -> String {
    let cells: Vec<String> = cells.map(|c| markdown_text(&c)).collect();
    format!("| {} |\n", cells.join(" | "))
}
