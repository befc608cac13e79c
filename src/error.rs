//! The one error type of the library. Every error knows the exit code the binary returns for it,
//! following sysexits: 65 bad input data, 66 missing input file, 69 database unavailable, 70 a
//! database error vetted did not expect (a bug).

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A value the user gave is wrong: names the field (flag or column) and what is wrong.
    #[error("{field}: {problem}")]
    Invalid { field: String, problem: String },

    /// A reference (supplier, buyer, site, visit, note) matched nothing.
    #[error("{kind} '{reference}'{} not found{}", Within(.within), Candidates(.candidates))]
    NotFound {
        kind: &'static str,
        reference: String,
        /// What was searched: `supplier 'Lumina'` for a site.
        within: Option<String>,
        candidates: Vec<String>,
    },

    /// A reference matched more than one record.
    #[error("{kind} '{reference}' is ambiguous; it matches {}; use the id", .candidates.join(", "))]
    Ambiguous {
        kind: &'static str,
        reference: String,
        candidates: Vec<String>,
    },

    /// The thing being created exists already.
    #[error("{0}")]
    Conflict(String),

    /// An import found invalid rows (or rows naming a record not on record) and wrote nothing.
    #[error(
        "{}, so nothing was imported ({}):\n{}",
        RowCounts { rejected: *.rejected, unknown: *.unknown, rows: *.rows },
        if *.skip_hint { "fix them, or pass --skip-invalid to import the rest" } else { "fix them and import the file again" },
        ShownErrors(.errors)
    )]
    InvalidRows {
        /// Rows that break a rule.
        rejected: u64,
        /// Rows that are valid but name a supplier (or buyer) not on record.
        unknown: u64,
        rows: u64,
        errors: Vec<String>,
        /// Whether the command takes `--skip-invalid`.
        skip_hint: bool,
    },

    #[error("cannot read {path}: {source}")]
    MissingFile { path: String, source: std::io::Error },

    /// A command that only reads named a SQLite file that does not exist (it is not created).
    #[error("no database at {0}")]
    NoDatabase(String),

    /// The database cannot be opened or used by this binary.
    #[error("{0}")]
    Unavailable(String),

    /// A database error, shown as its class (`store::failure`), never as the driver's message.
    #[error("{}", crate::store::failure::classify(.0))]
    Database(#[from] sea_orm::DbErr),

    #[error(transparent)]
    Io(#[from] std::io::Error),

    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            problem: problem.into(),
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid { .. }
            | Error::NotFound { .. }
            | Error::Ambiguous { .. }
            | Error::Conflict(_)
            | Error::InvalidRows { .. } => 65,
            Error::MissingFile { .. } | Error::NoDatabase(_) => 66,
            Error::Unavailable(_) => 69,
            Error::Database(e) => crate::store::failure::classify(e).exit_code(),
            Error::Io(_) | Error::Other(_) => 1,
        }
    }
}

/// ` of supplier 'Lumina'`, when a reference was looked for within something.
struct Within<'a>(&'a Option<String>);

impl fmt::Display for Within<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(within) => write!(f, " of {within}"),
            None => Ok(()),
        }
    }
}

/// `2 of 9 rows are invalid and 1 names a supplier not on record`.
struct RowCounts {
    rejected: u64,
    unknown: u64,
    rows: u64,
}

impl fmt::Display for RowCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let are = |n: u64| if n == 1 { "is" } else { "are" };
        let names = |n: u64| if n == 1 { "names" } else { "name" };
        match (self.rejected, self.unknown) {
            (r, 0) => write!(f, "{r} of {} rows {} invalid", self.rows, are(r)),
            (0, u) => write!(
                f,
                "{u} of {} rows {} a supplier not on record",
                self.rows,
                names(u)
            ),
            (r, u) => write!(
                f,
                "{r} of {} rows {} invalid and {u} {} a supplier not on record",
                self.rows,
                are(r),
                names(u)
            ),
        }
    }
}

/// Row errors, one a line, the first 50 of them.
struct ShownErrors<'a>(&'a Vec<String>);

impl fmt::Display for ShownErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 50;
        let lines: Vec<&str> = self.0.iter().take(SHOWN).map(String::as_str).collect();
        write!(f, "  {}", lines.join("\n  "))?;
        if self.0.len() > SHOWN {
            write!(f, "\n  ... and {} more", self.0.len() - SHOWN)?;
        }
        Ok(())
    }
}

/// Renders a candidate list as "; did you mean: a, b?" (or nothing when empty).
struct Candidates<'a>(&'a Vec<String>);

impl fmt::Display for Candidates<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Ok(());
        }
        write!(f, "; did you mean: {}?", self.0.join(", "))
    }
}

impl From<crate::domain::values::Invalid> for Error {
    fn from(invalid: crate::domain::values::Invalid) -> Self {
        Error::Invalid {
            field: invalid.field,
            problem: invalid.problem,
        }
    }
}

impl From<serde_json::Error> for Error {
    /// A JSON writer's I/O error stays an I/O error (so a closed pipe is still recognised).
    fn from(e: serde_json::Error) -> Self {
        match e.io_error_kind() {
            Some(kind) => Error::Io(std::io::Error::new(kind, e)),
            None => Error::Other(e.to_string()),
        }
    }
}
