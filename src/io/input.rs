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

    /// The whole input as text.
    pub fn read_to_string(mut self) -> Result<String> {
        let mut text = String::new();
        self.reader.read_to_string(&mut text)?;
        Ok(text)
    }
}
