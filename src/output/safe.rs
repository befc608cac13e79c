//! What makes user text safe to show: the formula guard of every CSV cell (`guard`, undone by
//! the import with `unguard`), visible escapes for terminals (`visible`) and Markdown escaping.

use std::borrow::Cow;

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
    // A plain number (`-1`, `+2.5`) is a number to a spreadsheet, never a formula: written as it is.
    if quotes_a_formula(cell) && !plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A signed decimal number and nothing else.
fn plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_guarded_and_the_guard_is_undone_exactly() {
        for (value, cell) in [
            ("=1+1", "'=1+1"),
            // A number is written as it is; what only starts like one is a formula.
            ("+1", "+1"),
            ("-1", "-1"),
            ("-2.50", "-2.50"),
            ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
            ("-", "'-"),
            ("-.5", "'-.5"),
            ("'-1", "''-1"),
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
