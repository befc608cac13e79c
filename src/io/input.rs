//! An input file named on the command line, or `-` for standard input.

use std::fs::File;
use std::io::Read;

use crate::domain::text;
use crate::error::{Error, Result};

/// An opened input.
pub struct Input {
    pub reader: Box<dyn Read + Send>,
    /// Its size, for a progress bar (not known for standard input).
    pub size: Option<u64>,
    /// What it is called in messages and the audit trail: its path, or "standard input".
    pub source: String,
}

impl Input {
    /// Opens `file` (`-`: standard input). A file that cannot be opened is a missing input (66);
    /// its name, which the audit trail keeps, is held to the rules of one-line text.
    pub fn open(file: &str) -> Result<Input> {
        if file == "-" {
            return Ok(Input {
                reader: Box::new(std::io::stdin()),
                size: None,
                source: "standard input".to_string(),
            });
        }
        let source = text::line("file", file)?;
        let opened = File::open(file).map_err(|source| Error::MissingFile {
            path: file.to_string(),
            source,
        })?;
        Ok(Input {
            size: opened.metadata().ok().map(|m| m.len()),
            reader: Box::new(opened),
            source,
        })
    }

    /// The whole input as UTF-8 text, without a byte-order mark (as the CSV readers take it).
    /// Text in another encoding is refused naming the file (exit 65), UTF-16 as such.
    pub fn read_to_string(mut self) -> Result<String> {
        let mut bytes = Vec::new();
        self.reader
            .read_to_end(&mut bytes)
            .map_err(|source| Error::MissingFile {
                path: self.source.clone(),
                source,
            })?;
        utf8_text(&self.source, bytes)
    }
}

/// `bytes` as text: UTF-8, its byte-order mark dropped.
fn utf8_text(source: &str, mut bytes: Vec<u8>) -> Result<String> {
    const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let problem = if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            "is UTF-16 text; save it as UTF-8 and try again".to_string()
        } else {
            format!(
                "is not UTF-8 text (byte {} is not); save it as UTF-8 and try again",
                e.utf8_error().valid_up_to() + 1
            )
        };
        Error::invalid(source, problem)
    })
}

#[cfg(test)]
mod tests {
    use super::utf8_text;

    #[test]
    fn text_is_utf8_with_or_without_a_byte_order_mark() {
        assert_eq!(utf8_text("f", b"\xEF\xBB\xBF{}".to_vec()).unwrap(), "{}");
        assert_eq!(
            utf8_text("f", "{\"名\"}".as_bytes().to_vec()).unwrap(),
            "{\"名\"}"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let err = utf8_text("backup.json", utf16).unwrap_err();
        assert_eq!(err.exit_code(), 65);
        assert!(err.to_string().starts_with("backup.json: is UTF-16"), "{err}");
        let err = utf8_text("b.json", b"{\"a\": \"\xE9\"}".to_vec()).unwrap_err();
        assert!(err.to_string().contains("byte 8"), "{err}");
    }
}
