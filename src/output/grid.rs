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

/// How a list is laid out on a terminal (`--layout`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// An aligned table when it fits the terminal's width, else one block per record.
    #[default]
    Auto,
    /// Always an aligned table (wider than the terminal when it must).
    Table,
    /// One block per record: a line per field (as psql's expanded mode).
    Records,
}

/// An aligned table for a terminal, or, when it cannot fit the terminal's width without
/// cutting words (or `--layout records` says so), one block per record.
pub fn terminal(header: &[String], rows: Vec<Vec<String>>, color: bool, layout: Layout) -> String {
    let width = terminal_width();
    let rows: Vec<Vec<String>> = match width {
        // Long lists in a cell (competitors) are cut to a few, on a terminal.
        Some(_) => rows
            .into_iter()
            .map(|r| r.into_iter().map(cut_list).collect())
            .collect(),
        None => rows,
    };
    let fits = width.is_none_or(|w| needed(header, &rows) <= w as usize);
    match layout {
        Layout::Records => records(header, &rows, width),
        Layout::Auto if !fits && !rows.is_empty() => records(header, &rows, width),
        _ => table(header, rows, color, width),
    }
}

/// Text for a terminal, each line wrapped between words to its width (as it is for a pipe or
/// a file).
pub fn fitted(text: &str) -> String {
    let Some(width) = terminal_width() else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let wrapped: Vec<_> = textwrap::wrap(line, wrapping(usize::from(width)));
        out.push_str(&wrapped.join("\n"));
    }
    out
}

/// Lines broken between words only (`2026-07-08` and `hjt-full-line` stay whole), a word
/// longer than the line cut.
fn wrapping(width: usize) -> textwrap::Options<'static> {
    textwrap::Options::new(width).word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// Items of a list cell (joined with `; `) shown on a terminal; the rest are counted.
const LIST_ITEMS: usize = 3;

/// How wide a list cell may be before it is cut: a few lines of a terminal.
const LIST_WIDTH: usize = 160;

/// A cell holding a long list (`a; b; c; d; e`, more than `LIST_WIDTH` wide: competitors, not
/// a supplier's few capabilities), cut to its first `LIST_ITEMS` and `+N more`.
fn cut_list(cell: String) -> String {
    let items: Vec<&str> = cell.split("; ").collect();
    if items.len() <= LIST_ITEMS + 1 || cell.width() <= LIST_WIDTH {
        return cell;
    }
    format!(
        "{}; +{} more",
        items[..LIST_ITEMS].join("; "),
        items.len() - LIST_ITEMS
    )
}

/// The narrowest an aligned table can be without cutting a word: each column as wide as its
/// longest word (up to `WORD`), with two of padding and one to separate it.
fn needed(header: &[String], rows: &[Vec<String>]) -> usize {
    longest_words(header, rows).iter().map(|w| w + 3).sum()
}

fn longest_words(header: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    (0..header.len())
        .map(|i| {
            std::iter::once(&header[i])
                .chain(rows.iter().filter_map(|r| r.get(i)))
                .flat_map(|text| text.split_whitespace())
                .map(unbreakable)
                .max()
                .unwrap_or(1)
                .min(WORD)
        })
        .collect()
}

/// One block per record: its number in a rule, then a line per field (`name   value`), values
/// wrapped to the terminal's width and continued under themselves.
fn records(header: &[String], rows: &[Vec<String>], width: Option<u16>) -> String {
    let label = header
        .iter()
        .map(|h| visible(h).width())
        .max()
        .unwrap_or(0)
        .min(24);
    let width = width.map_or(usize::MAX, usize::from);
    let room = width.saturating_sub(label + 2).max(20);
    let mut out = String::new();
    for (n, row) in rows.iter().enumerate() {
        let title = format!("── {} ", n + 1);
        let rule = width.min(label + 2 + room).min(60).saturating_sub(title.width());
        out.push_str(&title);
        out.push_str(&"─".repeat(rule));
        out.push('\n');
        for (name, value) in header.iter().zip(row) {
            let value = visible(value);
            let lines: Vec<String> = if value.is_empty() {
                vec![String::new()]
            } else {
                textwrap::wrap(&value, wrapping(room))
                    .into_iter()
                    .map(|l| l.into_owned())
                    .collect()
            };
            for (i, line) in lines.iter().enumerate() {
                let name = if i == 0 {
                    visible(name).into_owned()
                } else {
                    String::new()
                };
                let pad = label.saturating_sub(name.width());
                out.push_str(format!("{name}{}  {line}", " ".repeat(pad)).trim_end());
                out.push('\n');
            }
        }
    }
    out
}

fn table(header: &[String], rows: Vec<Vec<String>>, color: bool, width: Option<u16>) -> String {
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
    if let Some(width) = width {
        let words = longest_words(header, &rows);
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
