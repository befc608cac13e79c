//! Every command-line type of vetted. The doc comments are the `--help` text, and completions and
//! the man page are generated from these types.

use crate::store::import::OnExisting;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::domain::status::{Confidence, DealStatus, HoldStatus, ScarceOverride, Severity};
use crate::output::{Format, Layout};

/// Takes any text (vetted checks it, naming the option, exit 65) but tells completions and
/// `--help` the spellings it takes: `deal set --status <TAB>` offers the statuses.
#[derive(Debug, Clone, Copy)]
pub struct OneOf(&'static [&'static str]);

impl clap::builder::TypedValueParser for OneOf {
    type Value = String;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            self.0.iter().map(|s| clap::builder::PossibleValue::new(*s)),
        ))
    }
}

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

/// Options every command takes, under their own heading in `--help`. `--db` and `--actor` fall
/// back to `VETTED_DB` and `VETTED_ACTOR` in `parse` rather than through clap, whose usage lines
/// would otherwise show an option set from the environment as if it were required.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Database: a file path or sqlite:// URL (embedded), postgres://... or mysql://...
    /// [default: vetted.db in your data directory]
    #[arg(long, global = true, value_name = "URL|PATH")]
    pub db: Option<String>,

    /// Who is making the change, for the audit trail [env: VETTED_ACTOR] [default: your login
    /// name]
    #[arg(long, global = true, value_name = "NAME")]
    pub actor: Option<String>,

    /// Output format (html: reports only); `--out FILE` with a .csv, .json, .md or .html name
    /// says it
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

    /// CSV: begin with a UTF-8 byte-order mark, so that Excel reads Chinese, Japanese and other
    /// names right (without one it assumes the computer's own code page)
    #[arg(long, global = true)]
    pub bom: bool,

    /// Tables on a terminal: auto (a table when it fits the width, else one block per record),
    /// table, or records (a line per field, as psql's expanded mode)
    #[arg(long, global = true, value_enum, default_value_t = Layout::Auto, value_name = "LAYOUT")]
    pub layout: Layout,

    /// Whether `--format` was given on the command line (not from `--out`'s extension)
    #[arg(skip)]
    pub format_given: bool,

    /// Lists and reports: show these columns, in this order (comma-separated; tables, CSV and
    /// Markdown)
    #[arg(long, global = true, value_name = "A,B,C", value_delimiter = ',')]
    pub columns: Vec<String>,

    /// Lists and reports: at most N rows (`log`: the newest N operations)
    #[arg(long, global = true, value_name = "N", allow_hyphen_values = true)]
    pub limit: Option<String>,
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
    /// How many units of a capability a supplier can deliver per quarter
    #[command(subcommand)]
    Capacity(CapacityCommand),
    /// Buyers' holds on a supplier's units per quarter: ours and competitors'
    #[command(subcommand)]
    Hold(HoldCommand),
    /// Lead times (and prices) suppliers quoted
    #[command(subcommand)]
    Quote(QuoteCommand),
    /// Status and gaps reports, as of any day
    #[command(subcommand)]
    Report(ReportCommand),
    /// The audit trail: every change, who made it and when
    History(HistoryArgs),
    /// The operation log: every command that changed the record, newest first, each with its
    /// short handle (#42) that `undo`, `redo` and `log show` take
    Log(LogArgs),
    /// Take back an operation: by default your latest one not yet undone, so that undoing
    /// again walks further back (`vetted redo` brings the last one back)
    Undo(UndoArgs),
    /// Bring back what an undo took back: by default your latest undo not yet redone
    Redo(UndoArgs),
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
        /// The shell: bash, elvish, fish, powershell or zsh
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write every page (one per command) into a directory
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write vetted.1 and a page for every command (vetted-buyer.1, vetted-buyer-add.1, ...)
    /// into this directory, which the pages' SEE ALSO sections refer to
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BuyerCommand {
    /// Add a buyer team
    Add(BuyerAddArgs),
    /// List buyers
    List,
    /// Correct a buyer: its name, kind or note
    Edit(BuyerEditArgs),
    /// Make a buyer entered twice one: the duplicate's visits and deals move to the one kept,
    /// and its id and name find that one from now on
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("kind").args(["internal", "external"]))]
pub struct BuyerEditArgs {
    /// Id or name
    pub buyer: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    /// One of our own (or a sister company's) teams
    #[arg(long)]
    pub internal: bool,
    /// A competitor we track
    #[arg(long)]
    pub external: bool,
    /// A note on the team; an empty value clears it
    #[arg(long)]
    pub note: Option<String>,
}

/// Merging a record entered twice into the one to keep.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The duplicate: id or name
    pub duplicate: String,
    /// The one to keep: id or name
    #[arg(long, value_name = "KEEP")]
    pub into: String,
}

/// Also a step of the demo's fixture (`fixtures/demo.json`).
#[derive(Debug, Args, serde::Deserialize)]
pub struct BuyerAddArgs {
    /// The team's name, e.g. Aurora Solar HJT
    pub name: String,
    /// A competitor we track rather than one of our own teams
    #[arg(long)]
    #[serde(default)]
    pub external: bool,
    /// A note on the team
    #[arg(long)]
    pub note: Option<String>,
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
    /// Province or state
    #[arg(long)]
    pub province: Option<String>,
    /// City
    #[arg(long)]
    pub city: Option<String>,
    /// Street address
    #[arg(long)]
    pub address: Option<String>,
    /// Website, e.g. https://example.com
    #[arg(long)]
    pub website: Option<String>,
    /// Capability tag such as hjt-full-line, pecvd, pvd, wet-bench (repeatable)
    #[arg(long = "capability", value_name = "CAP")]
    pub capabilities: Vec<String>,
    /// Override computed scarcity: auto, yes or no
    #[arg(long, value_name = "auto|yes|no", value_parser = OneOf(ScarceOverride::SPELLINGS))]
    pub scarce: Option<String>,
    /// A note on the supplier
    #[arg(long)]
    pub note: Option<String>,
    /// The day capabilities, aliases and the scarcity override hold from (an add: the day the
    /// supplier is on record from), YYYY-MM-DD, not in the future [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SupplierCommand {
    /// Add a supplier
    Add(SupplierAddArgs),
    /// Change a supplier's profile
    Edit(SupplierEditArgs),
    /// List active suppliers
    List(SupplierListArgs),
    /// A supplier's whole file: profile, sites, visits with findings, deals with history
    Show(SupplierShowArgs),
    /// Archive a supplier (its evidence is kept), or restore it
    Archive(SupplierArchiveArgs),
    /// Make a supplier entered twice one: the duplicate's names become aliases of the one kept,
    /// its capabilities, sites, visits, findings and deals move there, and its id and names
    /// find that one from now on
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct SupplierAddArgs {
    /// The supplier's name, e.g. Lumina Heterojunction Equipment Co., Ltd.
    pub name: String,
    #[command(flatten)]
    pub fields: SupplierFields,
}

#[derive(Debug, Args)]
pub struct SupplierEditArgs {
    /// Id, name, native name or alias
    pub supplier: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub fields: SupplierFields,
    /// Remove an alias (repeatable)
    #[arg(long = "remove-alias", value_name = "ALIAS")]
    pub remove_aliases: Vec<String>,
    /// Remove a capability (repeatable)
    #[arg(long = "remove-capability", value_name = "CAP")]
    pub remove_capabilities: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SupplierListArgs {
    /// Only suppliers offering this capability
    #[arg(long)]
    pub capability: Option<String>,
    /// Only suppliers in this country
    #[arg(long)]
    pub country: Option<String>,
    /// Only suppliers whose name contains this text
    #[arg(long)]
    pub search: Option<String>,
    /// Include archived suppliers
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct SupplierShowArgs {
    /// Id, name, native name or alias
    pub supplier: String,
}

#[derive(Debug, Args)]
pub struct SupplierArchiveArgs {
    /// Id, name, native name or alias
    pub supplier: String,
    /// Make an archived supplier active again
    #[arg(long)]
    pub restore: bool,
    /// Why it is archived (shown with it, and in the log)
    #[arg(long, conflicts_with = "restore")]
    pub reason: Option<String>,
    /// The day it is archived (or restored) from, YYYY-MM-DD, not in the future [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Add a factory of a supplier
    Add(SiteAddArgs),
    /// List sites, of one supplier or all
    List(SiteListArgs),
    /// Correct a site: its name, place or line count
    Edit(SiteEditArgs),
    /// Make a site entered twice one (both of one supplier): its visits move to the one kept
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct SiteEditArgs {
    /// Id, or a name only one site has
    pub site: String,
    /// New name
    #[arg(long)]
    pub name: Option<String>,
    /// An empty value clears it
    #[arg(long)]
    pub city: Option<String>,
    /// An empty value clears it
    #[arg(long)]
    pub province: Option<String>,
    /// ISO 3166-1 code or English name; an empty value clears it
    #[arg(long)]
    pub country: Option<String>,
    /// Number of production lines; an empty value clears it
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub lines: Option<String>,
    /// The day a new line count holds from, YYYY-MM-DD, not in the future [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// Also a step of the demo's fixture (`fixtures/demo.json`).
#[derive(Debug, Args, serde::Deserialize)]
pub struct SiteAddArgs {
    /// The supplier whose factory it is (id, name, native name or alias)
    pub supplier: String,
    /// The site's name, e.g. Suzhou Plant 2
    pub name: String,
    /// City
    #[arg(long)]
    pub city: Option<String>,
    /// Province or state
    #[arg(long)]
    pub province: Option<String>,
    /// ISO 3166-1 code or English name [default: the supplier's]
    #[arg(long)]
    pub country: Option<String>,
    /// Number of production lines
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub lines: Option<String>,
    /// The day the line count holds from, YYYY-MM-DD, not in the future [default: today]
    #[arg(long, value_name = "DATE")]
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct SiteListArgs {
    /// Only this supplier's sites
    pub supplier: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum VisitCommand {
    /// Log a visit to a supplier
    Log(VisitLogArgs),
    /// List visits
    List(VisitListArgs),
    /// Show a visit with its findings
    Show(VisitShowArgs),
    /// Correct a visit: its date, site, purpose, summary, lines inspected or visitors
    Edit(VisitEditArgs),
    /// Void a visit logged by mistake, with its findings: it leaves lists and reports, and
    /// stays in `visit show` and the log
    Void(VoidArgs),
}

/// Also a step of the demo's fixture (`fixtures/demo.json`).
#[derive(Debug, Args, serde::Deserialize)]
pub struct VisitLogArgs {
    /// The supplier visited (id, name, native name or alias)
    pub supplier: String,
    /// The buyer team that visited
    #[arg(long)]
    pub buyer: String,
    /// The site visited (id or name)
    #[arg(long)]
    pub site: Option<String>,
    /// YYYY-MM-DD, today or yesterday
    #[arg(long, default_value = "today")]
    pub date: String,
    /// Who went (repeatable)
    #[arg(long = "visitor", value_name = "NAME")]
    #[serde(default)]
    pub visitors: Vec<String>,
    /// Why the team went
    #[arg(long)]
    pub purpose: Option<String>,
    /// Production lines inspected
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub lines_inspected: Option<String>,
    /// What the team saw
    #[arg(long)]
    pub summary: Option<String>,
    /// A finding, e.g. major:PECVD chamber leak (repeatable)
    #[arg(long = "finding", value_name = "SEVERITY:TEXT")]
    #[serde(default)]
    pub findings: Vec<String>,
}

#[derive(Debug, Args)]
pub struct VisitListArgs {
    /// Only visits to this supplier
    #[arg(long)]
    pub supplier: Option<String>,
    /// Only this buyer's visits
    #[arg(long)]
    pub buyer: Option<String>,
    /// On or after this date
    #[arg(long)]
    pub since: Option<String>,
    /// On or before this date
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Debug, Args)]
pub struct VisitShowArgs {
    /// The visit's id
    #[arg(allow_hyphen_values = true)]
    pub id: String,
}

#[derive(Debug, Args)]
pub struct VisitEditArgs {
    /// The visit's id
    #[arg(allow_hyphen_values = true)]
    pub id: String,
    /// Move it to another supplier (id, name, native name or alias), its findings with it; its
    /// site is cleared unless --site names one of the new supplier's
    #[arg(long)]
    pub supplier: Option<String>,
    /// Move it to another buyer (the team that went)
    #[arg(long)]
    pub buyer: Option<String>,
    /// The day of the visit: YYYY-MM-DD, today or yesterday (its findings noted that day move
    /// with it)
    #[arg(long)]
    pub date: Option<String>,
    /// The site visited (id or name); an empty value for none
    #[arg(long)]
    pub site: Option<String>,
    /// Why the team went; an empty value clears it
    #[arg(long)]
    pub purpose: Option<String>,
    /// Production lines inspected; an empty value clears it
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub lines_inspected: Option<String>,
    /// What the team saw; an empty value clears it
    #[arg(long)]
    pub summary: Option<String>,
    /// Who went (repeatable): replaces the list; one empty value clears it
    #[arg(long = "visitor", value_name = "NAME")]
    pub visitors: Vec<String>,
}

/// Voiding a record entered by mistake: which one, and why.
#[derive(Debug, Args)]
pub struct VoidArgs {
    /// Its id
    #[arg(allow_hyphen_values = true)]
    pub id: String,
    /// Why it is voided (kept with it)
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Subcommand)]
pub enum NoteCommand {
    /// Add an inspection note to a visit, or a desk note to a supplier
    Add(NoteAddArgs),
    /// Mark a note resolved
    Resolve(NoteResolveArgs),
    /// List notes
    List(NoteListArgs),
    /// Correct a note: its topic, severity or text
    Edit(NoteEditArgs),
    /// Open a resolved note again
    Reopen(NoteReopenArgs),
    /// Void a note written by mistake: it leaves lists and reports, and stays in `show` and
    /// the log
    Void(VoidArgs),
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("target").required(true).args(["visit", "supplier"]))]
pub struct NoteAddArgs {
    /// The visit the finding was made on (its id)
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub visit: Option<String>,
    /// The supplier a desk note is about (id, name, native name or alias)
    #[arg(long)]
    pub supplier: Option<String>,
    /// What it is about, e.g. PECVD chamber
    #[arg(long)]
    pub topic: Option<String>,
    /// info, minor, major or critical
    #[arg(long, default_value = "info", value_parser = OneOf(Severity::SPELLINGS))]
    pub severity: String,
    /// The day it was noted, YYYY-MM-DD [default: the visit's date, or today]
    #[arg(long)]
    pub date: Option<String>,
    /// The note itself
    pub text: String,
}

#[derive(Debug, Args)]
pub struct NoteResolveArgs {
    /// The note's id
    #[arg(allow_hyphen_values = true)]
    pub id: String,
    /// How it was resolved
    #[arg(long)]
    pub resolution: Option<String>,
    /// The day it was resolved: YYYY-MM-DD, today or yesterday
    #[arg(long, default_value = "today")]
    pub date: String,
}

#[derive(Debug, Args)]
pub struct NoteEditArgs {
    /// The note's id
    #[arg(allow_hyphen_values = true)]
    pub id: String,
    /// What it is about; an empty value clears it
    #[arg(long)]
    pub topic: Option<String>,
    /// info, minor, major or critical
    #[arg(long, value_parser = OneOf(Severity::SPELLINGS))]
    pub severity: Option<String>,
    /// The note itself
    #[arg(long)]
    pub text: Option<String>,
}

#[derive(Debug, Args)]
pub struct NoteReopenArgs {
    /// The note's id
    #[arg(allow_hyphen_values = true)]
    pub id: String,
    /// Why it is open again
    #[arg(long)]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct NoteListArgs {
    /// Only notes on this supplier
    #[arg(long)]
    pub supplier: Option<String>,
    /// Only unresolved notes
    #[arg(long)]
    pub open: bool,
    /// Only notes at least this severe
    #[arg(long, value_parser = OneOf(Severity::SPELLINGS))]
    pub severity: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DealCommand {
    /// Record a deal's status (a dated event; history is kept)
    ///
    /// Transitions: from prospect, evaluating or negotiating (or a new deal) to any status but
    /// terminated; from signed only to signed (an amendment of value or scope) or terminated;
    /// from declined or terminated only to a new start, prospect or evaluating. A back-dated
    /// event is checked against the status in force on its date and the event after it.
    Set(DealSetArgs),
    /// List deals
    List(DealListArgs),
    /// The dated history of a supplier's deals
    History(DealHistoryArgs),
    /// Void a deal event recorded by mistake (its id from `deal history`): the deal's status is
    /// worked out again from the events left, which must still follow the transitions
    Void(VoidArgs),
}

/// Also a step of the demo's fixture (`fixtures/demo.json`).
#[derive(Debug, Args, serde::Deserialize)]
pub struct DealSetArgs {
    /// The supplier (id, name, native name or alias)
    pub supplier: String,
    /// The buyer whose deal it is
    #[arg(long)]
    pub buyer: String,
    /// prospect, evaluating, negotiating, signed, declined or terminated
    #[arg(long, value_parser = OneOf(DealStatus::SPELLINGS))]
    pub status: String,
    /// When it happened: YYYY-MM-DD, today or yesterday
    #[arg(long, default_value = "today")]
    pub date: String,
    /// Contract value, with --currency
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    pub value: Option<String>,
    /// ISO 4217 code, with --value
    #[arg(long, value_name = "CUR")]
    pub currency: Option<String>,
    /// What the deal covers
    #[arg(long)]
    pub scope: Option<String>,
    /// A note on this event
    #[arg(long)]
    pub note: Option<String>,
    /// Where the news came from: a visit, a URL, "press", "supplier's sales"
    #[arg(long)]
    #[serde(default)]
    pub source: Option<String>,
    /// confirmed, likely or rumour [default: confirmed for our teams, likely for competitors]
    #[arg(long, value_parser = OneOf(Confidence::SPELLINGS))]
    #[serde(default)]
    pub confidence: Option<String>,
}

/// Where a statement came from and how sure we are of it.
#[derive(Debug, Args, Default, serde::Deserialize)]
pub struct ProvenanceArgs {
    /// The day it was stated: YYYY-MM-DD, today or yesterday [default: today]
    #[arg(long, value_name = "DATE")]
    #[serde(default)]
    pub date: Option<String>,
    /// Where it came from: a visit, a URL, "press", "supplier's sales"
    #[arg(long)]
    #[serde(default)]
    pub source: Option<String>,
    /// confirmed, likely or rumour [default: confirmed, or likely for a competitor's hold]
    #[arg(long, value_parser = OneOf(Confidence::SPELLINGS))]
    #[serde(default)]
    pub confidence: Option<String>,
    /// A note on it
    #[arg(long)]
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CapacityCommand {
    /// State how many units of a capability a supplier can deliver in a quarter (a later
    /// statement for the same quarter supersedes it; history is kept)
    Set(CapacitySetArgs),
    /// The capacity that stands, per supplier, capability and quarter
    List(StatementListArgs),
}

/// Also a step of the demo's fixture (`fixtures/demo.json`).
#[derive(Debug, Args, serde::Deserialize)]
pub struct CapacitySetArgs {
    /// The supplier (id, name, native name or alias)
    pub supplier: String,
    /// The capability, e.g. hjt-full-line
    #[arg(long)]
    pub capability: String,
    /// The quarter: 2027Q1 (or 2027-Q1, Q1 2027)
    #[arg(long)]
    pub period: String,
    /// How many units it can deliver in that quarter: 0 to 10,000
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub units: String,
    /// What a unit is
    #[arg(long, default_value = "lines")]
    #[serde(default = "lines")]
    pub unit: String,
    #[command(flatten)]
    #[serde(flatten)]
    pub provenance: ProvenanceArgs,
}

fn lines() -> String {
    "lines".to_string()
}

#[derive(Debug, Subcommand)]
pub enum HoldCommand {
    /// State a buyer's hold on a supplier's units in a quarter: rumoured, reserved, contracted,
    /// or released (a later statement supersedes it; history is kept)
    Set(HoldSetArgs),
    /// The holdings that stand, per supplier, capability, quarter and buyer
    List(StatementListArgs),
}

/// Also a step of the demo's fixture (`fixtures/demo.json`).
#[derive(Debug, Args, serde::Deserialize)]
pub struct HoldSetArgs {
    /// The supplier (id, name, native name or alias)
    pub supplier: String,
    /// The buyer holding the units, ours or a competitor
    #[arg(long)]
    pub buyer: String,
    /// The capability, e.g. hjt-full-line
    #[arg(long)]
    pub capability: String,
    /// The quarter: 2027Q1 (or 2027-Q1, Q1 2027)
    #[arg(long)]
    pub period: String,
    /// How many units: 0 to 10,000
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub units: String,
    /// rumoured (listed, not counted), reserved, contracted, or released (free again)
    #[arg(long, value_parser = OneOf(HoldStatus::SPELLINGS))]
    pub status: String,
    #[command(flatten)]
    #[serde(flatten)]
    pub provenance: ProvenanceArgs,
}

#[derive(Debug, Subcommand)]
pub enum QuoteCommand {
    /// Record a lead time (and price) a supplier quoted a buyer
    Add(QuoteAddArgs),
    /// Quotes, of one supplier or all
    List(StatementListArgs),
}

/// Also a step of the demo's fixture (`fixtures/demo.json`).
#[derive(Debug, Args, serde::Deserialize)]
pub struct QuoteAddArgs {
    /// The supplier (id, name, native name or alias)
    pub supplier: String,
    /// The buyer it quoted
    #[arg(long)]
    pub buyer: String,
    /// The capability, e.g. hjt-full-line
    #[arg(long)]
    pub capability: String,
    /// Weeks, months or days: 40w, 9m, 280d
    #[arg(long, value_name = "TIME")]
    pub lead_time: String,
    /// The price, with --currency
    #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
    #[serde(default)]
    pub price: Option<String>,
    /// ISO 4217 code, with --price
    #[arg(long, value_name = "CUR")]
    #[serde(default)]
    pub currency: Option<String>,
    /// The last day the quote holds, YYYY-MM-DD
    #[arg(long, value_name = "DATE")]
    #[serde(default)]
    pub valid_until: Option<String>,
    #[command(flatten)]
    #[serde(flatten)]
    pub provenance: ProvenanceArgs,
}

/// Which statements a capacity, hold or quote list shows.
#[derive(Debug, Args)]
pub struct StatementListArgs {
    /// Only this supplier's
    pub supplier: Option<String>,
    /// Only this buyer's (holds and quotes)
    #[arg(long)]
    pub buyer: Option<String>,
    /// Only this capability's
    #[arg(long)]
    pub capability: Option<String>,
    /// Every statement, superseded ones too
    #[arg(long)]
    pub history: bool,
}

#[derive(Debug, Args)]
pub struct DealListArgs {
    /// Only this buyer's deals
    #[arg(long)]
    pub buyer: Option<String>,
    /// Only deals in this status
    #[arg(long, value_parser = OneOf(DealStatus::SPELLINGS))]
    pub status: Option<String>,
}

#[derive(Debug, Args)]
pub struct DealHistoryArgs {
    /// The supplier (id, name, native name or alias)
    pub supplier: String,
    /// Only this buyer's deal
    #[arg(long)]
    pub buyer: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import suppliers from a CSV file: matched by name, native name or alias, merged, all or nothing
    Suppliers(ImportSuppliersArgs),
    /// Import capacity statements from a CSV file (supplier, capability, period, units; also
    /// unit, date, source, confidence, note): one operation, all or nothing
    Capacity(ImportCapacityArgs),
    /// Restore a full backup (from `export all`) into an empty database
    All(ImportAllArgs),
}

#[derive(Debug, Args)]
pub struct ImportCapacityArgs {
    /// The CSV file, or - for standard input
    pub file: String,
    /// Check every row against the database and count them; write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ImportSuppliersArgs {
    /// The CSV file, or - for standard input
    pub file: String,
    /// Validate and count what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Read a source column as a field (SOURCE=name), or ignore it (SOURCE=-); repeatable
    #[arg(long = "map", value_name = "SOURCE=FIELD")]
    pub maps: Vec<String>,
    /// Import the valid rows even if some are invalid
    #[arg(long)]
    pub skip_invalid: bool,
    /// Write rejected rows here, as they were, with an error column
    #[arg(long, value_name = "FILE")]
    pub reject_file: Option<std::path::PathBuf>,
    /// What to do with suppliers already stored
    #[arg(long, value_enum, default_value_t = OnExisting::Update)]
    pub on_existing: OnExisting,
    /// The day new suppliers are on record from, and changes hold from, YYYY-MM-DD, not in the
    /// future [default: today]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

#[derive(Debug, Args)]
pub struct ImportAllArgs {
    /// The backup file, or - for standard input
    pub file: String,
}

/// Options every report takes.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Evaluate deals, visits and findings as they stood at the end of this day [default: today]
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// The answer as the database stood at this moment (RFC 3339, or a date: the end of that
    /// day UTC), ignoring everything recorded, corrected or undone since [--as-of: its day]
    #[arg(long, value_name = "MOMENT")]
    pub known_at: Option<String>,
    /// A capability offered by this many active suppliers or fewer is scarce
    #[arg(
        long,
        value_name = "N",
        allow_hyphen_values = true,
        default_value_t = crate::domain::scarcity::DEFAULT_THRESHOLD.to_string()
    )]
    pub threshold: String,
    /// Write the report to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Every active supplier: capabilities, scarcity, deals by buyer, visits, open findings
    Status(ReportStatusArgs),
    /// Scarce suppliers a buyer has no signed deal with, most urgent first
    Gaps(ReportGapsArgs),
    /// Capacity per supplier and quarter: who holds it, what is free, and when it runs out
    Capacity(ReportCapacityArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScarceBy {
    Suppliers,
    Capacity,
}

#[derive(Debug, Args)]
pub struct ReportCapacityArgs {
    /// Only this capability, e.g. hjt-full-line
    #[arg(long)]
    pub capability: Option<String>,
    /// The first quarter shown [default: the as-of day's]
    #[arg(long, value_name = "QUARTER")]
    pub from: Option<String>,
    /// The last quarter shown [default: seven after the first]
    #[arg(long, value_name = "QUARTER")]
    pub to: Option<String>,
    /// Also the first quarter in which this buyer could still get a unit (`window`)
    #[arg(long)]
    pub buyer: Option<String>,
    #[command(flatten)]
    pub args: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ReportStatusArgs {
    /// Only this buyer's deals and visits
    #[arg(long)]
    pub buyer: Option<String>,
    #[command(flatten)]
    pub args: ReportArgs,
}

#[derive(Debug, Args)]
pub struct ReportGapsArgs {
    /// The buyer whose gaps these are
    #[arg(long)]
    pub buyer: String,
    /// Judge a capability scarce by how many active suppliers offer it, or by its free units in
    /// the next four quarters (both against --threshold)
    #[arg(long, value_enum, default_value_t = ScarceBy::Suppliers)]
    pub scarce_by: ScarceBy,
    #[command(flatten)]
    pub args: ReportArgs,
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

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only changes made on or after this date
    #[arg(long)]
    pub since: Option<String>,
    /// Only changes to this supplier and its sites, visits, notes and deals
    #[arg(long)]
    pub supplier: Option<String>,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LogArgs {
    #[command(subcommand)]
    pub show: Option<LogCommand>,
    /// Only operations on or after this date
    #[arg(long)]
    pub since: Option<String>,
    /// Only operations by this actor: `--actor NAME` given on the command line (not
    /// VETTED_ACTOR)
    #[arg(skip)]
    pub actor: Option<String>,
    /// Only operations that changed this supplier or anything of it
    #[arg(long)]
    pub supplier: Option<String>,
    /// Every change of each operation listed, however many (an import's too), written as they
    /// are read: JSON entries with all their changes, or one CSV/Markdown/table row per change.
    /// Without it an operation that changed more than 20 records lists how many of each kind
    #[arg(long)]
    pub changes: bool,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// One operation with every change it made
    Show(LogShowArgs),
}

#[derive(Debug, Args)]
pub struct LogShowArgs {
    /// The operation: its handle (#42) or its id (or the start of it)
    pub operation: String,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The operation: its handle from `vetted log` (#42), or its id (or the start of it). Undo: default your latest
    /// operation that is not undone (an undo's id redoes what it undid). Redo: an undo; default
    /// your latest undo not yet redone
    pub operation: Option<String>,
    /// Say what would be undone, and change nothing
    #[arg(long)]
    pub dry_run: bool,
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
        arg.help(format!("{help} {env}"))
    })
}

/// Parses the command line of this process (see [`command`]); exits on `--help` or an error.
pub fn parse() -> Cli {
    let matches = command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // `log --actor A` lists A's operations; the same option elsewhere says who acts.
    if let Command::Log(args) = &mut cli.command {
        args.actor = cli.global.actor.clone();
    }
    cli.global.db = cli.global.db.take().or_else(|| std::env::var("VETTED_DB").ok());
    cli.global.actor = cli
        .global
        .actor
        .take()
        .or_else(|| std::env::var("VETTED_ACTOR").ok());
    // `--out g.csv` without `--format` writes CSV: the file's extension says the format.
    cli.global.format_given = matches.value_source("format") == Some(clap::parser::ValueSource::CommandLine);
    if !cli.global.format_given
        && let Some(format) = cli.command.out_path().and_then(Format::of_path)
    {
        cli.global.format = format;
    }
    cli
}

impl Command {
    /// The file `--out` names, for the commands that take it.
    fn out_path(&self) -> Option<&std::path::Path> {
        match self {
            Command::Report(ReportCommand::Status(a)) => a.args.out.as_deref(),
            Command::Report(ReportCommand::Gaps(a)) => a.args.out.as_deref(),
            Command::Report(ReportCommand::Capacity(a)) => a.args.out.as_deref(),
            Command::Export(a) => a.out.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every option and argument of every command says what it is for in `--help`.
    #[test]
    fn every_option_is_described() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if matches!(id, "help" | "version") {
                    continue;
                }
                if arg.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::command(), "vetted", &mut missing);
        assert!(
            missing.is_empty(),
            "options without a description:\n{}",
            missing.join("\n")
        );
    }
}
