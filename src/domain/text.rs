//! The limits on text users give: names, one-line text and long text. One set of rules for
//! commands, CSV cells and backups, so that whatever one backend accepts every backend accepts
//! (MariaDB's `VARCHAR(255)`, PostgreSQL's index entries) and nothing stored can move a terminal's
//! cursor or turn text around.

use super::names::{is_legal_form, normalise};
use super::values::Invalid;

/// A name (buyer, supplier, native name, alias, site, visitor, actor) is 1 to this many characters.
pub const NAME_MAX_CHARS: usize = 200;
/// A name's normalised form fits its indexed column (`VARCHAR(255)` on MariaDB); NFKC can make a
/// name longer (`ﷺ` is 18 characters), so this is checked too.
pub const NAME_KEY_MAX_CHARS: usize = 255;
/// One-line text (purpose, topic, scope, city, province, address, website) is at most this long.
pub const LINE_MAX_CHARS: usize = 1000;
/// Long text (summary, finding, resolution, notes) is at most this many bytes of UTF-8; a CSV cell
/// too, which the reader refuses before it holds more.
pub const LONG_MAX_BYTES: usize = 64 * 1024;

/// Which characters a kind of text may hold besides printable ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name,
    Line,
    Long,
}

/// The first character that no text may hold: a control character (C0, DEL, C1; tab and line
/// feed are allowed in long text) or a bidirectional embedding, override or isolate, which
/// would show text in another order than it is stored.
fn forbidden_char(text: &str, kind: Kind) -> Option<char> {
    let allowed = |c: char| kind == Kind::Long && (c == '\t' || c == '\n');
    // Most text is ASCII, where only C0 and DEL can be wrong: a byte scan.
    if text.is_ascii() {
        return text
            .bytes()
            .map(char::from)
            .find(|&c| c.is_ascii_control() && !allowed(c));
    }
    text.chars().find(|&c| {
        (c.is_control() && !allowed(c)) || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

fn check(field: &str, text: &str, kind: Kind) -> Result<(), Invalid> {
    if let Some(c) = forbidden_char(text, kind) {
        let what = if c.is_control() {
            "a control character"
        } else {
            "a bidirectional override"
        };
        let hint = if kind != Kind::Long && (c == '\t' || c == '\n') {
            "; this field is one line"
        } else {
            ""
        };
        return Err(Invalid::new(
            field,
            format!("contains {what} (U+{:04X}){hint}", c as u32),
        ));
    }
    match kind {
        Kind::Name | Kind::Line => {
            let max = if kind == Kind::Name {
                NAME_MAX_CHARS
            } else {
                LINE_MAX_CHARS
            };
            // A character is at least a byte: short text needs no counting.
            let chars = if text.len() <= max {
                text.len()
            } else {
                text.chars().count()
            };
            if chars > max {
                return Err(Invalid::new(
                    field,
                    format!("is {chars} characters long; at most {max}"),
                ));
            }
        }
        Kind::Long => {
            if text.len() > LONG_MAX_BYTES {
                return Err(Invalid::new(
                    field,
                    format!(
                        "is {} bytes long; at most 64 KiB ({LONG_MAX_BYTES} bytes)",
                        text.len()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A name: trimmed, 1–200 characters, no control or bidi characters, and something left to
/// match on once normalised (`...`, `有限公司` or zero-width spaces alone are not names).
pub fn name(field: &str, input: &str) -> Result<String, Invalid> {
    keyed_name(field, input).map(|(name, _)| name)
}

/// What separates the values of a multi-valued CSV cell (aliases, capabilities): `;` or `|` (as
/// Open Supply Hub writes them: `Apparel|Health`), full-width `；` and `｜` too.
pub const LIST_SEPARATORS: [char; 4] = [';', '；', '|', '｜'];

/// One value of a multi-valued field (an alias): a [`name`] that holds no [`LIST_SEPARATORS`],
/// so that an export's cell imports back as the same values.
pub fn list_name(field: &str, input: &str) -> Result<(String, String), Invalid> {
    if let Some(c) = input.chars().find(|c| LIST_SEPARATORS.contains(c)) {
        return Err(Invalid::new(
            field,
            format!(
                "must not contain '{c}': it separates values in a CSV cell; give each {field} on its own"
            ),
        ));
    }
    keyed_name(field, input)
}

/// [`name`], with the normalised key it was checked by (for callers that store both).
pub fn keyed_name(field: &str, input: &str) -> Result<(String, String), Invalid> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    check(field, text, Kind::Name)?;
    let text = &*single_spaced(text);
    let key = normalise(text);
    if key.is_empty() || is_legal_form(&key) {
        return Err(Invalid::new(
            field,
            format!("'{text}' has no letter or digit to tell it apart (besides a legal form)"),
        ));
    }
    if key.chars().count() > NAME_KEY_MAX_CHARS {
        return Err(Invalid::new(
            field,
            format!("is too long once normalised for matching; at most {NAME_KEY_MAX_CHARS} characters"),
        ));
    }
    Ok((text.to_string(), key))
}

/// Required one-line text: trimmed, not empty, at most 1,000 characters, no control characters.
pub fn line(field: &str, input: &str) -> Result<String, Invalid> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    check(field, text, Kind::Line)?;
    Ok(single_spaced(text).into_owned())
}

/// One line as the supplier lists write it: trimmed, and a run of whitespace (no-break and
/// ideographic spaces, tabs, line breaks) is one space. Names and one-line text are held to it
/// (after `check`, so only spaces are left to join) and the CSV import cleans every one-line
/// cell with it, so a name typed twice with different spacing is one name and an export imports
/// back unchanged. Most text is tidy already and is returned as it is.
pub fn single_spaced(text: &str) -> std::borrow::Cow<'_, str> {
    let tidy = !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.contains("  ")
        && if text.is_ascii() {
            !text
                .bytes()
                .any(|b| (b.is_ascii_whitespace() || b == 0x0b) && b != b' ')
        } else {
            !text.chars().any(|c| c.is_whitespace() && c != ' ')
        };
    if tidy {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A field an edit may set or clear: not given (`None`), an empty value to clear it
/// (`Some(None)`), or a value that passes `parse` (`Some(Some(v))`).
pub fn clearable<T>(
    field: &str,
    input: Option<&str>,
    parse: impl FnOnce(&str, &str) -> Result<T, Invalid>,
) -> Result<Option<Option<T>>, Invalid> {
    input
        .map(|text| {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                parse(field, text).map(Some)
            }
        })
        .transpose()
}

/// The start of a long text for a one-line summary: its first line, cut at `max` characters
/// with `…` (a void's reason may be 64 KiB; the log's summary is one line).
pub fn excerpt(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() <= max && line.len() == text.trim_end().len() {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(max).collect();
    cut.push('…');
    cut
}

/// `n` things, in words: `1 finding`, `2 findings`.
pub fn counted(n: u64, thing: &str) -> String {
    format!("{n} {thing}{}", if n == 1 { "" } else { "s" })
}

/// Optional one-line text: trimmed; empty means "no value".
pub fn optional_line(field: &str, input: Option<&str>) -> Result<Option<String>, Invalid> {
    optional(input, |text| line(field, text))
}

/// Required long text: trimmed, not empty, at most 64 KiB; tabs and line breaks allowed.
pub fn long(field: &str, input: &str) -> Result<String, Invalid> {
    let text = input.trim();
    if text.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    check(field, text, Kind::Long)?;
    Ok(text.to_string())
}

/// Optional long text: trimmed; empty means "no value".
pub fn optional_long(field: &str, input: Option<&str>) -> Result<Option<String>, Invalid> {
    optional(input, |text| long(field, text))
}

fn optional(
    input: Option<&str>,
    check: impl FnOnce(&str) -> Result<String, Invalid>,
) -> Result<Option<String>, Invalid> {
    match input.map(str::trim) {
        Some(text) if !text.is_empty() => check(text).map(Some),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_one_line_cut_with_an_ellipsis() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("abcdefghijkl", 5), "abcde…");
        assert_eq!(excerpt("first\nsecond", 20), "first…");
        assert_eq!(excerpt(&"é".repeat(300), 200).chars().count(), 201);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  Lumina  ").unwrap(), "Lumina");
        assert_eq!(name("name", "  ").unwrap_err().problem, "must not be empty");
        assert!(name("name", &"名".repeat(200)).is_ok());
        let err = name("name", &"名".repeat(201)).unwrap_err();
        assert_eq!(err.field, "name");
        assert_eq!(err.problem, "is 201 characters long; at most 200");
        // Expands under NFKC past what the key column holds.
        assert!(name("name", &"\u{fdfa}".repeat(20)).is_err());
    }

    #[test]
    fn names_need_something_to_match_on() {
        for empty in [
            "...",
            "!!!",
            "\u{200b}",
            "\u{200b}\u{200d}",
            "有限公司",
            "株式会社",
            "- -",
        ] {
            let err = name("name", empty).unwrap_err();
            assert!(err.problem.contains("no letter or digit"), "{empty:?}: {err:?}");
        }
        assert!(name("name", "3M").is_ok());
        assert!(name("name", "Co").is_ok());
    }

    #[test]
    fn control_and_bidi_characters_are_refused_everywhere() {
        for bad in [
            "a\u{0}b",
            "a\u{7}b",
            "a\u{1b}[31mb",
            "a\u{7f}b",
            "a\u{85}b",
            "a\u{9b}b",
            "a\rb",
        ] {
            for result in [name("f", bad), line("f", bad), long("f", bad)] {
                assert!(
                    result.unwrap_err().problem.contains("control character"),
                    "{bad:?}"
                );
            }
        }
        for bad in [
            "\u{202a}", "\u{202b}", "\u{202c}", "\u{202d}", "\u{202e}", "\u{2066}", "\u{2069}",
        ] {
            let text = format!("a{bad}b");
            for result in [name("f", &text), line("f", &text), long("f", &text)] {
                assert!(result.unwrap_err().problem.contains("bidirectional"), "{bad:?}");
            }
        }
        // Right-to-left text itself is fine, and so is a plain marker.
        assert!(name("f", "شركة الشمس").is_ok());
        assert!(line("f", "a\u{200f}b").is_ok());
    }

    #[test]
    fn a_run_of_spaces_is_one_space_in_names_and_lines() {
        assert_eq!(
            name("f", "Lumina  \u{3000}Solar\u{a0}Co").unwrap(),
            "Lumina Solar Co"
        );
        assert_eq!(line("f", "Suzhou   Plant").unwrap(), "Suzhou Plant");
        assert_eq!(long("f", "two  spaces").unwrap(), "two  spaces");
    }

    #[test]
    fn tabs_and_line_breaks_only_in_long_text() {
        assert_eq!(long("f", " a\tb\nc ").unwrap(), "a\tb\nc");
        let err = line("f", "a\nb").unwrap_err();
        assert_eq!(
            err.problem,
            "contains a control character (U+000A); this field is one line"
        );
        assert!(name("f", "a\tb").is_err());
    }

    #[test]
    fn length_limits() {
        assert!(line("f", &"c".repeat(1000)).is_ok());
        assert_eq!(
            line("f", &"c".repeat(1001)).unwrap_err().problem,
            "is 1001 characters long; at most 1000"
        );
        assert!(long("f", &"x".repeat(LONG_MAX_BYTES)).is_ok());
        assert!(
            long("f", &"x".repeat(LONG_MAX_BYTES + 1))
                .unwrap_err()
                .problem
                .contains("64 KiB")
        );
    }

    #[test]
    fn optional_text_is_none_when_empty() {
        assert_eq!(optional_line("f", None).unwrap(), None);
        assert_eq!(optional_line("f", Some("  ")).unwrap(), None);
        assert_eq!(optional_long("f", Some(" x ")).unwrap().as_deref(), Some("x"));
        assert!(optional_line("f", Some("a\u{1b}")).is_err());
    }
}
