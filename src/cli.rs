//! Every command-line type of vetted. The doc comments are the `--help` text, and completions and
//! the man page are generated from these types.

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::output::Format;

/// Supplier due-diligence tracker: buyers, suppliers, factory visits, findings and deals, with
/// full dated history.
#[derive(Debug, Parser)]
#[command(name = "vetted", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database: a file path or sqlite:// URL (embedded), postgres://... or mysql://...
    /// [default: vetted.db in your data directory]
    #[arg(long, global = true, env = "VETTED_DB", value_name = "URL|PATH")]
    pub db: Option<String>,

    /// Who is making the change, for the audit trail [default: $USER]
    #[arg(long, global = true, env = "VETTED_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,

    /// Output format (html: reports only)
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// When to colour tables (NO_COLOR turns `auto` off)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only what was asked for: no confirmations
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// CSV: write cells as they are. Otherwise a cell a spreadsheet would run as a formula
    /// (starting with = + - @, tab or CR, or their full-width forms) gets a leading '
    #[arg(long, global = true)]
    pub raw: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Buyer teams: ours, and competitors we track
    #[command(subcommand)]
    Buyer(BuyerCommand),
    /// Equipment makers we scout
    #[command(subcommand)]
    Supplier(SupplierCommand),
    /// Factories of a supplier
    #[command(subcommand)]
    Site(SiteCommand),
    /// Factory visits and what was found there
    #[command(subcommand)]
    Visit(VisitCommand),
    /// Inspection findings and desk notes
    #[command(subcommand)]
    Note(NoteCommand),
    /// Deals between a buyer and a supplier, with their dated history
    #[command(subcommand)]
    Deal(DealCommand),
    /// Status and gaps reports, as of any day
    #[command(subcommand)]
    Report(ReportCommand),
    /// The audit trail: every change, who made it and when
    History(HistoryArgs),
    /// Bring records in from files
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write records out as CSV or JSON, or everything as a backup
    Export(ExportArgs),
    /// Schema of the database: status and migration
    #[command(subcommand)]
    Db(DbCommand),
    /// Build a fresh demo database from the bundled fixtures and show what is in it
    Demo,
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
}

#[derive(Debug, Subcommand)]
pub enum BuyerCommand {
    /// Add a buyer team
    Add {
        name: String,
        /// A competitor we track rather than one of our own teams
        #[arg(long)]
        external: bool,
        #[arg(long)]
        note: Option<String>,
    },
    /// List buyers
    List,
}

/// Profile flags shared by `supplier add` and `supplier edit`. An empty value clears a field.
#[derive(Debug, Args, Default)]
pub struct SupplierFields {
    /// Name in the supplier's own language, e.g. Chinese characters
    #[arg(long)]
    pub native_name: Option<String>,
    /// Another name the supplier is known by (repeatable)
    #[arg(long = "alias", value_name = "ALIAS")]
    pub aliases: Vec<String>,
    /// ISO 3166-1 code or English name
    #[arg(long)]
    pub country: Option<String>,
    #[arg(long)]
    pub province: Option<String>,
    #[arg(long)]
    pub city: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long)]
    pub website: Option<String>,
    /// Capability tag such as hjt-full-line, pecvd, pvd, wet-bench (repeatable)
    #[arg(long = "capability", value_name = "CAP")]
    pub capabilities: Vec<String>,
    /// Override computed scarcity: auto, yes or no
    #[arg(long, value_name = "auto|yes|no")]
    pub scarce: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SupplierCommand {
    /// Add a supplier
    Add {
        name: String,
        #[command(flatten)]
        fields: SupplierFields,
    },
    /// Change a supplier's profile
    Edit {
        /// Id, name, native name or alias
        supplier: String,
        /// New name
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        fields: SupplierFields,
        /// Remove an alias (repeatable)
        #[arg(long = "remove-alias", value_name = "ALIAS")]
        remove_aliases: Vec<String>,
        /// Remove a capability (repeatable)
        #[arg(long = "remove-capability", value_name = "CAP")]
        remove_capabilities: Vec<String>,
    },
    /// List active suppliers
    List {
        /// Only suppliers offering this capability
        #[arg(long)]
        capability: Option<String>,
        /// Only suppliers in this country
        #[arg(long)]
        country: Option<String>,
        /// Only suppliers whose name contains this text
        #[arg(long)]
        search: Option<String>,
        /// Include archived suppliers
        #[arg(long)]
        all: bool,
    },
    /// A supplier's whole file: profile, sites, visits with findings, deals with history
    Show { supplier: String },
    /// Archive a supplier (its evidence is kept), or restore it
    Archive {
        supplier: String,
        /// Make an archived supplier active again
        #[arg(long)]
        restore: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a factory of a supplier
    Add {
        supplier: String,
        name: String,
        #[arg(long)]
        city: Option<String>,
        #[arg(long)]
        province: Option<String>,
        /// ISO 3166-1 code or English name [default: the supplier's]
        #[arg(long)]
        country: Option<String>,
        /// Number of production lines
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        lines: Option<String>,
    },
    /// List sites, of one supplier or all
    List { supplier: Option<String> },
}

#[derive(Debug, Subcommand)]
pub enum VisitCommand {
    /// Log a visit to a supplier
    Log {
        supplier: String,
        /// The buyer team that visited
        #[arg(long)]
        buyer: String,
        /// The site visited (id or name)
        #[arg(long)]
        site: Option<String>,
        /// YYYY-MM-DD, today or yesterday
        #[arg(long, default_value = "today")]
        date: String,
        /// Who went (repeatable)
        #[arg(long = "visitor", value_name = "NAME")]
        visitors: Vec<String>,
        #[arg(long)]
        purpose: Option<String>,
        /// Production lines inspected
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        lines_inspected: Option<String>,
        #[arg(long)]
        summary: Option<String>,
        /// A finding, e.g. major:PECVD chamber leak (repeatable)
        #[arg(long = "finding", value_name = "SEVERITY:TEXT")]
        findings: Vec<String>,
    },
    /// List visits
    List {
        #[arg(long)]
        supplier: Option<String>,
        #[arg(long)]
        buyer: Option<String>,
        /// On or after this date
        #[arg(long)]
        since: Option<String>,
        /// On or before this date
        #[arg(long)]
        until: Option<String>,
    },
    /// Show a visit with its findings
    Show { id: i32 },
}

#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add an inspection note to a visit, or a desk note to a supplier
    #[command(group = clap::ArgGroup::new("target").required(true).args(["visit", "supplier"]))]
    Add {
        #[arg(long)]
        visit: Option<i32>,
        #[arg(long)]
        supplier: Option<String>,
        #[arg(long)]
        topic: Option<String>,
        /// info, minor, major or critical
        #[arg(long, default_value = "info")]
        severity: String,
        /// [default: the visit's date, or today]
        #[arg(long)]
        date: Option<String>,
        text: String,
    },
    /// Mark a note resolved
    Resolve {
        id: i32,
        #[arg(long)]
        resolution: Option<String>,
        #[arg(long, default_value = "today")]
        date: String,
    },
    /// List notes
    List {
        #[arg(long)]
        supplier: Option<String>,
        /// Only unresolved notes
        #[arg(long)]
        open: bool,
        /// Only notes at least this severe
        #[arg(long)]
        severity: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DealCommand {
    /// Record a deal's status (a dated event; history is kept)
    Set {
        supplier: String,
        #[arg(long)]
        buyer: String,
        /// prospect, evaluating, negotiating, signed, declined or terminated
        #[arg(long)]
        status: String,
        /// When it happened: YYYY-MM-DD, today or yesterday
        #[arg(long, default_value = "today")]
        date: String,
        /// Contract value, with --currency
        #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
        value: Option<String>,
        /// ISO 4217 code, with --value
        #[arg(long, value_name = "CUR")]
        currency: Option<String>,
        /// What the deal covers
        #[arg(long)]
        scope: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// List deals
    List {
        #[arg(long)]
        buyer: Option<String>,
        #[arg(long)]
        status: Option<String>,
    },
    /// The dated history of a supplier's deals
    History {
        supplier: String,
        #[arg(long)]
        buyer: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import suppliers from a CSV file: matched by name, native name or alias, merged, all or nothing
    Suppliers {
        /// The CSV file, or - for standard input
        file: String,
        /// Validate and count what would change; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Read a source column as a field (SOURCE=name), or ignore it (SOURCE=-); repeatable
        #[arg(long = "map", value_name = "SOURCE=FIELD")]
        maps: Vec<String>,
        /// Import the valid rows even if some are invalid
        #[arg(long)]
        skip_invalid: bool,
        /// Write rejected rows here, as they were, with an error column
        #[arg(long, value_name = "FILE")]
        reject_file: Option<std::path::PathBuf>,
        /// What to do with suppliers already stored
        #[arg(long, value_enum, default_value_t = OnExistingChoice::Update)]
        on_existing: OnExistingChoice,
    },
    /// Restore a full backup (from `export all`) into an empty database
    All {
        /// The backup file, or - for standard input
        file: String,
    },
}

/// Options every report takes.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Evaluate deals, visits and findings as they stood at the end of this day [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// A capability offered by this many active suppliers or fewer is scarce
    #[arg(long, value_name = "N", default_value_t = crate::domain::scarcity::DEFAULT_THRESHOLD)]
    pub threshold: usize,
    /// Write the report to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Every active supplier: capabilities, scarcity, deals by buyer, visits, open findings
    Status {
        /// Only this buyer's deals and visits
        #[arg(long)]
        buyer: Option<String>,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// Scarce suppliers a buyer has no signed deal with, most urgent first
    Gaps {
        #[arg(long)]
        buyer: String,
        #[command(flatten)]
        args: ReportArgs,
    },
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export; `all` is a full JSON backup (ids, history, audit) for `import all`
    #[arg(value_enum)]
    pub what: ExportWhat,
    /// Write to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    Suppliers,
    Buyers,
    Sites,
    Visits,
    Notes,
    Deals,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnExistingChoice {
    /// Fill in and replace fields with the file's values; add aliases and capabilities
    Update,
    /// Leave stored suppliers as they are
    Skip,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only changes made on or after this date
    #[arg(long)]
    pub since: Option<String>,
    /// Only changes to this supplier and its sites, visits, notes and deals
    #[arg(long)]
    pub supplier: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Applied and pending migrations
    Status,
    /// Apply pending migrations
    Migrate,
}

/// The command line as clap builds it, except that `--db` shows its environment value with the
/// password masked: clap would print `VETTED_DB` as it is in every `--help` and the man page.
pub fn command() -> clap::Command {
    Cli::command().mut_arg("db", |arg| {
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        let env = match std::env::var("VETTED_DB") {
            Ok(value) if !value.is_empty() => {
                format!("[env: VETTED_DB={}]", crate::store::connect::redact(&value))
            }
            _ => "[env: VETTED_DB]".to_string(),
        };
        arg.hide_env(true).help(format!("{help} {env}"))
    })
}

/// Parses the command line of this process (see [`command`]); exits on `--help` or an error.
pub fn parse() -> Cli {
    Cli::from_arg_matches(&command().get_matches()).unwrap_or_else(|e| e.exit())
}
